"""Case details, counts and the hash-chained audit log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError

from cbis.db.engine import AUDIT_LOCK_KEY, lock_serialised
from cbis.db.models import (
    AnalyzerRecord,
    AuditEntry,
    CaseInfo,
    Evidence,
    Exif,
    File,
    Model,
    Prediction,
    Run,
    RunAnalyzer,
)

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class CaseDetails:
    case_number: str
    examiner: str
    description: str
    created_at: str
    created_by_cbis: str


@dataclass(frozen=True)
class AuditRecord:
    id: int
    time_utc: str
    examiner: str
    os_user: str
    host: str
    cbis_version: str
    command: str
    outcome: str
    prev_hash: str
    row_hash: str


def insert_case_info(connection: Connection, details: CaseDetails) -> None:
    connection.execute(CaseInfo.__table__.insert().values(id=1, **details.__dict__))


def case_details(connection: Connection) -> CaseDetails:
    row = connection.execute(
        select(
            CaseInfo.case_number,
            CaseInfo.examiner,
            CaseInfo.description,
            CaseInfo.created_at,
            CaseInfo.created_by_cbis,
        ).where(CaseInfo.id == 1)
    ).one()
    return CaseDetails(*row)


def audit_row_hash(prev_hash: str, fields: tuple[str, ...]) -> str:
    # Unit separator between fields: no field can forge a boundary, so the hash covers each field exactly.
    payload = "\x1f".join((prev_hash, *fields)).encode("utf-8", "surrogateescape")
    return hashlib.sha256(payload).hexdigest()


def _audit_fields(
    time_utc: str, examiner: str, os_user: str, host: str, cbis_version: str, command: str, outcome: str
) -> tuple[str, ...]:
    return (time_utc, examiner, os_user, host, cbis_version, command, outcome)


def append_audit(
    connection: Connection,
    *,
    time_utc: str,
    examiner: str,
    os_user: str,
    host: str,
    cbis_version: str,
    command: str,
    outcome: str,
) -> int:
    """Append one audit row chained to the last one. Call inside a write transaction.

    Reading the last hash and inserting the next row must not interleave with another writer's: on SQLite the
    write transaction (BEGIN IMMEDIATE) already excludes other writers; on PostgreSQL a transaction-level
    advisory lock does, until this transaction commits. Under READ COMMITTED the read below, made after the
    lock is granted, sees the row the previous holder committed.
    """
    lock_serialised(connection, AUDIT_LOCK_KEY)
    prev_hash = (
        connection.execute(select(AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar() or GENESIS_HASH
    )
    fields = _audit_fields(time_utc, examiner, os_user, host, cbis_version, command, outcome)
    result = connection.execute(
        AuditEntry.__table__.insert().values(
            time_utc=time_utc,
            examiner=examiner,
            os_user=os_user,
            host=host,
            cbis_version=cbis_version,
            command=command,
            outcome=outcome,
            prev_hash=prev_hash,
            row_hash=audit_row_hash(prev_hash, fields),
        )
    )
    return int(result.inserted_primary_key[0])


def audit_records(connection: Connection) -> list[AuditRecord]:
    rows = connection.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).mappings()
    return [AuditRecord(**row) for row in rows]


def audit_head(connection: Connection) -> tuple[int, str] | None:
    """The newest audit row's id and hash, or None for an empty log: what a report's manifest anchors."""
    row = connection.execute(select(AuditEntry.id, AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    return (int(row[0]), str(row[1])) if row else None


def broken_audit_links(records: list[AuditRecord]) -> list[str]:
    """Every place where the chain does not hold, described for a person."""
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    for record in records:
        if record.prev_hash != expected_prev:
            problems.append(f"audit row {record.id}: previous-row hash does not match (a row was removed or changed)")
        fields = _audit_fields(
            record.time_utc,
            record.examiner,
            record.os_user,
            record.host,
            record.cbis_version,
            record.command,
            record.outcome,
        )
        if audit_row_hash(record.prev_hash, fields) != record.row_hash:
            problems.append(f"audit row {record.id}: content does not match its hash (the row was altered)")
        expected_prev = record.row_hash
    return problems


@dataclass(frozen=True)
class CaseCounts:
    evidence_roots: list[str]
    files: int
    images: int
    unprocessed: int
    other_files: int
    extension_mismatches: int
    with_gps: int
    classified: int
    models: list[str]
    runs: int
    audit_entries: int
    missing: int = 0  # files a later walk no longer found (rows kept)
    access_times: list[tuple[int, str]] = field(default_factory=list)  # (run, its note on the access times)
    analyzers: list[str] = field(default_factory=list)  # each analyzer used, with the runs that ran it


@dataclass(frozen=True)
class FileCounts:
    """The counts of CaseCounts that go through the files' rows (kept per run for the overview: db/overview.py)."""

    files: int
    images: int
    unprocessed: int
    other_files: int
    extension_mismatches: int
    with_gps: int
    classified: int
    missing: int


