"""Reads for `cbis duplicates`: files sharing a SHA-256, every image's perceptual hashes, and the facts a link's
reason quotes (size, format, dimensions, whether it has EXIF)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from cbis.db import freshness
from cbis.db.models import Evidence, Exif, File, PerceptualHash, Run
from cbis.grouping import HashRow, HashTable, Member, components, likelier_original_first, visual_pairs


def exact_groups(connection: Connection) -> Iterator[list[int]]:
    """File ids sharing one SHA-256, for every SHA-256 held by more than one non-empty file."""
    shared = (
        select(File.sha256)
        .where(File.sha256.is_not(None), File.size > 0)
        .group_by(File.sha256)
        .having(func.count() > 1)
        .subquery()
    )
    rows = connection.execute(
        select(File.sha256, File.id).join(shared, shared.c.sha256 == File.sha256).order_by(File.sha256, File.id)
    )
    group: list[int] = []
    current = None
    for sha256, file_id in rows:
        if sha256 != current and group:
            yield group
            group = []
        current = sha256
        group.append(file_id)
    if group:
        yield group


def perceptual_rows(connection: Connection, file_ids: Sequence[int] | None = None) -> Iterator[HashRow]:
    """The hashes of every image that has them and is not featureless (those are never grouped by hash), in file
    id order; of `file_ids` only, when given (one visual stack's members)."""
    query = (
        select(
            PerceptualHash.file_id,
            File.sha256,
            PerceptualHash.phash,
            PerceptualHash.phash_variants,
            PerceptualHash.pdq,
            PerceptualHash.pdq_quality,
        )
        .join(File, File.id == PerceptualHash.file_id)
        .where(PerceptualHash.featureless.is_(False), File.sha256.is_not(None))
        .order_by(PerceptualHash.file_id)
    )
    if file_ids is None:
        rows: Iterable[Any] = connection.execute(query.execution_options(yield_per=10_000))
    else:
        wanted = sorted(set(file_ids))
        rows = (
            row
            for start in range(0, len(wanted), 500)
            for row in connection.execute(query.where(PerceptualHash.file_id.in_(wanted[start : start + 500])))
        )
    for file_id, sha256, phash, variants, pdq, quality in rows:
        yield HashRow(
            file_id,
            sha256,
            int(phash, 16),
            tuple(int(variants[n : n + 16], 16) for n in range(0, len(variants), 16)),
            int(pdq, 16),
            quality,
        )


def members(connection: Connection, file_ids: Iterable[int]) -> dict[int, Member]:
    ids = sorted(set(file_ids))
    found: dict[int, Member] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = connection.execute(
            select(
                File.id,
                Evidence.root,
                File.path,
                File.sha256,
                File.size,
                File.format,
                func.coalesce(File.display_width, File.width),
                func.coalesce(File.display_height, File.height),
                Exif.tags_json,
                File.missing_since_run_id,
            )
            .join(Evidence, Evidence.id == File.evidence_id)
            .outerjoin(Exif, Exif.file_id == File.id)
            .where(File.id.in_(chunk))
        )
        for file_id, root, path, sha256, size, fmt, width, height, tags, missing in rows:
            has_exif = bool(tags) and tags not in ("{}", "null")
            found[file_id] = Member(
                file_id, root, path, sha256, size, fmt, width, height, has_exif, missing is not None
            )
    return found


def thumbnail_mismatches(connection: Connection) -> list[tuple[int, int]]:
    """(file id, pHash bits between thumbnail and picture) of every image whose EXIF thumbnail differs."""
    return [
        (file_id, distance)
        for file_id, distance in connection.execute(
            select(PerceptualHash.file_id, PerceptualHash.thumbnail_distance)
            .where(PerceptualHash.thumbnail_mismatch.is_(True))
            .order_by(PerceptualHash.file_id)
        )
    ]


def perceptual_of(connection: Connection, file_id: int) -> dict[str, Any] | None:
    """One image's perceptual facts for its page: featureless, and its EXIF thumbnail against the picture."""
    row = connection.execute(
        select(PerceptualHash.featureless, PerceptualHash.thumbnail_distance, PerceptualHash.thumbnail_mismatch)
        .where(PerceptualHash.file_id == file_id)
        .order_by(PerceptualHash.run_id.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return {"featureless": row[0], "thumbnail_distance": row[1], "thumbnail_mismatch": row[2]}


def same_sha256(connection: Connection, digests: Iterable[str]) -> dict[str, list[int]]:
    """The non-empty files holding each SHA-256 (by the files.sha256 index), in id order."""
    wanted = sorted(set(digests))
    found: dict[str, list[int]] = {digest: [] for digest in wanted}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(File.sha256, File.id)
            .where(File.sha256.in_(wanted[start : start + 500]), File.size > 0)
            .order_by(File.id)
        )
        for digest, file_id in rows:
            found[digest].append(file_id)
    return found


def hash_table(connection: Connection, file_ids: Sequence[int] | None = None) -> HashTable:
    """The pictures' pHashes in memory (every picture's, or those of `file_ids`), for one picture's look-alikes."""
    return HashTable(perceptual_rows(connection, file_ids))


def state_key(connection: Connection) -> tuple[int, int]:
    """What the visual stacks depend on: the latest run (any new, changed or missing file comes with one) and how
    many perceptual rows there are. Kept on the connection while the case is unchanged (a count over every
    perceptual row, asked on every gallery and image page)."""

    def counted() -> tuple[int, int]:
        latest = connection.execute(select(func.coalesce(func.max(Run.id), 0))).scalar_one()
        hashes = connection.execute(select(func.count()).select_from(PerceptualHash)).scalar_one()
        return int(latest), int(hashes)

    return freshness.cached(connection, "stacks state", counted)


def visual_stacks(connection: Connection) -> list[list[int]]:
    """Every visual stack of the case, as `cbis duplicates --kind visual` groups them (a representative per
    SHA-256, its copies joining its stack), each listed from the likelier original on."""
    links = visual_pairs(list(perceptual_rows(connection)))
    components_ = [component for component, _ in components(links)]
    if not components_:
        return []
    copies = {file_id: group for group in exact_groups(connection) for file_id in group}
    stacks = [sorted({m for i in component for m in copies.get(i, [i])}) for component in components_]
    facts = members(connection, (i for stack in stacks for i in stack))
    return [[m.file_id for m in likelier_original_first(facts[i] for i in stack)] for stack in stacks]
