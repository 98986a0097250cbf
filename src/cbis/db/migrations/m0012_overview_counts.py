"""Schema version 12: the overview's counts, kept per index run. Frozen: never edit these definitions (see _ddl.py).

`overview_counts`: one row per run that finished (completed, interrupted or failed), written just after the run's
end is recorded (db/overview.py `record`): the counts the viewer's overview shows, as the case's rows stood then,
in `counts_json` (its `layout` number says how that JSON is laid out), and the highest file and model ids then.
Derived data, never evidence: the overview uses a row only while it is the latest run's, that run has finished,
no run has started since, and no file or model has been added since; otherwise it counts the rows themselves.
`cbis verify` does not check it.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, ForeignKey, Integer, MetaData, Table, Text

from cbis.db.migrations._ddl import varchar

NAME = "the overview's counts, kept per index run"

metadata = MetaData()

# Stand-in for the table the foreign key points at (created by an earlier version; not created here).
Table("runs", metadata, Column("id", Integer, primary_key=True))

Table(
    "overview_counts",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True, autoincrement=False),
    Column("layout", Integer, nullable=False),
    Column("last_file_id", Integer, nullable=True),
    Column("last_model_id", Integer, nullable=True),
    Column("computed_at", varchar(40), nullable=False),
    Column("cbis_version", varchar(40), nullable=False),
    Column("counts_json", Text, nullable=False),
)


def migrate(connection: Connection) -> None:
    metadata.tables["overview_counts"].create(connection)
