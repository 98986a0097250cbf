"""Report formats behind one registry, in the manner of datasette's output renderers.

A format turns a table's rows (reports.tables) into a file: it has a name (`cbis report --csv DIR` uses "csv"),
the suffix of its files, and a writer that takes one row at a time, so a report of millions of rows streams in
constant memory and the viewer can stream the same writer to a browser. Every cell goes through
reports.cells.safe_cell, whatever the format. A new format is one module that calls `register`; services.report
does the rest (temporary names, fsync, rename, the manifest) for every format alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TextIO

from cbis.errors import UsageError

RowWriter = Callable[[Mapping[str, Any]], None]


class ReportFormat(Protocol):
    name: str
    suffix: str  # ".csv"
    description: str

    def writer(self, stream: TextIO, columns: Sequence[str]) -> RowWriter:
        """Start a table on `stream` (its header, if the format has one); the returned function writes one row."""
        ...


FORMATS: dict[str, ReportFormat] = {}


def register(report_format: ReportFormat) -> ReportFormat:
    FORMATS[report_format.name] = report_format
    return report_format


def format_named(name: str) -> ReportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise UsageError(f"no report format {name!r}; formats: {', '.join(sorted(FORMATS))}") from None


from cbis.reports import csv_format as _csv_format  # noqa: E402,F401  (registers the built-in format)
