"""`cbis report --csv`: the original tool's prediction.csv and exif.csv, plus files, unprocessed and summary.

Deterministic (ordered by evidence root, path, rank; fixed float formatting) so two runs on the same case
give byte-identical files that can be hashed into an examiner's report.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbis.db import queries
from cbis.services.cases import Case
from cbis.services.search import select_model

FILES_COLUMNS = (
    "evidence", "path", "size", "md5", "sha1", "sha256", "format", "extension",
    "extension_mismatch", "mtime", "status", "error",
)  # fmt: skip
EXIF_COLUMNS = (
    "path", "sha256", "make", "model", "software", "datetime_original", "gps_latitude", "gps_longitude",
    "gps_altitude", "orientation", "width", "height", "tags_json",
)  # fmt: skip
PREDICTION_COLUMNS = ("path", "sha256", "rank", "label", "wnid", "score", "model")
UNPROCESSED_COLUMNS = ("path", "reason")
SUMMARY_COLUMNS = ("label", "count")

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


def write_csv_report(case: Case, out_dir: Path, *, model_name: str | None = None) -> ReportFiles:
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
    return ReportFiles(out_dir.resolve(), written, model.name if model else None)
