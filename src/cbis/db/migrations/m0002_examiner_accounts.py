"""Schema version 2: examiner accounts for `cbis serve`, their web sessions, and the viewer's access log.
Frozen: never edit these definitions (see _ddl.py).

Who saw which image, and when, is part of the chain of custody: `access_log` is append-only like `audit_log`
(triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Connection, ForeignKey, Index, Integer, MetaData, Table, Text

from cbis.db.triggers import append_only

NAME = "examiner accounts, web sessions and the viewer's access log"

metadata = MetaData()

Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
)
Table(
    "web_sessions",
    metadata,
    Column("id", Text, primary_key=True),
    Column("username", Text, ForeignKey("users.username"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("last_seen_at", Text, nullable=False),
    Column("revoked_at", Text, nullable=True),
    Column("remote_addr", Text, nullable=False),
)
Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("time_utc", Text, nullable=False),
    Column("username", Text, nullable=True),
    Column("remote_addr", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("file_id", Integer, nullable=True),  # no foreign key: the log stands alone
    Column("status", Integer, nullable=False),
    Column("event", Text, nullable=False),
    Index("ix_access_log_file_id", "file_id"),
    Index("ix_access_log_username", "username"),
)


def migrate(connection: Connection) -> None:
    metadata.create_all(connection)
    append_only(connection, "access_log")
