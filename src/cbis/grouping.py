"""How duplicates group, without SQL: the row types, multi-index hashing over pHashes, connected components,
and each link's reason as an examiner quotes it. `cbis duplicates` (services/duplicates.py) and the viewer
(through db/duplicates.py) use the same functions, so both say the same thing about the same two files.

Grouping is never all-pairs: visual links come from multi-index hashing (each 64-bit pHash split into four 16-bit
chunks; two hashes at most 11 bits apart share a chunk within 2 bits, so every chunk value within 2 bits is looked
up in a sorted table), then the candidates are checked bit by bit; groups are the connected components. One
picture's look-alikes (`lookalikes`) are found by comparing its hashes with every other's (one numpy popcount
each): the same links, by the same thresholds, as the grouping finds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np


@dataclass(frozen=True)
class Member:
    file_id: int
    root: str
    path: str
    sha256: str | None
    size: int
    format: str | None
    width: int | None  # as shown (after orientation)
    height: int | None
    has_exif: bool
    missing: bool


@dataclass(frozen=True)
class HashRow:
    file_id: int
    sha256: str
    phash: int
    variants: tuple[int, ...]  # the other 7 dihedral transforms' pHashes
    pdq: int
    pdq_quality: int


Kind = Literal["exact", "visual", "similar"]
T = TypeVar("T")
KINDS: tuple[Kind, ...] = ("exact", "visual", "similar")
VISUAL_MAX_BITS = 10
# A turned or mirrored copy is looked up with a tighter bound (every chunk within 1 bit: at most 7 apart); turning
# changes no pixel, so such a copy is 0-2 bits from the original's transform.
TURNED_MAX_BITS = 7
SIMILAR_MIN_COSINE = 0.90
_CHUNKS = 4
_CHUNK_BITS = 16
_TRANSFORMS = ("turned 90 degrees", "turned 180 degrees", "turned 270 degrees", "mirrored left-right",
               "mirrored top-bottom", "transposed", "transversed")  # fmt: skip


@dataclass(frozen=True)
class Link:
    a: int
    b: int
    kind: Kind
    reason: str


@dataclass
class Group:
    kind: Kind
    members: list[Member]
    links: list[Link] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        by_id = {member.file_id: member for member in self.members}
        return {
            "kind": self.kind,
            "members": [
                {
                    "file_id": m.file_id,
                    "evidence": m.root,
                    "path": m.path,
                    "sha256": m.sha256,
                    "size": m.size,
                    "format": m.format,
                    "width": m.width,
                    "height": m.height,
                    "missing": m.missing,
                }
                for m in self.members
            ],
            "links": [
                {"a": by_id[link.a].path, "b": by_id[link.b].path, "kind": link.kind, "reason": link.reason}
                for link in self.links
            ],
        }


def components(links: Iterable[tuple[int, int, T]]) -> Iterator[tuple[set[int], list[tuple[int, int, T]]]]:
    """Connected components of the links (union-find), each with its links, in order of their smallest file."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept = list(links)
    for a, b, _ in kept:
        parent[root(a)] = root(b)
    grouped: dict[int, tuple[set[int], list[tuple[int, int, T]]]] = {}
    for a, b, detail in kept:
        members, group_links = grouped.setdefault(root(a), (set(), []))
        members.update((a, b))
        group_links.append((a, b, detail))
    yield from sorted(grouped.values(), key=lambda item: min(item[0]))


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values)


def _chunk(values: np.ndarray, index: int) -> np.ndarray:
    return ((values >> np.uint64(index * _CHUNK_BITS)) & np.uint64(0xFFFF)).astype(np.uint32)


def _masks(radius: int) -> np.ndarray:
    masks = [0]
    for weight in range(1, radius + 1):
        masks += [sum(1 << bit for bit in bits) for bits in itertools.combinations(range(_CHUNK_BITS), weight)]
    return np.array(masks, dtype=np.uint32)


