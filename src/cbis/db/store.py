"""Writes made by `cbis index`: evidence roots, runs, analyzers' provenance, batches of file records and the
analyzers' outputs.

Each batch is written in one transaction by the caller (`with engine.begin()`), so an interrupted run loses
at most the batch in flight and a resumed run redoes exactly that.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, text, update

from cbis.db import text_search
from cbis.db.models import (
    AnalysisResult,
    AnalyzerRecord,
    Embedding,
    Evidence,
    Exif,
    FaceResult,
    File,
    Model,
    OcrTextRow,
    PerceptualHash,
    Prediction,
    Run,
    RunAnalyzer,
    Skipped,
)
from cbis.records import Classification, Faces, FileRow, OcrText, PerceptualHashes, PredictionRow, to_json

__all__ = [
    "Classification",
    "Faces",
    "FileRow",
    "OcrText",
    "PerceptualHashes",
    "PredictionRow",
]  # the record types the store writes (cbis.records)

EXIF_COLUMNS = (
    "make",
    "model",
    "software",
    "datetime_original",
    "datetime_digitized",
    "gps_latitude",
    "gps_longitude",
    "gps_altitude",
    "orientation",
    "lens_model",
    "body_serial",
    "modify_date",
)


@dataclass(frozen=True, slots=True)  # one per file of the root a re-run walks: a million of them at scale
class KnownFile:
    id: int
    size: int
    mtime_ns: int
    sha256: str | None
    status: str
    analysed_by: frozenset[str] = frozenset()  # the run's analyzers that have this file's output
    error: str | None = None
    missing: bool = False  # an earlier walk no longer found it


@dataclass(frozen=True)
class RunAnalyzerIds:
    """Where one of a run's analyzers keeps its outputs: its `analyzers` row, and the id its output table is
    keyed by (for a Classification, the `models` row; for any other output, the analyzer's own row)."""

    name: str
    output: type
    analyzer_id: int
    target_id: int


def evidence_id_for(connection: Connection, root: str, root_bytes: bytes, now: str) -> int:
    existing = connection.execute(select(Evidence.id).where(Evidence.root_bytes == root_bytes)).scalar()
    if existing is not None:
        return existing
    return connection.execute(
        insert(Evidence).values(root=root, root_bytes=root_bytes, first_indexed_at=now)
    ).inserted_primary_key[0]


def model_id_for(connection: Connection, provenance: dict[str, Any], now: str) -> int:
    existing = connection.execute(
        select(Model.id).where(
            Model.name == provenance["name"],
            Model.weights_sha256 == provenance["weights_sha256"],
            Model.backend == provenance["backend"],
        )
    ).scalar()
    if existing is not None:
        return existing
    columns = {c.name for c in Model.__table__.columns} - {"id", "first_used_at"}
    values = {key: provenance[key] for key in columns}
    return connection.execute(insert(Model).values(**values, first_used_at=now)).inserted_primary_key[0]


def analyzer_id_for(
    connection: Connection, name: str, version: str, provenance: dict[str, Any], identity: dict[str, Any], now: str
) -> int:
    """The case's row for this analysis: the same name, version and identity (the provenance less what may differ
    between machines running the same analysis, such as a weights file's path) are the same row."""
    provenance_json = json.dumps(provenance, ensure_ascii=False, sort_keys=True)
    identity_json = json.dumps(identity, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(f"{name}\n{version}\n{identity_json}".encode()).hexdigest()
    existing = connection.execute(select(AnalyzerRecord.id).where(AnalyzerRecord.identity_sha256 == digest)).scalar()
    if existing is not None:
        return existing
    return connection.execute(
        insert(AnalyzerRecord).values(
            name=name, version=version, provenance_json=provenance_json, identity_sha256=digest, first_used_at=now
        )
    ).inserted_primary_key[0]


def run_analyzer_ids(
    connection: Connection,
    name: str,
    version: str,
    output: type,
    provenance: dict[str, Any],
    identity: dict[str, Any],
    now: str,
) -> RunAnalyzerIds:
    analyzer_id = analyzer_id_for(connection, name, version, provenance, identity, now)
    target_id = model_id_for(connection, provenance, now) if output is Classification else analyzer_id
    return RunAnalyzerIds(name, output, analyzer_id, target_id)


def start_run(connection: Connection, evidence_id: int, analyzers: Sequence[RunAnalyzerIds], now: str) -> int:
    """A new run; `runs.model_id` names the classifier whose predictions it stores, if one of its analyzers is."""
    model_id = next((ids.target_id for ids in analyzers if ids.output is Classification), None)
    run_id = connection.execute(
        insert(Run).values(evidence_id=evidence_id, model_id=model_id, started_at=now, status="running")
    ).inserted_primary_key[0]
    for ids in analyzers:
        connection.execute(insert(RunAnalyzer).values(run_id=run_id, analyzer_id=ids.analyzer_id))
    return run_id


def finish_run(connection: Connection, run_id: int, status: str, now: str, counts: dict[str, int | str]) -> None:
    connection.execute(update(Run).where(Run.id == run_id).values(status=status, finished_at=now, **counts))


def _analysed(connection: Connection, evidence_id: int, ids: RunAnalyzerIds) -> set[int]:
    """Files of this root that have this analyzer's output."""
    if ids.output is Classification:
        query = (
            select(Prediction.file_id)
            .join(File, File.id == Prediction.file_id)
            .where(File.evidence_id == evidence_id, Prediction.model_id == ids.target_id, Prediction.rank == 1)
        )
    elif ids.output in _OWN_TABLES:
        table = _OWN_TABLES[ids.output]
        query = (
            select(table.file_id)
            .join(File, File.id == table.file_id)
            .where(File.evidence_id == evidence_id, table.analyzer_id == ids.target_id)
        )
    else:
        query = (
            select(AnalysisResult.file_id)
            .join(File, File.id == AnalysisResult.file_id)
            .where(File.evidence_id == evidence_id, AnalysisResult.analyzer_id == ids.target_id)
        )
    return set(connection.execute(query).scalars())


def known_files(
    connection: Connection, evidence_id: int, analyzers: Sequence[RunAnalyzerIds] = ()
) -> dict[bytes, KnownFile]:
    """What the case already holds for this root, to decide from `stat` alone what needs reading again, and which
    of the run's analyzers each file has the output of."""
    analysed = {ids.name: _analysed(connection, evidence_id, ids) for ids in analyzers}
    # A handful of distinct sets (which of the run's analyzers a file has) shared by every file, not one each.
    shared: dict[frozenset[str], frozenset[str]] = {}
    rows = connection.execute(
        select(
            File.id,
            File.path_bytes,
            File.size,
            File.mtime_ns,
            File.sha256,
            File.status,
            File.error,
            File.missing_since_run_id,
        ).where(File.evidence_id == evidence_id)
    )
    return {
        path_bytes: KnownFile(
            file_id,
            size,
            mtime_ns,
            sha256,
            sys.intern(status),
            shared.setdefault(names := frozenset(n for n, done in analysed.items() if file_id in done), names),
            error,
            missing_since is not None,
        )
        for file_id, path_bytes, size, mtime_ns, sha256, status, error, missing_since in rows
    }


def mark_seen(connection: Connection, run_id: int, file_ids: Sequence[int]) -> None:
    for start in range(0, len(file_ids), 500):
        chunk = list(file_ids[start : start + 500])  # a plan's ids are an array of int64
        connection.execute(update(File).where(File.id.in_(chunk)).values(last_run_id=run_id))


def mark_missing(connection: Connection, run_id: int, missing_ids: Sequence[int], found_ids: Sequence[int]) -> None:
    """Files this run's walk no longer found (their rows stay, flagged), and flagged ones it found again."""
    for ids, value in ((missing_ids, run_id), (found_ids, None)):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            connection.execute(update(File).where(File.id.in_(chunk)).values(missing_since_run_id=value))


def mark_skips_missing(connection: Connection, evidence_id: int, run_id: int, kept: Sequence[bytes]) -> int:
    """Walk entries recorded before and not met by this run's walk (record_skips has stamped those it met), except
    those under a directory this walk could not list (`kept`, path prefixes): how many were newly flagged."""
    stale = connection.execute(
        select(Skipped.id, Skipped.path_bytes).where(
            Skipped.evidence_id == evidence_id, Skipped.last_run_id != run_id, Skipped.missing_since_run_id.is_(None)
        )
    ).all()
    ids = [skip_id for skip_id, path_bytes in stale if not path_bytes.startswith(tuple(kept))]
    for start in range(0, len(ids), 500):
        connection.execute(
            update(Skipped).where(Skipped.id.in_(ids[start : start + 500])).values(missing_since_run_id=run_id)
        )
    return len(ids)


def _file_values(row: FileRow, evidence_id: int, run_id: int) -> dict[str, Any]:
    return {
        "evidence_id": evidence_id,
        "path": row.path,
        "path_bytes": row.path_bytes,
        "extension": row.extension,
        "size": row.size,
        "mtime_ns": row.mtime_ns,
        "mtime": row.mtime,
        "ctime": row.ctime,
        "atime": row.atime,
        "md5": row.md5,
        "sha1": row.sha1,
        "sha256": row.sha256,
        "format": row.format,
        "extension_mismatch": row.extension_mismatch,
        "status": row.status,
        "error": row.error,
        "width": row.width,
        "height": row.height,
        "display_width": row.display_width,
        "display_height": row.display_height,
        "truncated": row.truncated,
        "warnings_json": json.dumps(row.warnings, ensure_ascii=False),
        "first_run_id": run_id,
        "last_run_id": run_id,
    }


# --- bulk inserts: executemany on SQLite, COPY on PostgreSQL ---
#
# On PostgreSQL a batch's multi-row INSERT (32 rows x 22 columns of parameters) is parsed and planned afresh each
# time, and psycopg does not cache statements that long; COPY streams the rows instead, about 1.6 times as fast for a
# whole batch (bench/bench_db.py). New file ids come from the table's own sequence, taken before the COPY, so ids
# follow the order of the rows exactly as INSERT ... RETURNING with sort_by_parameter_order gives them on SQLite.


def _insert_files(connection: Connection, values: list[dict[str, Any]]) -> list[int]:
    """Insert file rows; their new ids, in the order of `values`."""
    if connection.dialect.name != "postgresql":
        inserted = connection.execute(insert(File).returning(File.id, sort_by_parameter_order=True), values)
        return list(inserted.scalars())
    file_ids = sorted(
        connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('files', 'id')) FROM generate_series(1, :n)"),
            {"n": len(values)},
        ).scalars()
    )
    _copy(connection, File.__table__, [{"id": file_id, **row} for file_id, row in zip(file_ids, values, strict=True)])
    return file_ids


