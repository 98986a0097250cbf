"""`cbis report --csv`: the original tool's prediction.csv and exif.csv, plus files, unprocessed and summary.

Deterministic (ordered by evidence root, path, rank; fixed float formatting) so two runs on the same case
give byte-identical files that can be hashed into an examiner's report.

With `include_logs`, also the chain-of-custody logs (audit_log.csv, access_log.csv, and login_refusals.csv, the
viewer's tally of refused logins). Those are outside that promise: every command appends to the audit log, the
report itself included, so they differ from run to run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cbis import __version__
from cbis.db import case as case_db
from cbis.db import queries
from cbis.db.queries import ModelRef, SearchFilters
from cbis.durable import fsync_directory
from cbis.errors import ReportLocationError, ReportWriteError
from cbis.ingest._text import escape_unprintable
from cbis.reports import DocumentContext, ReportDocument, ReportFormat, document_named, format_named, tables
from cbis.services.cases import Case, utc_now
from cbis.services.locations import is_inside
from cbis.services.search import check_hashset, select_model, validate_filters
from cbis.services.verify import verify_case

# Re-exported: what the report writes, for callers and tests that name the columns.
FILES_COLUMNS = tables.FILES.columns
EXIF_COLUMNS = tables.EXIF.columns
DEFAULT_FILES = tuple(f"{table.name}.csv" for table in tables.TABLES if not table.log)
LOG_FILES = tuple(f"{table.name}.csv" for table in tables.TABLES if table.log)
MANIFEST_NAME = "manifest.json"
IN_PROGRESS_NAME = ".cbis-report-in-progress.json"
_MANIFEST_FORMAT = "cbis-report-manifest/1"
_IN_PROGRESS_FORMAT = "cbis-report-in-progress/1"
_MANIFEST_MAX_BYTES = 1 << 20  # a few hundred bytes in truth: anything larger is not cbis's
_PARTIAL_SUFFIX = ".cbis-partial-"
_PARTIAL_PATTERN = re.compile(r"\..+\.cbis-partial-[0-9]+")


@dataclass(frozen=True)
class WrittenFile:
    name: str
    rows: int  # data rows, the header not counted
    size: int
    sha256: str


@dataclass(frozen=True)
class ReportFiles:
    directory: Path
    files: dict[str, int]  # file name -> data rows written
    model: str | None
    manifest: Path


class _HashingStream:
    """What csv.writer writes to: encodes, hashes and counts on the way to the file, so the manifest's SHA-256
    is of exactly the bytes written, without reading the file back.

    The text is gathered and encoded, hashed and written FLUSH_AT characters at a time (`flush` writes the
    rest): csv.writer writes once a row, and three calls a row were a tenth of a million-image report."""

    FLUSH_AT = 1 << 16

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0
        self._pending: list[str] = []
        self._pending_chars = 0

    def write(self, text: str) -> int:
        self._pending.append(text)
        self._pending_chars += len(text)
        if self._pending_chars >= self.FLUSH_AT:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if not self._pending:
            return
        data = "".join(self._pending).encode("utf-8")
        self._pending.clear()
        self._pending_chars = 0
        self.digest.update(data)
        self.size += len(data)
        self.raw.write(data)


def _partial_name(name: str) -> str:
    return f".{name}{_PARTIAL_SUFFIX}{os.getpid()}"


def _replace_durably(directory: Path, name: str, fill: Callable[[BinaryIO], None]) -> None:
    """Write `name` under a temporary name, fsync it, then rename it into place: a file under a report's final
    name is always complete, whenever the run is killed."""
    partial = directory / _partial_name(name)
    try:
        with open(partial, "wb") as raw:
            fill(raw)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, directory / name)
    except BaseException:
        with suppress(OSError):
            partial.unlink()
        raise


def _write(
    directory: Path, name: str, report_format: ReportFormat, columns: tuple[str, ...], rows: Iterable[Mapping[str, Any]]
) -> WrittenFile:
    count = 0
    stream: _HashingStream | None = None

    def fill(raw: BinaryIO) -> None:
        nonlocal count, stream
        stream = _HashingStream(raw)
        write = report_format.writer(stream, columns)  # type: ignore[arg-type]  # a text stream in all but name
        for row in rows:
            write(row)
            count += 1
        stream.flush()

    _replace_durably(directory, name, fill)
    assert stream is not None
    return WrittenFile(name, count, stream.size, stream.digest.hexdigest())


def _write_json(directory: Path, name: str, document: Mapping[str, Any]) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=True) + "\n"
    _replace_durably(directory, name, lambda raw: raw.write(text.encode("ascii")))


def _sha256_of(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _read_own(path: Path, format_name: str) -> dict[str, Any] | None:
    """A manifest (or in-progress marker) cbis wrote, or None: a file of that name in any other form is not ours."""
    try:
        if not path.is_file() or path.stat().st_size > _MANIFEST_MAX_BYTES:
            return None
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != format_name:
        return None
    if not isinstance(document.get("case_number"), str) or not isinstance(document.get("files"), list):
        return None
    return document


def _listed_names(document: dict[str, Any]) -> list[str]:
    names = []
    for entry in document["files"]:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name and "/" not in name and name not in (".", ".."):
            names.append(name)
    return names


def check_report_outside_evidence(out_dir: Path, roots: Iterable[tuple[str, bytes]]) -> None:
    """Refuse a report directory inside any evidence root indexed into the case.

    Compared by device and inode, on every ancestor of the path resolved as far as it exists: a symlink into the
    evidence is resolved, and a bind mount of the evidence shows the root's own device and inode, so neither
    hides the evidence the way a comparison of path names would. A root that cannot be reached now (moved,
    unmounted) is still compared by its resolved name.
    """
    for shown, raw in roots:
        if is_inside(out_dir, Path(os.fsdecode(raw))):
            raise _inside_evidence(out_dir, shown)


def _inside_evidence(out_dir: Path, root: str) -> ReportLocationError:
    return ReportLocationError(
        f"the report directory {escape_unprintable(str(out_dir))} is inside the evidence {root}, indexed into this "
        "case: cbis never writes into evidence; choose a directory outside it"
    )


def _own_report_files(
    directory: Path,
    case_number: str,
    overwrite: bool,
    *,
    manifest_name: str = MANIFEST_NAME,
    in_progress_name: str = IN_PROGRESS_NAME,
    scope: set[str] | None = None,
) -> set[str]:
    """The names in `directory` that cbis's earlier report of this case wrote, which this report may replace.

    Refused (unless `overwrite`): another case's report, and any other entry, a file of cbis's report changed
    since the manifest recorded it included. A missing or empty directory is fine. A one-file report (`--geojson
    FILE`) passes its own names as `scope`: the folder it is written into is the examiner's, not the report's.
    """
    shown = escape_unprintable(str(directory))
    try:
        entries = os.listdir(directory)
    except FileNotFoundError:
        return set()
    except NotADirectoryError:
        if os.path.lexists(directory):
            raise ReportLocationError(f"the report directory {shown} exists and is not a directory") from None
        in_the_way = next(parent for parent in directory.parents if os.path.lexists(parent))
        raise ReportLocationError(
            f"cannot create the report directory {shown}: {escape_unprintable(str(in_the_way))} is not a directory"
        ) from None
    except OSError as exc:
        raise ReportWriteError(f"cannot read the report directory {shown}: {exc.strerror or exc}") from None
    if scope is not None:
        entries = [name for name in entries if name in scope]
    manifest = _read_own(directory / manifest_name, _MANIFEST_FORMAT)
    in_progress = _read_own(directory / in_progress_name, _IN_PROGRESS_FORMAT)
    replaceable: set[str] = set()
    for document, own_name in ((manifest, manifest_name), (in_progress, in_progress_name)):
        if document is None:
            continue
        if document["case_number"] != case_number and not overwrite:
            raise ReportLocationError(
                f"the report directory {shown} holds the report of another case "
                f"({escape_unprintable(document['case_number'])}, not {escape_unprintable(case_number)}); choose "
                "another directory, or pass --overwrite to replace its report files"
            )
        replaceable.add(own_name)
    # Another case's report, under --overwrite: its files are replaced where this report writes the same names,
    # and otherwise left alone, never removed as this case's own earlier files are.
    if manifest is not None and manifest["case_number"] == case_number:
        in_manifest = set(_listed_names(manifest))
        for entry in manifest["files"]:
            # An examiner's edits (a spreadsheet saved over files.csv) are no longer cbis's to replace.
            if (
                isinstance(entry, dict)
                and entry.get("name") in in_manifest
                and _sha256_of(directory / entry["name"]) == entry.get("sha256")
            ):
                replaceable.add(entry["name"])
    if in_progress is not None and in_progress["case_number"] == case_number:
        # A killed report's own files: each one under its final name is complete (written, then renamed).
        replaceable.update(_listed_names(in_progress))
    foreign = sorted(name for name in entries if name not in replaceable and not _is_partial(name))
    if foreign and not overwrite:
        listed = ", ".join(escape_unprintable(name) for name in foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise ReportLocationError(
            f"the report directory {shown} holds files cbis's report of this case did not write or that changed "
            f"since ({listed}); choose an empty or new directory, or pass --overwrite to replace cbis's report "
            "files there (other files are left alone)"
            if scope is None
            else f"{escape_unprintable(str(directory / foreign[0]))} exists and is not cbis's report of this case "
            "(or changed since it was written); choose a new file name, or pass --overwrite to replace it"
        )
    return replaceable & set(entries)


def _is_partial(name: str) -> bool:
    return _PARTIAL_PATTERN.fullmatch(name) is not None


def write_csv_report(
    case: Case,
    out_dir: Path,
    *,
    model_name: str | None = None,
    include_logs: bool = False,
    overwrite: bool = False,
) -> ReportFiles:
    """`cbis report --csv`: write_report in the CSV format."""
    return write_report(case, out_dir, "csv", model_name=model_name, include_logs=include_logs, overwrite=overwrite)


def write_report(
    case: Case,
    out_dir: Path,
    format_name: str,
    *,
    model_name: str | None = None,
    include_logs: bool = False,
    overwrite: bool = False,
) -> ReportFiles:
    """Write the report's tables in a registered format (cbis.reports), then `manifest.json` last: a folder with
    a manifest holds a complete report.

    Each file is written under a temporary name, fsynced and renamed; while a report runs, an in-progress
    marker names its files (and the earlier report's), so a killed run leaves no manifest, no partial file under
    a final name, and a folder the next report of the case may replace.
    """
    report_format = format_named(format_name)
    chosen = [table for table in tables.TABLES if include_logs or not table.log]
    with case.engine.connect() as connection:
        details = case_db.case_details(connection)
        roots = [(shown, raw) for _, shown, raw in queries.evidence_roots(connection)]
    check_report_outside_evidence(out_dir, roots)
    previous = _own_report_files(out_dir, details.case_number, overwrite)
    try:
        return _write_report(case, out_dir, report_format, chosen, previous, details.case_number, model_name)
    except OSError as exc:
        where = escape_unprintable(str(exc.filename or out_dir))
        raise ReportWriteError(
            f"cannot write the report in {escape_unprintable(str(out_dir))}: {where}: {exc.strerror or exc}; "
            "files under their final names are complete, but there is no manifest: run the report again"
        ) from None


def _write_report(
    case: Case,
    out_dir: Path,
    report_format: ReportFormat,
    chosen: list[tables.ReportTable],
    previous: set[str],
    case_number: str,
    model_name: str | None,
) -> ReportFiles:
    names = [f"{table.name}{report_format.suffix}" for table in chosen]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # read-only media, /proc, a file in the way: nothing written yet
        reason = "exists and is not a directory" if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
        failed = escape_unprintable(str(exc.filename or out_dir))
        raise ReportWriteError(
            f"cannot create the report directory {escape_unprintable(str(out_dir))}: {failed}: {reason}"
        ) from None
    _write_json(
        out_dir,
        IN_PROGRESS_NAME,
        {
            "format": _IN_PROGRESS_FORMAT,
            "case_number": case_number,
            "files": sorted(set(names) | (previous - {MANIFEST_NAME, IN_PROGRESS_NAME})),
        },
    )
    # From here the folder no longer looks complete: the manifest goes first, and comes back last.
    with suppress(FileNotFoundError):
        (out_dir / MANIFEST_NAME).unlink()
    for name in os.listdir(out_dir):
        if _is_partial(name) or (name in previous and name not in names and name != IN_PROGRESS_NAME):
            (out_dir / name).unlink()  # a killed run's temporaries, and an earlier report's files not written now
    fsync_directory(out_dir)
    written: list[WrittenFile] = []
    with case.engine.connect() as connection:
        model = select_model(connection, model_name)
        head = case_db.audit_head(connection)  # this report's own "started" entry: the chain as it stood
        for table, name in zip(chosen, names, strict=True):
            written.append(_write(out_dir, name, report_format, table.columns, table.rows(connection, model)))
    _finish(out_dir, MANIFEST_NAME, IN_PROGRESS_NAME, report_format.name, case_number, head, model, written)
    return ReportFiles(
        out_dir.resolve(), {file.name: file.rows for file in written}, model.name if model else None,
        out_dir.resolve() / MANIFEST_NAME,
    )  # fmt: skip


@dataclass(frozen=True)
class ReportDocumentFiles:
    files: dict[Path, int]  # each file written -> items in it (features, placemarks, rows, fileobjects)
    model: str | None
    manifest: Path


def write_document_report(
    case: Case,
    target: Path,
    document_name: str,
    *,
    model_name: str | None = None,
    overwrite: bool = False,
    command_line: str = "",
    filters: SearchFilters | None = None,
) -> ReportDocumentFiles:
    """Write a whole-document report (reports.DOCUMENTS: --geojson FILE, --kmz FILE, --dfxml FILE, --timeline DIR)
    through the same writer as the tables: each file under a temporary name, fsynced and renamed, the manifest last.

    A folder document (--timeline DIR) is a report folder like --csv's, its manifest `manifest.json`. A one-file
    document goes into a folder that is the examiner's: its manifest is `FILE.manifest.json` beside it, and only
    those two names (and its in-progress marker) are the report's to replace; other files there are left alone.

    `filters` (`cbis search`'s) select the files of the documents that take a selection (--html, --pdf,
    --case-uco); None selects every file.
    """
    document = document_named(document_name)
    filters = filters if filters is not None else SearchFilters()
    validate_filters(filters)
    with case.engine.connect() as connection:
        details = case_db.case_details(connection)
        roots = [(shown, raw) for _, shown, raw in queries.evidence_roots(connection)]
    check_report_outside_evidence(target, roots)
    if document.directory:
        out_dir, file_name = target, ""
        manifest_name, in_progress_name, scope = MANIFEST_NAME, IN_PROGRESS_NAME, None
    else:
        if target.is_dir():
            raise ReportLocationError(f"{escape_unprintable(str(target))} is a directory: name the report's file")
        out_dir, file_name = target.parent, target.name
        manifest_name, in_progress_name = f"{file_name}.manifest.json", f".{file_name}.cbis-report-in-progress.json"
        scope = {file_name, manifest_name, in_progress_name}
    previous = _own_report_files(
        out_dir, details.case_number, overwrite,
        manifest_name=manifest_name, in_progress_name=in_progress_name, scope=scope,
    )  # fmt: skip
    try:
        return _write_document(
            case, out_dir, document, file_name, previous, details, model_name, command_line,
            manifest_name, in_progress_name, scope, filters,
        )  # fmt: skip
    except OSError as exc:
        where = escape_unprintable(str(exc.filename or target))
        raise ReportWriteError(
            f"cannot write the report {escape_unprintable(str(target))}: {where}: {exc.strerror or exc}; "
            "files under their final names are complete, but there is no manifest: run the report again"
        ) from None


def _write_document(
    case: Case,
    out_dir: Path,
    document: ReportDocument,
    file_name: str,
    previous: set[str],
    details: case_db.CaseDetails,
    model_name: str | None,
    command_line: str,
    manifest_name: str,
    in_progress_name: str,
    scope: set[str] | None,
    filters: SearchFilters,
) -> ReportDocumentFiles:
    case_number = details.case_number
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "exists and is not a directory" if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
        failed = escape_unprintable(str(exc.filename or out_dir))
        raise ReportWriteError(
            f"cannot create the report directory {escape_unprintable(str(out_dir))}: {failed}: {reason}"
        ) from None
    written: list[WrittenFile] = []
    with case.engine.connect() as connection:
        model = select_model(connection, model_name)
        check_hashset(connection, filters.hashset)
        filters.model_id = model.id if model else None
        context = DocumentContext(
            connection, model, case_number, command_line, filters, details, verify=lambda: verify_case(case)
        )
        parts = document.parts(context, file_name)
        names = [name for name, _ in parts]
        _write_json(
            out_dir,
            in_progress_name,
            {
                "format": _IN_PROGRESS_FORMAT,
                "case_number": case_number,
                "files": sorted(set(names) | (previous - {manifest_name, in_progress_name})),
            },
        )
        with suppress(FileNotFoundError):
            (out_dir / manifest_name).unlink()
        own_partials = {_partial_name(name) for name in names}
        for name in os.listdir(out_dir):
            if scope is not None and name not in scope and name not in own_partials:
                continue  # the examiner's folder: only this report's own names are touched
            if _is_partial(name) or (name in previous and name not in names and name != in_progress_name):
                (out_dir / name).unlink()
        fsync_directory(out_dir)
        head = case_db.audit_head(connection)
        for name, fill in parts:
            count = 0

            def counted(raw: BinaryIO, fill: Callable[[BinaryIO], int] = fill) -> None:
                nonlocal count
                count = fill(raw)

            _replace_durably(out_dir, name, counted)
            path = out_dir / name
            written.append(WrittenFile(name, count, path.stat().st_size, _sha256_of(path) or ""))
    _finish(out_dir, manifest_name, in_progress_name, document.name, case_number, head, model, written)
    resolved = out_dir.resolve()
    return ReportDocumentFiles(
        {resolved / file.name: file.rows for file in written}, model.name if model else None, resolved / manifest_name
    )


def _finish(
    out_dir: Path,
    manifest_name: str,
    in_progress_name: str,
    format_name: str,
    case_number: str,
    head: tuple[int, str] | None,
    model: ModelRef | None,
    written: list[WrittenFile],
) -> None:
    """Every file is in place and fsynced: the manifest last, then the in-progress marker goes (a report whose
    marker is still there was interrupted, whatever files it has)."""
    fsync_directory(out_dir)
    _write_json(
        out_dir,
        manifest_name,
        {
            "format": _MANIFEST_FORMAT,
            "report_format": format_name,
            "cbis_version": __version__,
            "case_number": case_number,
            "written_at": utc_now(),
            "audit_head": {"entry": head[0], "sha256": head[1]} if head else None,
            "model": model.name if model else None,
            "files": [asdict(file) for file in written],
        },
    )
    (out_dir / in_progress_name).unlink()
    fsync_directory(out_dir)