def _candidates(
    queries_: np.ndarray, table: np.ndarray, radius: int, max_bits: int, block: int = 4096
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(query index, table index, distance) of every pair at most `max_bits` apart, by multi-index hashing: each
    chunk of a query, and every value within `radius` bits of it, looked up in that chunk's sorted table."""
    masks = _masks(radius)
    tables = []
    for index in range(_CHUNKS):
        keys = _chunk(table, index)
        order = np.argsort(keys, kind="stable")
        # starts[v]..starts[v + 1]: where chunk value v lies in `order` (a counting sort: one look-up per probe)
        starts = np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=1 << _CHUNK_BITS))])
        tables.append((starts, order))
    for start in range(0, len(queries_), block):
        chunk_queries = queries_[start : start + block]
        query_ids = np.arange(start, start + len(chunk_queries))
        found_q: list[np.ndarray] = []
        found_t: list[np.ndarray] = []
        for index, (starts, order) in enumerate(tables):
            probes = (_chunk(chunk_queries, index)[:, None] ^ masks[None, :]).reshape(-1)
            left = starts[probes]
            counts = starts[probes + 1] - left
            hit = counts > 0
            if not hit.any():
                continue
            owners = np.repeat(query_ids, len(masks))[hit]
            left, counts = left[hit], counts[hit]
            offsets = np.repeat(left - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
            found_q.append(np.repeat(owners, counts))
            found_t.append(order[offsets])
        if not found_q:
            continue
        q = np.concatenate(found_q)
        t = np.concatenate(found_t)
        distance = _popcount(queries_[q] ^ table[t])
        close = distance <= max_bits
        yield q[close], t[close], distance[close]


@dataclass(frozen=True)
class VisualLink:
    detail: str  # "pHash 2 bits apart once turned 90 degrees, PDQ 40 bits of 256"
    turned: bool
    pdq_bits: int


def visual_pairs(rows: Sequence[HashRow]) -> list[tuple[int, int, VisualLink]]:
    """(file, file, detail) for every two distinct pictures (by SHA-256) whose pHashes are close; one file stands
    for each SHA-256 (its copies are an exact group, and join its stack)."""
    representative: dict[str, HashRow] = {}
    for row in rows:
        representative.setdefault(row.sha256, row)
    reps = list(representative.values())
    if len(reps) < 2:
        return []
    canonical = np.array([row.phash for row in reps], dtype=np.uint64)
    best: dict[tuple[int, int], tuple[int, str]] = {}
    for q, t, distance in _candidates(canonical, canonical, radius=2, max_bits=VISUAL_MAX_BITS):
        for i, j, bits in zip(q.tolist(), t.tolist(), distance.tolist(), strict=True):
            if i < j:
                best[(i, j)] = min(best.get((i, j), (99, "")), (bits, ""))
    for transform, name in enumerate(_TRANSFORMS):
        turned = np.array([row.variants[transform] for row in reps], dtype=np.uint64)
        for q, t, distance in _candidates(turned, canonical, radius=1, max_bits=TURNED_MAX_BITS):
            for i, j, bits in zip(q.tolist(), t.tolist(), distance.tolist(), strict=True):
                if i != j:
                    key = (min(i, j), max(i, j))
                    candidate = (bits, name)
                    if key not in best or candidate < best[key]:
                        best[key] = candidate
    links = []
    for (i, j), (bits, transform) in sorted(best.items()):
        pdq_bits = int(reps[i].pdq ^ reps[j].pdq).bit_count()
        turned = f" once {transform}" if transform else ""
        detail = f"pHash {bits} bits apart{turned}, PDQ {pdq_bits} bits of 256"
        links.append((reps[i].file_id, reps[j].file_id, VisualLink(detail, bool(transform), pdq_bits)))
    return links


def _originality(member: Member) -> tuple[int, bool, int]:
    return ((member.width or 0) * (member.height or 0), member.has_exif, member.size)


def oriented_members(a: Member, b: Member) -> tuple[Member, Member]:
    """The pair said from the likelier original (more pixels, then EXIF kept, then more bytes) to the copy: a
    reading aid, never a finding (the reason says only what differs)."""
    return (a, b) if _originality(a) >= _originality(b) else (b, a)


def oriented(a: Member, b: Member) -> tuple[int, int]:
    first, second = oriented_members(a, b)
    return first.file_id, second.file_id


# PDQ bits between a picture and its plain resize to a half (measured 0-20); 5% crops measured 24-56, and resizes
# to a quarter up to 40, so beyond this a change of size of the same shape is said to be either.
RESIZED_MAX_PDQ_BITS = 20


def differences(a: Member, b: Member, *, turned: bool = False, pdq_bits: int | None = None) -> str:
    """What differs between two members, as an examiner would say it."""
    said = []
    if turned:
        said.append("turned or mirrored")
    if (a.width, a.height) != (b.width, b.height) and None not in (a.width, a.height, b.width, b.height):
        ratio_a, ratio_b = a.width / a.height, b.width / b.height  # type: ignore[operator]
        if turned:
            ratio_b = 1 / ratio_b
        if abs(ratio_a - ratio_b) >= 0.02:
            change = "cropped, padded or stretched"
        elif not turned and pdq_bits is not None and pdq_bits > RESIZED_MAX_PDQ_BITS:
            change = "resized or cropped (same shape)"
        else:
            change = "resized"
        said.append(f"{change} {a.width}x{a.height} -> {b.width}x{b.height}")
    if a.has_exif and not b.has_exif:
        said.append("EXIF stripped")
    elif b.has_exif and not a.has_exif:
        said.append("EXIF added")
    if a.format != b.format:
        said.append(f"converted {a.format} -> {b.format}")
    elif a.sha256 != b.sha256:
        said.append("re-encoded")
    return ", ".join(said) or "same size and format, different bytes"


def visual_reason(a: Member, b: Member, link: VisualLink) -> str:
    return f"{link.detail}; {differences(a, b, turned=link.turned, pdq_bits=link.pdq_bits)}"


@dataclass(frozen=True)
class Neighbour:
    file_id: int  # the neighbour's representative (the first file of its SHA-256)
    link: VisualLink


class HashTable:
    """Every picture's pHashes as numpy arrays, one row per SHA-256 (its first file stands for it, as in
    `visual_pairs`), for looking up one picture's look-alikes without grouping the case."""

    def __init__(self, rows: Iterable[HashRow]) -> None:
        representative: dict[str, HashRow] = {}
        for row in rows:
            representative.setdefault(row.sha256, row)
        self.rows = list(representative.values())
        self.index = {row.sha256: n for n, row in enumerate(self.rows)}
        self.canonical = np.array([row.phash for row in self.rows], dtype=np.uint64)
        self.turned = np.array([row.variants for row in self.rows], dtype=np.uint64).reshape(
            len(self.rows), len(_TRANSFORMS)
        )

    def neighbours(self, sha256: str) -> list[Neighbour]:
        """The pictures `visual_pairs` links to this one, with the same (smallest) distance and wording."""
        i = self.index.get(sha256)
        if i is None:
            return []
        best: dict[int, tuple[int, str]] = {}

        def offer(distances: np.ndarray, limit: int, name: str) -> None:
            for j in np.nonzero(distances <= limit)[0].tolist():
                if j != i:
                    candidate = (int(distances[j]), name)
                    if j not in best or candidate < best[j]:
                        best[j] = candidate

        offer(_popcount(self.canonical ^ self.canonical[i]), VISUAL_MAX_BITS, "")
        for transform, name in enumerate(_TRANSFORMS):
            # either picture turned: this one's turn against the others, and the others' turns against this one
            offer(_popcount(self.canonical ^ self.turned[i, transform]), TURNED_MAX_BITS, name)
            offer(_popcount(self.turned[:, transform] ^ self.canonical[i]), TURNED_MAX_BITS, name)
        found = []
        for j, (bits, transform) in sorted(best.items()):
            pdq_bits = int(self.rows[i].pdq ^ self.rows[j].pdq).bit_count()
            turned = f" once {transform}" if transform else ""
            detail = f"pHash {bits} bits apart{turned}, PDQ {pdq_bits} bits of 256"
            found.append(Neighbour(self.rows[j].file_id, VisualLink(detail, bool(transform), pdq_bits)))
        return found

    def stack(self, sha256: str) -> tuple[list[tuple[int, int, VisualLink]], dict[int, int]]:
        """The links of this picture's visual stack (its connected component, walked breadth first from it) and,
        for each representative reached, the one it was reached from (None-free: the start maps to itself)."""
        start = self.index.get(sha256)
        if start is None:
            return [], {}
        start_id = self.rows[start].file_id
        reached = {start_id: start_id}
        by_id = {row.file_id: row for row in self.rows}
        queue = [start_id]
        links: dict[tuple[int, int], VisualLink] = {}
        while queue:
            current = queue.pop(0)
            for neighbour in self.neighbours(by_id[current].sha256):
                key = (min(current, neighbour.file_id), max(current, neighbour.file_id))
                links.setdefault(key, neighbour.link)
                if neighbour.file_id not in reached:
                    reached[neighbour.file_id] = current
                    queue.append(neighbour.file_id)
        return [(a, b, link) for (a, b), link in sorted(links.items())], reached


def likelier_original_first(members: Iterable[Member]) -> list[Member]:
    """Members from the likelier original (as `oriented_members` says it) to the likelier copy; ties by file id."""
    return sorted(members, key=lambda m: (tuple(-x for x in _originality(m)), m.file_id))
