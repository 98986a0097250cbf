"""Engines for a case database: read-write for commands that index, read-only for those that only look.

A case directory always exists. Its database is, in this order: the PostgreSQL URL in $CBIS_DB_URL, the URL
recorded in the directory's case.toml (a case created with `cbis case new --db URL`), or the directory's
case.sqlite file. Everything that differs between the two backends (SQLite's WAL, busy timeout, foreign keys
and read-only URI; PostgreSQL's connection checks, read-only sessions and advisory locks) stays in this module.

A case.sqlite is looked at before SQLite opens it (`sqlite_file_problem`): an empty, foreign or cut-short file is
refused in one line instead of failing later in a query, or, worse, being given a fresh schema. A case on
read-only storage is opened `immutable=1` by readers (SQLite could not create the -shm file it needs otherwise).
A writer that finds the write lock taken says so (`on_lock_wait`) and waits a bounded time (`lock_wait_bound`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import time
import tomllib
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, func, make_url, select, text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool, QueuePool

from cbis.errors import (
    CaseBusyError,
    CaseDatabaseError,
    CaseReadOnlyError,
    CbisError,
    DamagedCaseError,
    UsageError,
)

CASE_FILE_NAME = "case.sqlite"
CASE_URL_FILE_NAME = "case.toml"
DB_URL_ENV = "CBIS_DB_URL"
BUSY_TIMEOUT_MS = 30_000
# A writer waits this long for another writer's lock before it says it is waiting, then up to the bound in total.
LOCK_QUIET_WAIT_MS = 2_000
LOCK_WAIT_ENV = "CBIS_LOCK_WAIT_S"
LOCK_WAIT_S = 120.0
PG_LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a lock wait ended by lock_timeout
POSTGRESQL_DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_S = 10
# PostgreSQL advisory lock keys. One database holds one case, so fixed keys cannot meet another case's.
INDEX_LOCK_KEY = zlib.crc32(b"cbis: one index run per case")
AUDIT_LOCK_KEY = zlib.crc32(b"cbis: audit chain")
REVIEW_LOCK_KEY = zlib.crc32(b"cbis: review event chain")
MIGRATION_LOCK_KEY = zlib.crc32(b"cbis: schema migrations")
LOGIN_REFUSALS_LOCK_KEY = zlib.crc32(b"cbis: refused-login tally")

# Rows a report or `verify` reads, fetched this many at a time: PostgreSQL's driver otherwise holds a whole result
# in memory before the first row is used (prediction.csv's 1.5 million rows at 300,000 images), where SQLite
# steps through it; with this, a server-side cursor on PostgreSQL, and memory stays flat on both.
STREAMED_ROWS = 2_000


def streamed(connection: Connection, query: Any) -> Iterator[Any]:
    """Every row `query` selects, as mappings, fetched STREAMED_ROWS at a time (see there)."""
    yield from connection.execute(query.execution_options(yield_per=STREAMED_ROWS)).mappings()


def case_file(case_dir: Path) -> Path:
    """The file that makes `case_dir` a case: case.toml for a case on a PostgreSQL server, else case.sqlite."""
    url_file = case_dir / CASE_URL_FILE_NAME
    return url_file if url_file.is_file() else case_dir / CASE_FILE_NAME


def is_case_dir(case_dir: Path) -> bool:
    return (case_dir / CASE_FILE_NAME).is_file() or (case_dir / CASE_URL_FILE_NAME).is_file()


# --- a case.sqlite before and while SQLite opens it ---


def sqlite_file_problem(path: Path) -> str | None:
    """Why `path` cannot be a whole SQLite database; None if it may be.

    SQLite itself would give an empty file a new schema (a writer) or report "file is not a database" only at
    the first query; a file cut short it reads until a query reaches the missing pages. The header is read
    through SQLite, never with open(): closing any descriptor of the file would drop the POSIX locks of every
    SQLite connection this process has on it, and let another process write under them."""
    try:
        if path.stat().st_size == 0:
            return "is empty (0 bytes): it holds no case"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    uri = _sqlite_uri(path, "ro") + ("&immutable=1" if read_only_location(path) else "")
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            page_size = connection.execute("PRAGMA page_size").fetchone()[0]
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            return "is not a SQLite database (its header is damaged, or it is another kind of file)"
        return None  # cannot open, busy...: the engine's own connection says so
    # With frames in the write-ahead log the page count is the log's, and a checkpoint may be extending the
    # file right now; so only without them is a file shorter than its page count cut short. (Read after the
    # count: the log is emptied only once its pages are all in the file.)
    wal = path.with_name(path.name + "-wal")
    with suppress(OSError):
        if wal.stat().st_size > 0:
            return None
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size % page_size or size < pages * page_size:
        return f"is cut short: {size} bytes, where its header says {pages * page_size}"
    return None


def damaged_case(path: Path, problem: str) -> DamagedCaseError:
    return DamagedCaseError(
        f"the case database {path} {problem}. cbis cannot read this case and has changed nothing: restore "
        f"{path.name} from a backup or the original copy (`cbis verify` checks a restored case)"
    )


def read_only_location(path: Path) -> bool:
    """Whether SQLite could not write `path` or create its -wal and -shm files beside it: read-only media, or a
    directory or file this user may not write."""
    directory = path.parent
    with suppress(OSError):
        if os.statvfs(directory).f_flag & os.ST_RDONLY:
            return True
    return not os.access(directory, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def database_error(where: str, exc: DBAPIError) -> CbisError:
    """One line, and the right exit code, for an error SQLite or PostgreSQL raised on the case database."""
    orig = exc.orig
    detail = " ".join(str(orig or exc).split())[:300]
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DamagedCaseError(
            f"the case database {where} is damaged ({detail}). cbis cannot read this case: restore it from a backup "
            "or the original copy, and check the copy with `cbis verify`"
        )
    if primary == sqlite3.SQLITE_READONLY:
        return CaseReadOnlyError(
            f"the case database {where} cannot be written ({detail}): it is on read-only storage or this user may not "
            "write it. Commands that only read (case info, search, report, verify, serve) work there; copy the "
            "case directory to writable storage for the others"
        )
    if primary == sqlite3.SQLITE_BUSY or getattr(orig, "sqlstate", None) == PG_LOCK_NOT_AVAILABLE:
        return CaseBusyError(
            f"another command kept the case database {where} locked for more than {lock_wait_bound():g} s, so this "
            f"one stopped: run it again when that one has ended (or set ${LOCK_WAIT_ENV} to wait longer)"
        )
    if primary == sqlite3.SQLITE_CANTOPEN:
        return CaseDatabaseError(
            f"cannot open the case database {where} ({detail}): check that its directory exists and that this user "
            "may read it (and write it, for commands that write)"
        )
    return CaseDatabaseError(f"the case database {where} failed ({detail})")


# --- waiting for another writer ---

_lock_wait_notices: list[Callable[[str], None]] = []


def on_lock_wait(notice: Callable[[str], None]) -> None:
    """Call `notice` with one line whenever a writer starts waiting for another writer's lock (the CLI prints it)."""
    _lock_wait_notices.append(notice)


