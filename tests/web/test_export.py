"""The gallery's CSV export: `cbis report --csv`'s files.csv columns and cells, rows of the current filter."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from cbis.reports.tables import FILES_COLUMNS
from cbis.services.cases import open_case
from cbis.services.indexer import IndexOptions, index_evidence
from cbis.services.report import write_csv_report
from cbis.web import create_app
from tests.web.conftest import ViewerCase, listed_ids


@pytest.fixture(scope="module")
def files_csv(shared_case: ViewerCase, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The lines of the case's own files.csv, as `cbis report --csv` writes it."""
    case = open_case(shared_case.case_dir, readonly=True)
    try:
        written = write_csv_report(case, tmp_path_factory.mktemp("report"))
    finally:
        case.close()
    return (Path(written.directory) / "files.csv").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "query", ["", "has_gps=1", "make=acme&from=2020", "unprocessed=1", "ext_mismatch=1", "label=%3Cscript%3E"]
)
def test_export_has_files_csv_columns_and_the_filters_rows(
    client: FlaskClient, shared_case: ViewerCase, files_csv: list[str], query: str
) -> None:
    response = client.get(f"/export/files.csv?{query}&per_page=240")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == files_csv[0] == ",".join(FILES_COLUMNS)
    # Same rows, byte for byte, as files.csv holds for the files the gallery lists (both sorted by path).
    paths = shared_case.paths()
    listed = {paths[i] for i in listed_ids(client.get(f"/?{query}&per_page=240").get_data(as_text=True))}
    assert listed
    expected = [line for line in files_csv[1:] if next(csv.reader([line]))[1] in listed]
    assert lines[1:] == expected


def test_export_follows_the_sort(client: FlaskClient, shared_case: ViewerCase) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/export/files.csv?sort=score").get_data(as_text=True))))
    gallery = listed_ids(client.get("/?sort=score&per_page=240").get_data(as_text=True))
    paths = shared_case.paths()
    assert [row["path"] for row in rows] == [paths[i] for i in gallery]


def test_export_cells_are_safe_for_spreadsheets(fresh_case: ViewerCase) -> None:
    shutil.copy(fresh_case.evidence / "camera" / "Canon_40D.jpg", fresh_case.evidence / "=HYPERLINK(1).jpg")
    case = open_case(fresh_case.case_dir)
    try:
        index_evidence(case, fresh_case.evidence, IndexOptions(classify=False, workers=1))
    finally:
        case.close()
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()
    rows = list(csv.reader(io.StringIO(client.get("/export/files.csv?camera_model=EOS+40D").get_data(as_text=True))))
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(1).jpg", "camera/Canon_40D.jpg"]


def test_export_refuses_invalid_filters(client: FlaskClient) -> None:
    assert client.get("/export/files.csv?min_score=2").status_code == 400
