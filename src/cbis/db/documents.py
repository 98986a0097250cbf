"""Reads for the whole-document reports (GeoJSON, KMZ, timeline, DFXML): one query each, streamed, in the
reports' one order (evidence root, path, file id), so the same case gives the same document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, and_, select

from cbis.db.engine import streamed
from cbis.db.models import Evidence, Exif, File, Prediction, Run
from cbis.db.queries import DATE_TAKEN, byte_order


def gps_images(connection: Connection, model_id: int | None) -> Iterator[dict[str, Any]]:
    """Every indexed image with a position, with what a map shows of it and the model's top-1 label."""
    columns = [
        File.id.label("file_id"),
        Evidence.root.label("evidence"),
        Evidence.root_bytes,
        File.path,
        File.path_bytes,
        File.size,
        File.sha256,
        DATE_TAKEN.label("date_taken"),
        Exif.make,
        Exif.model,
        Exif.gps_latitude,
        Exif.gps_longitude,
        Exif.gps_altitude,
    ]
    query = select(*columns, Prediction.label, Prediction.score) if model_id is not None else select(*columns)
    query = query.join(Exif, Exif.file_id == File.id).join(Evidence, Evidence.id == File.evidence_id)
    if model_id is not None:
        query = query.outerjoin(
            Prediction, and_(Prediction.file_id == File.id, Prediction.model_id == model_id, Prediction.rank == 1)
        )
    query = query.where(
        File.status == "image", Exif.gps_latitude.is_not(None), Exif.gps_longitude.is_not(None)
    ).order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    for row in streamed(connection, query):
        yield {"label": None, "score": None, **row}


def timeline_images(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every indexed image with its three dates, where each came from, the other sources' values, its XMP
    properties, its file times, and when the case first recorded it (the start of the run that did)."""
    query = (
        select(
            File.id.label("file_id"),
            Evidence.root.label("evidence"),
            File.path,
            File.sha256,
            File.mtime,
            File.ctime,
            File.atime,
            Run.started_at.label("recorded_at"),
            Exif.datetime_original,
            Exif.datetime_digitized,
            Exif.modify_date,
            Exif.sources_json,
            Exif.conflicts_json,
            Exif.tags_json,
        )
        .join(Evidence, Evidence.id == File.evidence_id)
        .join(Run, Run.id == File.first_run_id)
        .outerjoin(Exif, Exif.file_id == File.id)
        .where(File.status == "image")
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    yield from streamed(connection, query)


def dfxml_files(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every recorded file, image or not, with its size, hashes and file times."""
    query = (
        select(
            File.id.label("file_id"),
            Evidence.root.label("evidence"),
            File.path,
            File.size,
            File.md5,
            File.sha1,
            File.sha256,
            File.mtime,
            File.ctime,
            File.atime,
        )
        .join(Evidence, Evidence.id == File.evidence_id)
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    yield from streamed(connection, query)


def locations(connection: Connection, file_ids: list[int]) -> dict[int, tuple[bytes, bytes]]:
    """Where each of these files lies (its evidence root's bytes and its path's), to read it again for a thumbnail."""
    if not file_ids:
        return {}
    rows = connection.execute(
        select(File.id, Evidence.root_bytes, File.path_bytes)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(File.id.in_(file_ids))
    )
    return {int(row[0]): (bytes(row[1]), bytes(row[2])) for row in rows}


def file_times(connection: Connection, file_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The file system times recorded of these files (mtime, ctime, atime: UTC text, or None)."""
    if not file_ids:
        return {}
    rows = connection.execute(select(File.id, File.mtime, File.ctime, File.atime).where(File.id.in_(file_ids)))
    return {int(row[0]): {"mtime": row[1], "ctime": row[2], "atime": row[3]} for row in rows}
