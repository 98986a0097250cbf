"""CSV, the original tool's format: one header row, "\\n" line ends, UTF-8, every cell made safe."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from operator import itemgetter
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
        cells = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)

        def write(row: Mapping[str, Any]) -> None:
            output.writerow(map(safe_cell, cells(row)))

        return write


CSV = register(CsvFormat())