def _insert_many(connection: Connection, table: Table, values: list[dict[str, Any]]) -> None:
    if connection.dialect.name == "postgresql":
        _copy(connection, table, values)
    else:
        connection.execute(insert(table), values)


def _copy(connection: Connection, table: Table, values: list[dict[str, Any]]) -> None:
    """COPY rows into `table` inside the connection's transaction. Columns a row leaves out get their model
    default, as an INSERT through SQLAlchemy would give them."""
    from psycopg import sql

    given = list(values[0])
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in given and column.default is not None and column.default.is_scalar
    }
    columns = [*given, *defaults]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in values:
                copy.write_row([*(row[name] for name in given), *defaults.values()])
    finally:
        cursor.close()


def write_files(
    connection: Connection,
    rows: Sequence[FileRow],
    *,
    evidence_id: int,
    run_id: int,
    replace_ids: Iterable[int] = (),
) -> list[int]:
    """Insert new or changed files with their EXIF; their new ids, in the order of `rows`.

    `replace_ids` are rows of files whose content changed since an earlier run: their old records
    (and the analyses made of the old content) go, in the same transaction as the new ones arrive.
    """
    replace_ids = list(replace_ids)
    for start in range(0, len(replace_ids), 500):
        connection.execute(delete(File).where(File.id.in_(replace_ids[start : start + 500])))
    if not rows:
        return []
    file_ids = _insert_files(connection, [_file_values(row, evidence_id, run_id) for row in rows])
    exif_values = []
    for file_id, row in zip(file_ids, rows, strict=True):
        if row.exif is not None:
            values = {column: row.exif.get(column) for column in EXIF_COLUMNS}
            values["tags_json"] = json.dumps(row.exif.get("tags", {}), ensure_ascii=False, sort_keys=True)
            values["sources_json"] = json.dumps(row.exif.get("sources", {}), ensure_ascii=False, sort_keys=True)
            conflicts = row.exif.get("conflicts") or {}
            values["conflicts_json"] = json.dumps(conflicts, ensure_ascii=False, sort_keys=True)
            values["has_conflict"] = bool(conflicts)
            exif_values.append({"file_id": file_id, **values})
    if exif_values:
        _insert_many(connection, Exif.__table__, exif_values)
    return file_ids


