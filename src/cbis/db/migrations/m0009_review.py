"""Schema version 9: examiner review (categories, tags, notes) as an append-only, hash-chained event log, the
case's review categories, and the case's own forensic rollups. Frozen: never edit these definitions (see _ddl.py).

`review_categories` holds the categories a file can be given: the Project VIC (US) scheme, seeded here and locked
(CAT-0 Uncategorized .. CAT-5 Non-pertinent, with the VICS Category number each exports as), and categories the
case defines. It is append-only (triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL): a decision
recorded under a code keeps the meaning the code had.

`review_events` is every review change: the file (by id, and the SHA-256 the file had when the decision was made),
what kind of change (category, tag_add, tag_remove, note), the tag it concerns, the value before and after, who,
when, from where (cli, viewer, import) and in which session, the id of the latest event on the same field the
writer had seen (`based_on`), and `conflict`: set when that was not the latest any more (a change made on a stale
view, recorded and never lost). Like the audit log it is append-only and chained by SHA-256 (`prev_hash`,
`row_hash`: cbis verify checks it). No foreign key to `files`: the log stands alone, like the access log.

`review_rollups` is a case's own version of a forensic rollup (a named set of WordNet synsets): shipped rollups
are package data (cbis/data/rollups.json); a row here replaces the shipped one of the same name, or adds one.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Connection, Index, Integer, MetaData, Table, Text

from cbis.db.migrations._ddl import varchar
from cbis.db.triggers import append_only
from cbis.timestamps import utc_now

NAME = "examiner review: categories, the append-only review event log, and case rollups"

metadata = MetaData()

Table(
    "review_categories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", varchar(40), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("vics_category", Integer, nullable=True),
    Column("pertinent", Boolean, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("created_at", varchar(40), nullable=False),
    Column("created_by", Text, nullable=False),
)
Table(
    "review_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_id", Integer, nullable=False),  # no foreign key: the log stands alone
    Column("file_sha256", varchar(64), nullable=True),
    Column("kind", varchar(16), nullable=False),
    Column("tag", Text, nullable=True),
    Column("before_value", Text, nullable=True),
    Column("after_value", Text, nullable=True),
    Column("examiner", Text, nullable=False),
    Column("at", varchar(40), nullable=False),
    Column("origin", varchar(16), nullable=False),
    Column("session_id", Text, nullable=True),
    Column("based_on", Integer, nullable=True),
    Column("conflict", Boolean, nullable=False),
    Column("prev_hash", varchar(64), nullable=False),
    Column("row_hash", varchar(64), nullable=False),
    Index("ix_review_events_file", "file_id", "kind"),
    Index("ix_review_events_kind_value", "kind", "after_value"),
)
Table(
    "review_rollups",
    metadata,
    Column("name", varchar(100), primary_key=True),
    Column("title", Text, nullable=False),
    Column("synsets_json", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("updated_at", varchar(40), nullable=False),
    Column("updated_by", Text, nullable=False),
)

# The Project VIC (US) scheme, as the VICS Category number of each. Frozen with the migration.
PROJECT_VIC = (
    ("CAT-0", "Uncategorized", "not yet reviewed, or no decision", 0, False),
    ("CAT-1", "Child Abuse Material", "CAM: child sexual abuse material", 1, True),
    ("CAT-2", "Child Exploitative / Age Difficult", "exploitative (not CAM), or the age is hard to tell", 2, True),
    ("CAT-3", "CGI / Animation", "computer-generated or animated depictions", 3, True),
    ("CAT-4", "Comparison / Exemplar", "images kept to compare with (places, objects, people)", 4, True),
    ("CAT-5", "Non-pertinent", "reviewed and not pertinent to the case", 5, False),
)


def migrate(connection: Connection) -> None:
    for name in ("review_categories", "review_events", "review_rollups"):
        metadata.tables[name].create(connection)
    now = utc_now()
    connection.execute(
        metadata.tables["review_categories"].insert(),
        [
            {
                "code": code,
                "name": name,
                "description": description,
                "vics_category": number,
                "pertinent": pertinent,
                "locked": True,
                "created_at": now,
                "created_by": "cbis (Project VIC scheme)",
            }
            for code, name, description, number, pertinent in PROJECT_VIC
        ],
    )
    append_only(connection, "review_categories")
    append_only(connection, "review_events")
