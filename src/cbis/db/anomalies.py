"""Reads for `cbis anomalies` (cbis/anomalies.py checks them): one FileFacts per file, streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select, case, func, select

from cbis import anomalies
from cbis.anomalies import FileFacts
from cbis.db import freshness
from cbis.db.models import Evidence, Exif, File, PerceptualHash, Run

_CHUNK = 500


def _query(file_ids: Sequence[int] | None = None) -> Select[Any]:
    """Every file's facts, or those of `file_ids`.

    One row per file: a file hashed by several perceptual analyzer versions has several rows there; the largest
    mismatching distance stands for them (NULL: no version found its thumbnail differing). The grouped
    subquery is made for the files asked for only: SQLite materialises it, and over every perceptual hash it
    was a pass over the whole table for each image page's reasons and each 500 files of a report."""
    grouped = select(
        PerceptualHash.file_id,
        func.max(case((PerceptualHash.thumbnail_mismatch.is_(True), 1), else_=0)).label("mismatch"),
        func.max(
            case((PerceptualHash.thumbnail_mismatch.is_(True), PerceptualHash.thumbnail_distance), else_=None)
        ).label("distance"),
    ).group_by(PerceptualHash.file_id)
    if file_ids is not None:
        grouped = grouped.where(PerceptualHash.file_id.in_(file_ids))
    thumbnails = grouped.subquery("thumbnails")
    query = (
        select(
            File.id,
            Evidence.root,
            File.path,
            File.sha256,
            File.extension,
            File.format,
            File.extension_mismatch,
            File.mtime,
            Run.started_at,
            Exif.make,
            Exif.software,
            Exif.datetime_original,
            Exif.modify_date,
            Exif.gps_latitude,
            Exif.gps_longitude,
            Exif.tags_json,
            Exif.sources_json,
            Exif.conflicts_json,
            Exif.has_conflict,
            thumbnails.c.mismatch,
            thumbnails.c.distance,
        )
        .join(Evidence, Evidence.id == File.evidence_id)
        .join(Run, Run.id == File.first_run_id)
        .outerjoin(Exif, Exif.file_id == File.id)
        .outerjoin(thumbnails, thumbnails.c.file_id == File.id)
    )
    return query if file_ids is None else query.where(File.id.in_(file_ids))


def _json_map(text: str | None) -> dict[str, Any]:
    if not text or text == "{}":  # most files' conflicts (and many sources): a million decodes saved in a report
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _facts(row: Any) -> FileFacts:
    (file_id, root, path, sha256, extension, fmt, mismatch, mtime, recorded_at, make, software, original, modified,
     latitude, longitude, tags, sources, conflicts, has_conflict, thumb_mismatch, thumb_distance) = row  # fmt: skip
    return FileFacts(
        file_id=file_id,
        evidence=root,
        path=path,
        sha256=sha256,
        extension=extension or "",
        format=fmt,
        extension_mismatch=bool(mismatch),
        mtime=mtime,
        recorded_at=recorded_at,
        make=make,
        software=software,
        datetime_original=original,
        modify_date=modified,
        gps_latitude=latitude,
        gps_longitude=longitude,
        tags=_json_map(tags),
        sources=_json_map(sources),
        conflicts=_json_map(conflicts),
        has_conflict=bool(has_conflict),
        thumbnail_mismatch=bool(thumb_mismatch),
        thumbnail_distance=thumb_distance,
    )


def all_facts(connection: Connection) -> Iterator[FileFacts]:
    """Every file's facts, in id order, streamed (yield_per): a case of any size is never held in memory."""
    rows = connection.execute(_query().order_by(File.id).execution_options(yield_per=2_000))
    for row in rows:
        yield _facts(row)


def facts_by_id(connection: Connection, file_ids: Sequence[int]) -> dict[int, FileFacts]:
    found: dict[int, FileFacts] = {}
    ids = list(file_ids)
    for start in range(0, len(ids), _CHUNK):
        for row in connection.execute(_query(ids[start : start + _CHUNK])):
            facts = _facts(row)
            found[facts.file_id] = facts
    return found


def facts_of(connection: Connection, file_id: int) -> FileFacts | None:
    return facts_by_id(connection, [file_id]).get(file_id)


def flagged_ids(connection: Connection) -> list[int]:
    """The ids of the files with at least one `cbis anomalies` reason (the viewer's anomalies=1), ascending.

    The checks are Python over every file's facts (seconds on a large case), so the answer is kept on the
    connection while nothing is committed to the case (`freshness.cached`): paging through the anomalies costs
    that pass once, not once a page."""
    return list(
        freshness.cached(connection, "anomaly_ids", lambda: tuple(anomalies.flagged_ids(all_facts(connection))))
    )
