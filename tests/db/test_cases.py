"""Cases on both backends: creation and where the database is recorded, the audit trigger and chain, the index
lock, read-only engines and the newer-schema refusal. Each test taking `backend` (or `backend_case`) runs on
SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cbis.db.case import audit_records, broken_audit_links
from cbis.db.engine import case_database, case_file, parse_database_url, record_database_url, recorded_database_url
from cbis.db.migrations import SCHEMA_VERSION
from cbis.errors import NewerSchemaError, NoCaseError
from cbis.services.cases import open_case, record_action
from cbis.web import create_app
from tests.db.support import engine_on, index_lock_free, is_postgresql, make_corpus, rows, scalar, wait_for
from tests.helpers import cbis


def test_case_new_creates_the_schema_and_records_where_it_is(backend: str, backend_case: Path) -> None:
    if backend == "sqlite":
        assert (backend_case / "case.sqlite").is_file() and not (backend_case / "case.toml").exists()
    else:
        assert (backend_case / "case.toml").is_file() and not (backend_case / "case.sqlite").exists()
        recorded = tomllib.loads((backend_case / "case.toml").read_text(encoding="utf-8"))["database"]["url"]
        assert recorded.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert scalar(backend_case, "SELECT max(version) FROM schema_version") == SCHEMA_VERSION
    assert rows(backend_case, "SELECT case_number, examiner FROM case_info") == [("T-1", "Test Examiner")]
    result = cbis("case", "info", "--case", backend_case)  # the case directory alone finds the database
    assert result.exit_code == 0, result.output
    assert "T-1" in result.stdout
    assert ("postgresql+psycopg://" in result.stdout) == (backend == "postgresql")


def test_case_is_found_from_its_directory_alone(
    backend_case: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(backend_case)
    assert "T-1" in cbis("case", "info").stdout
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CBIS_CASE", str(backend_case))
    assert "T-1" in cbis("case", "info").stdout


def test_case_new_refuses_an_existing_case_directory(backend_case: Path) -> None:
    result = cbis("case", "new", backend_case, "--number", "X", "--examiner", "Y")
    assert result.exit_code == 2
    assert "already holds a case" in result.stderr


@pytest.mark.postgres
def test_case_new_with_db_records_the_url_and_refuses_a_database_holding_a_case(
    pg_database: str, tmp_path: Path
) -> None:
    result = cbis("case", "new", tmp_path / "a", "--number", "PG-1", "--examiner", "Ann", "--db", pg_database)
    assert result.exit_code == 0, result.output
    assert "created case PG-1" in result.stdout and "postgresql+psycopg://" in result.stdout
    recorded = tomllib.loads((tmp_path / "a" / "case.toml").read_text(encoding="utf-8"))["database"]["url"]
    assert recorded == pg_database
    # One database, one case: a second case on it is refused and leaves no directory behind.
    again = cbis("case", "new", tmp_path / "b", "--number", "PG-2", "--examiner", "Bob", "--db", pg_database)
    assert again.exit_code == 2
    assert "already holds a cbis case" in again.stderr and again.stderr.count("\n") == 1
    assert not (tmp_path / "b").exists()
    assert scalar(tmp_path / "a", "SELECT case_number FROM case_info") == "PG-1"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://ann:secret@db.example:5432/case1", "PGPASSWORD"),
        ("postgresql://ann@db.example/case1?password=secret", "PGPASSWORD"),
        ("mysql://ann@db.example/case1", "unsupported database URL"),
        ("postgresql+psycopg://ann@db.example:5432", "names no database"),
        ("not a url", "not a database URL"),
    ],
)
def test_case_new_refuses_a_url_it_cannot_record(url: str, message: str, tmp_path: Path) -> None:
    result = cbis("case", "new", tmp_path / "c", "--number", "1", "--examiner", "E", "--db", url)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "secret" not in result.stderr
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://ann@db.example:5432/case_2026_0042",
        "postgresql+psycopg://o%27neil%40corp@[::1]:6543/case%22x?sslmode=require&application_name=a%20b",
        "postgresql+psycopg://ann@/case1?host=/run/postgresql",
    ],
)
def test_recorded_url_reads_back_exactly(url: str, tmp_path: Path) -> None:
    parsed = parse_database_url(url)
    record_database_url(tmp_path, parsed)
    assert recorded_database_url(tmp_path) == parsed
    assert case_file(tmp_path) == tmp_path / "case.toml"
    with pytest.raises(FileExistsError):  # never overwritten
        record_database_url(tmp_path, parsed)


@pytest.mark.postgres
def test_an_unreachable_server_is_a_one_line_error(tmp_path: Path) -> None:
    result = cbis(
        "case", "new", tmp_path / "c", "--number", "1", "--examiner", "E", "--db", "postgresql://u@127.0.0.1:1/x"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot open the case database postgresql+psycopg://u@127.0.0.1:1/x")
    assert result.stderr.count("\n") == 1 and not (tmp_path / "c").exists()


@pytest.mark.postgres
def test_cbis_db_url_overrides_the_recorded_url(
    pg_databases: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = pg_databases(), pg_databases()
    assert cbis("case", "new", tmp_path / "a", "--number", "A-1", "--examiner", "E", "--db", first).exit_code == 0
    assert cbis("case", "new", tmp_path / "b", "--number", "B-1", "--examiner", "E", "--db", second).exit_code == 0
    monkeypatch.setenv("CBIS_DB_URL", second)
    assert "B-1" in cbis("case", "info", "--case", tmp_path / "a").stdout
    broken = cbis("case", "info", "--case", tmp_path / "a", env={"CBIS_DB_URL": "postgresql://u@127.0.0.1:1/x"})
    assert broken.exit_code == 1 and "cannot open the case database" in broken.stderr
    monkeypatch.delenv("CBIS_DB_URL")
    assert "A-1" in cbis("case", "info", "--case", tmp_path / "a").stdout


@pytest.mark.postgres
def test_case_new_from_cbis_db_url_records_it_without_the_password(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server trusts every login, so a password in the URL is accepted and ignored by the server.
    monkeypatch.setenv("CBIS_DB_URL", pg_database.replace("postgres@", "postgres:not-recorded@"))
    result = cbis("case", "new", tmp_path / "c", "--number", "ENV-1", "--examiner", "E")
    assert result.exit_code == 0, result.output
    recorded = (tmp_path / "c" / "case.toml").read_text(encoding="utf-8")
    assert "not-recorded" not in recorded
    assert tomllib.loads(recorded)["database"]["url"] == pg_database
    monkeypatch.delenv("CBIS_DB_URL")
    assert "ENV-1" in cbis("case", "info", "--case", tmp_path / "c").stdout


def test_a_directory_without_a_case_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    with pytest.raises(NoCaseError):
        open_case(tmp_path, readonly=True)
    assert list(tmp_path.iterdir()) == []
    result = cbis("case", "info", "--case", tmp_path)
    assert result.exit_code == 2 and "is not a cbis case" in result.stderr


@pytest.mark.postgres
def test_a_url_to_a_database_without_a_case_is_refused(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend_case: Path
) -> None:
    monkeypatch.setenv("CBIS_DB_URL", pg_database)  # an empty database: nothing may be created in it
    result = cbis("case", "info", "--case", backend_case)
    assert result.exit_code == 2 and "holds no cbis case" in result.stderr
    monkeypatch.delenv("CBIS_DB_URL")
    with engine_on(backend_case) as engine, engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    from sqlalchemy import create_engine, inspect

    empty = create_engine(pg_database)
    try:
        with empty.connect() as connection:
            assert inspect(connection).get_table_names() == []
    finally:
        empty.dispose()


# --- the audit log ---


def _writes_refused(case_dir: Path, statements: list[str]) -> None:
    with engine_on(case_dir) as engine:
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))


def test_audit_log_is_append_only_and_chained(backend: str, backend_case: Path) -> None:
    assert cbis("case", "info", "--case", backend_case).exit_code == 0
    assert cbis("search", "--case", backend_case, "--label", "cat").exit_code == 0
    case = open_case(backend_case, readonly=True)
    with case.engine.connect() as connection:
        records = audit_records(connection)
    case.close()
    assert [(r.command.split()[1], r.outcome) for r in records][-4:] == [
        ("case", "started"),
        ("case", "ok"),
        ("search", "started"),
        ("search", "ok"),
    ]
    assert broken_audit_links(records) == []
    statements = ["UPDATE audit_log SET outcome = 'ok'", "DELETE FROM audit_log WHERE id = 1"]
    if backend == "postgresql":
        statements.append("TRUNCATE audit_log")
    _writes_refused(backend_case, statements)
    assert scalar(backend_case, "SELECT count(*) FROM audit_log") == len(records)


def test_audit_chain_shows_a_row_edited_behind_the_trigger(backend: str, backend_case: Path) -> None:
    cbis("case", "info", "--case", backend_case)
    bypass = (
        "DROP TRIGGER audit_log_no_update"
        if backend == "sqlite"
        else "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
    )
    with engine_on(backend_case) as engine, engine.begin() as connection:
        connection.execute(text(bypass))
        connection.execute(text("UPDATE audit_log SET examiner = 'Mallory' WHERE id = 2"))
    with engine_on(backend_case, readonly=True) as engine, engine.connect() as connection:
        problems = broken_audit_links(audit_records(connection))
    assert problems and "row 2" in problems[0]


def test_audit_chain_holds_with_concurrent_writers(backend_case: Path) -> None:
    """Read-last-then-insert from several processes' worth of connections at once never forks the chain."""
    writers, each = 4, 15
    failures: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def write(number: int) -> None:
        case = open_case(backend_case)
        try:
            barrier.wait()
            for step in range(each):
                record_action(case, f"cbis test writer {number}", f"step {step}")
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            case.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    with engine_on(backend_case, readonly=True) as engine, engine.connect() as connection:
        records = audit_records(connection)
    assert sum(r.command.startswith("cbis test writer") for r in records) == writers * each
    assert broken_audit_links(records) == []


