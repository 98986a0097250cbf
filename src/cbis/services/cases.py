"""Create, find and open cases; audit every command run on one."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, Engine, inspect
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from cbis import __version__
from cbis.db import case as case_db
from cbis.db import hashsets as hashsets_db
from cbis.db import migrations
from cbis.db.engine import (
    CASE_FILE_NAME,
    CASE_URL_FILE_NAME,
    DB_URL_ENV,
    PG_LOCK_NOT_AVAILABLE,
    case_database,
    case_file,
    database_error,
    describe_database,
    display_url,
    has_password,
    is_case_dir,
    open_database,
    open_postgresql,
    open_readwrite,
    parse_database_url,
    read_only_location,
    record_database_url,
    unreachable,
    without_password,
)
from cbis.db.migrations import SCHEMA_VERSION, check_version, migrate
from cbis.db.models import CaseInfo, SchemaVersion
from cbis.durable import fsync_directory
from cbis.errors import (
    CaseBusyError,
    CaseDatabaseError,
    CaseExistsError,
    CaseLocationError,
    CbisError,
    DamagedCaseError,
    NoCaseError,
    OlderSchemaError,
    UsageError,
)
from cbis.ingest._text import escape_unprintable
from cbis.services.locations import is_inside
from cbis.timestamps import utc_now

CASE_ENV = "CBIS_CASE"
EXAMINER_ENV = "CBIS_EXAMINER"


@dataclass
class Case:
    """An open case: its directory and an engine on its database.

    A read-only case's engine cannot write (SQLite `mode=ro`, PostgreSQL READ ONLY sessions), so a reader never
    holds the write lock while it reads; its audit rows go through a second, writing engine, one short
    transaction each (`audit_engine`)."""

    directory: Path
    engine: Engine
    readonly: bool
    # What the audit log records when the command ends without an exception; a command whose result is a
    # finding (verify: "differs") says so here.
    audit_outcome: str = "ok"
    database: URL | Path | None = None
    schema_version: int = SCHEMA_VERSION
    # Why this reader's command cannot be recorded in the audit log (the case is on read-only storage), if so.
    audit_unavailable: str | None = None
    _audit_engine: Engine | None = None

    def audit_engine(self) -> Engine | None:
        """The engine audit rows are written through; None when they cannot be (see audit_unavailable)."""
        if not self.readonly:
            return self.engine
        if self.audit_unavailable is not None or self.database is None:
            return None
        if self._audit_engine is None:
            self._audit_engine = open_database(self.database)
        return self._audit_engine

    def close(self) -> None:
        self.engine.dispose()
        if self._audit_engine is not None:
            self._audit_engine.dispose()


def resolve_case_dir(option: Path | None) -> Path:
    """--case, else $CBIS_CASE, else the current directory when it holds a case."""
    if option is not None:
        candidate = option
    elif os.environ.get(CASE_ENV):
        candidate = Path(os.environ[CASE_ENV])
    elif is_case_dir(Path.cwd()):
        candidate = Path.cwd()
    else:
        raise NoCaseError(
            f"no case given: pass --case CASE_DIR, set ${CASE_ENV}, or run from a directory holding {CASE_FILE_NAME} "
            f"or {CASE_URL_FILE_NAME}"
        )
    if not is_case_dir(candidate):
        raise NoCaseError(
            f"{candidate} is not a cbis case (no {CASE_FILE_NAME} or {CASE_URL_FILE_NAME}); "
            "create one with `cbis case new`"
        )
    return candidate.resolve()


def _case_details(number: str, examiner: str, description: str) -> case_db.CaseDetails:
    return case_db.CaseDetails(
        case_number=number.strip(),
        examiner=examiner.strip(),
        description=description,
        created_at=utc_now(),
        created_by_cbis=__version__,
    )


def create_case(
    case_dir: Path,
    *,
    number: str,
    examiner: str,
    description: str = "",
    database: str | None = None,
    command: str | None = None,
) -> Case:
    """Create a case in `case_dir`: in its case.sqlite, or in the PostgreSQL database at `database` (default:
    $CBIS_DB_URL when set), whose URL is then recorded in case.toml (never with a password).

    With `command`, the audit log records it (started, ok) before the case is put in place, so a case that
    exists always holds its own creation."""
    if not number.strip():
        raise UsageError("the case number must not be empty")
    if not examiner.strip():
        raise UsageError("the examiner must not be empty")
    for name in (CASE_FILE_NAME, CASE_URL_FILE_NAME):
        if (case_dir / name).exists():
            raise CaseExistsError(f"{case_dir} already holds a case ({name}); refusing to overwrite it")
    if case_dir.exists() and not case_dir.is_dir():
        raise UsageError(f"{case_dir} exists and is not a directory")
    if database is not None:
        url = parse_database_url(database)
        if has_password(url):
            raise UsageError(
                "the database URL holds a password, and cbis records the URL in the case directory: drop the "
                "password from --db and give it through PGPASSWORD or ~/.pgpass"
            )
    elif os.environ.get(DB_URL_ENV, "").strip():
        url = parse_database_url(os.environ[DB_URL_ENV])  # may carry a password: used, never recorded
    else:
        url = None
    details = _case_details(number, examiner, description)
    try:
        if url is None:
            return _create_sqlite_case(case_dir, details, command)
        return _create_postgresql_case(case_dir, url, details, command)
    except OSError as exc:
        # The folder or its parent cannot be made (read-only media, /proc, a file in the way): one line, exit 1.
        shown = escape_unprintable(str(case_dir))
        failed = str(exc.filename or case_dir)
        where = shown if _BUILDING in failed else escape_unprintable(failed)  # a build's name means nothing to anyone
        reason = "exists and is not a directory" if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
        raise CbisError(f"cannot create the case in {shown}: {where}: {reason}") from None


# A case is built under this name beside (or, for a folder that exists, inside) its place, then renamed there:
# a `cbis case new` killed half-way leaves only such a name, which the next `cbis case new` removes.
_BUILDING = ".cbis-new-"


def _building_name(name: str, pid: int | None = None) -> str:
    return f".{name}{_BUILDING}{os.getpid() if pid is None else pid}"


def _abandoned_builds(directory: Path, name: str) -> list[Path]:
    """Builds of `name` in `directory` whose `cbis case new` is no longer running."""
    pattern = re.compile(re.escape(f".{name}{_BUILDING}") + r"([0-9]+)(-wal|-shm|-journal)?")
    found = []
    with suppress(OSError):
        for entry in os.listdir(directory):
            match = pattern.fullmatch(entry)
            if match and not _process_alive(int(match.group(1))):
                found.append(directory / entry)
    return found


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own pid on a leftover: a process before us had it, and it is gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def _remove_build(path: Path) -> None:
    """Remove a build, a folder only when it holds nothing but a case database's files (what a build makes)."""
    with suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            if all(child.name.startswith(CASE_FILE_NAME) for child in path.iterdir()):
                shutil.rmtree(path)
        else:
            path.unlink()


