"""The viewer overview's counts: counted from the case's rows, and kept per index run (table overview_counts).

Counting a large case's rows takes seconds, and the overview is opened often; the rows change only when
`cbis index` runs (it writes files, EXIF and predictions, and flags files missing). So each run, once it has
finished, records what `compute` counts then (`record`), and the overview reads that (`counts`) while it is
still the case's state: the record is the latest run's, and that run has finished (none has started since, none
is running). Otherwise (a case indexed by an older cbis, a run under way or killed) it counts the rows again, as
it always did. The kept counts are derived data, never evidence: `compute` on the rows is what they must equal,
and a test checks it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from cbis import __version__
from cbis.db import case as case_db
from cbis.db import queries, viewer
from cbis.db.models import File, Model, OverviewCountsRow, Prediction, Run
from cbis.db.viewer import GpsCluster
from cbis.timestamps import utc_now

LAYOUT = 1  # how counts_json is laid out; a record of another layout is not read (counted again instead)


@dataclass(frozen=True)
class OverviewCounts:
    files: case_db.FileCounts
    labels: dict[int, list[tuple[str, int]]]  # model id -> top-1 label counts (queries.top1_label_counts)
    top1_classes: dict[int, dict[str, int]]  # model id -> top-1 class (wnid) -> files: the rollups' sizes
    cameras: list[tuple[str, str, int]]  # viewer.camera_counts
    types: list[tuple[str, str, int]]  # viewer.type_counts
    extensions: list[tuple[str, int]]  # viewer.extension_counts
    months: list[tuple[str, int]]  # viewer.month_counts
    undated: int
    gps_clusters: list[GpsCluster]  # viewer.gps_clusters
    located: int  # images with both GPS coordinates, drawn or not


def top1_class_counts(connection: Connection, model_id: int) -> dict[str, int]:
    """Files per top-1 class (wnid) of this model, in wnid order."""
    rows = connection.execute(
        select(Prediction.wnid, func.count())
        .where(Prediction.model_id == model_id, Prediction.rank == 1)
        .group_by(Prediction.wnid)
        .order_by(Prediction.wnid)
    )
    return {wnid: int(n) for wnid, n in rows}


def compute(connection: Connection) -> OverviewCounts:
    """The overview's counts, from the rows as they are now."""
    model_ids = [model.id for model in viewer.models(connection)]
    months, undated = viewer.month_counts(connection)
    clusters, located = viewer.gps_clusters(connection)
    return OverviewCounts(
        files=case_db.file_counts(connection),
        labels={model_id: queries.top1_label_counts(connection, model_id) for model_id in model_ids},
        top1_classes={model_id: top1_class_counts(connection, model_id) for model_id in model_ids},
        cameras=viewer.camera_counts(connection),
        types=viewer.type_counts(connection),
        extensions=viewer.extension_counts(connection),
        months=months,
        undated=undated,
        gps_clusters=clusters,
        located=located,
    )


def record(connection: Connection, run_id: int) -> None:
    """Keep what `compute` counts now as run `run_id`'s overview counts (replacing any it had). Call in a write
    transaction, once the run's files are written and its end recorded."""
    text = json.dumps(asdict(compute(connection)), separators=(",", ":"))
    last_file, last_model = _last_ids(connection)
    connection.execute(delete(OverviewCountsRow).where(OverviewCountsRow.run_id == run_id))
    connection.execute(
        insert(OverviewCountsRow).values(
            run_id=run_id,
            layout=LAYOUT,
            last_file_id=last_file,
            last_model_id=last_model,
            computed_at=utc_now(),
            cbis_version=__version__,
            counts_json=text,
        )
    )


def _last_ids(connection: Connection) -> tuple[int | None, int | None]:
    """The highest file and model ids (primary keys: an index look-up each): a row written outside a run since
    the counts were kept shows as a higher one."""
    return (
        connection.execute(select(func.max(File.id))).scalar(),
        connection.execute(select(func.max(Model.id))).scalar(),
    )


def kept(connection: Connection) -> OverviewCounts | None:
    """The kept counts, when they are the case's state now: recorded for the latest run, which has finished, and
    no file or model added since. None otherwise (no record of it, a run under way or cut off, rows written
    outside a run, another layout): then only counting the rows tells."""
    latest = connection.execute(select(Run.id, Run.status, Run.finished_at).order_by(Run.id.desc()).limit(1)).first()
    if latest is None or latest.status == "running" or latest.finished_at is None:
        return None
    row = connection.execute(
        select(
            OverviewCountsRow.layout,
            OverviewCountsRow.last_file_id,
            OverviewCountsRow.last_model_id,
            OverviewCountsRow.counts_json,
        ).where(OverviewCountsRow.run_id == latest.id)
    ).first()
    if row is None or row.layout != LAYOUT or (row.last_file_id, row.last_model_id) != _last_ids(connection):
        return None
    return _from_json(json.loads(row.counts_json))


def counts(connection: Connection) -> OverviewCounts:
    """The overview's counts: the kept ones while they are current, else counted from the rows."""
    return kept(connection) or compute(connection)


def _from_json(data: dict[str, Any]) -> OverviewCounts:
    return OverviewCounts(
        files=case_db.FileCounts(**data["files"]),
        labels={int(model): [(label, n) for label, n in rows] for model, rows in data["labels"].items()},
        top1_classes={int(model): dict(classes) for model, classes in data["top1_classes"].items()},
        cameras=[(make, model, n) for make, model, n in data["cameras"]],
        types=[(status, kind, n) for status, kind, n in data["types"]],
        extensions=[(extension, n) for extension, n in data["extensions"]],
        months=[(month, n) for month, n in data["months"]],
        undated=data["undated"],
        gps_clusters=[GpsCluster(**cluster) for cluster in data["gps_clusters"]],
        located=data["located"],
    )
