"""The viewer's database access: one read-only engine per app, one connection (one snapshot) per request.

The engine comes from `db.engine.open_case_engine(readonly=True)` (SQLite `mode=ro`; on PostgreSQL every
transaction READ ONLY): no statement the viewer could run can change the case. Each request reads in one
transaction, so a page's counts and rows agree while `cbis index` writes to the same case (WAL); the next
request sees the new rows.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from cbis.db.engine import case_database, case_file, database_error, describe_database, open_case_engine, unreachable
from cbis.db.migrations import SCHEMA_VERSION, check_version
from cbis.errors import DamagedCaseError, OlderSchemaError

ENGINE_KEY = "cbis.engine"


def init_app(app: Flask, case_dir: Path) -> None:
    engine = open_case_engine(case_dir, readonly=True)  # a damaged case.sqlite is refused here, in one line
    try:
        with engine.connect() as connection:
            version = check_version(connection)  # a case from a newer cbis is refused before serving anything
    except OperationalError as exc:  # the server is down or refuses the login: one line, not a traceback
        engine.dispose()
        raise unreachable(engine.url if engine.dialect.name == "postgresql" else case_file(case_dir), exc) from None
    except DBAPIError as exc:
        engine.dispose()
        raise database_error(describe_database(case_database(case_dir)), exc) from None
    except BaseException:
        engine.dispose()
        raise
    if version == 0:
        engine.dispose()
        raise DamagedCaseError(f"{describe_database(case_database(case_dir))} holds no cbis case (no schema)")
    if version < SCHEMA_VERSION:
        # The viewer never writes, so it cannot migrate; `cbis case upgrade` does, and records it.
        engine.dispose()
        raise OlderSchemaError(
            f"this case has schema version {version}, from an older cbis; the viewer reads version {SCHEMA_VERSION} "
            f"and never writes to a case. Bring it up to date once with `cbis case upgrade {case_dir}` (the "
            "migration is recorded in its audit log), then serve it again."
        )
    app.extensions[ENGINE_KEY] = engine
    app.teardown_appcontext(close_connection)


def engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def connection() -> Connection:
    """This request's connection, opened on first use."""
    if "cbis_connection" not in g:
        g.cbis_connection = engine().connect()
    return g.cbis_connection


def close_connection(_exception: BaseException | None = None) -> None:
    opened = g.pop("cbis_connection", None)
    if opened is not None:
        opened.close()
