"""Schema versions. Each migration is a named function applied in order, in one transaction with its record.

`metadata.create_all()` only ever builds a new case (migration 1); later migrations alter existing cases.
A case whose schema is newer than this cbis knows is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, String, inspect, select
from sqlalchemy.sql import func

from cbis import __version__
from cbis.db.auth_models import AUTH_TABLE_NAMES, m0002_examiner_accounts
from cbis.db.engine import MIGRATION_LOCK_KEY, lock_serialised
from cbis.db.models import Base, SchemaVersion
from cbis.db.triggers import append_only
from cbis.errors import NewerSchemaError

Migration = Callable[[Connection], None]


def _unbounded_strings(connection: Connection) -> None:
    """PostgreSQL enforces VARCHAR(n) lengths where SQLite never has: a 70-character file extension or an odd
    EXIF date would fail a whole batch on one backend and not the other. cbis stores what it finds, so on
    PostgreSQL every String column is text (what SQLite makes of VARCHAR(n) in effect)."""
    if connection.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length is not None:
                connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" TYPE text')


def _m0001_initial(connection: Connection) -> None:
    # Version 1's tables only: later migrations create theirs, so a new case and a migrated one end up alike.
    version_1 = [table for table in Base.metadata.sorted_tables if table.name not in AUTH_TABLE_NAMES]
    Base.metadata.create_all(connection, tables=version_1)
    _unbounded_strings(connection)
    append_only(connection, "audit_log")


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (
        1,
        "initial schema: case, audit log, evidence, files, exif, models, predictions, embeddings",
        _m0001_initial,
    ),
    (2, "examiner accounts, web sessions and the viewer's access log", m0002_examiner_accounts),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def current_version(connection: Connection) -> int:
    if not inspect(connection).has_table(SchemaVersion.__tablename__):
        return 0
    return connection.execute(select(func.max(SchemaVersion.version))).scalar() or 0


def check_version(connection: Connection) -> int:
    version = current_version(connection)
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"this case has schema version {version}, written by a newer cbis; this cbis ({__version__}) "
            f"knows versions up to {SCHEMA_VERSION}. Upgrade cbis to open it."
        )
    return version


def migrate(engine: Engine) -> list[str]:
    """Bring the schema to SCHEMA_VERSION; returns the names of the migrations applied."""
    applied: list[str] = []
    with engine.begin() as connection:
        version = check_version(connection)
    for number, name, migration in MIGRATIONS:
        if number <= version:
            continue
        with engine.begin() as connection:
            # Another process may be migrating the same case: on PostgreSQL wait for it (SQLite's BEGIN
            # IMMEDIATE already did), then look again at what it has applied.
            lock_serialised(connection, MIGRATION_LOCK_KEY)
            if check_version(connection) >= number:
                continue
            migration(connection)
            connection.execute(
                SchemaVersion.__table__.insert().values(
                    version=number,
                    name=name,
                    applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    cbis_version=__version__,
                )
            )
        applied.append(name)
    return applied
