"""Values kept on a connection while the case is unchanged (db/freshness.py), on SQLite and PostgreSQL: computed
again after another connection's commit and after the connection's own write, never returned stale."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, func, select

from cbis.db import freshness, store
from cbis.db.models import Evidence
from cbis.services.cases import open_case, utc_now


def _roots(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(Evidence)).scalar_one()


def test_a_kept_value_is_computed_again_once_anything_is_committed(backend: str, backend_case: Path) -> None:
    reader, writer = open_case(backend_case, readonly=True), open_case(backend_case)
    computed: list[int] = []

    def count(connection: Connection) -> int:
        computed.append(_roots(connection))
        return computed[-1]

    try:
        with reader.engine.connect() as connection:
            assert freshness.cached(connection, "roots", lambda: count(connection)) == 0
            assert freshness.cached(connection, "roots", lambda: count(connection)) == 0
            if backend == "sqlite":
                # On PostgreSQL any commit on the server (other tests' too) moves the token: kept or not, the value
                # is right, which is what the rest checks.
                assert computed == [0]
            connection.rollback()
            with writer.engine.begin() as writing:
                store.evidence_id_for(writing, "/evidence/a", b"/evidence/a", utc_now())
            assert freshness.cached(connection, "roots", lambda: count(connection)) == 1
            assert computed[-1] == 1
        with writer.engine.connect() as connection:  # the connection's own writes, committed or not
            assert freshness.cached(connection, "roots", lambda: count(connection)) == 1
            store.evidence_id_for(connection, "/evidence/b", b"/evidence/b", utc_now())
            assert freshness.cached(connection, "roots", lambda: count(connection)) == 2
            connection.commit()
            assert freshness.cached(connection, "roots", lambda: count(connection)) == 2
    finally:
        reader.close()
        writer.close()