def file_counts(connection: Connection) -> FileCounts:
    def count_files(*conditions: object) -> int:
        return connection.execute(select(func.count()).select_from(File).where(*conditions)).scalar_one()

    return FileCounts(
        files=count_files(),
        images=count_files(File.status == "image"),
        unprocessed=count_files(File.status == "unprocessed"),
        other_files=count_files(File.status == "other"),
        extension_mismatches=count_files(File.extension_mismatch.is_(True)),
        with_gps=connection.execute(
            select(func.count()).select_from(Exif).where(Exif.gps_latitude.is_not(None))
        ).scalar_one(),
        classified=connection.execute(select(func.count(func.distinct(Prediction.file_id)))).scalar_one(),
        missing=count_files(File.missing_since_run_id.is_not(None)),
    )


def case_counts(connection: Connection, files: FileCounts | None = None) -> CaseCounts:
    """`files`: the file counts when the caller has them already (the overview's kept counts), else counted."""
    files = files or file_counts(connection)
    return CaseCounts(
        evidence_roots=list(connection.execute(select(Evidence.root).order_by(Evidence.id)).scalars()),
        files=files.files,
        images=files.images,
        unprocessed=files.unprocessed,
        other_files=files.other_files,
        extension_mismatches=files.extension_mismatches,
        with_gps=files.with_gps,
        classified=files.classified,
        models=[
            f"{name} ({backend}, weights sha256 {sha[:12]})"
            for name, backend, sha in connection.execute(
                select(Model.name, Model.backend, Model.weights_sha256).order_by(Model.id)
            )
        ],
        runs=connection.execute(select(func.count()).select_from(Run)).scalar_one(),
        audit_entries=connection.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        missing=files.missing,
        access_times=[
            (run_id, note)
            for run_id, note in connection.execute(
                select(Run.id, Run.access_times).where(Run.access_times.is_not(None)).order_by(Run.id)
            )
        ],
        analyzers=_analyzers_used(connection),
    )


def _analyzers_used(connection: Connection) -> list[str]:
    """'name version N (runs 1, 2)' for each analyzer the case has used (schema 6 on; earlier runs have none)."""
    used: dict[tuple[int, str, str], list[int]] = {}
    for analyzer_id, name, version, run_id in connection.execute(
        select(AnalyzerRecord.id, AnalyzerRecord.name, AnalyzerRecord.version, RunAnalyzer.run_id)
        .join(RunAnalyzer, RunAnalyzer.analyzer_id == AnalyzerRecord.id)
        .order_by(AnalyzerRecord.id, RunAnalyzer.run_id)
    ):
        used.setdefault((analyzer_id, name, version), []).append(run_id)
    return [
        f"{name} version {version} (run{'s' if len(runs) > 1 else ''} {', '.join(map(str, runs))})"
        for (_, name, version), runs in used.items()
    ]


INTEGRITY_PROBLEMS_SHOWN = 20


def database_integrity(connection: Connection) -> tuple[str, list[str]]:
    """The database's own check of its pages and indexes: (what was checked, for a person; the problems found).

    SQLite: PRAGMA integrity_check (every page, every index against its table, every constraint). PostgreSQL has
    no such statement; its amcheck extension, when installed in the case's database, checks every B-tree index
    of the case's tables (bt_index_check); without it nothing is checked below the rows themselves."""
    if connection.dialect.name == "sqlite":
        found = [str(row) for row in connection.exec_driver_sql("PRAGMA integrity_check(20)").scalars()]
        return "SQLite integrity_check", [] if found == ["ok"] else found
    installed = connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")).first()
    if installed is None:
        return (
            "PostgreSQL: not checked below the rows (the amcheck extension is not installed in this database; "
            "CREATE EXTENSION amcheck adds the index check)",
            [],
        )
    indexes = connection.execute(
        text(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = current_schema() ORDER BY c.relname"
        )
    ).all()
    problems: list[str] = []
    for oid, name in indexes:
        try:
            with connection.begin_nested():  # a failed check must not abort the others
                connection.execute(text("SELECT bt_index_check(:oid)"), {"oid": oid})
        except DBAPIError as exc:
            problems.append(f"index {name}: {' '.join(str(exc.orig or exc).split())[:300]}")
    return f"PostgreSQL amcheck: {len(indexes)} B-tree indexes", problems[:INTEGRITY_PROBLEMS_SHOWN]
