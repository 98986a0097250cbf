from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from cbis.services.report import safe_cell
from tests.helpers import cbis


@pytest.fixture
def indexed_case(evidence: Path, case_dir: Path) -> Path:
    result = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert result.exit_code == 0, result.output
    return case_dir


def search_json(case_dir: Path, *args: str) -> list[dict]:
    result = cbis("search", "--case", case_dir, "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_search_filters_combine(indexed_case: Path) -> None:
    gps = {hit["path"] for hit in search_json(indexed_case, "--has-gps")}
    assert {"gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "misc/holiday-notes.txt"} <= gps
    assert "camera/Canon_40D.jpg" not in gps
    nikon = {hit["path"] for hit in search_json(indexed_case, "--make", "nikon")}
    assert "camera/Nikon_D70.jpg" in nikon and "camera/Canon_40D.jpg" not in nikon
    both = {hit["path"] for hit in search_json(indexed_case, "--make", "nikon", "--has-gps")}
    assert both == nikon & gps
    assert {hit["path"] for hit in search_json(indexed_case, "--camera-model", "EOS 40D")} == {"camera/Canon_40D.jpg"}


def test_search_by_each_hash_kind(indexed_case: Path) -> None:
    with sqlite3.connect(indexed_case / "case.sqlite") as connection:
        md5, sha1, sha256 = connection.execute(
            "SELECT md5, sha1, sha256 FROM files WHERE path = 'misc/IMG_0001.jpg'"
        ).fetchone()
    for digest in (md5, sha1, sha256.upper()):
        assert [hit["path"] for hit in search_json(indexed_case, "--hash", digest)] == ["misc/IMG_0001.jpg"]
    bad = cbis("search", "--case", indexed_case, "--hash", "abc")
    assert bad.exit_code == 2 and "--hash takes" in bad.stderr


def test_search_dates_mismatch_and_unprocessed(indexed_case: Path) -> None:
    in_2008 = search_json(indexed_case, "--from", "2008-01-01", "--to", "2008-12-31")
    assert "camera/Canon_40D.jpg" in {hit["path"] for hit in in_2008}
    assert all(hit["datetime_original"].startswith("2008") for hit in in_2008)
    on_day = search_json(indexed_case, "--from", "2008-05-30", "--to", "2008-05-30")
    assert "camera/Canon_40D.jpg" in {hit["path"] for hit in on_day}
    mismatched = {hit["path"] for hit in search_json(indexed_case, "--ext-mismatch")}
    assert mismatched == {"misc/holiday-notes.txt", "misc/IMG_0001.jpg"}
    unprocessed = search_json(indexed_case, "--unprocessed")
    assert {hit["path"] for hit in unprocessed} >= {"misc/IMG_0001.jpg"}
    assert all(hit["error"] for hit in unprocessed)
    assert cbis("search", "--case", indexed_case, "--from", "yesterday").exit_code == 2


def test_search_table_and_limit(indexed_case: Path) -> None:
    result = cbis("search", "--case", indexed_case, "--limit", "2")
    assert result.exit_code == 0
    assert "2 result(s)" in result.stdout
    assert len(search_json(indexed_case, "--limit", "3")) == 3


def test_report_csv_columns_and_determinism(indexed_case: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "r1", tmp_path / "r2"
    assert cbis("report", "--case", indexed_case, "--csv", first).exit_code == 0
    assert cbis("report", "--case", indexed_case, "--csv", second).exit_code == 0
    expected_headers = {
        "files.csv": "evidence,path,size,md5,sha1,sha256,format,extension,extension_mismatch,mtime,status,error",
        "exif.csv": "path,sha256,make,model,software,datetime_original,gps_latitude,gps_longitude,gps_altitude,"
        "orientation,width,height,tags_json",
        "prediction.csv": "path,sha256,rank,label,wnid,score,model",
        "unprocessed.csv": "path,reason",
        "summary.csv": "label,count",
    }
    for name, header in expected_headers.items():
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes(), f"{name} differs between two runs"
        assert data.decode("utf-8").splitlines()[0] == header
    with open(first / "files.csv", encoding="utf-8") as stream:
        files = list(csv.DictReader(stream))
    assert [row["path"] for row in files] == sorted(row["path"] for row in files)
    assert {row["status"] for row in files} == {"image", "unprocessed", "other"}
    with open(first / "exif.csv", encoding="utf-8") as stream:
        exif = {row["path"]: row for row in csv.DictReader(stream)}
    assert exif["gps/DSCN0010.jpg"]["gps_latitude"] == "43.467448"
    assert json.loads(exif["camera/Canon_40D.jpg"]["tags_json"])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-12.5", "-12.5"),
        (-3, "-3"),
        ("Canon\x00\x1b[31m", "Canon[31m"),
        (0.5, "0.500000"),
        (None, ""),
        (True, "true"),
    ],
)
def test_report_cells_are_safe_for_spreadsheets(value: object, cell: str) -> None:
    assert safe_cell(value) == cell