def write_outputs(
    connection: Connection, ids: RunAnalyzerIds, items: Sequence[tuple[int, Any]], *, run_id: int
) -> None:
    """One analyzer's outputs for files in the case: a Classification into predictions and embeddings,
    PerceptualHashes, OcrText and Faces into their own tables, any other record as JSON in analysis_results."""
    if not items:
        return
    if ids.output is Classification:
        write_classifications(connection, items, ids.target_id)
        return
    if ids.output in _OWN_TABLES:
        _insert_many(
            connection,
            _OWN_TABLES[ids.output].__table__,
            [
                {"file_id": file_id, "analyzer_id": ids.target_id, "run_id": run_id, **_columns_of(output)}
                for file_id, output in items
            ],
        )
        return
    _insert_many(
        connection,
        AnalysisResult.__table__,
        [
            {"file_id": file_id, "analyzer_id": ids.target_id, "run_id": run_id, "result_json": to_json(output)}
            for file_id, output in items
        ],
    )


# Analyzer outputs with tables of their own (keyed by file and analyzer), beside predictions and embeddings.
_OWN_TABLES: dict[type, Any] = {PerceptualHashes: PerceptualHash, OcrText: OcrTextRow, Faces: FaceResult}


def _columns_of(output: Any) -> dict[str, Any]:
    """An output record as its table's columns."""
    if isinstance(output, OcrText):
        return {
            "read": output.read,
            "reason": output.reason,
            "screenshot": output.screenshot,
            # NUL cannot be stored in PostgreSQL text; Tesseract does not write it, but a record may come from a
            # plugin or another node.
            "text": output.text.replace("\x00", ""),
            "search_text": text_search.fold(output.text.replace("\x00", "")),
            "confidence": output.confidence,
            "word_count": len(output.words),
            "words_json": to_json(output.words),
            "languages": output.languages,
            "rotation": output.rotation,
        }
    if isinstance(output, Faces):
        return {"face_count": output.count, "faces_json": to_json(output.faces)}
    return dataclasses.asdict(output)


