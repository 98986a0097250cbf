"""Access times are evidence: what cbis can promise about them on a run, and what it counts while reading.

Reading a file or listing a directory updates its access time unless the mount says otherwise (`ro`,
`noatime`; `relatime`, Linux's default, still updates an atime older than the mtime or a day old) or the open
asks for O_NOATIME, which Linux grants only to the file's owner and to root (CAP_FOWNER). An examiner working
from a copy they do not own silently loses that protection, and reading a symbolic link's target (readlink)
updates the link's atime whoever reads it. cbis says so before the run, records what happened in the case, and
with --require-noatime refuses any read that would change an access time.
"""

from __future__ import annotations

import errno
import os
import threading
from dataclasses import dataclass
from pathlib import Path


class NoAtimeRefused(PermissionError):
    """An open was refused because it could not ask for O_NOATIME and the examiner required it."""

    def __init__(self, path: object) -> None:
        super().__init__(
            errno.EPERM,
            "the kernel refused O_NOATIME (cbis's user does not own it), and reading it would change its access "
            "time (--require-noatime)",
            os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else str(path),
        )


class AccessTimeGuard:
    """Process-wide: whether to refuse reads that would change an access time, and how many happened anyway."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.require = False
        self.protected_by_mount = False  # a ro or noatime mount: nothing cbis does can change an atime
        self.opened_without_noatime = 0
        self.links_read = 0
        self.refused = 0

    def reset(self, *, require: bool, protected_by_mount: bool) -> None:
        with self._lock:
            self.require = require
            self.protected_by_mount = protected_by_mount
            self.opened_without_noatime = 0
            self.links_read = 0
            self.refused = 0

    def fallback(self, path: object) -> None:
        """An open could not have O_NOATIME: refuse it if required (unless the mount protects), else count it."""
        if self.require and not self.protected_by_mount:
            with self._lock:
                self.refused += 1
            raise NoAtimeRefused(path)
        with self._lock:
            self.opened_without_noatime += 1

    def may_read_link(self) -> bool:
        """readlink has no O_NOATIME: whether to read a link's target (counted), given what was required."""
        with self._lock:
            if self.require and not self.protected_by_mount:
                self.refused += 1
                return False
            self.links_read += 1
        return True


GUARD = AccessTimeGuard()


@dataclass(frozen=True)
class Assessment:
    protected_by_mount: bool
    owner_or_root: bool
    mount_options: str
    note: str  # for the examiner, before the run
    may_change: bool


def mount_options(path: Path) -> str:
    """The options of the mount holding `path` (from /proc/self/mountinfo), or "" where that cannot be read."""
    target = os.path.realpath(path)
    best, options = "", ""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as stream:
            for line in stream:
                fields = line.split()
                if len(fields) < 6:
                    continue
                point = fields[4].replace("\\040", " ")
                inside = target == point or target.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, options = point, fields[5]
    except OSError:
        return ""
    return options


def assess(root: Path) -> Assessment:
    """What this run can promise about the evidence's access times, before it starts."""
    options = mount_options(root)
    flags = set(options.split(","))
    if "ro" in flags or "noatime" in flags:
        kind = "read-only" if "ro" in flags else "noatime"
        return Assessment(True, True, options, f"kept unchanged: the evidence is on a {kind} mount", False)
    euid = os.geteuid() if hasattr(os, "geteuid") else -1
    try:
        owner = os.stat(root).st_uid
    except OSError:
        owner = -2
    owner_or_root = euid in (0, owner)
    who = "root" if euid == 0 else f"uid {euid}"
    atime_mode = next((name for name in ("strictatime", "lazytime", "relatime") if name in flags), "relatime")
    mount = f"a {atime_mode} mount" if options else "a mount whose options cannot be read"
    if owner_or_root:
        note = (
            f"files and directories are opened with O_NOATIME ({who}); reading a symbolic link's target changes the "
            f"link's access time on {mount}"
        )
    else:
        note = (
            f"cbis runs as {who}, which does not own the evidence: the kernel refuses O_NOATIME, so reading may change "
            f"access times (the evidence is on {mount})"
        )
    return Assessment(False, owner_or_root, options, note, True)


def outcome(assessment: Assessment) -> str:
    """What happened to access times in the run just finished, for the case's record."""
    if assessment.protected_by_mount:
        return assessment.note
    parts = []
    if GUARD.opened_without_noatime:
        parts.append(f"{GUARD.opened_without_noatime} files and directories opened without O_NOATIME")
    if GUARD.links_read:
        parts.append(f"{GUARD.links_read} symbolic links' targets read (readlink has no O_NOATIME)")
    refused = f"; {GUARD.refused} reads refused by --require-noatime (recorded as unread)" if GUARD.refused else ""
    if not parts:
        return "kept unchanged: every file and directory opened with O_NOATIME" + refused
    mount = f" (mount options {assessment.mount_options})" if assessment.mount_options else ""
    return "may have changed: " + "; ".join(parts) + mount + refused
