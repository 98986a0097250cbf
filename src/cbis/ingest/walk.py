"""Walk an evidence tree: every regular file once, in a deterministic order, never leaving the tree.

Symbolic links are never followed, only described (where they point, and whether that is inside the
evidence root); that alone makes symlink loops impossible. Directory loops made without symlinks (bind
mounts) are ended by remembering each directory's (st_dev, st_ino). Whatever cannot be walked (unreadable
directories, FIFOs, sockets, devices) is reported as a WalkSkip and the walk goes on.

Directories are opened with O_NOATIME where the kernel allows it, so listing them does not update their
access times, and with O_NOFOLLOW, so a directory swapped for a symlink after it was checked is not entered.
Directories nested deeper than PATH_MAX are still opened (ingest._longpath), so nothing hides below them.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbis.errors import EvidenceError
from cbis.ingest._filetypes import describe_file_type
from cbis.ingest._longpath import open_without_atime, readlink
from cbis.ingest._text import escape_unprintable
from cbis.ingest.atime import GUARD
from cbis.ingest.hashing import EvidenceFile

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_SCANDIR_TAKES_FD = os.scandir in os.supports_fd

# How a WalkSkip's reason begins for a directory that could not be listed, or only in part: what was recorded below
# it is not known to be gone. With "cannot stat", the reasons that say the walking user could not look.
UNLISTED = ("cannot list directory", "permission denied", "directory listing stopped part way")
CANNOT_STAT = "cannot stat"


@dataclass(frozen=True)
class WalkEntry:
    path: Path
    """Absolute path as walked: under the root, never resolved through a symlink."""
    relpath: str
    """Relative to the root with "/" separators; undecodable bytes kept as surrogate escapes (os.fsdecode)."""
    stat: os.stat_result
    """lstat of the regular file, taken while its directory was listed."""
    root: Path | None = None
    """The evidence root walked (the start of `path`)."""

    @property
    def evidence_file(self) -> EvidenceFile | Path:
        """What to open: beneath the root and only if it is still the file listed (hashing.open_evidence)."""
        if self.root is None:
            return self.path
        return EvidenceFile(self.root, self.relpath, (self.stat.st_dev, self.stat.st_ino))

    def record(self) -> tuple[Any, ...]:
        """The entry as plain values, to keep on disk (cbis.spool) and make again with `from_record`."""
        st = self.stat
        return (self.relpath, *st[:7], st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)

    @classmethod
    def from_record(cls, root: Path, record: tuple[Any, ...]) -> WalkEntry:
        """The entry `record` was made from, under `root`: its lstat as walked, to the nanosecond."""
        relpath, *fields, atime_ns, mtime_ns, ctime_ns = record
        return cls(root / relpath, relpath, stat_from(fields, (atime_ns, mtime_ns, ctime_ns)), root)


def stat_from(fields: Sequence[int], times_ns: tuple[int, int, int]) -> os.stat_result:
    """An os.stat_result again from (mode, ino, dev, nlink, uid, gid, size) and the three times in nanoseconds."""
    return os.stat_result(
        (*fields, *(t // 10**9 for t in times_ns)),
        {
            **{f"st_{name}": t / 10**9 for name, t in zip(("atime", "mtime", "ctime"), times_ns, strict=True)},
            **{f"st_{name}_ns": t for name, t in zip(("atime", "mtime", "ctime"), times_ns, strict=True)},
        },
    )


@dataclass(frozen=True)
class WalkSkip:
    path: Path
    relpath: str
    reason: str


def relpath_bytes(relpath: str) -> bytes:
    """The name's bytes as the filesystem holds them (inverse of the os.fsdecode that made `relpath`)."""
    return os.fsencode(relpath)


def display_path(relpath: str) -> str:
    r"""Printable, unambiguous text for a relative path, for storage and reports.

    Bytes that are not UTF-8 show as \xNN, control characters (newline included) as \n, \r, \t or \xNN,
    other invisible or deceptive code points (bidi overrides, zero-width spaces) as \uNNNN; a backslash is
    doubled so that an escape can never be confused with a name that contains one.
    """
    return escape_unprintable(relpath)


