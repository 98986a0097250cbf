"""Schema version 2 on both backends: a version-1 case migrates forward and keeps everything; access_log is
append-only; on PostgreSQL the viewer's role needs only the README's grants to log examiners in."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, make_url, text
from sqlalchemy.exc import DBAPIError

from cbis.db import access, migrations
from cbis.db.access import AccessEvent, UserRecord
from cbis.db.auth_models import AUTH_TABLE_NAMES
from cbis.db.case import audit_records, broken_audit_links
from cbis.db.engine import record_database_url
from cbis.errors import OlderSchemaError
from cbis.web import create_app
from cbis.web.auth import AUTH_KEY
from cbis.web.db import ENGINE_KEY
from tests.conftest import libpq_url
from tests.db.support import engine_on, is_postgresql, rows, scalar
from tests.db.test_migrations import CASES, load_dump
from tests.helpers import cbis

PASSWORD = "a long enough passphrase"


def table_names(case_dir: Path) -> set[str]:
    with engine_on(case_dir, readonly=True) as engine, engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def snapshot(case_dir: Path, tables: set[str]) -> dict[str, list[tuple[object, ...]]]:
    return {table: rows(case_dir, f"SELECT * FROM {table} ORDER BY 1") for table in sorted(tables)}


@pytest.fixture
def version_1_case(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A real case made and indexed by cbis at schema version 1 (tests/data/cases, scripts/make-old-case)."""
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    if backend == "sqlite":
        shutil.copyfile(CASES / "v1.sqlite", case_dir / "case.sqlite")
    else:
        url = request.getfixturevalue("pg_databases")()
        load_dump(url, CASES / "v1-postgresql.sql")
        record_database_url(case_dir, make_url(url))
    return case_dir


def columns_of(case_dir: Path, tables: set[str]) -> dict[str, list[str]]:
    with engine_on(case_dir, readonly=True) as engine, engine.connect() as connection:
        inspector = inspect(connection)
        return {table: [column["name"] for column in inspector.get_columns(table)] for table in sorted(tables)}


def snapshot_columns(case_dir: Path, columns: dict[str, list[str]]) -> dict[str, list[tuple[object, ...]]]:
    """The rows of each table, in the columns given (a later migration may add others)."""
    return {
        table: rows(case_dir, f"SELECT {', '.join(names)} FROM {table} ORDER BY 1") for table, names in columns.items()
    }


# Added since version 2: analyzers (version 6), hash sets (7) and perceptual hashes (8).
ANALYZER_TABLE_NAMES = {
    "analyzers",
    "run_analyzers",
    "analysis_results",
    "hash_sets",
    "hash_set_entries",
    "hash_set_matches",
    "perceptual_hashes",
    "review_categories",
    "review_events",
    "review_rollups",
    "ocr_texts",
    "face_results",
    "model_classes",
    "overview_counts",
}
# SQLite's FTS5 index of ocr_texts.text and its shadow tables (schema version 10; PostgreSQL indexes the column)
SQLITE_SEARCH_TABLE_NAMES = {
    "ocr_fts",
    "ocr_fts_config",
    "ocr_fts_content",
    "ocr_fts_data",
    "ocr_fts_docsize",
    "ocr_fts_idx",
}


