"""One indexer per case at a time, with a lock that dies with its process (a killed run never blocks the next)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cbis.errors import CaseLockedError

LOCK_FILE_NAME = "index.lock"


@contextmanager
def index_lock(case_dir: Path) -> Iterator[None]:
    path = case_dir / LOCK_FILE_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            raise CaseLockedError(
                f"another `cbis index` (pid {holder}) is writing to this case; wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock; the kernel does the same if the process dies