def lock_wait_bound() -> float:
    """How long a writer waits for the write lock in all: $CBIS_LOCK_WAIT_S, else LOCK_WAIT_S."""
    value = os.environ.get(LOCK_WAIT_ENV, "").strip()
    if not value:
        return LOCK_WAIT_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 10**6:  # also refuses nan and inf
        raise UsageError(f"${LOCK_WAIT_ENV} must be a number of seconds from 0 to 999999, not {value!r}")
    return seconds


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return (code & 0xFF if isinstance(code, int) else None) == sqlite3.SQLITE_BUSY or "locked" in str(exc)


def _wrapped(exc: sqlite3.Error) -> DBAPIError:
    # Raised on the driver's connection, past SQLAlchemy: wrapped as SQLAlchemy would, so that callers (the audit
    # wrapper, the CLI) meet the same error classes as from any other statement.
    return DBAPIError.instance("BEGIN IMMEDIATE", None, exc, sqlite3.Error)


def _begin_write(dbapi_connection: sqlite3.Connection, database: Path) -> None:
    """BEGIN IMMEDIATE, waiting quietly for a moment, then saying so and waiting up to the bound, then failing with
    SQLite's "database is locked" (see `database_error`)."""
    bound = lock_wait_bound()
    started = time.monotonic()
    quiet_ms = int(min(LOCK_QUIET_WAIT_MS, bound * 1000))
    try:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {quiet_ms}")
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise _wrapped(exc) from exc
        for notice in _lock_wait_notices:
            notice(
                f"waiting up to {bound:g} s for the write lock of {database}: another cbis command is writing to "
                f"this case (${LOCK_WAIT_ENV} sets how long)"
            )
        remaining_ms = max(0, int((bound - (time.monotonic() - started)) * 1000))
        dbapi_connection.execute(f"PRAGMA busy_timeout = {remaining_ms}")
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise _wrapped(exc) from exc
            # As SQLAlchemy's OperationalError ("database is locked"), as any other statement's: the viewer answers
            # it with a 503, and the CLI (`database_error`) with one line naming the bound.
            raise _wrapped(exc) from None
    finally:
        with suppress(sqlite3.Error):  # never hide the error above; a connection that fails here is dropped anyway
            dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `cbis serve` read while `cbis index` writes; the busy timeout makes a writer wait instead
    # of failing when another connection holds the lock for a moment.
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_writer_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    # NORMAL is durable at WAL checkpoints and cannot corrupt the file; a crash loses at most the last
    # transactions, which a resumed index redoes.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_uri(path: Path, mode: str) -> str:
    # as_uri() percent-encodes ?, #, % and spaces: an f-string URI would cut the path at a '?' and
    # silently open (or create) another file.
    return path.resolve().as_uri() + f"?mode={mode}"


