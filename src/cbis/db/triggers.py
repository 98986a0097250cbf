"""Append-only tables: the database itself refuses UPDATE, DELETE (and TRUNCATE) on logs of record."""

from __future__ import annotations

from sqlalchemy import Connection

from cbis.errors import CbisError


def append_only(connection: Connection, table: str) -> None:
    """Triggers refusing changes to `table` on SQLite and PostgreSQL. `table` is one of cbis' own names."""
    if connection.dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            # No '%' in the SQL: psycopg would read it as a parameter placeholder.
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION USING MESSAGE = '{table} is append-only: ' || TG_OP || ' refused'; END $$"
        )
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        # Row triggers do not see TRUNCATE; SQLite has no TRUNCATE (its DELETE fires the trigger above).
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        raise CbisError(f"unsupported database backend: {connection.dialect.name}")
