"""Building blocks for frozen migrations: each migration spells out its own tables and columns with these.

A migration must create exactly what it created on the day it was written, whatever today's ORM models
(src/cbis/db/models.py) say: a case made by any earlier cbis and migrated forward must end up identical to a new
case, table by table (tests/db/test_migrations.py checks it against real case files made by each earlier version).
So migrations never use the models; they declare their tables in a MetaData of their own, or add columns with
literal types.

PostgreSQL enforces VARCHAR(n) lengths where SQLite never has: a 70-character file extension or an odd EXIF date
would fail a whole batch on one backend and not the other. cbis stores what it finds, so every bounded string is
`text` on PostgreSQL (`varchar`), as version 1 made it.
"""

from __future__ import annotations

from sqlalchemy import Connection, String, Text
from sqlalchemy.types import TypeEngine


def varchar(length: int) -> TypeEngine[str]:
    """VARCHAR(length) on SQLite (which never enforces it), unbounded text on PostgreSQL."""
    return String(length).with_variant(Text(), "postgresql")


def add_column(connection: Connection, table: str, column: str, *, sqlite: str, postgresql: str) -> None:
    """ALTER TABLE ... ADD COLUMN with the column's literal SQL type and constraints for each backend,
    e.g. sqlite="INTEGER NOT NULL DEFAULT 0". `table` and `column` are cbis's own names, never user input."""
    definition = {"sqlite": sqlite, "postgresql": postgresql}[connection.dialect.name]
    connection.exec_driver_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {definition}')
