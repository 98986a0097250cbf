"""Engines for a case database: read-write for commands that index, read-only for those that only look.

The case is found by URL so that PostgreSQL can replace the embedded SQLite file later; everything
SQLite-specific (WAL, busy timeout, foreign keys, the read-only URI) stays in this module.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

CASE_FILE_NAME = "case.sqlite"
BUSY_TIMEOUT_MS = 30_000


def case_file(case_dir: Path) -> Path:
    return case_dir / CASE_FILE_NAME


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `cbis serve` read while `cbis index` writes; the busy timeout makes a writer wait instead
    # of failing when another connection holds the lock for a moment.
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_writer_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    # NORMAL is durable at WAL checkpoints and cannot corrupt the file; a crash loses at most the last
    # transactions, which a resumed index redoes.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_uri(path: Path, mode: str) -> str:
    # as_uri() percent-encodes ?, #, % and spaces: an f-string URI would cut the path at a '?' and
    # silently open (or create) another file.
    return path.resolve().as_uri() + f"?mode={mode}"


def open_readwrite(path: Path, *, create: bool = False) -> Engine:
    """Open (or, with create=True, create) a SQLite case file for writing."""
    uri = _sqlite_uri(path, "rwc" if create else "rw")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )

    # "sqlite://" alone would pick SingletonThreadPool (meant for :memory:), handing nested users one connection.
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)
    event.listen(engine, "connect", _sqlite_pragmas)
    # IMMEDIATE takes the write lock when a transaction starts, so read-then-write sequences (the audit
    # hash chain, file upserts) can't interleave with another writer and fail half-way on lock upgrade.
    event.listen(engine, "connect", _sqlite_writer_pragmas)
    _use_explicit_begin(engine, "BEGIN IMMEDIATE")
    return engine


def open_readonly(path: Path) -> Engine:
    """Open a SQLite case file so that no statement can change it, and a missing file is not created."""
    uri = _sqlite_uri(path, "ro")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )

    # "sqlite://" alone would pick SingletonThreadPool (meant for :memory:), handing nested users one connection.
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)
    event.listen(engine, "connect", _sqlite_pragmas)
    _use_explicit_begin(engine, "BEGIN")
    return engine


def _use_explicit_begin(engine: Engine, begin_statement: str) -> None:
    """pysqlite's own transaction handling (off: isolation_level=None) defers BEGIN and breaks SAVEPOINT;
    SQLAlchemy emits BEGIN itself instead."""

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(begin_statement)
