"""Schema version 6: analyzers, the runs that used them, and the outputs of analyzers without tables of their own.
Frozen: never edit these definitions (see _ddl.py).

Every per-image analysis is an analyzer (cbis.analyzers). `analyzers` records each one a case has used: its name,
version and provenance as JSON, keyed by the SHA-256 of its name, version and identity (the provenance less what
may differ between machines running the same analysis, such as where a weights file lies): one analysis, one row.
`run_analyzers` says which analyzers each run ran. The ImageNet classifier keeps writing to `predictions` and
`embeddings` (keyed by `models`, as before); any other analyzer's output record is one JSON row per file in
`analysis_results`.
`runs.content_changed` counts files whose bytes no longer had the recorded SHA-256 although `stat` said unchanged.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, ForeignKey, Index, Integer, MetaData, Table, Text

from cbis.db.migrations._ddl import add_column, varchar

NAME = "analyzers, the runs that used them and their outputs; runs count content changed behind an unchanged stat"

metadata = MetaData()

# Stand-ins for the tables the foreign keys point at (created by earlier versions; not created here).
Table("files", metadata, Column("id", Integer, primary_key=True))
Table("runs", metadata, Column("id", Integer, primary_key=True))

Table(
    "analyzers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", varchar(64), nullable=False),
    Column("version", varchar(40), nullable=False),
    Column("provenance_json", Text, nullable=False),
    Column("identity_sha256", varchar(64), nullable=False, unique=True),
    Column("first_used_at", varchar(40), nullable=False),
)
Table(
    "run_analyzers",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True, autoincrement=False),
    Column("analyzer_id", Integer, ForeignKey("analyzers.id"), primary_key=True, autoincrement=False),
)
Table(
    "analysis_results",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("analyzer_id", Integer, ForeignKey("analyzers.id"), primary_key=True, autoincrement=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("result_json", Text, nullable=False),
    Index("ix_analysis_results_analyzer", "analyzer_id"),
)


def migrate(connection: Connection) -> None:
    for name in ("analyzers", "run_analyzers", "analysis_results"):
        metadata.tables[name].create(connection)
    add_column(
        connection,
        "runs",
        "content_changed",
        sqlite="INTEGER NOT NULL DEFAULT 0",
        postgresql="INTEGER NOT NULL DEFAULT 0",
    )
