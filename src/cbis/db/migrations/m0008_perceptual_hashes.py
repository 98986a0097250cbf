"""Schema version 8: perceptual hashes (pHash, dHash, PDQ) of each image, and its EXIF thumbnail against it.
Frozen: never edit these definitions (see _ddl.py).

One row per file and perceptual analyzer (cbis.analyzers.perceptual), deleted with the file. Hashes are lower-case
hex. `phash` and `pdq` are indexed for exact look-ups; grouping by distance reads them all (services/duplicates.py).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Connection, ForeignKey, Index, Integer, MetaData, Table, Text

from cbis.db.migrations._ddl import varchar

NAME = "perceptual hashes of images and their EXIF thumbnails"

metadata = MetaData()

# Stand-ins for the tables the foreign keys point at (created by earlier versions; not created here).
Table("files", metadata, Column("id", Integer, primary_key=True))
Table("runs", metadata, Column("id", Integer, primary_key=True))
Table("analyzers", metadata, Column("id", Integer, primary_key=True))

Table(
    "perceptual_hashes",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("analyzer_id", Integer, ForeignKey("analyzers.id"), primary_key=True, autoincrement=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("phash", varchar(16), nullable=False),
    Column("phash_variants", Text, nullable=False),
    Column("dhash", varchar(16), nullable=False),
    Column("pdq", varchar(64), nullable=False),
    Column("pdq_quality", Integer, nullable=False),
    Column("featureless", Boolean, nullable=False),
    Column("thumbnail_distance", Integer, nullable=True),
    Column("thumbnail_mismatch", Boolean, nullable=False),
    Index("ix_perceptual_hashes_phash", "phash"),
    Index("ix_perceptual_hashes_pdq", "pdq"),
    Index("ix_perceptual_hashes_thumbnail_mismatch", "thumbnail_mismatch"),
)


def migrate(connection: Connection) -> None:
    metadata.tables["perceptual_hashes"].create(connection)
