"""Read an evidence file once, read-only, computing MD5, SHA-1 and SHA-256 in the same pass.

Evidence must not change because cbis looked at it. Files are opened with O_NOATIME where the kernel allows
it (the file's owner, or root), never through a symbolic link (O_NOFOLLOW), and never when they are not
regular files: opening a FIFO for reading blocks until a writer appears, and opening some devices has side
effects (a tape rewinds, a watchdog arms), so the type is checked with lstat before opening and again with
fstat on what was opened (O_NONBLOCK keeps that second check from hanging if a FIFO was swapped in). Paths
longer than PATH_MAX are opened a piece at a time (ingest._longpath).

A file the walk found is opened as an EvidenceFile: beneath its evidence root one component at a time, each
directory relative to the descriptor of the one before and never through a symbolic link (as openat2's
RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS would), and it must be the very file the walk listed (same device and
inode). A directory swapped for a link during the run (a live share, a hostile tree) can then not lead cbis
out of the root: the file is recorded as changed during the run instead of a file outside being read as evidence.
"""

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cbis.ingest._filetypes import describe_file_type
from cbis.ingest._longpath import lstat, open_without_atime, open_without_atime_at

DEFAULT_CHUNK_SIZE = 1 << 20
"""Bytes per read and per hash update: large enough that hashlib releases the GIL (it does above 2 KiB), so
hashing threads run in parallel, and small enough to keep streaming memory constant."""

DEFAULT_KEEP_LIMIT = 64 << 20
"""Files up to this size are returned whole by read_and_hash so the decoder need not read them again."""

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
# O_PATH: only search permission is needed on the directories on the way, as for a one-call open.
_DIRECTORY_FLAGS = (getattr(os, "O_PATH", 0) or os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0)


@dataclass(frozen=True)
class Digests:
    md5: str
    sha1: str
    sha256: str
    size: int
    """Bytes actually read and hashed."""


class FileChangedError(Exception):
    """The file changed while it was read, so its digests describe no single state of it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileReplacedError(OSError):
    """The name now leads somewhere else than the file the walk listed: through a link, or to another file."""

    def __init__(self, path: Path, reason: str) -> None:
        self.reason = f"file changed during the run: {reason}"
        super().__init__(f"{self.reason}: {os.fsdecode(path)!r}")


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file as the walk found it: its root, its path below the root, and which file it was."""

    root: Path
    relpath: str
    """"/"-separated, relative to `root`."""
    expected: tuple[int, int] | None = None
    """(st_dev, st_ino) when the walk listed it; None, or an inode of 0 (some filesystems), skips the check."""

    @property
    def path(self) -> Path:
        return self.root / self.relpath


class NotRegularFileError(OSError):
    """open_evidence refused a path that is not a regular file (FIFO, socket, device, directory, symlink)."""

    def __init__(self, path: Path, file_type: str) -> None:
        self.reason = f"not a regular file ({file_type})"
        super().__init__(f"{self.reason}: {os.fsdecode(path)!r}")


def open_evidence(target: Path | EvidenceFile) -> BinaryIO:
    """Open a regular file for reading without following a symlink and, where allowed, without touching atime.

    Raises NotRegularFileError for anything but a regular file, FileReplacedError when an EvidenceFile's path
    now passes through a link or leads to another file than the walk's, and OSError as os.open does (ELOOP when
    the path became a symlink after it was checked, EACCES, ENOENT...).
    """
    if isinstance(target, EvidenceFile):
        fd = _open_beneath(target)
        path = target.path
    else:
        path = target
        checked = lstat(path)
        if not stat.S_ISREG(checked.st_mode):
            raise NotRegularFileError(path, describe_file_type(checked.st_mode))
        fd = _open_read_only(path)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            # The path was replaced between lstat and open.
            raise NotRegularFileError(path, describe_file_type(opened.st_mode))
        expected = target.expected if isinstance(target, EvidenceFile) else None
        if expected is not None and expected[1] and (opened.st_dev, opened.st_ino) != expected:
            raise FileReplacedError(
                path, "the name now leads to a different file than the walk listed (device and inode differ)"
            )
        if _O_NONBLOCK:
            # O_NONBLOCK was only there so that opening a swapped-in FIFO could not hang.
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _open_read_only(path: Path) -> int:
    flags = os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_BINARY
    return open_without_atime(path, flags)


