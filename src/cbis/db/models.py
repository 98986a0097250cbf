"""ORM models of the case schema, for queries; only portable types, so PostgreSQL can replace SQLite by URL.

The schema itself is made by the frozen migrations (db/migrations/): a change here needs a migration, and
tests/db/test_migrations.py fails when the two disagree.

Times are stored as ISO 8601 UTC text (what reports print, and what sorts correctly on both backends),
plus integer nanoseconds where an exact comparison decides whether a file changed.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


# Row ids are `Integer` columns: PostgreSQL's INTEGER is 32-bit, SQLite's rowid 64-bit. A number outside the
# backend's range names no row, but binding it fails in the driver (psycopg: "integer out of range"; sqlite3:
# OverflowError) instead of finding nothing, so lookups by an id from outside (a URL) check it first.
_ROW_ID_MAX = {"postgresql": 2**31 - 1, "sqlite": 2**63 - 1}


def could_be_row_id(dialect_name: str, value: int) -> bool:
    """Whether `value` is in the range of this backend's row ids (ids are counted from 1)."""
    return 1 <= value <= _ROW_ID_MAX.get(dialect_name, 2**31 - 1)


class SchemaVersion(Base):
    """One row per applied migration; the highest version is the case's schema version."""

    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[str] = mapped_column(String(40))
    cbis_version: Mapped[str] = mapped_column(String(40))


class CaseInfo(Base):
    __tablename__ = "case_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(Text)
    examiner: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    created_by_cbis: Mapped[str] = mapped_column(String(40))


class AuditEntry(Base):
    """Append-only (a trigger refuses UPDATE and DELETE) and hash-chained: each row holds the SHA-256 of the
    previous row, so a removed or edited row shows even where triggers were bypassed."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_utc: Mapped[str] = mapped_column(String(40))
    examiner: Mapped[str] = mapped_column(Text)
    os_user: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(Text)
    cbis_version: Mapped[str] = mapped_column(String(40))
    command: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class Evidence(Base):
    """An evidence root that was indexed into this case."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    root: Mapped[str] = mapped_column(Text)
    root_bytes: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    first_indexed_at: Mapped[str] = mapped_column(String(40))


