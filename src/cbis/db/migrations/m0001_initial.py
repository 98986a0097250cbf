"""Schema version 1 as cbis 0.1.0 first created it: case, audit log, evidence, runs, files, EXIF, models,
predictions, embeddings and walk skips. Frozen: never edit these definitions (see _ddl.py)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

from cbis.db.migrations._ddl import varchar
from cbis.db.triggers import append_only

NAME = "initial schema: case, audit log, evidence, files, exif, models, predictions, embeddings"

metadata = MetaData()

Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", varchar(200), nullable=False),
    Column("applied_at", varchar(40), nullable=False),
    Column("cbis_version", varchar(40), nullable=False),
)
Table(
    "case_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_number", Text, nullable=False),
    Column("examiner", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", varchar(40), nullable=False),
    Column("created_by_cbis", varchar(40), nullable=False),
)
Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("time_utc", varchar(40), nullable=False),
    Column("examiner", Text, nullable=False),
    Column("os_user", Text, nullable=False),
    Column("host", Text, nullable=False),
    Column("cbis_version", varchar(40), nullable=False),
    Column("command", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("prev_hash", varchar(64), nullable=False),
    Column("row_hash", varchar(64), nullable=False),
)
Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("root", Text, nullable=False),
    Column("root_bytes", LargeBinary, nullable=False, unique=True),
    Column("first_indexed_at", varchar(40), nullable=False),
)
Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", varchar(64), nullable=False),
    Column("architecture", Text, nullable=False),
    Column("weights_sha256", varchar(64), nullable=False),
    Column("weights_file", Text, nullable=False),
    Column("source_package", Text, nullable=True),
    Column("source_version", Text, nullable=True),
    Column("tensorflow_version", varchar(40), nullable=False),
    Column("keras_version", varchar(40), nullable=False),
    Column("preprocessing", Text, nullable=False),
    Column("input_size", Integer, nullable=False),
    Column("backend", varchar(32), nullable=False),
    Column("first_used_at", varchar(40), nullable=False),
    UniqueConstraint("name", "weights_sha256", "backend", name="uq_models_identity"),
)
Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("model_id", Integer, ForeignKey("models.id"), nullable=True),
    Column("started_at", varchar(40), nullable=False),
    Column("finished_at", varchar(40), nullable=True),
    Column("status", varchar(20), nullable=False),
    Column("files_walked", Integer, nullable=False),
    Column("images_indexed", Integer, nullable=False),
    Column("unprocessed", Integer, nullable=False),
    Column("other_files", Integer, nullable=False),
    Column("skipped_unchanged", Integer, nullable=False),
    Column("not_walked", Integer, nullable=False),
)
Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("path_bytes", LargeBinary, nullable=False),
    Column("extension", varchar(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("mtime", varchar(40), nullable=False),
    Column("ctime", varchar(40), nullable=False),
    Column("atime", varchar(40), nullable=False),
    Column("md5", varchar(32), nullable=True),
    Column("sha1", varchar(40), nullable=True),
    Column("sha256", varchar(64), nullable=True),
    Column("format", varchar(16), nullable=True),
    Column("extension_mismatch", Boolean, nullable=False),
    Column("status", varchar(16), nullable=False),
    Column("error", Text, nullable=True),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("truncated", Boolean, nullable=False),
    Column("warnings_json", Text, nullable=False),
    Column("first_run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("last_run_id", Integer, ForeignKey("runs.id"), nullable=False),
    UniqueConstraint("evidence_id", "path_bytes", name="uq_files_evidence_path"),
    Index("ix_files_sha256", "sha256"),
    Index("ix_files_md5", "md5"),
    Index("ix_files_sha1", "sha1"),
    Index("ix_files_status", "status"),
)
Table(
    "exif",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True),
    Column("make", Text, nullable=True),
    Column("model", Text, nullable=True),
    Column("software", Text, nullable=True),
    Column("datetime_original", varchar(40), nullable=True),
    Column("datetime_digitized", varchar(40), nullable=True),
    Column("gps_latitude", Float, nullable=True),
    Column("gps_longitude", Float, nullable=True),
    Column("gps_altitude", Float, nullable=True),
    Column("orientation", Integer, nullable=True),
    Column("lens_model", Text, nullable=True),
    Column("body_serial", Text, nullable=True),
    Column("tags_json", Text, nullable=False),
    Index("ix_exif_make", "make"),
    Index("ix_exif_datetime_original", "datetime_original"),
)
Table(
    "predictions",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("model_id", Integer, ForeignKey("models.id"), primary_key=True, autoincrement=False),
    Column("rank", Integer, primary_key=True, autoincrement=False),
    Column("wnid", varchar(16), nullable=False),
    Column("label", Text, nullable=False),
    Column("score", Float, nullable=False),
    Index("ix_predictions_model_rank", "model_id", "rank"),
    Index("ix_predictions_label", "label"),
)
Table(
    "embeddings",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("model_id", Integer, ForeignKey("models.id"), primary_key=True, autoincrement=False),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)
Table(
    "walk_skips",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("path_bytes", LargeBinary, nullable=False),
    Column("reason", Text, nullable=False),
    Column("last_run_id", Integer, ForeignKey("runs.id"), nullable=False),
    UniqueConstraint("evidence_id", "path_bytes", name="uq_skips_evidence_path"),
)


def migrate(connection: Connection) -> None:
    metadata.create_all(connection)
    append_only(connection, "audit_log")