def _create_sqlite_case(case_dir: Path, details: case_db.CaseDetails, command: str | None) -> Case:
    case_dir = Path(os.path.abspath(case_dir))
    folder_exists = case_dir.is_dir()
    if folder_exists:  # perhaps a mount point, or a folder the examiner made: the file is renamed, not the folder
        for stale in _abandoned_builds(case_dir, CASE_FILE_NAME):
            _remove_build(stale)
        build_dir, database = case_dir, case_dir / _building_name(CASE_FILE_NAME)
    else:
        case_dir.parent.mkdir(parents=True, exist_ok=True)
        for stale in _abandoned_builds(case_dir.parent, case_dir.name):
            _remove_build(stale)
        build_dir = case_dir.parent / _building_name(case_dir.name)
        build_dir.mkdir()
        database = build_dir / CASE_FILE_NAME
    try:
        engine = open_readwrite(database, create=True)
        try:
            migrate(engine)
            with engine.begin() as connection:
                case_db.insert_case_info(connection, details)
            if command is not None:
                with audited(Case(build_dir, engine, readonly=False), command):
                    pass
        finally:
            engine.dispose()  # the last connection closed checkpoints the WAL into the file and removes it
        with open(database, "rb+") as stream:
            os.fsync(stream.fileno())
        if folder_exists:
            if (case_dir / CASE_FILE_NAME).exists():
                raise CaseExistsError(f"{case_dir} already holds a case ({CASE_FILE_NAME}); refusing to overwrite it")
            os.rename(database, case_dir / CASE_FILE_NAME)
            fsync_directory(case_dir)
        else:
            os.rename(build_dir, case_dir)  # fails if a folder that is not empty appeared there meanwhile
            fsync_directory(case_dir.parent)
    except BaseException:
        if folder_exists:
            for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal"))):
                with suppress(OSError):
                    path.unlink()
        else:
            _remove_build(build_dir)
        raise
    return Case(case_dir.resolve(), open_readwrite(case_dir / CASE_FILE_NAME), readonly=False)