class Run(Base):
    """One `cbis index` run, so counts and models can be traced to when and how they were produced."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"), nullable=True)
    started_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # running, completed, interrupted, failed
    files_walked: Mapped[int] = mapped_column(Integer, default=0)
    images_indexed: Mapped[int] = mapped_column(Integer, default=0)
    unprocessed: Mapped[int] = mapped_column(Integer, default=0)
    other_files: Mapped[int] = mapped_column(Integer, default=0)
    skipped_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    not_walked: Mapped[int] = mapped_column(Integer, default=0)
    files_missing: Mapped[int] = mapped_column(Integer, default=0)  # recorded before, not found by this walk
    access_times: Mapped[str | None] = mapped_column(Text, nullable=True)  # could this run keep atimes unchanged
    # Files whose bytes no longer had the recorded SHA-256 although size and mtime were unchanged (version 6).
    content_changed: Mapped[int] = mapped_column(Integer, default=0)


class File(Base):
    """Every regular file met under an evidence root, image or not, with its hashes."""

    __tablename__ = "files"
    __table_args__ = (
        UniqueConstraint("evidence_id", "path_bytes", name="uq_files_evidence_path"),
        Index("ix_files_sha256", "sha256"),
        Index("ix_files_md5", "md5"),
        Index("ix_files_sha1", "sha1"),
        Index("ix_files_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    # `path` is for display and reports (non-UTF-8 bytes escaped); `path_bytes` is the name exactly as on disk.
    path: Mapped[str] = mapped_column(Text)
    path_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    extension: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    mtime: Mapped[str] = mapped_column(String(40))
    ctime: Mapped[str] = mapped_column(String(40))
    atime: Mapped[str] = mapped_column(String(40))
    md5: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sha1: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    extension_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    # image: decoded and indexed; unprocessed: could not be read or decoded (see error); other: not an image
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    first_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    # width/height: as stored (before EXIF orientation and HEIF irot); display_*: as shown (schema version 3).
    display_width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    display_height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The run whose walk no longer found the file; None while it is there (schema version 5). Rows are kept.
    missing_since_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    exif: Mapped[Exif | None] = relationship(back_populates="file", uselist=False)


class Exif(Base):
    __tablename__ = "exif"
    __table_args__ = (
        Index("ix_exif_make", "make"),
        Index("ix_exif_datetime_original", "datetime_original"),
        Index("ix_exif_has_conflict", "has_conflict"),
    )

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), primary_key=True)
    make: Mapped[str | None] = mapped_column(Text, nullable=True)
    model: Mapped[str | None] = mapped_column(Text, nullable=True)
    software: Mapped[str | None] = mapped_column(Text, nullable=True)
    datetime_original: Mapped[str | None] = mapped_column(String(40), nullable=True)
    datetime_digitized: Mapped[str | None] = mapped_column(String(40), nullable=True)
    gps_latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_altitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    orientation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lens_model: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_serial: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags_json: Mapped[str] = mapped_column(Text, default="{}")
    # Schema version 3: see db/migrations/m0003_metadata_sources.py.
    modify_date: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sources_json: Mapped[str] = mapped_column(Text, default="{}")
    conflicts_json: Mapped[str] = mapped_column(Text, default="{}")
    has_conflict: Mapped[bool] = mapped_column(Boolean, default=False)

    file: Mapped[File] = relationship(back_populates="exif")


class Model(Base):
    """Provenance of a classifier used in this case: enough to say exactly which weights gave a label."""

    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("name", "weights_sha256", "backend", name="uq_models_identity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    architecture: Mapped[str] = mapped_column(Text)
    weights_sha256: Mapped[str] = mapped_column(String(64))
    weights_file: Mapped[str] = mapped_column(Text)
    source_package: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_version: Mapped[str | None] = mapped_column(Text, nullable=True)
    tensorflow_version: Mapped[str] = mapped_column(String(40))
    keras_version: Mapped[str] = mapped_column(String(40))
    preprocessing: Mapped[str] = mapped_column(Text)
    input_size: Mapped[int] = mapped_column(Integer)
    backend: Mapped[str] = mapped_column(String(32))
    first_used_at: Mapped[str] = mapped_column(String(40))


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_predictions_model_rank_score", "model_id", "rank", "score"),
        Index("ix_predictions_label", "label"),
        Index("ix_predictions_model_wnid", "model_id", "wnid", "rank", "score"),
    )

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True, autoincrement=False)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    wnid: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)


class ModelClass(Base):
    """Each (model, WordNet id, label) pair the case's predictions hold (schema version 11), kept by triggers on
    `predictions`: label filters match words against these few rows, then find predictions by class."""

    __tablename__ = "model_classes"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True, autoincrement=False)
    wnid: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(Text, primary_key=True)


class Embedding(Base):
    """Pooled CNN features (float16 little-endian), for visual similarity search."""

    __tablename__ = "embeddings"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True, autoincrement=False)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Skipped(Base):
    """Things met while walking that are not regular files cbis may read: links, loops, special files,
    unreadable directories. Recorded so that every entry under the root is accounted for."""

    __tablename__ = "walk_skips"
    __table_args__ = (UniqueConstraint("evidence_id", "path_bytes", name="uq_skips_evidence_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    path: Mapped[str] = mapped_column(Text)
    path_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    last_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    missing_since_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # as for files


class AnalyzerRecord(Base):
    """An analyzer a case has used (schema version 6): exactly which analysis produced a row."""

    __tablename__ = "analyzers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(40))
    provenance_json: Mapped[str] = mapped_column(Text)
    # SHA-256 of name, version and identity JSON (sorted keys): the same analysis is the same row.
    identity_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    first_used_at: Mapped[str] = mapped_column(String(40))


class RunAnalyzer(Base):
    """Which analyzers a run ran."""

    __tablename__ = "run_analyzers"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True, autoincrement=False)
    analyzer_id: Mapped[int] = mapped_column(ForeignKey("analyzers.id"), primary_key=True, autoincrement=False)


class AnalysisResult(Base):
    """One analyzer's output record for one file, as JSON, for analyzers without tables of their own."""

    __tablename__ = "analysis_results"
    __table_args__ = (Index("ix_analysis_results_analyzer", "analyzer_id"),)

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    analyzer_id: Mapped[int] = mapped_column(ForeignKey("analyzers.id"), primary_key=True, autoincrement=False)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    result_json: Mapped[str] = mapped_column(Text)


class HashSet(Base):
    """An imported hash set (schema version 7): known (NSRL-style) or notable (Project VIC, CAID, a list)."""

    __tablename__ = "hash_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # known | notable
    format: Mapped[str] = mapped_column(String(16))  # nsrl-rds | nsrl-csv | list | vics
    # Where the set file was; an NSRL RDSv3 database is queried there at every match, never copied.
    path: Mapped[str] = mapped_column(Text)
    file_size: Mapped[int] = mapped_column(BigInteger)
    file_sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[str | None] = mapped_column(Text, nullable=True)
    imported_at: Mapped[str] = mapped_column(String(40))
    entry_count: Mapped[int] = mapped_column(BigInteger)


class HashSetEntry(Base):
    """One digest of an imported set (none for an NSRL RDSv3 set, which stays in its own database)."""

    __tablename__ = "hash_set_entries"
    __table_args__ = (Index("ix_hash_set_entries_lookup", "algorithm", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("hash_sets.id", ondelete="CASCADE"))
    algorithm: Mapped[str] = mapped_column(String(8))  # md5 | sha1 | sha256
    digest: Mapped[str] = mapped_column(String(64))  # lower-case hex
    file_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)


