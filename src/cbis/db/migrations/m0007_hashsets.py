"""Schema version 7: imported hash sets (NSRL, Project VIC / CAID, plain lists), their entries, and the case's
files that match them. Frozen: never edit these definitions (see _ddl.py).

`hash_sets` is one row per imported set: its name (unique), kind (known: NSRL-style files nobody needs to see;
notable: material to look at first), format, the set file's path, size and SHA-256, the version the format states,
when it was imported and how many entries it has. An NSRL RDSv3 database is queried where it lies, never copied:
its row has no entries here. `hash_set_entries` holds every other set's digests (lower-case hex), indexed by
(algorithm, digest) for lookups. `hash_set_matches` is one row per file and set (the same file matched twice adds
nothing); it follows its file (ON DELETE CASCADE) and records the run that found it, or none when
`cbis hashset match` did.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, ForeignKey, Index, Integer, MetaData, Table, Text

from cbis.db.migrations._ddl import varchar

NAME = "hash sets (known and notable), their entries, and the files that match them"

metadata = MetaData()

# Stand-ins for the tables the foreign keys point at (created by earlier versions; not created here).
Table("files", metadata, Column("id", Integer, primary_key=True))
Table("runs", metadata, Column("id", Integer, primary_key=True))

Table(
    "hash_sets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", varchar(200), nullable=False, unique=True),
    Column("kind", varchar(16), nullable=False),
    Column("format", varchar(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("file_sha256", varchar(64), nullable=False),
    Column("version", Text, nullable=True),
    Column("imported_at", varchar(40), nullable=False),
    Column("entry_count", BigInteger, nullable=False),
)
Table(
    "hash_set_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("set_id", Integer, ForeignKey("hash_sets.id", ondelete="CASCADE"), nullable=False),
    Column("algorithm", varchar(8), nullable=False),
    Column("digest", varchar(64), nullable=False),
    Column("file_name", Text, nullable=True),
    Column("category", Text, nullable=True),
    Column("source", Text, nullable=True),
    Index("ix_hash_set_entries_lookup", "algorithm", "digest"),
)
Table(
    "hash_set_matches",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("set_id", Integer, ForeignKey("hash_sets.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("algorithm", varchar(8), nullable=False),
    Column("category", Text, nullable=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=True),
    Column("matched_at", varchar(40), nullable=False),
    Index("ix_hash_set_matches_set", "set_id"),
)


def migrate(connection: Connection) -> None:
    for name in ("hash_sets", "hash_set_entries", "hash_set_matches"):
        metadata.tables[name].create(connection)
