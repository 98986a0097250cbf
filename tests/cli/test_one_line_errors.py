"""Mistakes and broken surroundings a user meets end in one line on stderr and a documented exit status, never a
traceback: report folders that cannot be, case folders that cannot be made, a malformed $CBIS_DB_URL, and a
PostgreSQL server that does not answer (at `cbis serve` as at every other command)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.helpers import assert_one_line_error, cbis_process


def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return cbis_process(*args, env=env, timeout=60)


def assert_one_line(result: subprocess.CompletedProcess[str], status: int, *words: str) -> None:
    assert_one_line_error(result, *words, status=status)


@pytest.fixture
def sqlite_case(tmp_path: Path) -> Path:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, "--number", "L-1", "--examiner", "E").returncode == 0
    return case_dir


def test_report_folders_that_cannot_be(sqlite_case: Path, tmp_path: Path) -> None:
    taken = tmp_path / "report.csv"
    taken.write_bytes(b"keep\n")
    assert_one_line(run("report", "--case", sqlite_case, "--csv", taken), 2, "exists and is not a directory")
    assert taken.read_bytes() == b"keep\n"
    assert_one_line(run("report", "--case", sqlite_case, "--csv", "/dev/null"), 2, "is not a directory")
    assert_one_line(run("report", "--case", sqlite_case, "--csv", taken / "below"), 2, f"{taken} is not a directory")
    assert_one_line(
        run("report", "--case", sqlite_case, "--csv", "/proc/no-such-process/report"),
        1,
        "cannot create the report directory /proc/no-such-process/report",
    )


def test_case_folders_that_cannot_be_made(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_bytes(b"")
    for where, why in (
        ("/proc/no-such-process/case", "No such file or directory"),
        ("/proc/self/case", "cannot create the case in /proc/self/case"),
        (taken / "case", "exists and is not a directory"),
        (taken / "deeper" / "case", "Not a directory"),
    ):
        result = run("case", "new", where, "--number", "X", "--examiner", "E")
        assert_one_line(result, 1, why)
        assert ".cbis-new-" not in result.stderr  # the temporary name is nobody's business


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://examiner@db.example:notaport/case",
        "postgresql://examiner@[::1/case",
        "postgresql+psycopg://examiner@db.example:99999/case",
        "postgresql://examiner:s3cret@db.example:bad/case",
    ],
)
def test_a_malformed_database_url_is_one_line(sqlite_case: Path, tmp_path: Path, url: str) -> None:
    for command in (
        ("case", "info", "--case", sqlite_case),
        ("serve", "--case", sqlite_case),
        ("report", "--case", sqlite_case, "--csv", tmp_path / "r"),
        ("case", "new", tmp_path / "new", "--number", "X", "--examiner", "E"),
    ):
        result = run(*command, CBIS_DB_URL=url)
        assert_one_line(result, 2, "not a database URL")
        assert "s3cret" not in result.stderr
    assert not (tmp_path / "new").exists() and not (tmp_path / "r").exists()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again on leaving: nothing listens there


def test_an_unreachable_postgresql_is_one_line_at_every_command(sqlite_case: Path, tmp_path: Path) -> None:
    url = f"postgresql+psycopg://examiner@127.0.0.1:{_closed_port()}/case"
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for command in (
        ("serve", "--case", sqlite_case),
        ("serve", "--case", sqlite_case, "--get", "/overview"),
        ("case", "info", "--case", sqlite_case),
        ("search", "--case", sqlite_case),
        ("report", "--case", sqlite_case, "--csv", tmp_path / "r"),
        ("verify", "--case", sqlite_case),
        ("index", evidence, "--case", sqlite_case, "--no-classify"),
        ("user", "list", "--case", sqlite_case),
        ("case", "new", tmp_path / "new", "--number", "X", "--examiner", "E"),
    ):
        assert_one_line(run(*command, CBIS_DB_URL=url), 1, "cannot open the case database", "127.0.0.1")
