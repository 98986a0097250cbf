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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cbis.db import duplicates as db
from cbis.db import similarity
from cbis.errors import UsageError

# The grouping itself lives in cbis.grouping (no SQL), where the viewer reaches it too; its names are kept here for
# the bench and for readers of this module.
from cbis.grouping import (  # noqa: F401
    KINDS,
    SIMILAR_MIN_COSINE,
    TURNED_MAX_BITS,
    VISUAL_MAX_BITS,
    Group,
    HashRow,
    Kind,
    Link,
    Member,
    VisualLink,
    components,
    differences,
    oriented,
    oriented_members,
    visual_pairs,
    visual_reason,
)
from cbis.services.cases import Case
from cbis.services.search import select_model

# Beyond this many embeddings the exact similarity pass (blockwise, n^2 / 2 dot products) is skipped with a note.
SIMILAR_MAX_IMAGES = 50_000


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


def similar_pairs(connection: Any, model: str | None) -> tuple[list[tuple[int, int, float]], str | None]:
    """(file, file, cosine) of every two images whose CNN features are at least SIMILAR_MIN_COSINE alike."""
    model_ref = select_model(connection, model)
    if model_ref is None:
        return [], "no classifier embeddings in this case: similar groups need `cbis index` with the imagenet analyzer"
    ids: list[int] = []
    vectors: list[bytes] = []
    for chunk in similarity.embeddings(connection, model_ref.id):
        for file_id, vector in chunk:
            ids.append(file_id)
            vectors.append(vector)
        if len(ids) > SIMILAR_MAX_IMAGES:
            return [], (
                f"similar groups skipped: more than {SIMILAR_MAX_IMAGES} embeddings (the exact pass would compare "
                "every pair); visual and exact groups are complete"
            )
    if len(ids) < 2:
        return [], None
    matrix = similarity.unit_vectors(vectors)
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(ids), 1024):
        scores = matrix[start : start + 1024] @ matrix.T
        rows_, columns = np.nonzero(scores >= SIMILAR_MIN_COSINE)
        for r, c in zip(rows_.tolist(), columns.tolist(), strict=True):
            if start + r < c:
                pairs.append((ids[start + r], ids[c], float(scores[r, c])))
    return pairs, None
