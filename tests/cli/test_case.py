from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cbis.db.case import audit_records, broken_audit_links
from cbis.db.migrations import SCHEMA_VERSION
from cbis.services.cases import open_case
from tests.helpers import cbis


def test_case_new_creates_database_with_details(tmp_path: Path) -> None:
    result = cbis(
        "case", "new", tmp_path / "c", "--number", "2026-0042", "--examiner", "Ada", "--description", "phones"
    )
    assert result.exit_code == 0, result.output
    database = tmp_path / "c" / "case.sqlite"
    assert database.is_file()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT case_number, examiner, description FROM case_info").fetchone() == (
            "2026-0042",
            "Ada",
            "phones",
        )
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_case_new_refuses_existing_case(case_dir: Path) -> None:
    before = (case_dir / "case.sqlite").read_bytes()
    result = cbis("case", "new", case_dir, "--number", "X", "--examiner", "Y")
    assert result.exit_code == 2
    assert "already holds a case" in result.stderr
    assert (case_dir / "case.sqlite").read_bytes() == before


def test_case_new_requires_number_and_examiner(tmp_path: Path) -> None:
    result = cbis("case", "new", tmp_path / "c", "--examiner", "Y")
    assert result.exit_code == 2
    assert not (tmp_path / "c").exists()


def test_case_info_prints_details_and_counts(case_dir: Path) -> None:
    result = cbis("case", "info", "--case", case_dir)
    assert result.exit_code == 0, result.output
    assert "T-1" in result.stdout and "Test Examiner" in result.stdout
    assert "images" in result.stdout


def test_case_found_from_environment_then_cwd(case_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBIS_CASE", str(case_dir))
    assert "T-1" in cbis("case", "info").stdout
    monkeypatch.delenv("CBIS_CASE")
    monkeypatch.chdir(case_dir)
    assert "T-1" in cbis("case", "info").stdout


def test_no_case_is_a_one_line_error_with_status_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["case", "info"], ["search"], ["report", "--csv", str(tmp_path / "r")], ["index", str(tmp_path)]):
        result = cbis(*command)
        assert result.exit_code == 2, command
        assert result.stderr.count("\n") == 1 and "no case given" in result.stderr
        assert "Traceback" not in result.output


def test_case_from_newer_cbis_is_refused_with_status_4(case_dir: Path) -> None:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        connection.execute(
            "INSERT INTO schema_version VALUES (?, 'from the future', '2099-01-01', '99.0')", (SCHEMA_VERSION + 1,)
        )
    result = cbis("case", "info", "--case", case_dir)
    assert result.exit_code == 4
    assert "newer cbis" in result.stderr


def test_audit_log_records_every_command_and_refuses_changes(case_dir: Path) -> None:
    cbis("case", "info", "--case", case_dir)
    cbis("search", "--case", case_dir, "--label", "cat")
    case = open_case(case_dir)
    with case.engine.connect() as connection:
        records = audit_records(connection)
    case.close()
    commands = [(r.command, r.outcome) for r in records]
    assert any("case info" in c and o == "ok" for c, o in commands)
    assert any("search" in c and "--label cat" in c and o == "ok" for c, o in commands)
    assert all(r.time_utc.endswith("Z") and r.os_user and r.host and r.cbis_version for r in records)
    assert broken_audit_links(records) == []
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("UPDATE audit_log SET outcome = 'ok'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("DELETE FROM audit_log")


def test_audit_chain_detects_a_forged_row(case_dir: Path) -> None:
    cbis("case", "info", "--case", case_dir)
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        # Someone who bypasses the trigger (drops it) to edit history is still caught by the chain.
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET examiner = 'Mallory' WHERE id = 2")
    case = open_case(case_dir)
    with case.engine.connect() as connection:
        problems = broken_audit_links(audit_records(connection))
    case.close()
    assert problems and "row 2" in problems[0]