def open_readwrite(path: Path, *, create: bool = False) -> Engine:
    """Open (or, with create=True, create) a SQLite case file for writing.

    Given a case's case.toml (what `case_file` names for a case on a server), opens that case's PostgreSQL
    database instead, as `open_case_engine` does.
    """
    if path.name == CASE_URL_FILE_NAME:
        if create:
            raise ValueError("a case on PostgreSQL is created by services.cases.create_case(..., database=URL)")
        return open_case_engine(path.parent)
    uri = _sqlite_uri(path, "rwc" if create else "rw")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )

    # "sqlite://" alone would pick SingletonThreadPool (meant for :memory:), handing nested users one connection.
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)
    event.listen(engine, "connect", _sqlite_pragmas)
    # IMMEDIATE takes the write lock when a transaction starts, so read-then-write sequences (the audit
    # hash chain, file upserts) can't interleave with another writer and fail half-way on lock upgrade.
    event.listen(engine, "connect", _sqlite_writer_pragmas)

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        # On the driver's connection: a wait that ends in CaseBusyError must reach the command as that error.
        _begin_write(connection.connection.driver_connection, path)

    return engine


def open_readonly(path: Path) -> Engine:
    """Open a SQLite case file so that no statement can change it, and a missing file is not created.

    Given a case's case.toml (what `case_file` names for a case on a server), opens that case's PostgreSQL
    database read-only instead, as `open_case_engine(..., readonly=True)` does.
    """
    if path.name == CASE_URL_FILE_NAME:
        return open_case_engine(path.parent, readonly=True)
    uri = _sqlite_uri(path, "ro")
    if read_only_location(path):
        # SQLite opens a WAL database read-only only if it can create the -shm file; on read-only media it can't.
        # immutable=1 reads the file alone, which is right only if no WAL holds changes not yet in it.
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise CaseReadOnlyError(
                f"the case database {path} is on read-only storage beside a write-ahead log ({wal.name}) whose changes "
                "are not in it yet, and SQLite cannot read that log there: copy the case directory to writable "
                "storage and open the copy"
            )
        uri += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )

    # "sqlite://" alone would pick SingletonThreadPool (meant for :memory:), handing nested users one connection.
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)
    event.listen(engine, "connect", _sqlite_pragmas)
    _use_explicit_begin(engine, "BEGIN")
    return engine


def _use_explicit_begin(engine: Engine, begin_statement: str) -> None:
    """pysqlite's own transaction handling (off: isolation_level=None) defers BEGIN and breaks SAVEPOINT;
    SQLAlchemy emits BEGIN itself instead."""

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(begin_statement)


# --- which database a case uses ---


def _masked(value: str) -> str:
    """A URL as typed, its password (if any) replaced: an error message must not print it."""
    return re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", value.strip())


