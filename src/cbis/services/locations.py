"""Whether one place is inside another, by what the filesystem says each directory is, not by how it is named.

Comparing resolved paths misses a bind mount (the same directory at a second path) and is fooled by case- or
Unicode-folding filesystems; a directory's (st_dev, st_ino) is the same however it is reached. Used to keep the
case, and anything cbis writes, out of the evidence.
"""

from __future__ import annotations

import os
from pathlib import Path


def identity(path: Path) -> tuple[int, int] | None:
    """(st_dev, st_ino) of what `path` leads to, or None when it cannot be examined."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def existing_ancestors(path: Path) -> list[Path]:
    """`path` (made absolute, links resolved as far as the path exists) and every directory above it, deepest
    first; components that do not exist yet are left out."""
    resolved = Path(os.path.realpath(path.absolute()))
    return [candidate for candidate in (resolved, *resolved.parents) if os.path.lexists(candidate)]


def is_inside(path: Path, directory: Path) -> bool:
    """True when `path` is `directory` or lies below it, through any link or mount that leads there."""
    target = identity(directory)
    if target is None or not target[1]:  # some filesystems report inode 0 for everything: names are all we have
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(directory))
    return any(identity(ancestor) == target for ancestor in existing_ancestors(path))
