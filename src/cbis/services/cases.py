"""Create, find and open cases; audit every command run on one."""

from __future__ import annotations

import getpass
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from cbis import __version__
from cbis.db import case as case_db
from cbis.db.engine import CASE_FILE_NAME, case_file, open_readonly, open_readwrite
from cbis.db.migrations import check_version, migrate
from cbis.errors import CaseExistsError, CaseLocationError, NoCaseError, UsageError

CASE_ENV = "CBIS_CASE"
EXAMINER_ENV = "CBIS_EXAMINER"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Case:
    """An open case: its directory and an engine on its database."""

    directory: Path
    engine: Engine
    readonly: bool

    def close(self) -> None:
        self.engine.dispose()


def resolve_case_dir(option: Path | None) -> Path:
    """--case, else $CBIS_CASE, else the current directory when it holds a case."""
    if option is not None:
        candidate = option
    elif os.environ.get(CASE_ENV):
        candidate = Path(os.environ[CASE_ENV])
    elif (Path.cwd() / CASE_FILE_NAME).is_file():
        candidate = Path.cwd()
    else:
        raise NoCaseError(
            f"no case given: pass --case CASE_DIR, set ${CASE_ENV}, or run from a directory holding {CASE_FILE_NAME}"
        )
    if not case_file(candidate).is_file():
        raise NoCaseError(f"{candidate} is not a cbis case (no {CASE_FILE_NAME}); create one with `cbis case new`")
    return candidate.resolve()


def create_case(case_dir: Path, *, number: str, examiner: str, description: str = "") -> Case:
    if not number.strip():
        raise UsageError("the case number must not be empty")
    if not examiner.strip():
        raise UsageError("the examiner must not be empty")
    if case_file(case_dir).exists():
        raise CaseExistsError(f"{case_dir} already holds a case ({CASE_FILE_NAME}); refusing to overwrite it")
    if case_dir.exists() and not case_dir.is_dir():
        raise UsageError(f"{case_dir} exists and is not a directory")
    case_dir.mkdir(parents=True, exist_ok=True)
    engine = open_readwrite(case_file(case_dir), create=True)
    migrate(engine)
    with engine.begin() as connection:
        case_db.insert_case_info(
            connection,
            case_db.CaseDetails(
                case_number=number.strip(),
                examiner=examiner.strip(),
                description=description,
                created_at=utc_now(),
                created_by_cbis=__version__,
            ),
        )
    return Case(case_dir.resolve(), engine, readonly=False)


def open_case(case_dir: Path, *, readonly: bool = False) -> Case:
    path = case_file(case_dir)
    if not path.is_file():
        raise NoCaseError(f"{case_dir} is not a cbis case (no {CASE_FILE_NAME})")
    if readonly:
        engine = open_readonly(path)
        with engine.connect() as connection:
            check_version(connection)
    else:
        engine = open_readwrite(path)
        migrate(engine)
    return Case(case_dir.resolve(), engine, readonly)


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
    examiner = examiner_for(case)
    with case.engine.begin() as connection:
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
    return " ".join(["cbis", *sys.argv[1:]]) if sys.argv else "cbis"


@contextmanager
def audited(case: Case, command: str | None = None) -> Iterator[None]:
    """Record the command when it starts and how it ended, so a killed run still leaves a trace."""
    command = command or command_line()
    record_action(case, command, "started")
    try:
        yield
    except KeyboardInterrupt:
        record_action(case, command, "interrupted")
        raise
    except BaseException as exc:
        record_action(case, command, f"failed: {type(exc).__name__}: {exc}"[:2000])
        raise
    record_action(case, command, "ok")


def check_case_outside_evidence(case: Case, evidence_root: Path) -> None:
    """cbis writes into the case directory; that must never be inside the evidence, nor hold it."""
    case_dir = case.directory.resolve()
    root = evidence_root.resolve()
    if case_dir == root or case_dir.is_relative_to(root):
        raise CaseLocationError(
            f"the case directory {case_dir} is inside the evidence {root}: cbis would write into the evidence. "
            "Create the case elsewhere."
        )
    if root.is_relative_to(case_dir):
        raise CaseLocationError(f"the evidence {root} is inside the case directory {case_dir}; keep them apart")


def case_summary(case: Case) -> dict[str, str]:
    """The case's details and counts, labelled for a person."""
    with case.engine.connect() as connection:
        details = case_db.case_details(connection)
        counts = case_db.case_counts(connection)
    return {
        "case number": details.case_number,
        "examiner": details.examiner,
        "description": details.description or "-",
        "created": f"{details.created_at} (cbis {details.created_by_cbis})",
        "case directory": str(case.directory),
        "evidence": ", ".join(counts.evidence_roots) or "none indexed yet",
        "files": str(counts.files),
        "images": str(counts.images),
        "unprocessed": str(counts.unprocessed),
        "other files": str(counts.other_files),
        "extension mismatches": str(counts.extension_mismatches),
        "images with GPS": str(counts.with_gps),
        "classified images": str(counts.classified),
        "models": "; ".join(counts.models) or "none",
        "index runs": str(counts.runs),
        "audit entries": str(counts.audit_entries),
    }
