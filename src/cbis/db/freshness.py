"""What a connection computed from the case, kept while the case is as it was.

Some reads cost a scan of the case and answer the same until something is written: the similarity index's check
that it is current (how many embeddings the case holds, and the highest file id: a count over every embedding,
0.14 s at 300,000 images, on every image page and every `--similar-to`). `cached` keeps such a value on the
database connection (the pool keeps connections, so the viewer's requests share it) with a token that changes
whenever anything is committed to the case, and computes it again when the token has changed:

- SQLite: `PRAGMA data_version` (changes when another connection commits) with `total_changes()` (this
  connection's own writes);
- PostgreSQL: the write-ahead log's insert position (`pg_current_wal_insert_lsn()`), which every write anywhere
  on the server moves: more recomputing than needed, never a stale value (the position written to disk,
  `pg_current_wal_lsn()`, lags behind a commit with synchronous_commit off). Where it cannot be read (a
  standby), nothing is kept.

The token is read before and after the value is computed, and the value kept only when both agree: a commit that
lands in between is never paired with a value computed before it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")
_KEPT = "cbis.freshness"
_NO_TOKEN = "cbis.freshness.none"  # the connection's database has no token (a standby): checked once


def state_token(connection: Connection) -> Hashable | None:
    """A value that differs once anything has been committed to the case database; None: none can be read."""
    info = connection.connection.info
    if info.get(_NO_TOKEN):
        return None
    if connection.dialect.name == "sqlite":
        version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
        return version, connection.execute(select(func.total_changes())).scalar_one()
    if connection.dialect.name != "postgresql":
        return None
    try:
        with connection.begin_nested():
            return str(connection.execute(select(func.pg_current_wal_insert_lsn())).scalar_one())
    except DBAPIError:  # in recovery, or not allowed: keep nothing on this connection
        info[_NO_TOKEN] = True
        return None


def cached(connection: Connection, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave before on this connection while the case is unchanged since."""
    before = state_token(connection)
    if before is None:
        return compute()
    found = _kept(connection).get(key)
    if found is not None and found[0] == before:
        return found[1]
    value = compute()
    keep(connection, key, value, before)
    return value


def peek(connection: Connection, key: Hashable, token: Hashable | None) -> Any | None:
    """What was kept under `key` on this connection when the case's token was `token` (`state_token`, read once
    by the caller for all it looks up); else None."""
    found = _kept(connection).get(key)
    return found[1] if found is not None and token is not None and found[0] == token else None


def keep(connection: Connection, key: Hashable, value: Any, before: Hashable | None) -> None:
    """Keep `value`, computed after the token `before` was read, if no commit has landed since."""
    kept = _kept(connection)
    if before is not None and state_token(connection) == before:
        kept[key] = (before, value)
    else:
        kept.pop(key, None)


def _kept(connection: Connection) -> dict[Hashable, tuple[Any, Any]]:
    return connection.connection.info.setdefault(_KEPT, {})
