"""Report formats behind one registry, in the manner of datasette's output renderers.

A format turns a table's rows (reports.tables) into a file: it has a name (`cbis report --csv DIR` uses "csv"),
the suffix of its files, and a writer that takes one row at a time, so a report of millions of rows streams in
constant memory and the viewer can stream the same writer to a browser. Every cell goes through
reports.cells.safe_cell, whatever the format. A new format is one module that calls `register`; services.report
does the rest (temporary names, fsync, rename, the manifest) for every format alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TextIO

from cbis.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from cbis.db.case import CaseDetails
    from cbis.db.queries import ModelRef, SearchFilters
    from cbis.services.verify import VerifyResult

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


# Whole-document formats. GeoJSON, KMZ, DFXML and the timeline are not tables written row by row in one format:
# each is one document (a FeatureCollection, a zip, an XML tree, a CSV beside an HTML page) built from its own
# query. They get the same writer (temporary name, fsync, rename, a manifest last, never in the evidence) through
# a second, equally small registry: a name and the parts it writes, each a file name and a function that fills it.

PartWriter = Callable[[BinaryIO], int]  # fills one file, returns how many items (features, rows...) it wrote


@dataclass(frozen=True)
class DocumentContext:
    connection: Connection
    model: ModelRef | None  # whose top-1 label to show (the CSV report's choice)
    case_number: str
    command_line: str  # the command as the audit log records it
    # The files a selecting document reports (--html, --pdf, --case-uco take `cbis search`'s filters); the
    # others report every file and ignore it. Validated, with the model's id set, before the document starts.
    filters: SearchFilters | None = None
    details: CaseDetails | None = None  # the case's number, examiner and description
    # `cbis verify` of the case, run when a document asks for it (the HTML report's custody section).
    verify: Callable[[], VerifyResult] | None = None


class ReportDocument(Protocol):
    name: str  # "geojson": `cbis report --geojson FILE`
    description: str
    directory: bool  # True: the parts are files in a folder named on the command line (--timeline DIR)

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        """The files to write, in order: for a one-file document, one part named `file_name`."""
        ...


DOCUMENTS: dict[str, ReportDocument] = {}


def register_document(document: ReportDocument) -> ReportDocument:
    DOCUMENTS[document.name] = document
    return document


def document_named(name: str) -> ReportDocument:
    try:
        return DOCUMENTS[name]
    except KeyError:
        raise UsageError(f"no report document {name!r}; documents: {', '.join(sorted(DOCUMENTS))}") from None


from cbis.reports import case_uco_format as _case_uco_format  # noqa: E402,F401
from cbis.reports import csv_format as _csv_format  # noqa: E402,F401  (registers the built-in format)
from cbis.reports import dfxml_format as _dfxml_format  # noqa: E402,F401
from cbis.reports import geojson_format as _geojson_format  # noqa: E402,F401
from cbis.reports import html_format as _html_format  # noqa: E402,F401
from cbis.reports import kmz_format as _kmz_format  # noqa: E402,F401
from cbis.reports import pdf_format as _pdf_format  # noqa: E402,F401
from cbis.reports import timeline_format as _timeline_format  # noqa: E402,F401
from cbis.reports import vics_format as _vics_format  # noqa: E402,F401