def _create_postgresql_case(case_dir: Path, url: URL, details: case_db.CaseDetails, command: str | None) -> Case:
    made_dir = not case_dir.exists()
    case_dir.mkdir(parents=True, exist_ok=True)
    engine = open_postgresql(url)
    try:
        try:
            with engine.connect() as connection:
                inspector = inspect(connection)
                taken = inspector.has_table(SchemaVersion.__tablename__) or inspector.has_table(CaseInfo.__tablename__)
        except OperationalError as exc:
            raise unreachable(url, exc) from None
        if taken:
            raise CaseExistsError(
                f"the database {display_url(url)} already holds a cbis case; one database holds one case: "
                "create an empty database for this one (createdb)"
            )
        migrate(engine)
        try:
            with engine.begin() as connection:
                case_db.insert_case_info(connection, details)
        except IntegrityError:  # another `cbis case new` on the same database got there first
            raise CaseExistsError(f"the database {display_url(url)} already holds a cbis case") from None
        if command is not None:
            with audited(Case(case_dir, engine, readonly=False), command):
                pass
        record_database_url(case_dir, without_password(url))  # last: the case exists once it names its database
    except BaseException:
        engine.dispose()
        if made_dir:
            with suppress(OSError):
                case_dir.rmdir()  # only if still empty
        raise
    return Case(case_dir.resolve(), engine, readonly=False)


def open_case(case_dir: Path, *, readonly: bool = False, current_schema: bool = False) -> Case:
    """Open a case. A writer brings an older schema up to date (migrations are recorded in schema_version); a
    reader never writes the schema, and with current_schema=True refuses an older one, saying to run
    `cbis case upgrade`. A database that holds no cbis schema is refused, never given one."""
    if not is_case_dir(case_dir):
        raise NoCaseError(f"{case_dir} is not a cbis case (no {CASE_FILE_NAME} or {CASE_URL_FILE_NAME})")
    target = case_database(case_dir)
    engine = open_database(target, readonly=readonly)
    try:
        version = _schema_version(engine, target)
        if readonly and current_schema and version < latest_schema():
            raise older_schema(case_dir, version)
        if not readonly:
            migrate(engine)
            version = latest_schema()
    except BaseException:
        engine.dispose()
        raise
    case = Case(case_dir.resolve(), engine, readonly, database=target, schema_version=version)
    if readonly and isinstance(target, Path) and read_only_location(target):
        case.audit_unavailable = f"{case_dir} is on read-only storage (or this user may not write it)"
    return case


def _schema_version(engine: Engine, target: URL | Path) -> int:
    """The case's schema version, refusing (never creating) a database that holds no cbis schema."""
    try:
        with engine.connect() as connection:
            version = check_version(connection)
    except DBAPIError as exc:
        if isinstance(target, URL) and isinstance(exc, OperationalError):
            raise unreachable(target, exc) from None
        raise database_error(describe_database(target), exc) from None
    if version == 0:
        if isinstance(target, Path):
            raise DamagedCaseError(
                f"{target} is a SQLite database but holds no cbis case (no schema): cbis leaves it as it is. Restore "
                f"{target.name} from a backup, or create a new case elsewhere with `cbis case new`"
            )
        raise NoCaseError(
            f"the database {display_url(target)} holds no cbis case; create one with `cbis case new --db`"
        )
    return version


def latest_schema() -> int:
    """The version the migration runner brings a case to (read each time: tests run it with fewer migrations)."""
    return migrations.MIGRATIONS[-1][0]


def older_schema(case_dir: Path, version: int) -> OlderSchemaError:
    return OlderSchemaError(
        f"this case has schema version {version}, from an older cbis; this cbis reads version {latest_schema()}, and "
        f"commands that only read never change a case. Bring it up to date once with `cbis case upgrade {case_dir}` "
        "(recorded in its audit log), then run this command again"
    )