def write_classifications(connection: Connection, items: Sequence[tuple[int, Classification]], model_id: int) -> None:
    """Predictions and embeddings of one model for files in the case."""
    prediction_values = [
        {
            "file_id": file_id,
            "model_id": model_id,
            "rank": p.rank,
            "wnid": p.wnid,
            "label": p.label,
            "score": p.score,
        }
        for file_id, output in items
        for p in output.predictions
    ]
    embedding_values = [
        {"file_id": file_id, "model_id": model_id, "dim": output.embedding_dim, "vector": output.embedding}
        for file_id, output in items
        if output.embedding
    ]
    if prediction_values:
        _insert_many(connection, Prediction.__table__, prediction_values)
    if embedding_values:
        _insert_many(connection, Embedding.__table__, embedding_values)


def record_skips(
    connection: Connection, skips: Sequence[tuple[str, bytes, str]], *, evidence_id: int, run_id: int
) -> None:
    """Walk entries that are not readable files (links, loops, special files), latest reason kept."""
    for path, path_bytes, reason in skips:
        existing = connection.execute(
            select(Skipped.id).where(Skipped.evidence_id == evidence_id, Skipped.path_bytes == path_bytes)
        ).scalar()
        if existing is None:
            connection.execute(
                insert(Skipped).values(
                    evidence_id=evidence_id,
                    path=path,
                    path_bytes=path_bytes,
                    reason=reason,
                    last_run_id=run_id,
                )
            )
        else:
            connection.execute(
                update(Skipped)
                .where(Skipped.id == existing)
                .values(reason=reason, last_run_id=run_id, missing_since_run_id=None)
            )