def parse_database_url(value: str) -> URL:
    """A PostgreSQL URL as cbis uses it (driver psycopg); UsageError for anything else."""
    try:
        url = make_url(value.strip())
        port = url.port
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number, an unclosed [IPv6 address
        raise UsageError(
            f"not a database URL: {_masked(value)!r}; use postgresql+psycopg://USER@HOST:PORT/DATABASE"
        ) from None
    if port is not None and not 0 < port < 65536:
        raise UsageError(f"not a database URL: {_masked(value)!r}: the port must be 1 to 65535")
    if url.drivername in ("postgresql", "postgres", POSTGRESQL_DRIVER):
        url = url.set(drivername=POSTGRESQL_DRIVER)
    else:
        raise UsageError(
            f"unsupported database URL {url.render_as_string(hide_password=True)}: cbis keeps a case either in "
            "case.sqlite (the default) or in PostgreSQL, postgresql+psycopg://USER@HOST:PORT/DATABASE"
        )
    if not url.database:
        raise UsageError(f"the URL {url.render_as_string(hide_password=True)} names no database")
    return url


def has_password(url: URL) -> bool:
    return url.password is not None or "password" in url.query


def without_password(url: URL) -> URL:
    """The URL with no password, in its user part or its query (URL.set(password=None) would keep it)."""
    return URL.create(
        url.drivername,
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query={key: value for key, value in url.query.items() if key != "password"},
    )


def display_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def record_database_url(case_dir: Path, url: URL) -> Path:
    """Write case.toml naming the case's database. Never a password: libpq takes it from PGPASSWORD or ~/.pgpass."""
    if has_password(url):
        raise UsageError("refusing to record a database password in the case directory")
    path = case_dir / CASE_URL_FILE_NAME
    # A TOML basic string: json.dumps escapes quotes, backslashes and control characters the way TOML reads them.
    quoted = json.dumps(url.render_as_string(hide_password=False), ensure_ascii=False)
    content = (
        "# cbis case: this case's database is on a PostgreSQL server, not in a case.sqlite file here.\n"
        "# No password is kept here: libpq reads it from $PGPASSWORD or ~/.pgpass. $CBIS_DB_URL overrides this URL.\n"
        "[database]\n"
        f"url = {quoted}\n"
    )
    # Written whole under a temporary name, then linked into place: a killed `case new` never leaves a half
    # case.toml, and link (unlike rename) fails rather than replace another case's file.
    partial = case_dir / f".{CASE_URL_FILE_NAME}.cbis-new-{os.getpid()}"
    try:
        with open(partial, "w", encoding="utf-8") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            raise
        except OSError:  # a filesystem without hard links (FAT, some network shares): check, then rename
            if path.exists():
                raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
            os.rename(partial, path)
    finally:
        with suppress(OSError):
            partial.unlink()
    return path


def recorded_database_url(case_dir: Path) -> URL:
    path = case_dir / CASE_URL_FILE_NAME
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CbisError(f"cannot read {path}: {exc}") from None
    url = data.get("database", {}).get("url") if isinstance(data.get("database"), dict) else None
    if not isinstance(url, str):
        raise CbisError(f'{path} names no database: it needs a [database] table with url = "postgresql+psycopg://..."')
    return parse_database_url(url)


def case_database(case_dir: Path) -> URL | Path:
    """Where the case's database is: $CBIS_DB_URL, else the URL in case.toml, else the case.sqlite file."""
    override = os.environ.get(DB_URL_ENV, "").strip()
    if override:
        return parse_database_url(override)
    if (case_dir / CASE_URL_FILE_NAME).is_file():
        if (case_dir / CASE_FILE_NAME).exists():
            raise CbisError(
                f"{case_dir} holds both {CASE_FILE_NAME} and {CASE_URL_FILE_NAME}: which database is this case's is "
                "ambiguous; move the one that does not belong to this case elsewhere"
            )
        return recorded_database_url(case_dir)
    return case_dir / CASE_FILE_NAME


def describe_database(target: URL | Path) -> str:
    return str(target.resolve()) if isinstance(target, Path) else display_url(target)


def open_database(target: URL | Path, *, readonly: bool = False) -> Engine:
    """An engine on a case's database. A case.sqlite that cannot be a whole database is refused first
    (DamagedCaseError); a writer on read-only storage is refused (CaseReadOnlyError)."""
    if isinstance(target, Path):
        problem = sqlite_file_problem(target)
        if problem is not None:
            raise damaged_case(target, problem)
        if readonly:
            return open_readonly(target)
        if read_only_location(target):
            raise CaseReadOnlyError(
                f"the case database {target} is on read-only storage, or this user may not write it or its "
                "directory: this command writes to the case. Commands that only read (case info, search, report, "
                "verify, serve) work there; copy the case directory to writable storage for the others"
            )
        return open_readwrite(target)
    return open_postgresql(target, readonly=readonly)


def open_case_engine(case_dir: Path, *, readonly: bool = False) -> Engine:
    """An engine on the case's database (see `case_database`), read-only when asked."""
    return open_database(case_database(case_dir), readonly=readonly)


# --- PostgreSQL ---


def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise CbisError(
            "this case's database is PostgreSQL, which needs psycopg: pip install 'cbis[postgres]'"
        ) from None


def _connect_args(url: URL, application_name: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in url.query:
        args["application_name"] = application_name
    return args


def _read_only_session(dbapi_connection: Any, _record: object) -> None:
    # Every transaction of this session is READ ONLY: PostgreSQL refuses INSERT, UPDATE, DELETE and DDL with
    # "cannot execute ... in a read-only transaction". A SET inside a transaction that is rolled back is undone,
    # hence the commit. (A session could SET it back; a role with only SELECT grants cannot write at all.)
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    dbapi_connection.commit()


def open_postgresql(url: URL, *, readonly: bool = False) -> Engine:
    """An engine on a PostgreSQL case database. Connections are checked before use (pool_pre_ping), so a
    restarted server costs a reconnect instead of an error; read-only engines run every transaction READ ONLY."""
    _require_psycopg()
    engine = create_engine(
        url,
        pool_pre_ping=True,
        connect_args=_connect_args(url, "cbis (read-only)" if readonly else "cbis"),
    )
    if readonly:
        event.listen(engine, "connect", _read_only_session)
    return engine


def unreachable(target: URL | Path, exc: BaseException) -> CbisError:
    """A one-line error for a database server that cannot be reached or refuses the login."""
    detail = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return CbisError(f"cannot open the case database {describe_database(target)}: {detail}")


def lock_serialised(connection: Connection, key: int) -> None:
    """Wait for, and hold until this transaction ends, PostgreSQL's advisory lock `key` (no-op on SQLite,
    whose write transactions already start with BEGIN IMMEDIATE and so run one at a time).

    As on SQLite, a wait is announced (`on_lock_wait`) and bounded (`lock_wait_bound`): past it PostgreSQL's
    lock_timeout ends the wait with "lock_not_available" (SQLSTATE 55P03), which `database_error` says in a line."""
    if connection.dialect.name != "postgresql":
        return
    if connection.execute(select(func.pg_try_advisory_xact_lock(key))).scalar():
        return
    bound = lock_wait_bound()
    for notice in _lock_wait_notices:
        notice(
            f"waiting up to {bound:g} s for a lock of {display_url(connection.engine.url)}: another cbis command is "
            f"writing to this case (${LOCK_WAIT_ENV} sets how long)"
        )
    previous = connection.execute(select(func.current_setting("lock_timeout"))).scalar()
    # lock_timeout 0 would mean no limit at all: at least 1 ms.
    set_timeout = text("SELECT set_config('lock_timeout', :value, true)")
    connection.execute(set_timeout, {"value": f"{max(1, int(bound * 1000))}ms"})
    connection.execute(select(func.pg_advisory_xact_lock(key)))
    connection.execute(set_timeout, {"value": previous})


@contextmanager
def session_lock(url: URL, key: int, *, holder: str) -> Iterator[bool]:
    """Try to take PostgreSQL's session-level advisory lock `key` on a connection of its own, held for the block.

    Yields False at once (holding nothing) when another session has it. The lock lives as long as the
    connection, so a killed process never leaves it behind; `holder` is shown to whoever is refused.
    """
    _require_psycopg()
    connect_args = {**_connect_args(url, holder), "application_name": holder[:63]}  # PostgreSQL keeps 63 bytes
    # AUTOCOMMIT: a session-level lock outlives transactions, and nothing sits idle in one for the whole run.
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=connect_args)
    try:
        with engine.connect() as connection:
            taken = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar())
            try:
                yield taken
            finally:
                if taken and not connection.closed:
                    # Closing the connection would release it too; unlocking first says so explicitly.
                    with suppress(DBAPIError):
                        connection.execute(select(func.pg_advisory_unlock(key)))
    finally:
        engine.dispose()


def session_lock_holder(url: URL, key: int) -> str | None:
    """The application name of the session holding advisory lock `key` in this database, when it can be seen."""
    engine = create_engine(url, poolclass=NullPool, connect_args=_connect_args(url, "cbis"))
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND l.classid = 0 AND l.objid::bigint = :key AND l.objsubid = 1"
                ),
                {"key": key},
            ).scalar()
    except Exception:  # only a nicer message depends on it
        return None
    finally:
        engine.dispose()
