"""Hash-set readers: one module per format, behind one interface, found by name or by sniffing the file.

A reader turns a set file into a stream of `Entry` (a digest, its algorithm, and what the set says of it); the
entries are never held all at once, so a 10-million-line list takes the memory of one batch. NSRL RDSv3 is the
exception by design: a SQLite database of hundreds of millions of rows is queried where it lies at match time
(`nsrl_rds.RdsLookup`), never copied into the case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cbis.errors import HashSetError

ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256"}  # hex length -> algorithm
KINDS = ("known", "notable")
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Entry:
    algorithm: str  # md5 | sha1 | sha256
    digest: str  # lower-case hex
    file_name: str | None = None
    category: str | None = None
    source: str | None = None


@dataclass
class SetInfo:
    """What a reader learns of the set as a whole (set after its entries have been read)."""

    version: str | None = None


class Reader(Protocol):
    name: str

    def sniff(self, head: bytes) -> bool:
        """Whether a file starting with these bytes is in this format."""
        ...

    def entries(self, path: Path, info: SetInfo) -> Iterator[Entry]: ...


def digest_entry(text: str, *, where: str) -> tuple[str, str]:
    """(algorithm, lower-case hex) for a hex digest, by its length; HashSetError naming `where` otherwise."""
    digest = text.strip().lower()
    algorithm = ALGORITHMS.get(len(digest))
    if algorithm is None or not _HEX.issuperset(digest):
        shown = text.strip()[:80]
        raise HashSetError(f"{where}: {shown!r} is not a hex MD5 (32 characters), SHA-1 (40) or SHA-256 (64)")
    return algorithm, digest


def file_sha256(path: Path) -> tuple[str, int]:
    """The set file's SHA-256 and size, read in 1 MiB blocks."""
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            hasher.update(block)
            size += len(block)
    return hasher.hexdigest(), size


def readers() -> dict[str, Reader]:
    from cbis.hashsets import nsrl_csv, nsrl_rds, plain, vics

    found: list[Reader] = [nsrl_rds.READER, vics.READER, nsrl_csv.READER, plain.READER]
    return {reader.name: reader for reader in found}


FORMATS = ("auto", "nsrl-rds", "nsrl-csv", "list", "vics")


def detect(path: Path, requested: str = "auto") -> Reader:
    """The reader for `path`: the one named, else the first whose sniff accepts the file's first bytes."""
    known = readers()
    if requested != "auto":
        if requested not in known:
            raise HashSetError(f"--format takes one of: {', '.join(FORMATS)}")
        return known[requested]
    with path.open("rb") as handle:
        head = handle.read(4096)
    for reader in known.values():  # the order matters: a plain list accepts nearly anything
        if reader.sniff(head):
            return reader
    raise HashSetError(f"{path}: not a hash set cbis can read (give --format)")
