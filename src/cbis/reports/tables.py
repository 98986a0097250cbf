"""What a report holds, whatever its format: each table's name, its columns in order, and where its rows come from.

Rows are read through the db layer in a deterministic order (evidence root, path, rank), so two reports of the
same case are byte-identical in any format. The chain-of-custody logs are tables too, written only on request:
every command appends to the audit log, so they differ from run to run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection

from cbis import anomalies
from cbis.db import access, hashsets, queries, review, text_search
from cbis.db import anomalies as anomalies_db
from cbis.db import case as case_db
from cbis.db.queries import ModelRef

Rows = Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class ReportTable:
    name: str  # the file's name without its format's suffix: files, exif, prediction...
    columns: tuple[str, ...]
    rows: Callable[[Connection, ModelRef | None], Rows]
    log: bool = False  # a chain-of-custody log, written only with --logs


def _predictions(connection: Connection, model: ModelRef | None) -> Rows:
    return queries.prediction_rows(connection, model.id) if model else ()


def _summary(connection: Connection, model: ModelRef | None) -> Rows:
    counts = queries.top1_label_counts(connection, model.id) if model else []
    return ({"label": label, "count": n} for label, n in counts)


FILES_COLUMNS = (
    "evidence", "path", "size", "md5", "sha1", "sha256", "format", "extension",
    "extension_mismatch", "mtime", "status", "error", "missing_since_run",
)  # fmt: skip
FILES = ReportTable("files", FILES_COLUMNS, lambda connection, _: queries.file_rows(connection))
# The original tool's columns first, in its order (width and height: the size as stored); then cbis's own.
EXIF_COLUMNS = (
    "path", "sha256", "make", "model", "software", "datetime_original", "gps_latitude", "gps_longitude",
    "gps_altitude", "orientation", "width", "height", "tags_json",
    "lens_model", "body_serial", "datetime_digitized", "modify_date", "displayed_width", "displayed_height",
    "sources_json", "metadata_conflict", "conflicts_json",
)  # fmt: skip
EXIF = ReportTable("exif", EXIF_COLUMNS, lambda connection, _: queries.exif_rows(connection))
PREDICTION = ReportTable("prediction", ("path", "sha256", "rank", "label", "wnid", "score", "model"), _predictions)
UNPROCESSED = ReportTable("unprocessed", ("path", "reason"), lambda connection, _: queries.unprocessed_rows(connection))
SUMMARY = ReportTable("summary", ("label", "count"), _summary)
# One row per file and hash set it matches (known: NSRL-style; notable: Project VIC, CAID, lists).
HASHSET_MATCHES = ReportTable(
    "hashset_matches",
    (
        "evidence",
        "path",
        "sha256",
        "hash_set",
        "kind",
        "algorithm",
        "category",
        "hash_set_sha256",
        "matched_by_run",
        "matched_at",
    ),
    lambda connection, _: hashsets.report_rows(connection),
)


def _review(connection: Connection, _: ModelRef | None) -> Rows:
    for row in review.reviewed_files(connection):
        state = row["state"]
        yield {
            "evidence": row["evidence"],
            "path": row["path"],
            "sha256": row["sha256"],
            "category": state.category or "",
            "category_by": state.category_by or "",
            "tags": "; ".join(state.tags),
            "note": state.note or "",
            "precategorized": "; ".join(f"{p.code or p.category} ({p.set_name})" for p in state.precategorized_from),
            "conflicts": state.conflicts,
            "events": state.events,
        }


# The examiner's decisions: one row per file with a review event or a hash-set category. `category` is the
# examiner's only (empty: uncategorised); `precategorized` is what notable hash sets say, never the decision.
REVIEW = ReportTable(
    "review",
    ("evidence", "path", "sha256", "category", "category_by", "tags", "note", "precategorized", "conflicts", "events"),
    _review,
)
REVIEW_EVENTS = ReportTable(
    "review_events",
    (
        "id", "file_id", "file_sha256", "kind", "tag", "before_value", "after_value", "examiner", "at", "origin",
        "session_id", "based_on", "conflict", "prev_hash", "row_hash",
    ),
    lambda connection, _: (asdict(event) for event in review.events(connection)),
    log=True,
)  # fmt: skip


def _anomalies(connection: Connection, _: ModelRef | None) -> Rows:
    found = anomalies.ranked(anomalies_db.all_facts(connection), lambda ids: anomalies_db.facts_by_id(connection, ids))
    for anomaly in found:
        yield {
            "evidence": anomaly.facts.evidence,
            "path": anomaly.facts.path,
            "sha256": anomaly.facts.sha256,
            "score": f"{anomaly.score:g}",
            "reasons": "; ".join(f"{reason.code} ({reason.weight:g}): {reason.detail}" for reason in anomaly.reasons),
            "reasons_json": json.dumps([reason.as_json() for reason in anomaly.reasons], ensure_ascii=False),
        }


# `cbis anomalies` as a table: files whose metadata deserves a second look, highest score first, ties by path.
ANOMALIES = ReportTable("anomalies", ("evidence", "path", "sha256", "score", "reasons", "reasons_json"), _anomalies)
# Text read in the pictures (OCR), one row per image the ocr analyzer looked at (read, or passed by and why).
OCR = ReportTable(
    "ocr",
    (
        "evidence", "path", "sha256", "screenshot", "read", "reason", "languages", "confidence", "rotation",
        "word_count", "text",
    ),
    lambda connection, _: text_search.ocr_report_rows(connection),
)  # fmt: skip
# Faces found (face analyzer), one row per image looked at: the count, and each face's box, landmarks and score.
FACES = ReportTable(
    "faces",
    ("evidence", "path", "sha256", "face_count", "faces_json"),
    lambda connection, _: text_search.face_report_rows(connection),
)
AUDIT_LOG = ReportTable(
    "audit_log",
    ("id", "time_utc", "examiner", "os_user", "host", "cbis_version", "command", "outcome", "prev_hash", "row_hash"),
    lambda connection, _: (asdict(record) for record in case_db.audit_records(connection)),
    log=True,
)
ACCESS_LOG = ReportTable(
    "access_log",
    ("id", "time_utc", "username", "remote_addr", "method", "path", "file_id", "status", "event"),
    lambda connection, _: (asdict(record) for record in access.access_log_records(connection)),
    log=True,
)
LOGIN_REFUSALS = ReportTable(
    "login_refusals",
    ("remote_addr", "window_start", "refused", "last_at", "last_username"),
    lambda connection, _: (asdict(record) for record in access.refusal_records(connection)),
    log=True,
)

TABLES: tuple[ReportTable, ...] = (
    FILES,
    EXIF,
    PREDICTION,
    UNPROCESSED,
    SUMMARY,
    HASHSET_MATCHES,
    ANOMALIES,
    REVIEW,
    OCR,
    FACES,
    AUDIT_LOG,
    ACCESS_LOG,
    LOGIN_REFUSALS,
    REVIEW_EVENTS,
)
