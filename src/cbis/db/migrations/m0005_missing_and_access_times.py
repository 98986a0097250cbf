"""Schema version 5: files and walk entries that vanished between runs; what a run could promise about atimes.
Frozen: never edit these definitions (see _ddl.py).

A file deleted from the evidence between two runs used to stay an image in every report. Rows are never deleted
(the case keeps what was found, when): `missing_since_run_id` is the run whose walk no longer found the file (or
the link, FIFO... in `walk_skips`), cleared when a later walk finds it again; each run counts what it found
missing. `runs.access_times` says whether that run could read without changing the evidence's access times
(O_NOATIME is the owner's or root's), so a report can say so.
"""

from __future__ import annotations

from sqlalchemy import Connection

from cbis.db.migrations._ddl import add_column

NAME = "files and walk entries missing since a run; runs record missing counts and access-time protection"


def migrate(connection: Connection) -> None:
    add_column(connection, "files", "missing_since_run_id", sqlite="INTEGER", postgresql="INTEGER")
    add_column(connection, "walk_skips", "missing_since_run_id", sqlite="INTEGER", postgresql="INTEGER")
    add_column(
        connection,
        "runs",
        "files_missing",
        sqlite="INTEGER NOT NULL DEFAULT 0",
        postgresql="INTEGER NOT NULL DEFAULT 0",
    )
    add_column(connection, "runs", "access_times", sqlite="TEXT", postgresql="TEXT")
