"""Report formats behind one registry: a format is one module (here: one class in the test) and `cbis report`
writes it with the same guarantees as CSV; the viewer's export and the report share one writer; and the layering
rule that keeps the viewer out of the services holds."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import pytest

from cbis import reports
from cbis.errors import UsageError
from cbis.reports.cells import safe_cell
from cbis.services.cases import open_case
from cbis.services.report import write_report
from tests.helpers import cbis

SRC = Path(__file__).resolve().parents[2] / "src" / "cbis"


class TabSeparated:
    """A format added from outside cbis: tab-separated, no quoting, cells made safe as every format's are."""

    name = "tsv-test"
    suffix = ".tsv"
    description = "tab-separated values (registered by the tests)"

    def writer(self, stream: TextIO, columns: Sequence[str]) -> reports.RowWriter:
        stream.write("\t".join(columns) + "\n")

        def write(row: Mapping[str, Any]) -> None:
            stream.write("\t".join(safe_cell(row[column]).replace("\t", " ") for column in columns) + "\n")

        return write


@pytest.fixture
def indexed_case(evidence: Path, case_dir: Path) -> Path:
    result = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert result.exit_code == 0, result.output
    return case_dir


@pytest.fixture
def tab_separated() -> Iterator[TabSeparated]:
    registered = reports.register(TabSeparated())
    try:
        yield registered
    finally:
        reports.FORMATS.pop(registered.name)


def test_a_registered_format_gets_every_table_and_the_manifest(
    indexed_case: Path, tmp_path: Path, tab_separated: TabSeparated
) -> None:
    csv_dir, tsv_dir = tmp_path / "csv", tmp_path / "tsv"
    assert cbis("report", "--case", indexed_case, "--csv", csv_dir).exit_code == 0
    case = open_case(indexed_case)
    try:
        written = write_report(case, tsv_dir, tab_separated.name)
    finally:
        case.close()
    assert sorted(written.files) == sorted(p.name.replace(".csv", ".tsv") for p in csv_dir.glob("*.csv"))
    manifest = json.loads((tsv_dir / "manifest.json").read_text())
    assert manifest["report_format"] == "tsv-test"
    for name in ("files", "exif", "prediction", "unprocessed", "summary"):
        csv_lines = (csv_dir / f"{name}.csv").read_text().splitlines()
        tsv_lines = (tsv_dir / f"{name}.tsv").read_text().splitlines()
        assert len(tsv_lines) == len(csv_lines), name  # same rows (no cell here holds a newline)
        assert tsv_lines[0].split("\t") == csv_lines[0].split(","), name  # same columns, in order
        assert written.files[f"{name}.tsv"] == len(tsv_lines) - 1


def test_an_unknown_format_is_a_usage_error(indexed_case: Path, tmp_path: Path) -> None:
    case = open_case(indexed_case)
    try:
        with pytest.raises(UsageError, match="no report format 'nosuch'; formats: csv"):
            write_report(case, tmp_path / "out", "nosuch")
    finally:
        case.close()
    assert not (tmp_path / "out").exists()


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_viewer_imports_nothing_from_the_services() -> None:
    offending = {
        str(path.relative_to(SRC)): sorted(m for m in imported_modules(path) if m.startswith("cbis.services"))
        for path in (SRC / "web").rglob("*.py")
    }
    assert not {path: modules for path, modules in offending.items() if modules}
    assert imported_modules(SRC / "web" / "views.py") >= {"cbis.reports.csv_format", "cbis.reports.tables"}
