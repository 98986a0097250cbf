"""Making what cbis writes survive a crash: a rename is durable only once its directory is synced."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def fsync_directory(directory: Path) -> None:
    """Make the renames in `directory` durable where the filesystem can; some (network shares, FUSE) refuse to
    fsync a directory (EINVAL), and there the rename is as durable as that filesystem makes it."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)