def _open_beneath(target: EvidenceFile) -> int:
    """A descriptor on the file, reached from the root one component at a time without following any link."""
    *directories, name = [part for part in os.fsencode(target.relpath).split(b"/") if part]
    current = os.open(target.root, _DIRECTORY_FLAGS)
    try:
        for directory in directories:
            try:
                following = os.open(directory, _DIRECTORY_FLAGS | _O_NOFOLLOW, dir_fd=current)
            except OSError as exc:
                if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                    raise FileReplacedError(
                        target.path,
                        f"{os.fsdecode(directory)!r} on its path is no longer a directory (a link or a file)",
                    ) from exc
                raise
            os.close(current)
            current = following
        try:
            return open_without_atime_at(current, name, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_BINARY)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise FileReplacedError(target.path, "it is now a symbolic link") from exc
            raise
    finally:
        os.close(current)


class _Hashers:
    """MD5, SHA-1 and SHA-256 fed from the same buffers."""

    def __init__(self) -> None:
        # usedforsecurity=False: MD5 and SHA-1 identify evidence here, and FIPS-mode builds refuse them otherwise.
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha1 = hashlib.sha1(usedforsecurity=False)
        self.sha256 = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes | memoryview) -> None:
        self.md5.update(chunk)
        self.sha1.update(chunk)
        self.sha256.update(chunk)
        self.size += len(chunk)

    def digests(self) -> Digests:
        return Digests(
            md5=self.md5.hexdigest(),
            sha1=self.sha1.hexdigest(),
            sha256=self.sha256.hexdigest(),
            size=self.size,
        )


def hash_stream(stream: BinaryIO, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Digests:
    """Hash what is left of `stream` in constant memory."""
    hashers = _Hashers()
    while chunk := stream.read(chunk_size):
        hashers.update(chunk)
    return hashers.digests()


def _hash_buffer(data: bytes, chunk_size: int) -> Digests:
    # Chunked so each piece is hashed three times while it is still in the CPU cache.
    hashers = _Hashers()
    view = memoryview(data)
    for start in range(0, len(view), chunk_size):
        hashers.update(view[start : start + chunk_size])
    return hashers.digests()


def ensure_unchanged(before: os.stat_result, after: os.stat_result, bytes_read: int) -> None:
    """Raise FileChangedError unless the file kept its size and times while `bytes_read` bytes were read.

    The status-change time is compared too: a writer that restores the modification time afterwards
    (touch -r, os.utime) cannot hide from it. A chmod or a new hard link during the read also trips it;
    that is rare and reading the file again settles it.
    """
    problems = []
    if after.st_size != before.st_size:
        problems.append(f"size changed while reading ({before.st_size} -> {after.st_size} bytes)")
    if after.st_mtime_ns != before.st_mtime_ns:
        problems.append(f"modification time changed while reading ({before.st_mtime_ns} -> {after.st_mtime_ns} ns)")
    if after.st_ctime_ns != before.st_ctime_ns:
        problems.append(f"status-change time changed while reading ({before.st_ctime_ns} -> {after.st_ctime_ns} ns)")
    if bytes_read != before.st_size:
        problems.append(f"read {bytes_read} bytes but the file's size was {before.st_size} bytes")
    if problems:
        raise FileChangedError("; ".join(problems))


def read_and_hash(
    path: Path | EvidenceFile,
    *,
    keep_limit: int = DEFAULT_KEEP_LIMIT,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[Digests, bytes | None]:
    """Read `path` once: its digests, and its bytes when it is no larger than `keep_limit` (else None).

    Raises FileChangedError when the file changed during the read (see ensure_unchanged), and whatever
    open_evidence raises.
    """
    with open_evidence(path) as stream:
        before = os.fstat(stream.fileno())
        data: bytes | None
        if before.st_size <= keep_limit:
            # One allocation of the expected size; then one more byte to learn whether the file grew.
            data = stream.read(before.st_size)
            overflow = stream.read(1)
            digests = _hash_buffer(data, chunk_size)
            bytes_read = len(data) + len(overflow)
        else:
            data = None
            digests = hash_stream(stream, chunk_size)
            bytes_read = digests.size
        after = os.fstat(stream.fileno())
    ensure_unchanged(before, after, bytes_read)
    return digests, data