class HashSetMatch(Base):
    """A case file whose hash is in an imported set: one row per file and set."""

    __tablename__ = "hash_set_matches"
    __table_args__ = (Index("ix_hash_set_matches_set", "set_id"),)

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    set_id: Mapped[int] = mapped_column(
        ForeignKey("hash_sets.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    algorithm: Mapped[str] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(Text, nullable=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)  # None: `cbis hashset match`
    matched_at: Mapped[str] = mapped_column(String(40))


class PerceptualHash(Base):
    """The perceptual analyzer's hashes of one image (schema version 8): services/duplicates.py groups by them."""

    __tablename__ = "perceptual_hashes"
    __table_args__ = (
        Index("ix_perceptual_hashes_phash", "phash"),
        Index("ix_perceptual_hashes_pdq", "pdq"),
        Index("ix_perceptual_hashes_thumbnail_mismatch", "thumbnail_mismatch"),
    )

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    analyzer_id: Mapped[int] = mapped_column(ForeignKey("analyzers.id"), primary_key=True, autoincrement=False)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    phash: Mapped[str] = mapped_column(String(16))
    phash_variants: Mapped[str] = mapped_column(Text)  # 7 more pHashes: the picture turned and mirrored
    dhash: Mapped[str] = mapped_column(String(16))
    pdq: Mapped[str] = mapped_column(String(64))
    pdq_quality: Mapped[int] = mapped_column(Integer)
    featureless: Mapped[bool] = mapped_column(Boolean)
    thumbnail_distance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    thumbnail_mismatch: Mapped[bool] = mapped_column(Boolean)


class ReviewCategory(Base):
    """A category a file can be given (schema version 9): the Project VIC scheme (seeded, locked) and the case's
    own. Append-only: a code keeps its meaning."""

    __tablename__ = "review_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    vics_category: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the VICS Category it exports as
    pertinent: Mapped[bool] = mapped_column(Boolean)
    locked: Mapped[bool] = mapped_column(Boolean)  # the Project VIC scheme
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(Text)


class ReviewEvent(Base):
    """One review change (schema version 9): append-only (triggers) and hash-chained like the audit log; the
    current review state of a file is what its events add up to (db/review.py)."""

    __tablename__ = "review_events"
    __table_args__ = (
        Index("ix_review_events_file", "file_id", "kind"),
        Index("ix_review_events_kind_value", "kind", "after_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(Integer)  # no foreign key: the log stands alone
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the content decided on
    kind: Mapped[str] = mapped_column(String(16))  # category | tag_add | tag_remove | note
    tag: Mapped[str | None] = mapped_column(Text, nullable=True)  # the tag of tag_add and tag_remove
    before_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    after_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    examiner: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(16))  # cli | viewer | import
    session_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    based_on: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the latest event the writer had seen
    conflict: Mapped[bool] = mapped_column(Boolean)  # based_on was no longer the latest: a stale view
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class ReviewRollup(Base):
    """A case's own version of a forensic rollup (schema version 9), replacing the shipped one of its name."""

    __tablename__ = "review_rollups"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    synsets_json: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(Text)


class OcrTextRow(Base):
    """The OCR analyzer's reading of one image (schema version 10); searched through ocr_fts (SQLite FTS5) or
    to_tsvector('simple', search_text) (PostgreSQL), both made by the migration, not by this model."""

    __tablename__ = "ocr_texts"
    __table_args__ = (Index("ix_ocr_texts_screenshot", "screenshot"),)

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    analyzer_id: Mapped[int] = mapped_column(ForeignKey("analyzers.id"), primary_key=True, autoincrement=False)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    read: Mapped[bool] = mapped_column(Boolean)  # False: the selection passed it by (reason says why)
    reason: Mapped[str] = mapped_column(Text)
    screenshot: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)  # text folded (db/text_search.fold): what the index holds
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    word_count: Mapped[int] = mapped_column(Integer)
    words_json: Mapped[str] = mapped_column(Text)  # [{text, confidence, left, top, width, height}] as shown
    languages: Mapped[str] = mapped_column(String(200))
    rotation: Mapped[int] = mapped_column(Integer)


class FaceResult(Base):
    """The face analyzer's faces in one image (schema version 10); none found is a row with face_count 0."""

    __tablename__ = "face_results"
    __table_args__ = (Index("ix_face_results_face_count", "face_count"),)

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    analyzer_id: Mapped[int] = mapped_column(ForeignKey("analyzers.id"), primary_key=True, autoincrement=False)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    face_count: Mapped[int] = mapped_column(Integer)
    faces_json: Mapped[str] = mapped_column(Text)  # [{score, left, top, width, height, landmarks, roll}]


class OverviewCountsRow(Base):
    """The viewer overview's counts as one index run left the case (schema version 12; db/overview.py). Derived
    from the rows, never evidence: used only while its run is the latest and finished."""

    __tablename__ = "overview_counts"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True, autoincrement=False)
    layout: Mapped[int] = mapped_column(Integer)  # db/overview.LAYOUT when written: how counts_json is laid out
    last_file_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the highest ids when counted
    last_model_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    computed_at: Mapped[str] = mapped_column(String(40))
    cbis_version: Mapped[str] = mapped_column(String(40))
    counts_json: Mapped[str] = mapped_column(Text)
