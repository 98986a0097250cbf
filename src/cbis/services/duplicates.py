"""`cbis duplicates`: every copy and every look-alike, in groups an examiner can quote.

Three kinds of group, each link with its reason:

- exact: one SHA-256 at several paths or roots (any file, image or not, but empty files);
- visual: the same picture resized, re-encoded, converted, EXIF-stripped, turned or mirrored, or lightly cropped:
  pHash (64 bits, over the eight dihedral transforms) at most VISUAL_MAX_BITS apart. Measured on variants of real
  camera photos (docs/duplicates.md): 0-2 bits for resizing, JPEG quality 30-90, PNG and WebP, 90-degree turns;
  2-10 for 5% crops; 8-16 for 10% crops and 8-18 for an added caption bar, so those group only partly here; the
  closest unrelated photos are 20 bits apart. Featureless pictures (one colour, low PDQ quality) never group;
- similar: CNN features (the classifier's embeddings) with cosine at least SIMILAR_MIN_COSINE, for what the
  hashes miss (heavier crops, captions, the same scene shot twice), outside any visual stack already.

Grouping is never all-pairs: visual links come from multi-index hashing (each 64-bit pHash split into four 16-bit
chunks; two hashes at most 11 bits apart share a chunk within 2 bits, so every chunk value within 2 bits is looked
up in a sorted table), then the candidates are checked bit by bit; groups are the connected components.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np

from cbis.db import duplicates as db
from cbis.db import similarity
from cbis.db.duplicates import HashRow, Member
from cbis.errors import UsageError
from cbis.services.cases import Case
from cbis.services.search import select_model

Kind = Literal["exact", "visual", "similar"]
T = TypeVar("T")
KINDS: tuple[Kind, ...] = ("exact", "visual", "similar")
VISUAL_MAX_BITS = 10
# A turned or mirrored copy is looked up with a tighter bound (every chunk within 1 bit: at most 7 apart); turning
# changes no pixel, so such a copy is 0-2 bits from the original's transform.
TURNED_MAX_BITS = 7
SIMILAR_MIN_COSINE = 0.90
# Beyond this many embeddings the exact similarity pass (blockwise, n^2 / 2 dot products) is skipped with a note.
SIMILAR_MAX_IMAGES = 50_000
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


@dataclass
class DuplicatesReport:
    groups: list[Group]
    notes: list[str] = field(default_factory=list)

    def json_lines(self) -> Iterator[str]:
        for group in self.groups:
            yield json.dumps(group.as_json(), ensure_ascii=False)


def find_duplicates(case: Case, kinds: Sequence[Kind] = KINDS, model: str | None = None) -> DuplicatesReport:
    for kind in kinds:
        if kind not in KINDS:
            raise UsageError(f"--kind {kind!r}: choose among {', '.join(KINDS)}")
    notes: list[str] = []
    groups: list[Group] = []
    with case.engine.connect() as connection:
        exact = list(db.exact_groups(connection))
        rows = list(db.perceptual_rows(connection)) if "visual" in kinds or "similar" in kinds else []
        if "visual" in kinds and not rows:
            notes.append(
                "no perceptual hashes in this case: run `cbis index EVIDENCE --analyze perceptual` for visual stacks"
            )
        visual_links = visual_pairs(rows) if "visual" in kinds else []
        similar_links: list[tuple[int, int, float]] = []
        if "similar" in kinds:
            similar_links, note = similar_pairs(connection, model)
            if note:
                notes.append(note)
        wanted = set(itertools.chain.from_iterable(exact))
        wanted.update(itertools.chain.from_iterable((a, b) for a, b, _ in visual_links))
        wanted.update(itertools.chain.from_iterable((a, b) for a, b, _ in similar_links))
        facts = db.members(connection, wanted)
    copies = {file_id: group for group in exact for file_id in group}  # file -> the files with its SHA-256
    if "exact" in kinds:
        for group in exact:
            first = facts[group[0]]
            where = "at several roots" if len({facts[i].root for i in group}) > 1 else "at several paths"
            groups.append(
                Group(
                    "exact",
                    [facts[i] for i in group],
                    [Link(first.file_id, i, "exact", f"same SHA-256 {first.sha256} ({where})") for i in group[1:]],
                )
            )
    stacked: dict[int, int] = {}
    if "visual" in kinds:
        for component, links in components(visual_links):
            members = sorted({m for i in component for m in copies.get(i, [i])})
            group = Group("visual", [facts[i] for i in members])
            group.links = [
                Link(
                    *oriented(facts[a], facts[b]),
                    "visual",
                    visual_reason(*oriented_members(facts[a], facts[b]), detail),
                )
                for a, b, detail in links
            ]
            groups.append(group)
            for i in members:
                stacked[i] = len(groups)
    if "similar" in kinds:
        fresh = [(a, b, c) for a, b, c in similar_links if stacked.get(a) is None or stacked.get(a) != stacked.get(b)]
        for component, links in components((a, b, f"{cosine:.3f}") for a, b, cosine in fresh):
            group = Group("similar", [facts[i] for i in sorted(component)])
            group.links = [
                Link(
                    *oriented(facts[a], facts[b]),
                    "similar",
                    f"CNN features cosine {cosine}; {differences(*oriented_members(facts[a], facts[b]))}",
                )
                for a, b, cosine in links
            ]
            groups.append(group)
    return DuplicatesReport(groups, notes)


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


def similar_pairs(connection: Any, model: str | None) -> tuple[list[tuple[int, int, float]], str | None]:
    """(file, file, cosine) of every two images whose CNN features are at least SIMILAR_MIN_COSINE alike."""
    model_ref = select_model(connection, model)
    if model_ref is None:
        return [], "no classifier embeddings in this case: similar groups need `cbis index` with the imagenet analyzer"
    ids: list[int] = []
    vectors: list[np.ndarray] = []
    for chunk in similarity.embeddings(connection, model_ref.id):
        for file_id, vector in chunk:
            ids.append(file_id)
            vectors.append(np.frombuffer(vector, dtype="<f2").astype(np.float32))
        if len(ids) > SIMILAR_MAX_IMAGES:
            return [], (
                f"similar groups skipped: more than {SIMILAR_MAX_IMAGES} embeddings (the exact pass would compare "
                "every pair); visual and exact groups are complete"
            )
    if len(ids) < 2:
        return [], None
    matrix = np.stack(vectors)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(ids), 1024):
        scores = matrix[start : start + 1024] @ matrix.T
        rows_, columns = np.nonzero(scores >= SIMILAR_MIN_COSINE)
        for r, c in zip(rows_.tolist(), columns.tolist(), strict=True):
            if start + r < c:
                pairs.append((ids[start + r], ids[c], float(scores[r, c])))
    return pairs, None


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
