"""os.open, lstat and readlink for paths longer than the kernel takes in one call (PATH_MAX, 4096 bytes on Linux).

Nesting directories deeper than PATH_MAX is an old way to hide files from tools that work with whole paths:
the walk would list the parent, then fail to open the child ("File name too long") and leave everything
below it unread. Here a path that is too long is reached a piece at a time instead: each piece (a few
components, well under PATH_MAX) is opened relative to a descriptor on the directory before it, as the kernel
itself resolves a path, so the same permissions apply (only search permission on the directories on the way,
thanks to O_PATH) and symbolic links on the way are followed exactly as a one-call open would follow them.
"""

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cbis.ingest.atime import GUARD

_O_PATH = getattr(os, "O_PATH", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# A piece of a path opened in one call: comfortably below Linux's PATH_MAX of 4096 bytes.
_PIECE_BYTES = 2048


def open_fd(path: Path | str | bytes, flags: int, mode: int = 0o777) -> int:
    """os.open(path, flags, mode), also for paths longer than PATH_MAX."""
    try:
        return os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
    with _parent(path) as (directory, name):
        return os.open(name, flags, mode, dir_fd=directory)


def lstat(path: Path | str | bytes) -> os.stat_result:
    """os.lstat(path), also for paths longer than PATH_MAX."""
    try:
        return os.lstat(path)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
    with _parent(path) as (directory, name):
        return os.stat(name, dir_fd=directory, follow_symlinks=False)


def readlink(path: Path | str) -> str:
    """os.readlink(path), also for paths longer than PATH_MAX."""
    try:
        return os.readlink(path)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
    with _parent(path) as (directory, name):
        return os.fsdecode(os.readlink(name, dir_fd=directory))


@contextmanager
def _parent(path: Path | str | bytes) -> Iterator[tuple[int, bytes]]:
    """A descriptor on the directory holding `path`, reached piece by piece, and the last component's name."""
    raw = os.fsencode(path)
    components = [part for part in raw.split(b"/") if part]
    if not components:
        raise OSError(errno.EINVAL, "not a path to a file", os.fsdecode(raw))
    *directories, name = components
    if len(name) > 255:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), os.fsdecode(raw))
    flags = (_O_PATH or os.O_RDONLY) | _O_DIRECTORY
    current = os.open(b"/" if raw.startswith(b"/") else b".", flags)
    try:
        for piece in _pieces(directories):
            following = os.open(piece, flags, dir_fd=current)
            os.close(current)
            current = following
        yield current, name
    finally:
        os.close(current)


def _pieces(components: list[bytes]) -> Iterator[bytes]:
    piece: list[bytes] = []
    size = 0
    for component in components:
        if piece and size + len(component) + 1 > _PIECE_BYTES:
            yield b"/".join(piece)
            piece, size = [], 0
        piece.append(component)
        size += len(component) + 1
    if piece:
        yield b"/".join(piece)


_O_NOATIME = getattr(os, "O_NOATIME", 0)


def open_without_atime(path: Path, flags: int) -> int:
    """open_fd, asking the kernel not to update the access time, which is itself evidence.

    Linux allows O_NOATIME only to the file's owner or a process with CAP_FOWNER; anyone else gets EPERM and
    opens without it (atime may then change, subject to the mount's relatime/noatime), which ingest.atime counts,
    or refuses when the examiner required O_NOATIME.
    """
    if _O_NOATIME:
        try:
            return open_fd(path, flags | _O_NOATIME)
        except PermissionError as exc:
            if exc.errno != errno.EPERM:
                raise
        GUARD.fallback(path)
    return open_fd(path, flags)


def open_without_atime_at(directory: int, name: bytes, flags: int) -> int:
    """os.open of `name` in the directory open as `directory`, with O_NOATIME where the kernel allows it."""
    if _O_NOATIME:
        try:
            return os.open(name, flags | _O_NOATIME, dir_fd=directory)
        except PermissionError as exc:
            if exc.errno != errno.EPERM:
                raise
        GUARD.fallback(name)
    return os.open(name, flags, dir_fd=directory)