def walk(root: Path) -> Iterator[WalkEntry | WalkSkip]:
    """Yield every regular file under `root` as a WalkEntry and everything passed over as a WalkSkip.

    Order is depth-first with files and directories interleaved, entries sorted by their byte names, so two
    walks of the same tree agree. Raises EvidenceError at once (not on first iteration) when `root` is
    missing, not a directory or cannot be listed. A `root` that is itself a symlink is resolved once, since
    the examiner named it; nothing below it is followed.
    """
    root_path, root_stat = _evidence_root(Path(root))
    try:
        top_listing = _list_directory(root_path)
    except OSError as exc:
        raise EvidenceError(f"cannot read the evidence directory {root_path}: {exc}") from exc
    return _Walker(root_path, root_stat).run(top_listing)


def walk_root(root: Path) -> Path:
    """The root as `walk` walks it, and as its entries' `root` and `path` begin (a symlinked root resolved)."""
    return _evidence_root(Path(root))[0]


def _evidence_root(root: Path) -> tuple[Path, os.stat_result]:
    named = root.absolute()
    root_path = Path(os.path.realpath(named)) if named.is_symlink() else named
    try:
        root_stat = os.stat(root_path)
    except FileNotFoundError as exc:
        raise EvidenceError(f"evidence directory not found: {named}") from exc
    except OSError as exc:
        raise EvidenceError(f"cannot access the evidence directory {named}: {exc}") from exc
    if not stat.S_ISDIR(root_stat.st_mode):
        raise EvidenceError(
            f"the evidence path must be a directory, but {named} is a {describe_file_type(root_stat.st_mode)}"
        )
    return root_path, root_stat


@dataclass(frozen=True)
class _Listed:
    name: str
    stat: os.stat_result | None
    error: OSError | None


@dataclass
class _Listing:
    entries: list[_Listed]
    error: OSError | None
    """Set when the directory could be opened but reading it failed part way; `entries` has what was read."""


def _open_directory(path: Path) -> int:
    flags = os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW
    return open_without_atime(path, flags)


def _list_directory(path: Path, expected: tuple[int, int] | None = None) -> _Listing:
    """Read and lstat every entry of a directory. Raises OSError when it cannot be opened at all.

    `expected` is the (st_dev, st_ino) the directory had when its parent was listed: a directory swapped for
    another one in between is refused rather than walked under the wrong name.
    """
    entries: list[_Listed] = []
    error: OSError | None = None
    if _SCANDIR_TAKES_FD:
        fd = _open_directory(path)
        try:
            opened = os.fstat(fd)
            if expected is not None and (opened.st_dev, opened.st_ino) != expected:
                raise OSError(errno.ESTALE, "the directory was replaced while the walk was under way", str(path))
            with os.scandir(fd) as scanner:
                error = _read_entries(scanner, entries)
        finally:
            os.close(fd)
    else:
        with os.scandir(path) as scanner:
            error = _read_entries(scanner, entries)
    entries.sort(key=lambda listed: os.fsencode(listed.name))
    return _Listing(entries, error)


def _read_entries(scanner: Iterator[os.DirEntry[str]], entries: list[_Listed]) -> OSError | None:
    # Each entry is lstat'ed now, while the directory's fd is open: a DirEntry from an fd-based scandir
    # stats relative to that fd (fstatat with AT_SYMLINK_NOFOLLOW), which is also immune to path swaps.
    while True:
        try:
            entry = next(scanner)
        except StopIteration:
            return None
        except OSError as exc:
            return exc
        try:
            entries.append(_Listed(entry.name, entry.stat(follow_symlinks=False), None))
        except OSError as exc:
            entries.append(_Listed(entry.name, None, exc))


@dataclass
class _Frame:
    path: Path
    relprefix: str
    key: tuple[int, int]
    entries: Iterator[_Listed]


