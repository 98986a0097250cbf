"""One indexer per case at a time, with a lock that dies with its process (a killed run never blocks the next).

A case in case.sqlite is locked with flock on CASE_DIR/index.lock; a case on PostgreSQL with a session-level
advisory lock held on a connection of its own for the whole run, so that indexers on different machines
exclude each other too, and the server drops the lock when the process or its connection dies.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL

from cbis.db.engine import INDEX_LOCK_KEY, case_database, session_lock, session_lock_holder
from cbis.errors import CaseLockedError

LOCK_FILE_NAME = "index.lock"


def _refused(holder: str) -> CaseLockedError:
    return CaseLockedError(f"another `cbis index` ({holder}) is writing to this case; wait for it to finish")


@contextmanager
def index_lock(case_dir: Path) -> Iterator[None]:
    database = case_database(case_dir)
    if isinstance(database, Path):
        with _file_lock(case_dir):
            yield
    else:
        with _advisory_lock(database):
            yield


@contextmanager
def _file_lock(case_dir: Path) -> Iterator[None]:
    path = case_dir / LOCK_FILE_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            raise _refused(f"pid {holder}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock; the kernel does the same if the process dies


@contextmanager
def _advisory_lock(url: URL) -> Iterator[None]:
    # The lock connection's application name says who holds it, for the message another indexer gets.
    me = f"cbis index (pid {os.getpid()} on {socket.gethostname()[:30]})"
    with session_lock(url, INDEX_LOCK_KEY, holder=me) as taken:
        if not taken:
            holder = session_lock_holder(url, INDEX_LOCK_KEY) or ""
            prefix = "cbis index ("
            detail = holder[len(prefix) : -1] if holder.startswith(prefix) and holder.endswith(")") else ""
            raise _refused(detail or "another session")
        yield