@dataclass(frozen=True)
class Upgrade:
    from_version: int
    to_version: int
    applied: list[str]


def upgrade_case(case: Case) -> Upgrade:
    """Bring an open (writable) case's schema up to date with the migration runner."""
    before = case.schema_version
    applied = migrate(case.engine)
    case.schema_version = latest_schema()
    return Upgrade(before, case.schema_version, applied)


def open_case_for_upgrade(case_dir: Path) -> Case:
    """A writable case whose schema is left as it is, for `upgrade_case` to migrate under the audit log."""
    if not is_case_dir(case_dir):
        raise NoCaseError(f"{case_dir} is not a cbis case (no {CASE_FILE_NAME} or {CASE_URL_FILE_NAME})")
    target = case_database(case_dir)
    engine = open_database(target)
    try:
        version = _schema_version(engine, target)
    except BaseException:
        engine.dispose()
        raise
    return Case(case_dir.resolve(), engine, readonly=False, database=target, schema_version=version)


def database_of(case: Case) -> str:
    """The case's database for a person: the SQLite file, or the PostgreSQL URL without its password."""
    if case.engine.dialect.name == "sqlite":
        return str(case.directory / CASE_FILE_NAME)
    return display_url(case.engine.url)


def examiner_for(case: Case) -> str:
    """Who is acting: $CBIS_EXAMINER when a colleague works on the case, else the case's examiner."""
    if os.environ.get(EXAMINER_ENV):
        return os.environ[EXAMINER_ENV]
    with case.engine.connect() as connection:
        return case_db.case_details(connection).examiner


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def record_action(case: Case, command: str, outcome: str) -> None:
    """One audit row in a short transaction of its own; nothing when the case cannot be written (audit_unavailable)."""
    engine = case.audit_engine()
    if engine is None:
        return
    examiner = examiner_for(case)
    with engine.begin() as connection:
        case_db.append_audit(
            connection,
            time_utc=utc_now(),
            examiner=examiner,
            os_user=_os_user(),
            host=socket.gethostname(),
            cbis_version=__version__,
            command=command,
            outcome=outcome,
        )


def command_line() -> str:
    return escape_unprintable(" ".join(["cbis", *sys.argv[1:]]) if sys.argv else "cbis")


@contextmanager
def audited(case: Case, command: str | None = None) -> Iterator[None]:
    """Record the command when it starts and how it ended, so a killed run still leaves a trace."""
    command = command or command_line()
    try:
        record_action(case, command, "started")
    except DBAPIError as exc:
        error = known_database_error(exc, case)
        if error is None:
            raise
        raise error from exc
    try:
        yield
    except KeyboardInterrupt:
        _record_failure(case, command, "interrupted")
        raise
    except DBAPIError as exc:
        # The database itself failed mid-command (server gone, disk full, locked past the bound, a damaged
        # page): the examiner gets one line, not a traceback, and the failure is recorded if the database
        # answers again. Nothing is written into a damaged database, and a lock held too long is not waited
        # for a second time (the "started" row is there).
        error = known_database_error(exc, case)
        if not isinstance(error, (DamagedCaseError, CaseBusyError)):
            _record_failure(case, command, escape_unprintable(f"failed: {type(exc).__name__}: {exc}")[:2000])
        if error is None:
            raise
        raise error from exc
    except BaseException as exc:
        _record_failure(case, command, escape_unprintable(f"failed: {type(exc).__name__}: {exc}")[:2000])
        raise
    record_action(case, command, case.audit_outcome)


def _record_failure(case: Case, command: str, outcome: str) -> None:
    # The command's own error is what the examiner must see; a second one from the audit write would hide it.
    with suppress(DBAPIError, CbisError):
        record_action(case, command, outcome)


