"""`cbis report --timeline DIR`: timeline.csv and timeline.html, every time the case holds of each image side by
side (DateTimeOriginal, DateTimeDigitized and ModifyDate with the source each came from, the other sources'
values where they disagree, the XMP packet's dates, and the file's mtime, ctime and atime), sorted by time, with
each image's inconsistencies flagged on all its rows:

- DateTimeOriginal later than ModifyDate (a picture modified before it was taken);
- DateTimeOriginal later than the file's mtime, or later than when the case first recorded the file (the start of
  the run that did), i.e. in the future then. A date without an offset is local time in an unknown zone: it is
  flagged only when it is later by more than the 14 hours any zone could explain;
- sources that disagree on a date (ingest.metadata keeps each source's value when they do).

Rows are sorted by the moment (a date without an offset taken as UTC for sorting), then path and kind; both
files are built from the same rows, in memory (about 8 rows an image), and hold no time of their own.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from cbis.db import documents
from cbis.reports import DocumentContext, PartWriter, register_document
from cbis.reports.csv_format import CSV

COLUMNS = ("time", "kind", "source", "path", "sha256", "flags")
DATE_KINDS = (
    ("datetime_original", "DateTimeOriginal"),
    ("datetime_digitized", "DateTimeDigitized"),
    ("modify_date", "ModifyDate"),
)
XMP_DATE_PROPERTIES = (
    "photoshop:DateCreated",
    "exif:DateTimeOriginal",
    "exif:DateTimeDigitized",
    "xmp:CreateDate",
    "xmp:ModifyDate",
    "xmp:MetadataDate",
    "tiff:DateTime",
)
FILE_TIMES = (("mtime", "file mtime"), ("ctime", "file ctime"), ("atime", "file atime"))
ZONE_SLACK = timedelta(hours=14)  # UTC+14 to UTC-12: what an unknown zone can move a local time by


@dataclass(frozen=True)
class TimelineRow:
    time: str
    kind: str
    source: str
    path: str
    sha256: str | None
    flags: str
    sort_key: tuple[datetime, str, str, str]


def moment(text: str | None) -> tuple[datetime, bool] | None:
    """(the moment, whether it has an offset) of a stored date: EXIF's ISO form, an XMP date (perhaps only a
    year or a month), or a stored UTC time. A naive moment is returned as if UTC."""
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00")
    if len(value) == 4:
        value += "-01-01"
    elif len(value) == 7:
        value += "-01"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), False
    return parsed.astimezone(UTC), True


def later(first: str | None, second: str | None, *, second_is_utc: bool = False) -> bool:
    """Whether `first` is certainly later than `second`: by any amount when both name their zone (or neither does,
    as two local times of one camera), else by more than an unknown zone could explain."""
    a, b = moment(first), moment(second)
    if a is None or b is None:
        return False
    (a_time, a_zoned), (b_time, b_zoned) = a, b
    b_zoned = b_zoned or second_is_utc
    if a_zoned == b_zoned:
        return a_time > b_time
    return a_time > b_time + ZONE_SLACK


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def image_flags(row: Mapping[str, Any]) -> list[str]:
    original = row["datetime_original"]
    flags = []
    if later(original, row["modify_date"]):
        flags.append("DateTimeOriginal later than ModifyDate")
    if later(original, row["mtime"], second_is_utc=True):
        flags.append("DateTimeOriginal later than the file's mtime")
    if later(original, row["recorded_at"], second_is_utc=True):
        flags.append("DateTimeOriginal in the future when the case recorded the file")
    conflicts = _json(row["conflicts_json"])
    for field, kind in DATE_KINDS:
        values = conflicts.get(field)
        if isinstance(values, dict) and values:
            shown = "; ".join(f"{source}: {value}" for source, value in values.items())
            flags.append(f"sources disagree on {kind} ({shown})")
    return flags


def image_times(row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(time, kind, source) of every time the case holds of one image, each (source, time) once."""
    sources, conflicts = _json(row["sources_json"]), _json(row["conflicts_json"])
    times: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(time: Any, kind: str, source: str) -> None:
        if isinstance(time, str) and time and (source, time) not in seen:
            seen.add((source, time))
            times.append((time, kind, source))

    for field, kind in DATE_KINDS:
        add(row[field], kind, str(sources.get(field, "EXIF")))
        values = conflicts.get(field)
        if isinstance(values, dict):
            for source, value in values.items():
                add(value, kind, str(source))
    xmp = _json(row["tags_json"]).get("XMP")
    if isinstance(xmp, dict):
        for name in XMP_DATE_PROPERTIES:
            if isinstance(xmp.get(name), str):
                add(xmp[name].strip(), "XMP date", f"XMP ({name})")
    for field, kind in FILE_TIMES:
        add(row[field], kind, "file system")
    return times