def test_a_version_1_case_migrates_to_version_2_and_keeps_its_data(version_1_case: Path, backend: str) -> None:
    case_dir = version_1_case
    assert scalar(case_dir, "SELECT max(version) FROM schema_version") == 1
    version_1_tables = table_names(case_dir)
    assert not version_1_tables & AUTH_TABLE_NAMES  # migration 1 creates version 1's tables only
    appended = {"audit_log", "schema_version"}  # the only version-1 tables that migrating and adding a user add to
    version_1_columns = columns_of(case_dir, version_1_tables - appended)
    kept = snapshot_columns(case_dir, version_1_columns)
    appended_before = snapshot(case_dir, appended)
    assert scalar(case_dir, "SELECT count(*) FROM files") == 15

    # The viewer never writes, so it does not migrate an older case: it says how to bring it up to date.
    with pytest.raises(OlderSchemaError, match=r"schema version 1, from an older cbis.*cbis case upgrade "):
        create_app(case_dir, {"TESTING": True})
    assert scalar(case_dir, "SELECT max(version) FROM schema_version") == 1

    added = cbis("user", "add", "alice", "--case", case_dir, "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    every_version = [(number,) for number, _, _ in migrations.MIGRATIONS]
    assert rows(case_dir, "SELECT version FROM schema_version ORDER BY version") == every_version
    # Version 2 added the accounts' tables; versions 6-8 the analyzers', hash sets' and perceptual hashes'.
    search_tables = SQLITE_SEARCH_TABLE_NAMES if backend == "sqlite" else set()
    assert table_names(case_dir) == version_1_tables | AUTH_TABLE_NAMES | ANALYZER_TABLE_NAMES | search_tables
    assert snapshot_columns(case_dir, version_1_columns) == kept
    for table, before in appended_before.items():
        assert rows(case_dir, f"SELECT * FROM {table} ORDER BY 1")[: len(before)] == before
    with engine_on(case_dir, readonly=True) as engine, engine.connect() as connection:
        records = audit_records(connection)
    assert broken_audit_links(records) == []
    assert [record.outcome for record in records][-2:] == ["started", "ok"]
    assert rows(case_dir, "SELECT username FROM users") == [("alice",)]
    assert create_app(case_dir, {"TESTING": True}).test_client().get("/login").status_code == 200
    assert_append_only(case_dir)


def test_a_new_case_has_every_schema_version(backend_case: Path) -> None:
    every_version = [(number,) for number, _, _ in migrations.MIGRATIONS]
    assert rows(backend_case, "SELECT version FROM schema_version ORDER BY version") == every_version
    assert table_names(backend_case) >= AUTH_TABLE_NAMES
    assert rows(backend_case, "SELECT count(*) FROM users") == [(0,)]


def assert_append_only(case_dir: Path) -> None:
    entry = AccessEvent("2026-01-01T00:00:00.000Z", "alice", "192.0.2.1", "GET", "/image/1", 200, "view", 1)
    with engine_on(case_dir) as engine:
        with engine.begin() as connection:
            access.log_access(connection, entry)
        before = rows(case_dir, "SELECT * FROM access_log ORDER BY id")
        statements = ["UPDATE access_log SET username = 'mallory'", "DELETE FROM access_log"]
        if is_postgresql(case_dir):
            statements.append("TRUNCATE access_log")
        for statement in statements:
            with pytest.raises(DBAPIError, match="access_log is append-only"), engine.begin() as connection:
                connection.execute(text(statement))
    assert rows(case_dir, "SELECT * FROM access_log ORDER BY id") == before
    with engine_on(case_dir, readonly=True) as engine, engine.connect() as connection:
        assert access.access_entries(connection)[-1] == entry


def test_access_log_is_append_only(backend_case: Path) -> None:
    assert_append_only(backend_case)


def test_the_viewer_access_engine_writes_only_sessions_and_the_access_log_on_sqlite(case_dir: Path) -> None:
    with engine_on(case_dir) as owner, owner.begin() as connection:  # `cbis user add`'s engine
        access.insert_user(connection, UserRecord("carol", "", "$argon2id$not-a-real-hash", "t", False))
    engine = access.open_access_engine(case_dir)
    try:
        with engine.begin() as connection:
            access.create_session(connection, "0" * 64, "carol", "2026-01-01T00:00:00Z", "192.0.2.1")
            access.touch_session(connection, "0" * 64, "2026-01-01T00:01:00Z")
        with engine.begin() as connection:
            access.log_access(connection, AccessEvent("t", "u", "a", "GET", "/image/1", 200, "view", 1))
        with engine.begin() as connection:  # the tally of refused logins
            assert access.count_refusal(connection, "192.0.2.9", "x", "2026-01-01T00:00:00.000Z", "2025-12-31")
            assert not access.count_refusal(connection, "192.0.2.9", "y", "2026-01-01T00:00:01.000Z", "2025-12-31")
        assert rows(case_dir, "SELECT remote_addr, refused, last_username FROM login_refusals") == [
            ("192.0.2.9", 2, "y")
        ]
        for statement in (
            "UPDATE files SET sha256 = NULL",
            "DELETE FROM exif",
            "UPDATE case_info SET examiner = 'x'",
            "INSERT INTO audit_log (time_utc) VALUES ('x')",
            "UPDATE users SET disabled = 0",
            "CREATE TABLE intruder (id integer)",
            "DROP TRIGGER access_log_no_delete",
            "ATTACH DATABASE ':memory:' AS other",
            "PRAGMA writable_schema = 1",
        ):
            with pytest.raises(DBAPIError, match="not authorized"), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    assert rows(case_dir, "SELECT count(*) FROM access_log") == [(1,)]


# The README's read-only viewer role (tests/db/test_postgres_role.py)...
VIEWER_ROLE = (
    "CREATE ROLE {role} LOGIN",
    "GRANT CONNECT ON DATABASE {database} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
    "ALTER ROLE {role} SET default_transaction_read_only = on",
)
# ...and what logging examiners in needs.
LOGIN_GRANTS = (
    "GRANT INSERT ON access_log TO {role}",
    "GRANT USAGE ON SEQUENCE access_log_id_seq TO {role}",
    "GRANT INSERT, UPDATE ON web_sessions TO {role}",
    "GRANT INSERT, UPDATE ON login_refusals TO {role}",
)


@pytest.mark.postgres
def test_the_viewer_role_logs_examiners_in_and_still_cannot_write_evidence(
    pg_server: str, pg_database: str, evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from cbis.services.cases import create_case

    case_dir = tmp_path / "case"
    create_case(case_dir, number="R-2", examiner="E", database=pg_database).close()
    assert cbis("index", evidence, "--case", case_dir, "--no-classify").exit_code == 0
    assert cbis("user", "add", "alice", "--case", case_dir, "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    file_id = scalar(case_dir, "SELECT id FROM files WHERE path = 'camera/Canon_40D.jpg'")
    role = f"cbis_viewer_{uuid.uuid4().hex[:8]}"
    engines: list[Engine] = []

    def grant(statements: tuple[str, ...]) -> None:
        with psycopg.connect(libpq_url(pg_database), autocommit=True) as owner:
            for statement in statements:
                owner.execute(statement.format(role=role, database=make_url(pg_database).database))  # type: ignore[arg-type]

    grant(VIEWER_ROLE)
    try:
        monkeypatch.setenv("CBIS_DB_URL", make_url(pg_database).set(username=role).render_as_string(False))
        app = create_app(case_dir, {"TESTING": True})
        engines.extend([app.extensions[ENGINE_KEY], app.extensions[AUTH_KEY].engine])
        client = app.test_client()
        assert client.get("/").status_code == 302
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"csrf_token": token, "username": "alice", "password": PASSWORD}
        refused = client.post("/login", data=form)  # a login that cannot be logged is no login
        assert refused.status_code == 503 and "access log could not be written" in refused.get_data(as_text=True)
        assert client.get("/").status_code == 302
        grant(LOGIN_GRANTS)
        assert client.post("/login", data=form).status_code == 303
        assert client.get(f"/image/{file_id}").status_code == 200
        assert client.get(f"/file/{file_id}/original").status_code == 200
        guesser = app.test_client()  # refused logins are counted in login_refusals, with its grants
        page = guesser.get("/login").get_data(as_text=True)
        guess = {"csrf_token": page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]}
        guess |= {"username": "mallory", "password": "a wrong guess"}
        assert [guesser.post("/login", data=guess).status_code for _ in range(7)] == [401] * 5 + [429] * 2
        # The access engine writes as the viewer role, and only where the grants let it.
        writer = access.open_access_engine(case_dir)  # what the viewer logs with
        engines.append(writer)
        with writer.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == role
            for statement in (
                "UPDATE files SET sha256 = NULL",
                "DELETE FROM access_log",
                "UPDATE users SET disabled = true",
                "INSERT INTO audit_log (time_utc, examiner, os_user, host, cbis_version, command, outcome, prev_hash, "
                "row_hash) VALUES ('t', 'e', 'o', 'h', 'v', 'c', 'x', 'p', 'r')",
            ):
                with pytest.raises(DBAPIError, match="permission denied"):
                    connection.execute(text(statement))
                connection.rollback()
    finally:
        monkeypatch.delenv("CBIS_DB_URL")
        for engine in engines:
            engine.dispose()
        with psycopg.connect(libpq_url(pg_database), autocommit=True) as owner:
            owner.execute(f"DROP OWNED BY {role}")  # type: ignore[arg-type]
        with psycopg.connect(libpq_url(pg_server), autocommit=True) as admin:
            admin.execute(f"DROP ROLE {role}")  # type: ignore[arg-type]
    assert rows(case_dir, "SELECT event, username, file_id FROM access_log ORDER BY id") == [
        ("login_ok", "alice", None),
        ("view", "alice", file_id),
        ("download", "alice", file_id),
        *[("login_failed", "mallory", None)] * 5,
        ("login_limited", "mallory", None),
    ]
    assert rows(case_dir, "SELECT refused, last_username FROM login_refusals") == [(2, "mallory")]
