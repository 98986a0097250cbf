"""Reads for `cbis duplicates`: files sharing a SHA-256, every image's perceptual hashes, and the facts a link's
reason quotes (size, format, dimensions, whether it has EXIF)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from cbis.db.models import Evidence, Exif, File, PerceptualHash


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


def perceptual_rows(connection: Connection) -> Iterator[HashRow]:
    """The hashes of every image that has them and is not featureless (those are never grouped by hash)."""
    rows = connection.execute(
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
        .execution_options(yield_per=10_000)
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