def timeline_rows(images: Iterable[Mapping[str, Any]]) -> list[TimelineRow]:
    rows = []
    for image in images:
        flags = "; ".join(image_flags(image))
        for time, kind, source in image_times(image):
            parsed = moment(time)
            key_time = parsed[0] if parsed else datetime.max.replace(tzinfo=UTC)
            rows.append(
                TimelineRow(
                    time, kind, source, image["path"], image["sha256"], flags, (key_time, image["path"], kind, source)
                )
            )
    rows.sort(key=lambda row: row.sort_key)
    return rows


_CSS = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.flagged td { background: #fff3cd; }
td.flags { color: #8a1f11; }
code { word-break: break-all; }
"""


def _html(case_number: str, rows: list[TimelineRow], stream: io.TextIOBase) -> None:
    e = html.escape
    stream.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    stream.write(f"<title>Timeline: case {e(case_number)}</title><style>{_CSS}</style></head><body>\n")
    stream.write(f"<h1>Timeline of case {e(case_number)}</h1>\n")
    flagged: dict[str, str] = {}
    for row in rows:
        if row.flags:
            flagged.setdefault(row.path, row.flags)
    stream.write(f"<h2>Images with inconsistent times ({len(flagged)})</h2>\n")
    if flagged:
        stream.write("<table><tr><th>path</th><th>flags</th></tr>\n")
        for path in sorted(flagged):
            stream.write(
                f'<tr class="flagged"><td><code>{e(path)}</code></td><td class="flags">{e(flagged[path])}</td></tr>\n'
            )
        stream.write("</table>\n")
    else:
        stream.write("<p>None.</p>\n")
    stream.write(f"<h2>Every time, oldest first ({len(rows)})</h2>\n<table><tr>")
    stream.write("".join(f"<th>{column}</th>" for column in COLUMNS) + "</tr>\n")
    for row in rows:
        css = ' class="flagged"' if row.flags else ""
        cells = (
            e(row.time),
            e(row.kind),
            e(row.source),
            f"<code>{e(row.path)}</code>",
            f"<code>{e(row.sha256 or '')}</code>",
        )
        stream.write(f"<tr{css}>" + "".join(f"<td>{cell}</td>" for cell in cells))
        stream.write(f'<td class="flags">{e(row.flags)}</td></tr>\n')
    stream.write("</table>\n</body></html>\n")


def _text_fill(raw: BinaryIO, write: Any) -> None:
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")  # type: ignore[arg-type]
    try:
        write(stream)
        stream.flush()
    finally:
        stream.detach()


class TimelineDocument:
    name = "timeline"
    description = "timeline.csv and timeline.html: every stored time of every image, sorted, inconsistencies flagged"
    directory = True

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        rows: list[TimelineRow] = []

        def csv_fill(raw: BinaryIO) -> int:
            rows.extend(timeline_rows(documents.timeline_images(context.connection)))

            def write(stream: io.TextIOBase) -> None:
                row_writer = CSV.writer(stream, COLUMNS)  # type: ignore[arg-type]
                for row in rows:
                    row_writer({column: getattr(row, column) for column in COLUMNS})

            _text_fill(raw, write)
            return len(rows)

        def html_fill(raw: BinaryIO) -> int:
            _text_fill(raw, lambda stream: _html(context.case_number, rows, stream))
            return len(rows)

        return [("timeline.csv", csv_fill), ("timeline.html", html_fill)]


TIMELINE = register_document(TimelineDocument())
