"""The whole-document reports (--geojson, --kmz, --dfxml FILE; --timeline DIR) get the CSV report's guarantees:
never inside the evidence (a symlink into it included, --overwrite or not); a FILE that is not cbis's report of
this case is refused unless the examiner says --overwrite; and the folder a FILE goes into stays the examiner's:
only the report's own file and its FILE.manifest.json there are ever replaced."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.hostile.corpus import build, camera_exif, small_jpeg
from tests.hostile.helpers import cbis_run, new_case, untouched

FILE_OPTIONS = ("--geojson", "--kmz", "--dfxml")


@pytest.fixture(scope="module")
def suspect(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(case, evidence): photos with a position, one without, and a folder."""
    base = tmp_path_factory.mktemp("documents")
    evidence, case_dir = base / "evidence", base / "case"
    build(evidence, [(f"docs/p{n}.jpg", small_jpeg(n, exif=camera_exif(n))) for n in range(3)])
    build(evidence, [("plain.jpg", small_jpeg(9)), ("map.geojson", b'{"the suspect\'s": "own"}\n')])
    new_case(case_dir)
    assert cbis_run("index", evidence, "--case", case_dir, "--no-classify").returncode == 0
    return case_dir, evidence


def report(case_dir: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return cbis_run("report", "--case", case_dir, *args)


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_no_document_report_goes_inside_the_evidence(suspect: tuple[Path, Path], tmp_path: Path) -> None:
    case_dir, evidence = suspect
    (tmp_path / "into-docs").symlink_to(evidence / "docs")
    with untouched(evidence):
        for option in FILE_OPTIONS:
            for target in (evidence / "map.geojson", evidence / "docs" / "new.out", tmp_path / "into-docs" / "x"):
                for extra in ((), ("--overwrite",)):
                    assert_refused(report(case_dir, option, target, *extra), "inside the evidence", str(evidence))
        for target in (evidence / "timeline", tmp_path / "into-docs" / "timeline"):
            assert_refused(report(case_dir, "--timeline", target, "--overwrite"), "inside the evidence")
    assert not (evidence / "timeline").exists() and not (evidence / "docs" / "new.out").exists()
    assert report(case_dir, "--geojson", tmp_path / "beside.geojson").returncode == 0


@pytest.mark.parametrize("option", FILE_OPTIONS)
def test_a_file_that_is_not_this_case_s_report_is_refused(
    suspect: tuple[Path, Path], tmp_path: Path, option: str
) -> None:
    case_dir, _ = suspect
    folder = tmp_path / "examiner"
    folder.mkdir()
    (folder / "notes.txt").write_bytes(b"an examiner's notes\n")
    target = folder / "case.out"
    target.write_bytes(b"someone else's file\n")
    assert_refused(report(case_dir, option, target), "case.out", "--overwrite")
    assert target.read_bytes() == b"someone else's file\n"
    assert sorted(os.listdir(folder)) == ["case.out", "notes.txt"]
    forced = report(case_dir, option, target, "--overwrite")
    assert forced.returncode == 0, forced.stderr
    manifest = json.loads((folder / "case.out.manifest.json").read_text(encoding="utf-8"))
    assert manifest["case_number"] == "HOSTILE-1" and manifest["report_format"] == option[2:]
    assert manifest["files"][0]["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert sorted(os.listdir(folder)) == ["case.out", "case.out.manifest.json", "notes.txt"]  # nothing else touched
    again = report(case_dir, option, target)  # its own report: replaced without --overwrite
    assert again.returncode == 0, again.stderr
    target.write_bytes(target.read_bytes() + b"\n")  # changed since: no longer cbis's to replace
    assert_refused(report(case_dir, option, target), "case.out", "--overwrite")
    assert (folder / "notes.txt").read_bytes() == b"an examiner's notes\n"


def test_another_case_s_document_is_refused(suspect: tuple[Path, Path], tmp_path: Path) -> None:
    case_dir, _ = suspect
    other = tmp_path / "other-case"
    assert cbis_run("case", "new", other, "--number", "OTHER-7", "--examiner", "Someone").returncode == 0
    target = tmp_path / "map.geojson"
    assert report(other, "--geojson", target).returncode == 0
    before = target.read_bytes()
    assert_refused(report(case_dir, "--geojson", target), "another case", "OTHER-7", "--overwrite")
    assert target.read_bytes() == before
    assert report(case_dir, "--geojson", target, "--overwrite").returncode == 0
    assert b"docs/p0.jpg" in target.read_bytes()


def test_a_file_report_named_as_a_directory_is_one_line(suspect: tuple[Path, Path], tmp_path: Path) -> None:
    case_dir, _ = suspect
    assert_refused(report(case_dir, "--kmz", tmp_path), "is a directory")
    result = report(case_dir)
    assert result.returncode == 2 and "--geojson FILE" in result.stderr
