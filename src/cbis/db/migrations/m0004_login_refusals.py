"""Schema version 4: refused logins counted, not logged one by one; failed logins found quickly.
Frozen: never edit these definitions (see _ddl.py).

A login refused by the rate limit (429) is not an attempt: its password is never checked. The viewer keeps one
`login_refusals` row per remote address and window (the window opens at the address's first refused attempt
and lasts the limit's window), counting them, and writes one `login_limited` row to the access log when a window
opens; everything whose password was checked is still in `access_log`, row by row. `login_refusals` is a tally
the viewer updates, not a log of record, so it has no append-only triggers.

The rate limit counts each address's and each user name's failures from the access log; the index on
(event, time_utc) keeps that to the last few minutes' login rows, however long the log.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Integer, MetaData, PrimaryKeyConstraint, Table, Text

NAME = "refused logins counted per address and window; an index for the login limit"

metadata = MetaData()

login_refusals = Table(
    "login_refusals",
    metadata,
    Column("remote_addr", Text, nullable=False),
    Column("window_start", Text, nullable=False),  # UTC, the window's first refused attempt
    Column("refused", Integer, nullable=False),
    Column("last_at", Text, nullable=False),
    Column("last_username", Text, nullable=False),  # as logged: cut and escaped
    PrimaryKeyConstraint("remote_addr", "window_start"),
)


def migrate(connection: Connection) -> None:
    metadata.create_all(connection)
    connection.exec_driver_sql("CREATE INDEX ix_access_log_event_time ON access_log (event, time_utc)")
