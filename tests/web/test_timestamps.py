"""Every time a case stores is in one form (cbis.timestamps): UTC, to the microsecond, ending in Z, so that stored
times sort and compare as text alike whichever part of cbis wrote them (issue 14: four formatters gave three)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from cbis.web import create_app
from tests.helpers import cbis
from tests.web.conftest import build_case
from tests.web.test_auth import PASSWORDS, AccountsCase, Browser

STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
# Columns that hold a moment: named so across the schema.
TIME_COLUMN = re.compile(r"(_at|time_utc|^mtime|^ctime|^atime|window_start|last_at)$")


def stored_times(database: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for _, column, kind, *_ in connection.execute(f'PRAGMA table_info("{table}")'):
                if TIME_COLUMN.search(column) and "INT" not in kind.upper():
                    values = [v for (v,) in connection.execute(f'SELECT "{column}" FROM "{table}"') if v is not None]
                    found[f"{table}.{column}"] = values
    return found


def test_every_stored_time_has_the_one_form(tmp_path: Path) -> None:
    case = AccountsCase(build_case(tmp_path))  # a case made, indexed and classified through the real CLI
    case.add("alice", PASSWORDS["alice"], "Alice Examiner")
    browser = Browser(create_app(case.case_dir, {"TESTING": True}))
    assert browser.login("alice", "wrong password").status_code in (200, 401)
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    assert browser.get("/").status_code == 200
    assert cbis("verify", "--case", case.case_dir).exit_code == 0
    times = stored_times(case.case_dir / "case.sqlite")
    # What this run must have written, at least: the case, its migrations, the runs, files, audit and access logs.
    expected = (
        "case_info.created_at", "schema_version.applied_at", "runs.started_at", "runs.finished_at",
        "files.mtime", "files.ctime", "files.atime", "audit_log.time_utc", "access_log.time_utc",
    )  # fmt: skip
    for column in expected:
        assert times.get(column), f"{column}: nothing stored, or the column was renamed ({sorted(times)})"
    wrong = {column: [v for v in values if not STORED.fullmatch(str(v))][:3] for column, values in times.items()}
    assert not any(wrong.values()), wrong
