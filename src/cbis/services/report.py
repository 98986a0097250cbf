"""`cbis report --csv`: the original tool's prediction.csv and exif.csv, plus files, unprocessed and summary.

Deterministic (ordered by evidence root, path, rank; fixed float formatting) so two runs on the same case
give byte-identical files that can be hashed into an examiner's report.

With `include_logs`, also the chain-of-custody logs (audit_log.csv, access_log.csv, and login_refusals.csv, the
viewer's tally of refused logins). Those are outside that promise: every command appends to the audit log, the
report itself included, so they differ from run to run.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cbis.db import access, queries
from cbis.db import case as case_db
from cbis.services.cases import Case
from cbis.services.search import select_model

FILES_COLUMNS = (
    "evidence", "path", "size", "md5", "sha1", "sha256", "format", "extension",
    "extension_mismatch", "mtime", "status", "error", "missing_since_run",
)  # fmt: skip
# The original tool's columns first, in its order (width and height: the size as stored); then cbis's own.
EXIF_COLUMNS = (
    "path", "sha256", "make", "model", "software", "datetime_original", "gps_latitude", "gps_longitude",
    "gps_altitude", "orientation", "width", "height", "tags_json",
    "lens_model", "body_serial", "datetime_digitized", "modify_date", "displayed_width", "displayed_height",
    "sources_json", "metadata_conflict", "conflicts_json",
)  # fmt: skip
PREDICTION_COLUMNS = ("path", "sha256", "rank", "label", "wnid", "score", "model")
UNPROCESSED_COLUMNS = ("path", "reason")
SUMMARY_COLUMNS = ("label", "count")
AUDIT_LOG_COLUMNS = (
    "id", "time_utc", "examiner", "os_user", "host", "cbis_version", "command", "outcome", "prev_hash", "row_hash",
)  # fmt: skip
ACCESS_LOG_COLUMNS = ("id", "time_utc", "username", "remote_addr", "method", "path", "file_id", "status", "event")
LOGIN_REFUSALS_COLUMNS = ("remote_addr", "window_start", "refused", "last_at", "last_username")

# Control characters other than tab are stripped: a NUL or escape sequence in hostile EXIF must not reach
# the examiner's spreadsheet or terminal, and a raw newline would split a row for line-based tools. That means
# the C1 controls too (U+0080-U+009F: U+009B is an 8-bit CSI to some terminals, U+0085 a line break to Python's
# splitlines and to Excel) and the Unicode line and paragraph separators. Paths keep theirs visibly, escaped by
# display_path before they were stored.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Text for one CSV cell: floats fixed, control characters removed, spreadsheet formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.6f}"
    elif isinstance(value, int):
        return str(value)  # numbers, negative ones included, are data, not formulas
    else:
        text = _CONTROL.sub("", str(value))
    if text.startswith(_FORMULA_START) and not _is_number(text):
        # OWASP's advice: a leading apostrophe makes spreadsheets show the text instead of running it.
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ReportFiles:
    directory: Path
    files: dict[str, int]  # file name -> data rows written
    model: str | None


def _write(path: Path, columns: tuple[str, ...], rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(row[column]) for column in columns])
            count += 1
    return count


def write_csv_report(
    case: Case, out_dir: Path, *, model_name: str | None = None, include_logs: bool = False
) -> ReportFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with case.engine.connect() as connection:
        model = select_model(connection, model_name)
        written["files.csv"] = _write(out_dir / "files.csv", FILES_COLUMNS, queries.file_rows(connection))
        written["exif.csv"] = _write(out_dir / "exif.csv", EXIF_COLUMNS, queries.exif_rows(connection))
        predictions = queries.prediction_rows(connection, model.id) if model else iter(())
        written["prediction.csv"] = _write(out_dir / "prediction.csv", PREDICTION_COLUMNS, predictions)
        written["unprocessed.csv"] = _write(
            out_dir / "unprocessed.csv", UNPROCESSED_COLUMNS, queries.unprocessed_rows(connection)
        )
        counts = queries.top1_label_counts(connection, model.id) if model else []
        written["summary.csv"] = _write(
            out_dir / "summary.csv", SUMMARY_COLUMNS, ({"label": label, "count": n} for label, n in counts)
        )
        if include_logs:
            audit_rows = (asdict(record) for record in case_db.audit_records(connection))
            written["audit_log.csv"] = _write(out_dir / "audit_log.csv", AUDIT_LOG_COLUMNS, audit_rows)
            access_rows = (asdict(record) for record in access.access_log_records(connection))
            written["access_log.csv"] = _write(out_dir / "access_log.csv", ACCESS_LOG_COLUMNS, access_rows)
            refusal_rows = (asdict(record) for record in access.refusal_records(connection))
            written["login_refusals.csv"] = _write(out_dir / "login_refusals.csv", LOGIN_REFUSALS_COLUMNS, refusal_rows)
    return ReportFiles(out_dir.resolve(), written, model.name if model else None)
