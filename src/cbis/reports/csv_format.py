"""CSV, the original tool's format: one header row, "\\n" line ends, UTF-8, every cell made safe."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from cbis.reports import RowWriter, register
from cbis.reports.cells import safe_cell


class CsvFormat:
    name = "csv"
    suffix = ".csv"
    description = "comma-separated values, a header row first"

    def writer(self, stream: TextIO, columns: Sequence[str]) -> RowWriter:
        output = csv.writer(stream, lineterminator="\n")
        output.writerow(columns)

        def write(row: Mapping[str, Any]) -> None:
            output.writerow([safe_cell(row[column]) for column in columns])

        return write


CSV = register(CsvFormat())
