"""Readers never hold the write lock; a writer that waits for one says so, and gives up in one line (issue 12,
item 5). Before: `report`, `search` and `verify` read inside BEGIN IMMEDIATE, so a slow report made a concurrent
`cbis index` wait 30 s and end in a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

import cbis.services.report as report_service
from cbis.db.engine import AUDIT_LOCK_KEY
from cbis.status import ExitStatus
from tests.db.support import engine_on, scalar
from tests.helpers import cbis
from tests.hostile.corpus import small_jpeg
from tests.hostile.helpers import cbis_command

PASSWORD = "correct horse battery staple"


def _evidence(directory: Path, count: int, first: int = 0) -> Path:
    directory.mkdir()
    for number in range(first, first + count):
        (directory / f"p{number}.jpg").write_bytes(small_jpeg(number))
    return directory


def test_a_slow_report_does_not_make_a_concurrent_index_fail(
    backend_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cbis("index", _evidence(tmp_path / "first", 20), "--case", backend_case, "--no-classify").exit_code == 0
    reading = threading.Event()
    release = threading.Event()
    real_report = report_service.write_csv_report

    def slow_report(case: Any, *args: Any, **kwargs: Any) -> Any:
        # The report's own engine, as `cbis report` opened it, with a read transaction open for the whole index.
        with case.engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM files")).scalar()
            reading.set()
            release.wait(180)
        return real_report(case, *args, **kwargs)

    monkeypatch.setattr(report_service, "write_csv_report", slow_report)
    outcome: dict[str, Any] = {}

    def run_report() -> None:
        outcome["report"] = cbis("report", "--case", backend_case, "--csv", tmp_path / "report")

    reporter = threading.Thread(target=run_report)
    reporter.start()
    try:
        assert reading.wait(60), "the report never started reading"
        indexed = subprocess.run(
            cbis_command("index", _evidence(tmp_path / "second", 30, 100), "--case", backend_case, "--no-classify"),
            capture_output=True,
            text=True,
            timeout=120,
            env={**_env(), "CBIS_LOCK_WAIT_S": "10"},
        )
    finally:
        release.set()
        reporter.join(120)
    assert indexed.returncode == 0, indexed.stderr
    assert "Waiting" not in indexed.stderr  # no writer lock to wait for: the report never took it
    assert outcome["report"].exit_code == 0, outcome["report"].output
    assert scalar(backend_case, "SELECT count(*) FROM files") == 50
    # The report's audit rows are there, each written in a short transaction of its own.
    assert scalar(backend_case, "SELECT count(*) FROM audit_log WHERE command LIKE 'cbis report%'") == 2


def _env() -> dict[str, str]:
    return dict(os.environ)


def _hold_write_lock(database: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@contextmanager
def _writer_lock_held(backend: str, case_dir: Path) -> Iterator[None]:
    """What another writer holds: SQLite's write lock, or on PostgreSQL the audit chain's advisory lock that every
    command's first audit row waits for."""
    if backend == "sqlite":
        holder = _hold_write_lock(case_dir / "case.sqlite")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    with engine_on(case_dir) as engine, engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(select(func.pg_advisory_lock(AUDIT_LOCK_KEY)))
        try:
            yield
        finally:
            connection.execute(select(func.pg_advisory_unlock(AUDIT_LOCK_KEY)))


def test_a_writer_blocked_past_the_bound_stops_in_one_line(backend: str, backend_case: Path) -> None:
    with _writer_lock_held(backend, backend_case):
        started = time.monotonic()
        result = subprocess.run(
            cbis_command("user", "add", "alice", "--case", backend_case, "--password-stdin"),
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            env={**_env(), "CBIS_LOCK_WAIT_S": "3"},
        )
        waited = time.monotonic() - started
    assert result.returncode == ExitStatus.REFUSED, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("Waiting: waiting up to 3 s for ")
    where = backend_case.resolve() / "case.sqlite" if backend == "sqlite" else "postgresql+psycopg://"
    assert lines[1].startswith(f"Error: another command kept the case database {where}"), lines[1]
    assert "locked for more than 3 s" in lines[1]
    assert 3 <= waited < 30
    assert scalar(backend_case, "SELECT count(*) FROM users") == 0


def test_a_writer_waits_for_a_short_lock_and_says_so(case_dir: Path) -> None:
    holder = _hold_write_lock(case_dir / "case.sqlite")
    try:
        writer = subprocess.Popen(
            cbis_command("user", "add", "alice", "--case", case_dir, "--password-stdin"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**_env(), "CBIS_LOCK_WAIT_S": "60"},
        )
        assert writer.stdin is not None and writer.stderr is not None
        writer.stdin.write(PASSWORD + "\n")
        writer.stdin.close()
        waiting = writer.stderr.readline()  # it says so before waiting past its first quiet moment
    finally:
        holder.rollback()  # released within the bound: the writer goes on
        holder.close()
    assert writer.wait(timeout=60) is not None
    assert writer.stdout is not None
    stdout, stderr = writer.stdout.read(), writer.stderr.read()
    assert waiting.startswith("Waiting: waiting up to 60 s for the write lock of "), waiting + stderr
    assert writer.returncode == 0, stderr
    assert stderr == "" and stdout == "added user alice\n"
    assert scalar(case_dir, "SELECT count(*) FROM users") == 1
