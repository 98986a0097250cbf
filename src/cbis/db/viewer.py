"""Read-only queries for the web viewer (`cbis serve`): one file's record, its place in a filtered list,
the filtered list as report rows, and the counts the overview charts.

Filtering itself is `db.queries`' (the same query as `cbis search`), so the viewer and the CLI always agree on
what a filter matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Integer, cast, func, select

from cbis.db import estimates, queries
from cbis.db.models import Evidence, Exif, File, Model, Prediction, could_be_row_id
from cbis.db.queries import ModelRef, SearchFilters, byte_order

NO_VALUE = "(none)"


@dataclass(frozen=True)
class FileLocation:
    """What is needed to find one recorded file on disk and check it is still the same file."""

    id: int
    root_bytes: bytes
    path_bytes: bytes
    path: str
    status: str
    format: str | None
    size: int
    sha256: str | None


@dataclass(frozen=True)
class Position:
    """Where a file sits in a filtered, sorted list (1-based), and its neighbours there. Counted within a budget,
    `index` is None when there was no time to count the files before it, and `estimate` the list's length when
    there was none to count it exactly (`total` is then the estimate's value)."""

    index: int | None
    total: int
    previous_id: int | None
    next_id: int | None
    estimate: estimates.Count | None = None


@dataclass(frozen=True)
class GpsCluster:
    """Located images in one cell of the overview map's grid: how many, where on average, and the one image
    (id and path) when the cell holds just one."""

    latitude: float
    longitude: float
    count: int
    file_id: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class GpsPoint:
    id: int
    path: str
    latitude: float
    longitude: float


def models(connection: Connection) -> list[ModelRef]:
    """Every model with predictions or runs in the case, newest first."""
    rows = connection.execute(
        select(Model.id, Model.name, Model.backend, Model.weights_sha256).order_by(Model.id.desc())
    )
    return [ModelRef(*row) for row in rows]


def file_location(connection: Connection, file_id: int) -> FileLocation | None:
    """None when there is no such file (an id out of the backend's range included)."""
    if not could_be_row_id(connection.dialect.name, file_id):
        return None
    row = connection.execute(
        select(
            File.id,
            Evidence.root_bytes,
            File.path_bytes,
            File.path,
            File.status,
            File.format,
            File.size,
            File.sha256,
        )
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(File.id == file_id)
    ).one_or_none()
    return None if row is None else FileLocation(*row)


def file_detail(connection: Connection, file_id: int) -> dict[str, Any] | None:
    """Everything recorded about one file: its row, evidence root and EXIF (EXIF columns None when absent); None
    when there is no such file (an id out of the backend's range included)."""
    if not could_be_row_id(connection.dialect.name, file_id):
        return None
    exif_columns = [column for column in Exif.__table__.columns if column.name != "file_id"]
    row = (
        connection.execute(
            select(
                *File.__table__.columns,
                Evidence.root.label("evidence"),
                *(column.label(f"exif_{column.name}") for column in exif_columns),
            )
            .join(Evidence, Evidence.id == File.evidence_id)
            .outerjoin(Exif, Exif.file_id == File.id)
            .where(File.id == file_id)
        )
        .mappings()
        .one_or_none()
    )
    return None if row is None else dict(row)


def predictions(connection: Connection, file_id: int, model_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(Prediction.rank, Prediction.wnid, Prediction.label, Prediction.score)
        .where(Prediction.file_id == file_id, Prediction.model_id == model_id)
        .order_by(Prediction.rank)
    ).mappings()
    return [dict(row) for row in rows]


def position(
    connection: Connection,
    filters: SearchFilters,
    sort: str,
    file_id: int,
    budget: estimates.Budget | None = None,
) -> Position | None:
    """The file's place in the filtered list and its previous and next files; None when it is not in the list.

    `filters.model_id` must already be chosen (the caller resolves the default model once per request). The
    neighbours are keyset look-ups (the rows right before and after the file in the list's order) and the place
    a count of the files before it, so no query numbers the whole list. With a `budget`, the counts are made
    within it (`Position`); without, they are exact.
    """
    if not could_be_row_id(connection.dialect.name, file_id):
        return None
    model_id = filters.model_id
    filters = queries.resolve(connection, filters, model_id)
    if not queries.listing(connection, replace(filters, file_ids=[file_id]), model_id, sort=sort, limit=1):
        return None
    previous = queries.listing(connection, filters, model_id, sort=sort, limit=1, before=file_id)
    following = queries.listing(connection, filters, model_id, sort=sort, limit=1, after=file_id)
    budget = budget or estimates.Budget(0.0, exact=True)
    total = budget.count(connection, filters)  # first: "of about N" says more than a place without a length
    before = budget.within(connection, lambda: queries.count_before(connection, filters, sort, file_id))
    return Position(
        index=None if before is None else before + 1,
        total=total.value,
        previous_id=previous[0]["id"] if previous else None,
        next_id=following[0]["id"] if following else None,
        estimate=None if total.exact else total,
    )


REPORT_CHUNK = 2000  # files the CSV export reads at a time


def file_report_rows(
    connection: Connection, filters: SearchFilters, sort: str, *, chunk: int = REPORT_CHUNK
) -> Iterator[dict[str, Any]]:
    """The filtered list as `queries.file_rows`' rows, in the list's order: read a chunk at a time, each the
    listing's keyset page after the last file of the one before (`queries.listing`), so the first rows come after
    one chunk is read, not after the whole list is sorted, and memory holds one chunk."""
    model_id = queries.model_for(connection, filters)
    filters = queries.resolve(connection, filters, model_id)
    after: int | None = None
    while True:
        rows = queries.listing(connection, filters, model_id, sort=sort, limit=chunk, after=after)
        if not rows:
            return
        mtimes = dict(
            connection.execute(select(File.id, File.mtime).where(File.id.in_([row["id"] for row in rows]))).all()
        )
        for row in rows:
            yield {
                **{column: row[column] for column in _REPORT_COLUMNS},
                "mtime": mtimes[row["id"]],
            }
        if len(rows) < chunk:
            return
        after = rows[-1]["id"]


_REPORT_COLUMNS = (
    "evidence", "path", "size", "md5", "sha1", "sha256", "format", "extension", "extension_mismatch", "status",
    "error", "missing_since_run",
)  # fmt: skip


# --- overview ---


def camera_counts(connection: Connection) -> list[tuple[str, str, int]]:
    """Images per camera (make, model); a missing make or model counts as NO_VALUE."""
    make = func.coalesce(func.nullif(func.trim(Exif.make), ""), NO_VALUE)
    model = func.coalesce(func.nullif(func.trim(Exif.model), ""), NO_VALUE)
    number = func.count().label("count")
    rows = connection.execute(
        select(make.label("make"), model.label("model"), number)
        .select_from(File)
        .outerjoin(Exif, Exif.file_id == File.id)
        .where(File.status == "image")
        .group_by(make, model)
        .order_by(number.desc(), byte_order(make), byte_order(model))
    )
    return [(row.make, row.model, row.count) for row in rows]


def type_counts(connection: Connection) -> list[tuple[str, str, int]]:
    """Files per (status, detected format), all files included."""
    kind = func.coalesce(File.format, "")
    number = func.count().label("count")
    rows = connection.execute(
        select(File.status, kind.label("format"), number)
        .group_by(File.status, kind)
        .order_by(number.desc(), byte_order(File.status), byte_order(kind))
    )
    return [(row.status, row.format, row.count) for row in rows]


def extension_counts(connection: Connection) -> list[tuple[str, int]]:
    number = func.count().label("count")
    rows = connection.execute(
        select(File.extension, number).group_by(File.extension).order_by(number.desc(), byte_order(File.extension))
    )
    return [(extension, n) for extension, n in rows]


def month_counts(connection: Connection) -> tuple[list[tuple[str, int]], int]:
    """Images per month of the date taken (queries.DATE_TAKEN, "YYYY-MM"), in order, and the number without one."""
    month = func.substr(queries.DATE_TAKEN, 1, 7)
    number = func.count().label("count")
    rows = connection.execute(
        select(month.label("month"), number)
        .select_from(File)
        .join(Exif, Exif.file_id == File.id)
        .where(File.status == "image", queries.DATE_TAKEN.is_not(None), queries.DATE_TAKEN != "")
        .group_by(month)
        .order_by(byte_order(month))
    )
    months = [(row.month, row.count) for row in rows]
    undated = connection.execute(
        select(func.count())
        .select_from(File)
        .outerjoin(Exif, Exif.file_id == File.id)
        .where(File.status == "image", func.coalesce(queries.DATE_TAKEN, "") == "")
    ).scalar_one()
    return months, undated


def gps_points(connection: Connection, limit: int = 5000) -> tuple[list[GpsPoint], int]:
    """Up to `limit` image locations (in path order) and how many there are in all."""
    located = (
        select(File.id, File.path, Exif.gps_latitude, Exif.gps_longitude)
        .join(Exif, Exif.file_id == File.id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(Exif.gps_latitude.is_not(None), Exif.gps_longitude.is_not(None))
    )
    total = connection.execute(select(func.count()).select_from(located.subquery())).scalar_one()
    rows = connection.execute(located.order_by(byte_order(Evidence.root), byte_order(File.path)).limit(limit))
    return [GpsPoint(*row) for row in rows], total


MAP_POINTS = 500  # up to this many located images, each is drawn; more are clustered on a grid
MAP_COLUMNS = 30  # grid cells across the located images' extent: at most 31 x 16 clusters


def gps_clusters(connection: Connection, columns: int = MAP_COLUMNS) -> tuple[list[GpsCluster], int]:
    """The located images for the overview's map, and how many images have both coordinates in all (those off
    the map's range included). Up to MAP_POINTS images each image is a cluster of one (evidence root and path
    order); beyond, the clusters are the cells of a grid of square cells, `columns` across the wider side of the
    images' extent (latitude counted twice, as the 2:1 map draws it), in row and column order: a bounded number
    however many images there are."""
    latitude, longitude = Exif.gps_latitude, Exif.gps_longitude
    located = (
        select(File.id)
        .join(Exif, Exif.file_id == File.id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(latitude.is_not(None), longitude.is_not(None))
    )
    total = connection.execute(select(func.count()).select_from(located.subquery())).scalar_one()
    # NaN and infinities fail these comparisons on PostgreSQL (SQLite stores NaN as NULL).
    on_map = located.where(latitude.between(-90.0, 90.0), longitude.between(-180.0, 180.0))
    bounds = on_map.with_only_columns(
        func.min(latitude), func.max(latitude), func.min(longitude), func.max(longitude), func.count()
    )
    south, north, west, east, drawn = connection.execute(bounds).one()
    if south is None:
        return [], total
    if drawn <= MAP_POINTS:  # few enough to draw each image, as a cluster of one
        rows = connection.execute(
            on_map.with_only_columns(latitude, longitude, File.id, File.path).order_by(
                byte_order(Evidence.root), byte_order(File.path), File.id
            )
        )
        return [GpsCluster(float(lat), float(lon), 1, int(file_id), path) for lat, lon, file_id, path in rows], total
    cell = max(east - west, 2 * (north - south)) / columns or 1.0
    if connection.dialect.name == "sqlite":
        column, row = cast((longitude - west) / cell, Integer), cast((north - latitude) / cell, Integer)
    else:  # PostgreSQL rounds a cast to integer: floor, as truncation does for these non-negative values
        column, row = func.floor((longitude - west) / cell), func.floor((north - latitude) / cell)
    # Grouped over a subquery: its cell columns, bound once, are what GROUP BY and ORDER BY name.
    cells = on_map.with_only_columns(
        File.id, latitude.label("latitude"), longitude.label("longitude"), row.label("row"), column.label("col")
    ).subquery("cells")
    rows = connection.execute(
        select(func.avg(cells.c.latitude), func.avg(cells.c.longitude), func.count(), func.min(cells.c.id))
        .group_by(cells.c.row, cells.c.col)
        .order_by(cells.c.row, cells.c.col)
    ).all()
    single = [int(file_id) for _, _, n, file_id in rows if n == 1]
    paths: dict[int, str] = {}
    for start in range(0, len(single), 500):
        paths.update(
            connection.execute(select(File.id, File.path).where(File.id.in_(single[start : start + 500]))).all()
        )
    clusters = [
        GpsCluster(float(lat), float(lon), int(n), int(file_id), paths[int(file_id)])
        if n == 1
        else GpsCluster(float(lat), float(lon), int(n))
        for lat, lon, n, file_id in rows
    ]
    return clusters, total


def _unprocessed_query() -> Any:
    return (
        select(File.id, Evidence.root.label("evidence"), File.path, File.error.label("reason"), File.size)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(File.status == "unprocessed")
    )


def first_unprocessed(connection: Connection, limit: int = 500) -> list[dict[str, Any]]:
    """The first `limit` files that could not be read or decoded (evidence root and path order), with the reason."""
    query = _unprocessed_query()
    rows = connection.execute(
        query.order_by(byte_order(Evidence.root), byte_order(File.path), File.id).limit(limit)
    ).mappings()
    return [dict(row) for row in rows]


def unprocessed_files(connection: Connection, limit: int = 500) -> tuple[list[dict[str, Any]], int]:
    """Files that could not be read or decoded, with the reason, and how many there are in all."""
    total = connection.execute(select(func.count()).select_from(_unprocessed_query().subquery())).scalar_one()
    return first_unprocessed(connection, limit), total


def matching_ids(connection: Connection, filters: SearchFilters, file_ids: list[int]) -> set[int]:
    """Which of these files the filters keep (the gallery collapses a stack to its members in the results)."""
    if filters.file_ids is not None:
        file_ids = sorted(set(file_ids) & set(filters.file_ids))
    if not file_ids:
        return set()
    listed = queries.filtered_query(replace(filters, file_ids=file_ids), filters.model_id).subquery("filtered")
    return {file_id for (file_id,) in connection.execute(select(listed.c.id))}