def known_database_error(exc: DBAPIError, case: Case | None = None) -> CbisError | None:
    """The one-line error for a database failure a user can meet (damaged file, read-only storage, a lock held
    too long, a server gone); None for anything else, which is a bug and keeps its traceback."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if getattr(exc.orig, "sqlstate", None) == PG_LOCK_NOT_AVAILABLE:
        where = display_url(case.engine.url) if case is not None else "(on PostgreSQL)"
        return database_error(where, exc)
    if isinstance(code, int) and code & 0xFF in (
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_NOTADB,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_CANTOPEN,
    ):
        where = str(case_file(case.directory)) if case is not None else "(case.sqlite)"
        return database_error(where, exc)
    if isinstance(exc, (OperationalError, InterfaceError)):
        if case is not None:
            return database_failed(case, exc)
        return database_error("", exc)
    return None


def database_failed(case: Case, exc: DBAPIError) -> CaseDatabaseError:
    """One line for a database that stopped answering during a command, saying that committed work is kept."""
    detail = " ".join(str(exc.orig or exc).split())[:300]
    where = display_url(case.engine.url) if case.engine.dialect.name == "postgresql" else str(case_file(case.directory))
    return CaseDatabaseError(
        f"the case database {where} failed during the command ({detail}); everything committed before is kept: "
        "run the command again once the database answers (an index resumes where it stopped)"
    )


def check_case_outside_evidence(case: Case | Path, evidence_root: Path) -> None:
    """cbis writes into the case directory; that must never be inside the evidence, nor hold it.

    Compared by device and inode up the tree, so a bind mount or a link to the evidence cannot hide it. Given
    the case's directory, it can run before the case is opened: a case inside the evidence is not written to,
    not even to audit the refusal."""
    case_dir = (case.directory if isinstance(case, Case) else case).resolve()
    root = evidence_root.resolve()
    if not root.is_dir():
        return  # the index reports a missing evidence directory itself
    if is_inside(case_dir, root):
        raise CaseLocationError(
            f"the case directory {case_dir} is inside the evidence {root} (the same directory by device and inode,"
            " whatever its path): cbis would write into the evidence. Create the case elsewhere."
        )
    if is_inside(root, case_dir):
        raise CaseLocationError(f"the evidence {root} is inside the case directory {case_dir}; keep them apart")


def _access_time_notes(notes: list[tuple[int, str]]) -> str:
    """Each distinct note once, with the runs it applies to."""
    runs: dict[str, list[int]] = {}
    for run_id, note in notes:
        runs.setdefault(note, []).append(run_id)
    return (
        "; ".join(f"{note} (run{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))})" for note, ids in runs.items())
        or "no run recorded yet"
    )


def _hash_sets_line(case: Case) -> str:
    with case.engine.connect() as connection:
        sets = hashsets_db.list_sets(connection)
    return "; ".join(f"{s.name} ({s.kind}, {s.entry_count} entries, {s.matches} files)" for s in sets) or "none"


def _notable_line(case: Case) -> str:
    """An alert an examiner cannot miss: the files that match notable sets, per set."""
    with case.engine.connect() as connection:
        pairs = hashsets_db.matched_files(connection, "notable")
    if not pairs[-1][1]:
        return "0"
    return f"{pairs[-1][1]} files ({', '.join(f'{name}: {n}' for name, n in pairs[:-1])}) - look at these first"


def case_summary(case: Case) -> dict[str, str]:
    """The case's details and counts, labelled for a person."""
    from cbis.db import overview

    with case.engine.connect() as connection:
        details = case_db.case_details(connection)
        # The file counts the latest finished run kept (a scan of every file row otherwise: a second at 300,000).
        kept = overview.kept(connection)
        counts = case_db.case_counts(connection, kept.files if kept is not None else None)
    return {
        "case number": details.case_number,
        "examiner": details.examiner,
        "description": details.description or "-",
        "created": f"{details.created_at} (cbis {details.created_by_cbis})",
        "case directory": str(case.directory),
        "database": database_of(case),
        "evidence": ", ".join(counts.evidence_roots) or "none indexed yet",
        "files": str(counts.files),
        "images": str(counts.images),
        "unprocessed": str(counts.unprocessed),
        "other files": str(counts.other_files),
        "missing files": f"{counts.missing} (recorded, then not found by a later walk)" if counts.missing else "0",
        "extension mismatches": str(counts.extension_mismatches),
        "images with GPS": str(counts.with_gps),
        "classified images": str(counts.classified),
        "models": "; ".join(counts.models) or "none",
        "analyzers": "; ".join(counts.analyzers) or "none recorded (runs before cbis recorded analyzers)",
        "hash sets": _hash_sets_line(case),
        "notable hash-set matches": _notable_line(case),
        "index runs": str(counts.runs),
        "audit entries": str(counts.audit_entries),
        "evidence access times": _access_time_notes(counts.access_times),
    }
