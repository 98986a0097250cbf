"""A damaged case database, an older one, and one on read-only storage (issue 12, item 9): every command answers
in one line with what to do and cbis's exit code, never a traceback; a command that only reads never writes the
schema; `cbis verify` runs SQLite's own integrity check; a read-only case opens immutably for every reader."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from cbis.db.migrations import SCHEMA_VERSION
from cbis.status import ExitStatus
from tests.db.support import engine_on
from tests.hostile.corpus import small_jpeg
from tests.hostile.helpers import cbis_command, cbis_run, new_case, rows

REPO = Path(__file__).resolve().parents[2]
OLD_CASE = REPO / "tests" / "data" / "cases" / "v2.sqlite"


def _zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def _text_file(path: Path) -> None:
    path.write_text("case notes: nothing to see here\n" * 200)


def _header_damaged(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[0:16] = b"SQLite format 2\x00"  # the magic string of the 100-byte header
    path.write_bytes(bytes(data))


def _page_size_damaged(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[16:18] = (1000).to_bytes(2, "big")  # not a power of two
    path.write_bytes(bytes(data))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


DAMAGES: dict[str, Callable[[Path], None]] = {
    "zero-byte": _zero_bytes,
    "text": _text_file,
    "header": _header_damaged,
    "page-size": _page_size_damaged,
    "truncated": _truncated,
}


def _commands(case_dir: Path, tmp_path: Path) -> list[list[str | Path]]:
    return [
        ["case", "info", "--case", case_dir],
        ["search", "--case", case_dir],
        ["report", "--case", case_dir, "--csv", tmp_path / "report"],
        ["verify", "--case", case_dir],
        ["serve", "--case", case_dir, "--get", "/overview"],
        ["index", tmp_path / "evidence", "--case", case_dir, "--no-classify"],
        ["user", "list", "--case", case_dir],
        ["case", "upgrade", case_dir],
    ]


@pytest.fixture
def indexed_case(tmp_path: Path) -> Path:
    case_dir = new_case(tmp_path / "case")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for number in range(40):
        (evidence / f"p{number}.jpg").write_bytes(small_jpeg(number))
    indexed = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
    assert indexed.returncode == 0, indexed.stderr
    return case_dir


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_every_command_on_a_damaged_case_gives_one_line_and_changes_nothing(
    damage: str, indexed_case: Path, tmp_path: Path
) -> None:
    database = indexed_case / "case.sqlite"
    DAMAGES[damage](database)
    before = database.read_bytes()
    for command in _commands(indexed_case, tmp_path):
        result = cbis_run(*command, timeout=120)
        assert result.returncode == ExitStatus.DAMAGED, (command, result.stderr)
        line = _one_line_error(result)
        assert str(database) in line and "restore" in line, line
        assert database.read_bytes() == before, f"{command} wrote into the damaged file"  # no schema, no audit row


def test_a_zero_byte_case_gets_no_schema_from_a_reader(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    (case_dir / "case.sqlite").write_bytes(b"")
    result = cbis_run("case", "info", "--case", case_dir)
    assert result.returncode == ExitStatus.DAMAGED
    assert "is empty (0 bytes)" in _one_line_error(result)
    assert (case_dir / "case.sqlite").stat().st_size == 0
    assert not (case_dir / "case.sqlite-wal").exists()


def test_an_empty_sqlite_database_is_not_made_a_case_by_any_command(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    sqlite3.connect(case_dir / "case.sqlite").execute("CREATE TABLE notes (x)").connection.close()
    for command in (["case", "info", "--case", case_dir], ["user", "list", "--case", case_dir]):
        result = cbis_run(*command)
        assert result.returncode == ExitStatus.DAMAGED
        assert "holds no cbis case" in _one_line_error(result)
    assert rows(case_dir, "SELECT name FROM sqlite_master") == [("notes",)]


def test_verify_runs_the_database_s_own_integrity_check(indexed_case: Path) -> None:
    database = indexed_case / "case.sqlite"
    data = bytearray(database.read_bytes())
    middle = (len(data) // 2) // 4096 * 4096
    data[middle : middle + 4096] = bytes(byte ^ 0xFF for byte in data[middle : middle + 4096])
    database.write_bytes(bytes(data))
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    except sqlite3.DatabaseError:
        pass  # "database disk image is malformed": the check cannot even finish
    finally:
        connection.close()
    result = cbis_run("verify", "--case", indexed_case)
    assert result.returncode == ExitStatus.DAMAGED, result.stdout + result.stderr
    assert "OK" not in result.stdout
    assert "Traceback" not in result.stderr
    assert "DAMAGED" in result.stdout or "damaged" in _one_line_error(result)


def test_an_older_case_is_upgraded_by_case_upgrade_only(tmp_path: Path) -> None:
    case_dir = tmp_path / "old"
    case_dir.mkdir()
    shutil.copyfile(OLD_CASE, case_dir / "case.sqlite")
    for command in _commands(case_dir, tmp_path)[:5]:
        result = cbis_run(*command)
        assert result.returncode == ExitStatus.ERROR, (command, result.stderr)
        assert f"cbis case upgrade {case_dir}" in _one_line_error(result)
        assert rows(case_dir, "SELECT max(version) FROM schema_version") == [(2,)]  # never migrated by a reader
    upgraded = cbis_run("case", "upgrade", case_dir)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"from schema 2 to {SCHEMA_VERSION}" in upgraded.stdout
    assert rows(case_dir, "SELECT max(version) FROM schema_version") == [(SCHEMA_VERSION,)]
    [(outcome,)] = rows(
        case_dir,
        "SELECT outcome FROM audit_log WHERE command LIKE 'cbis case upgrade%' AND id > 1 AND outcome != 'started'",
    )
    assert outcome.startswith(f"ok: schema 2 -> {SCHEMA_VERSION}")
    assert cbis_run("case", "info", "--case", case_dir).returncode == 0
    again = cbis_run("case", "upgrade", case_dir)
    assert again.returncode == 0 and f"already at schema {SCHEMA_VERSION}" in again.stdout


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


needs_mount_namespace = pytest.mark.skipif(
    not _unshare_works(), reason="needs `unshare -rm` (user and mount namespaces)"
)


@needs_mount_namespace
def test_a_case_on_read_only_storage_opens_immutably_for_readers(indexed_case: Path, tmp_path: Path) -> None:
    """The case directory bind-mounted read-only in a mount namespace: even root gets EROFS there."""
    script = tmp_path / "on-read-only.sh"
    out = tmp_path / "out"
    out.mkdir()
    commands = {
        "info": cbis_command("case", "info", "--case", indexed_case),
        "search": cbis_command("search", "--case", indexed_case, "--json"),
        "report": cbis_command("report", "--case", indexed_case, "--csv", out / "report"),
        "verify": cbis_command("verify", "--case", indexed_case),
        "serve": cbis_command("serve", "--case", indexed_case, "--get", "/overview"),
        "index": cbis_command("index", tmp_path / "evidence", "--case", indexed_case, "--no-classify"),
    }
    lines = [f"mount --bind -o ro {indexed_case} {indexed_case} || exit 99"]
    for name, argv in commands.items():
        quoted = " ".join(f"'{part}'" for part in argv)
        lines.append(f"{quoted} >{out}/{name}.out 2>{out}/{name}.err; echo $? >{out}/{name}.rc")
    script.write_text("\n".join(lines) + "\n")
    before = {path.name: path.read_bytes() for path in indexed_case.iterdir()}
    ran = subprocess.run(["unshare", "-rm", "sh", str(script)], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    for name in commands:
        rc = int((out / f"{name}.rc").read_text())
        err = (out / f"{name}.err").read_text()
        assert "Traceback" not in err, (name, err)
        if name == "index":
            assert rc == ExitStatus.ERROR
            assert "read-only storage" in err and len([x for x in err.splitlines() if x.startswith("Error")]) == 1
        else:
            assert rc == 0, (name, err)
            if name != "serve":  # the viewer writes no audit rows anyway
                assert "not recorded in its audit log" in err
    assert '"path": "p1.jpg"' in (out / "search.out").read_text()
    assert "OK:" in (out / "verify.out").read_text()
    assert "<title>Overview" in (out / "serve.out").read_text()
    assert {path.name: path.read_bytes() for path in indexed_case.iterdir()} == before


@pytest.mark.parametrize("amcheck", [False, True], ids=["plain", "amcheck"])
def test_verify_says_which_integrity_check_the_database_ran(backend: str, backend_case: Path, amcheck: bool) -> None:
    # On SQLite `amcheck` changes nothing (it is PostgreSQL's): verify runs integrity_check either way.
    if amcheck and backend == "postgresql":
        with engine_on(backend_case) as engine, engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    result = cbis_run("verify", "--case", backend_case)
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("case database: ")]
    if backend == "sqlite":
        assert line == "case database: SQLite integrity_check ok"
    elif amcheck:
        assert line.startswith("case database: PostgreSQL amcheck: ") and line.endswith(" B-tree indexes ok"), line
        assert int(line.split("amcheck: ")[1].split()[0]) > 10  # every index of the case's tables
    else:
        assert "amcheck extension is not installed" in line, line