class _Walker:
    def __init__(self, root_path: Path, root_stat: os.stat_result) -> None:
        self.root_path = root_path
        self.root_real = os.path.realpath(root_path)
        self.root_key = (root_stat.st_dev, root_stat.st_ino)
        # Every directory walked so far, to end loops and skip a directory reached twice through bind mounts.
        self.walked: dict[tuple[int, int], str] = {self.root_key: "."}

    def run(self, top_listing: _Listing) -> Iterator[WalkEntry | WalkSkip]:
        if top_listing.error is not None:
            yield WalkSkip(self.root_path, ".", _listing_reason(top_listing.error, partial=True))
        stack = [_Frame(self.root_path, "", self.root_key, iter(top_listing.entries))]
        while stack:
            frame = stack[-1]
            listed = next(frame.entries, None)
            if listed is None:
                stack.pop()
                continue
            path = frame.path / listed.name
            relpath = frame.relprefix + listed.name
            if listed.stat is None:
                yield WalkSkip(path, relpath, f"{CANNOT_STAT}: {listed.error}")
                continue
            mode = listed.stat.st_mode
            if stat.S_ISREG(mode):
                yield WalkEntry(path, relpath, listed.stat, self.root_path)
            elif stat.S_ISLNK(mode):
                yield WalkSkip(path, relpath, self._describe_symlink(path))
            elif stat.S_ISDIR(mode):
                key = (listed.stat.st_dev, listed.stat.st_ino)
                # Some filesystems (FAT through some drivers, Windows) report inode 0 for everything.
                if listed.stat.st_ino and key in self.walked:
                    yield WalkSkip(path, relpath, self._repeat_reason(key, stack))
                    continue
                try:
                    listing = _list_directory(path, key)
                except OSError as exc:
                    yield WalkSkip(path, relpath, _listing_reason(exc, partial=False))
                    continue
                if listed.stat.st_ino:
                    self.walked[key] = relpath
                if listing.error is not None:
                    yield WalkSkip(path, relpath, _listing_reason(listing.error, partial=True))
                stack.append(_Frame(path, relpath + "/", key, iter(listing.entries)))
            else:
                yield WalkSkip(path, relpath, f"not a regular file ({describe_file_type(mode)})")

    def _repeat_reason(self, key: tuple[int, int], stack: list[_Frame]) -> str:
        earlier = display_path(self.walked[key])
        if any(frame.key == key for frame in stack):
            return f"directory loop (already walked as {earlier})"
        return f"directory already walked as {earlier} (same device and inode, e.g. a bind mount)"

    def _describe_symlink(self, path: Path) -> str:
        if not GUARD.may_read_link():
            return (
                "symbolic link whose target was not read: reading it would change the link's access time "
                "(--require-noatime); not followed"
            )
        try:
            target = readlink(path)
        except OSError as exc:
            return f"symbolic link whose target cannot be read ({exc}); not followed"
        shown = display_path(target)
        # realpath only reads links and lstats components to compute where the link leads; nothing is opened.
        # It starts from the target already read, not from the link: each read of a link changes its atime.
        resolved = os.path.realpath(path.parent / target)
        if not _is_within(resolved, self.root_real):
            return f"symbolic link to {shown} (outside the evidence root; not followed)"
        try:
            final = os.lstat(resolved)
        except FileNotFoundError:
            return f"symbolic link to {shown} (inside the root; target does not exist; not followed)"
        except OSError as exc:
            return f"symbolic link to {shown} (inside the root; target cannot be examined: {exc}; not followed)"
        if stat.S_ISLNK(final.st_mode):
            # realpath stops resolving when it meets a loop and hands back a path that is still a link.
            return f"symbolic link to {shown} (inside the root; symbolic link loop; not followed)"
        return f"symbolic link to {shown} (inside the root; indexed at its own path)"


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _listing_reason(exc: OSError, *, partial: bool) -> str:
    prefix = UNLISTED[2] if partial else UNLISTED[0]
    if isinstance(exc, PermissionError):
        prefix = UNLISTED[1] if not partial else f"{prefix}, permission denied"
    return f"{prefix}: {exc}"
