"""Schema versions. Each migration is a module applied in order, in one transaction with its record.

Migrations are frozen: each one declares in its own module exactly the tables, columns, indexes and triggers
it creates, never today's ORM models (db/models.py), so that a case made by any earlier cbis and migrated
forward is identical to a new one (tests/db/test_migrations.py compares them, with real case files made by
each earlier version in tests/data/cases/). A new case runs every migration from the first.

To change the schema: add a module mNNNN_what.py with NAME and migrate(connection), list it below, update the
ORM models to match, and make a case file with the previous version's code (scripts/make-old-case).
A case whose schema is newer than this cbis knows is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.sql import func

from cbis import __version__
from cbis.db.engine import MIGRATION_LOCK_KEY, lock_serialised
from cbis.db.migrations import (
    m0001_initial,
    m0002_examiner_accounts,
    m0003_metadata_sources,
    m0004_login_refusals,
    m0005_missing_and_access_times,
    m0006_analyzers,
    m0007_hashsets,
    m0008_perceptual_hashes,
    m0009_review,
    m0010_ocr_and_faces,
    m0011_listing_indexes,
    m0012_overview_counts,
    m0013_score_order_index,
    m0014_filter_statistics,
)
from cbis.db.models import SchemaVersion
from cbis.errors import NewerSchemaError
from cbis.timestamps import utc_now

Migration = Callable[[Connection], None]

MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, m0001_initial.NAME, m0001_initial.migrate),
    (2, m0002_examiner_accounts.NAME, m0002_examiner_accounts.migrate),
    (3, m0003_metadata_sources.NAME, m0003_metadata_sources.migrate),
    (4, m0004_login_refusals.NAME, m0004_login_refusals.migrate),
    (5, m0005_missing_and_access_times.NAME, m0005_missing_and_access_times.migrate),
    (6, m0006_analyzers.NAME, m0006_analyzers.migrate),
    (7, m0007_hashsets.NAME, m0007_hashsets.migrate),
    (8, m0008_perceptual_hashes.NAME, m0008_perceptual_hashes.migrate),
    (9, m0009_review.NAME, m0009_review.migrate),
    (10, m0010_ocr_and_faces.NAME, m0010_ocr_and_faces.migrate),
    (11, m0011_listing_indexes.NAME, m0011_listing_indexes.migrate),
    (12, m0012_overview_counts.NAME, m0012_overview_counts.migrate),
    (13, m0013_score_order_index.NAME, m0013_score_order_index.migrate),
    (14, m0014_filter_statistics.NAME, m0014_filter_statistics.migrate),
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
                    applied_at=utc_now(),
                    cbis_version=__version__,
                )
            )
        applied.append(name)
    return applied
