"""Examiner accounts, web sessions and the access log: every statement on the tables of schema version 2
(and on version 4's tally of refused logins).

Two engines, on purpose. The viewer reads the case through `db.engine.open_readonly` (SQLite `mode=ro`, a
PostgreSQL session whose transactions are READ ONLY), so nothing it runs can alter an evidence record. Logging
in and the access log need writes, so the viewer also holds the small read-write engine of `open_access_engine`,
and passes it only to the functions of this module, which touch only `users` (read), `web_sessions`,
`access_log` (insert) and `login_refusals` (the tally of refused logins). Nothing else in the viewer gets that
engine; files, EXIF and predictions stay behind the read-only one. On SQLite an authorizer enforces this: the
engine cannot write to any other table, alter the schema or attach a database. On PostgreSQL the viewer role's
grants do. `cbis user ...` uses these functions on its ordinary read-write case engine.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, inspect, select, update

from cbis.db.auth_models import AccessEntry, LoginRefusal, User, WebSession
from cbis.db.engine import (
    LOGIN_REFUSALS_LOCK_KEY,
    case_database,
    lock_serialised,
    open_case_engine,
    open_readonly,
    read_only_location,
)
from cbis.db.models import could_be_row_id

PATH_MAX_CHARS = 2000  # a logged path or tried user name is cut here: a request cannot bloat the log
NAME_MAX_CHARS = 200


@dataclass(frozen=True)
class UserRecord:
    username: str
    display_name: str
    password_hash: str
    created_at: str
    disabled: bool


@dataclass(frozen=True)
class SessionRecord:
    id: str
    username: str
    created_at: str
    last_seen_at: str
    revoked_at: str | None
    user_disabled: bool


def _read_write_session(dbapi_connection: Any, _record: object) -> None:
    # A PostgreSQL viewer role may default to read-only transactions (the README's role does); this engine
    # writes the access log, so its sessions say READ WRITE. The role's grants (INSERT on access_log,
    # INSERT and UPDATE on web_sessions, SELECT elsewhere) are what limit it.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    dbapi_connection.commit()


# On SQLite the access engine is held to its two tables by construction: an authorizer refuses every other write.
WRITABLE_TABLES = frozenset({WebSession.__tablename__, AccessEntry.__tablename__, LoginRefusal.__tablename__})
_SQLITE_ALLOWED = frozenset(
    {
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_TRANSACTION,
        sqlite3.SQLITE_SAVEPOINT,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_RECURSIVE,
    }
)
_SQLITE_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})


def only_tables(writes: Mapping[str, frozenset[int]]) -> Callable[..., int]:
    """A SQLite authorizer that allows reading, and only these writes (table -> SQLITE_INSERT, ...)."""

    def authorize(action: int, name: str | None, value: str | None, _db: str | None, _trigger: str | None) -> int:
        if action in _SQLITE_ALLOWED or (name is not None and action in writes.get(name, ())):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and value is None:  # reading a setting; setting one is refused
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and name == "busy_timeout":  # how long a writer waits: harmless
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY  # files, exif, predictions, audit_log, users; DDL; ATTACH; PRAGMA x = y

    return authorize


_only_access_tables = only_tables({name: _SQLITE_WRITES for name in WRITABLE_TABLES})


def open_writer_engine(case_dir: Path, authorizer: Callable[..., int]) -> Engine:
    """A read-write engine on the case's database held to what `authorizer` allows on SQLite (on PostgreSQL, to
    the role's grants), or a read-only one for a case on read-only storage; nothing connects before first use."""
    target = case_database(case_dir)
    if isinstance(target, Path) and read_only_location(target):
        return open_readonly(target)
    engine = open_case_engine(case_dir)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _read_write_session)
    elif engine.dialect.name == "sqlite":

        def install(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.set_authorizer(authorizer)

        event.listen(engine, "connect", install)  # set after the engine's own PRAGMAs have run
    return engine


def open_access_engine(case_dir: Path) -> Engine:
    """The viewer's read-write engine for this module's tables only (see the module docstring), on the same
    database as the viewer's read-only engine (`open_case_engine(case_dir, readonly=True)`). Nothing is
    connected until the first statement, so a viewer that never needs it never opens the case for writing.

    On SQLite an authorizer refuses any write but to web_sessions and access_log ("not authorized"); on
    PostgreSQL the viewer role's grants do (README: the viewer role).

    A case on read-only storage gets a read-only engine here too: the viewer still shows the case, and every
    write (a login, an examiner's access row) fails, so the viewer withholds what it could not log (503)."""
    return open_writer_engine(case_dir, _only_access_tables)


# --- accounts ---


def has_account_tables(connection: Connection) -> bool:
    """False for a version-1 case, which no `cbis user` command has migrated yet."""
    return inspect(connection).has_table(User.__tablename__)


def has_accounts(connection: Connection) -> bool:
    """Whether any account exists, disabled ones included: once a case has accounts the viewer asks for a login,
    and disabling the last one locks the viewer rather than opening it."""
    if not has_account_tables(connection):
        return False
    return connection.execute(select(User.id).limit(1)).first() is not None


def enabled_account_count(connection: Connection) -> int:
    if not has_account_tables(connection):
        return 0
    return connection.execute(select(func.count()).select_from(User).where(User.disabled.is_(False))).scalar() or 0


def _user(row: Any) -> UserRecord:
    return UserRecord(row.username, row.display_name or "", row.password_hash, row.created_at, bool(row.disabled))


def find_user(connection: Connection, username: str) -> UserRecord | None:
    row = connection.execute(select(User.__table__).where(User.username == username)).first()
    return None if row is None else _user(row)


def list_users(connection: Connection) -> list[UserRecord]:
    return [_user(row) for row in connection.execute(select(User.__table__).order_by(User.username))]


def insert_user(connection: Connection, record: UserRecord) -> None:
    """Raises sqlalchemy's IntegrityError when the name is taken."""
    connection.execute(
        insert(User).values(
            username=record.username,
            display_name=record.display_name,
            password_hash=record.password_hash,
            created_at=record.created_at,
            disabled=record.disabled,
        )
    )


def disable_user(connection: Connection, username: str, now: str) -> bool:
    """Disable the account and revoke its open sessions; False when there is no such account."""
    changed = connection.execute(update(User).where(User.username == username).values(disabled=True)).rowcount
    if not changed:
        return False
    revoke_user_sessions(connection, username, now)
    return True


def enable_user(connection: Connection, username: str, now: str) -> bool:
    """Enable the account and revoke any open session it still has; False when there is no such account.

    `disable_user` revoked its sessions already, but a login checked just before the account was disabled may
    have created one after that: enabled again, it would come back to life. The account starts with none."""
    changed = connection.execute(update(User).where(User.username == username).values(disabled=False)).rowcount
    if not changed:
        return False
    revoke_user_sessions(connection, username, now)
    return True


def set_password(connection: Connection, username: str, password_hash: str, now: str) -> int | None:
    """Replace the account's password hash and revoke all its open sessions (whoever knew the old password may
    hold one). The number of sessions revoked; None when there is no such account."""
    changed = connection.execute(
        update(User).where(User.username == username).values(password_hash=password_hash)
    ).rowcount
    if not changed:
        return None
    return revoke_user_sessions(connection, username, now)


def revoke_user_sessions(connection: Connection, username: str, now: str) -> int:
    """Revoke every open session of the account; how many there were."""
    return connection.execute(
        update(WebSession)
        .where(WebSession.username == username, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


# --- web sessions (by the SHA-256 of their token) ---


def create_session(connection: Connection, session_id: str, username: str, now: str, remote_addr: str) -> None:
    connection.execute(
        insert(WebSession).values(
            id=session_id,
            username=username,
            created_at=now,
            last_seen_at=now,
            revoked_at=None,
            remote_addr=remote_addr[:NAME_MAX_CHARS],
        )
    )


def find_session(connection: Connection, session_id: str) -> SessionRecord | None:
    row = connection.execute(
        select(
            WebSession.id,
            WebSession.username,
            WebSession.created_at,
            WebSession.last_seen_at,
            WebSession.revoked_at,
            User.disabled,
        )
        .join(User, User.username == WebSession.username)
        .where(WebSession.id == session_id)
    ).first()
    if row is None:
        return None
    return SessionRecord(row.id, row.username, row.created_at, row.last_seen_at, row.revoked_at, bool(row.disabled))


def touch_session(connection: Connection, session_id: str, now: str) -> None:
    connection.execute(
        update(WebSession).where(WebSession.id == session_id, WebSession.revoked_at.is_(None)).values(last_seen_at=now)
    )


def revoke_session(connection: Connection, session_id: str, now: str) -> None:
    connection.execute(
        update(WebSession).where(WebSession.id == session_id, WebSession.revoked_at.is_(None)).values(revoked_at=now)
    )


# --- the access log (append-only) ---


@dataclass(frozen=True)
class AccessEvent:
    time_utc: str
    username: str | None
    remote_addr: str
    method: str
    path: str
    status: int
    event: str
    file_id: int | None = None


def log_access(connection: Connection, entry: AccessEvent) -> None:
    # An id no file can have (the URL /image/99999999999999999999) is kept in the path only: the column
    # could not hold it, and the row must be written for the response to leave.
    file_id = entry.file_id
    if file_id is not None and not could_be_row_id(connection.dialect.name, file_id):
        file_id = None
    connection.execute(
        insert(AccessEntry).values(
            time_utc=entry.time_utc,
            username=None if entry.username is None else entry.username[:NAME_MAX_CHARS],
            remote_addr=entry.remote_addr[:NAME_MAX_CHARS],
            method=entry.method[:16],
            path=entry.path[:PATH_MAX_CHARS],
            file_id=file_id,
            status=entry.status,
            event=entry.event,
        )
    )


LOGIN_FAILED = "login_failed"


def recorded_login_failures(
    connection: Connection, remote_addr: str, username_key: str, since: str, limit: int
) -> tuple[list[str], list[str]]:
    """The times (time_utc) of the newest `limit` failed logins logged after `since`, from this address and for
    this user name; the name is compared as `ratelimit.user_key` makes it (ASCII letters without case)."""
    recent = (AccessEntry.event == LOGIN_FAILED, AccessEntry.time_utc > since)
    by_name = (
        func.lower(AccessEntry.username) == username_key
        if username_key.isascii()
        else AccessEntry.username == username_key
    )
    found = []
    for match in (AccessEntry.remote_addr == remote_addr[:NAME_MAX_CHARS], by_name):
        query = select(AccessEntry.time_utc).where(*recent, match).order_by(AccessEntry.time_utc.desc()).limit(limit)
        found.append(list(connection.execute(query).scalars()))
    return found[0], found[1]


def has_refusal_tally(connection: Connection) -> bool:
    """False for a case from before schema version 4."""
    return inspect(connection).has_table(LoginRefusal.__tablename__)


def count_refusal(connection: Connection, remote_addr: str, username: str, now: str, opened_after: str) -> bool:
    """Count one login refused by the rate limit in this address's open window (one opened after `opened_after`),
    or open a window with it. True when it opened one: the caller logs it (`login_limited`) in the same
    transaction. Serialised between viewer processes, so each window is opened, and logged, once."""
    lock_serialised(connection, LOGIN_REFUSALS_LOCK_KEY)
    address = remote_addr[:NAME_MAX_CHARS]
    opened = connection.execute(
        select(LoginRefusal.window_start)
        .where(LoginRefusal.remote_addr == address, LoginRefusal.window_start > opened_after)
        .order_by(LoginRefusal.window_start.desc())
        .limit(1)
    ).scalar()
    name = username[:NAME_MAX_CHARS]
    if opened is not None:
        connection.execute(
            update(LoginRefusal)
            .where(LoginRefusal.remote_addr == address, LoginRefusal.window_start == opened)
            .values(refused=LoginRefusal.refused + 1, last_at=now, last_username=name)
        )
        return False
    connection.execute(
        insert(LoginRefusal).values(remote_addr=address, window_start=now, refused=1, last_at=now, last_username=name)
    )
    return True


@dataclass(frozen=True)
class RefusalRecord:
    remote_addr: str
    window_start: str
    refused: int
    last_at: str
    last_username: str


def refusal_records(connection: Connection) -> list[RefusalRecord]:
    """Every window of refused logins, oldest first; none in a case from before schema version 4."""
    if not has_refusal_tally(connection):
        return []
    rows = connection.execute(
        select(LoginRefusal.__table__).order_by(LoginRefusal.window_start, LoginRefusal.remote_addr)
    ).mappings()
    return [RefusalRecord(**row) for row in rows]


def access_entries(connection: Connection) -> list[AccessEvent]:
    """Every access log row, oldest first, as it was logged (without the id the database gave it)."""
    return [
        AccessEvent(r.time_utc, r.username, r.remote_addr, r.method, r.path, r.status, r.event, r.file_id)
        for r in access_log_records(connection)
    ]


@dataclass(frozen=True)
class AccessLogRecord:
    """One access_log row as stored, its id included: an export shows gaps in the ids, `AccessEvent` cannot."""

    id: int
    time_utc: str
    username: str | None
    remote_addr: str
    method: str
    path: str
    file_id: int | None
    status: int
    event: str


def access_log_records(connection: Connection) -> list[AccessLogRecord]:
    """Every access log row with its id, oldest first; none in a version-1 case, which has no access_log yet."""
    if not inspect(connection).has_table(AccessEntry.__tablename__):
        return []
    rows = connection.execute(select(AccessEntry.__table__).order_by(AccessEntry.id)).mappings()
    return [AccessLogRecord(**row) for row in rows]