# --- the index lock ---

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cbis.services.locking import index_lock
    with index_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(120)
    """
)


def test_second_indexer_is_refused_and_a_killed_holder_frees_the_case(backend_case: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "ev"
    make_corpus(evidence, 2)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(backend_case)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        refused = cbis("index", evidence, "--case", backend_case, "--no-classify")
        assert refused.exit_code == 3, refused.output
        assert f"another `cbis index` (pid {holder.pid}" in refused.stderr
        assert "wait for it to finish" in refused.stderr
    finally:
        holder.kill()  # SIGKILL: no cleanup runs, the lock must die with the process
        holder.wait()
    assert wait_for(lambda: index_lock_free(backend_case), timeout=10)
    result = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert result.exit_code == 0, result.output


def test_index_lock_in_process_refuses_then_releases(backend_case: Path, tmp_path: Path) -> None:
    from cbis.services.locking import index_lock

    evidence = tmp_path / "ev"
    make_corpus(evidence, 2)
    with index_lock(backend_case):
        result = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert result.exit_code == 3
    assert "another `cbis index`" in result.stderr
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0


# --- read-only engines and the schema version ---


def test_readonly_engine_refuses_every_write(backend: str, backend_case: Path) -> None:
    case = open_case(backend_case, readonly=True)
    try:
        for statement in (
            "INSERT INTO case_info (id, case_number, examiner, description, created_at, created_by_cbis) "
            "VALUES (2, 'x', 'x', 'x', 'x', 'x')",
            "UPDATE case_info SET examiner = 'Mallory'",
            "DELETE FROM schema_version",
            "CREATE TABLE intruder (id integer)",
        ):
            message = "readonly database" if backend == "sqlite" else "read-only transaction"
            with pytest.raises(DBAPIError, match=message), case.engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        case.close()
    assert rows(backend_case, "SELECT examiner FROM case_info") == [("Test Examiner",)]


def test_the_viewer_serves_a_case_on_either_backend(backend_case: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "ev"
    make_corpus(evidence, 3)
    Image.new("RGB", (8, 8)).save(evidence / "extra.png")
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    app = create_app(backend_case, {"TESTING": True})
    client = app.test_client()
    for url in ("/", "/overview", "/export/files.csv", "/?sort=date", "/image/1"):
        assert client.get(url).status_code == 200, url
    assert client.post("/").status_code == 405
    result = cbis("serve", "--case", backend_case, "--get", "/overview")
    assert result.exit_code == 0, result.output


def test_case_from_a_newer_cbis_is_refused_everywhere(backend_case: Path) -> None:
    with engine_on(backend_case) as engine, engine.begin() as connection:
        connection.execute(
            text("INSERT INTO schema_version VALUES (:v, 'from the future', '2099-01-01', '99.0')"),
            {"v": SCHEMA_VERSION + 1},
        )
    result = cbis("case", "info", "--case", backend_case)
    assert result.exit_code == 4
    assert "newer cbis" in result.stderr
    with pytest.raises(NewerSchemaError):
        open_case(backend_case, readonly=True)
    with pytest.raises(NewerSchemaError):
        create_app(backend_case, {"TESTING": True})
    assert cbis("serve", "--case", backend_case, "--get", "/").exit_code == 4


def test_case_database_resolution(backend_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = case_database(backend_case)
    if is_postgresql(backend_case):
        assert target.drivername == "postgresql+psycopg"  # type: ignore[union-attr]
        (backend_case / "case.sqlite").write_bytes(b"")  # two candidates: refused, not guessed
        result = cbis("case", "info", "--case", backend_case)
        assert result.exit_code == 1 and "ambiguous" in result.stderr
    else:
        assert target == backend_case / "case.sqlite"
