"""File names chosen to break reports, terminals and spreadsheets: kept byte for byte in the case, shown escaped,
never run as a formula, and matched again by `cbis verify`."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from cbis.ingest.walk import display_path
from cbis.reports.cells import safe_cell
from tests.hostile.corpus import HOSTILE_NAMES, build, create_named, small_jpeg
from tests.hostile.helpers import assert_accounted, cbis_run, new_case, rows, untouched

FORMULA_START = ("=", "+", "-", "@")


def report_cells(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / name, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def assert_safe_for_spreadsheets(directory: Path) -> None:
    """No cell of any report holds a control character, or starts like a formula without the neutralising '."""
    for name in ("files.csv", "exif.csv", "prediction.csv", "unprocessed.csv", "summary.csv"):
        raw = (directory / name).read_bytes()
        assert b"\r" not in raw and b"\x00" not in raw, name
        for row in report_cells(directory, name):
            for column, cell in row.items():
                assert cell.isprintable(), (name, column, cell[:80])
                if cell.startswith(FORMULA_START):
                    assert cell.lstrip("-+").replace(".", "", 1).isdigit(), (name, column, cell[:80])


def test_hostile_names_survive_byte_for_byte_and_are_shown_escaped(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    root = os.fsencode(evidence)
    os.makedirs(root)
    # At the top of the tree, so that each path cell of the report begins with the hostile name itself.
    names = [create_named(root, name, small_jpeg(number)) for number, name in enumerate(HOSTILE_NAMES)]
    names.append(create_named(root, b"=SUM(A1)/nested/@dir/-x.txt", b"a note in directories named like formulas\n"))
    names.append(create_named(root, b"\xff\xfe-truncated.jpg", small_jpeg(99)[:150]))  # its reason is reported too
    with untouched(evidence) as tree:
        result = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
        assert result.returncode == 0, result.stderr
        assert_accounted(case_dir, evidence, tree)
        report = cbis_run("report", "--case", case_dir, "--csv", tmp_path / "report")
        assert report.returncode == 0, report.stderr
        verified = cbis_run("verify", "--case", case_dir)
        assert verified.returncode == 0, verified.stdout
        searched = cbis_run("search", "--case", case_dir, "--json", "--limit", "1000")
        assert searched.returncode == 0, searched.stderr
    stored = {bytes(path_bytes): path for path_bytes, path in rows(case_dir, "SELECT path_bytes, path FROM files")}
    assert set(stored) == set(names)  # the bytes on disk, exactly
    for name in names:
        shown = stored[name]
        assert shown == display_path(os.fsdecode(name))
        assert shown.isprintable(), shown  # newlines, escapes, bidi overrides and bad bytes all escaped
    assert stored[b"\xff\xfe.jpg"] == "\\xff\\xfe.jpg"
    assert stored[b"new\nline.jpg"] == "new\\nline.jpg"
    assert stored["bidi-\u202egpj.exe".encode()] == "bidi-\\u202egpj.exe"
    assert stored[b"back\\slash\\n.jpg"] == "back\\\\slash\\\\n.jpg"  # never mistaken for an escape
    assert len(max(names, key=len)) == 255

    files = {row["path"]: row for row in report_cells(tmp_path / "report", "files.csv")}
    assert set(files) == {safe_cell(path) for path in stored.values()}
    assert files["'=cmd|' /C calc'!A0.jpg"]["status"] == "image"
    assert {'\'=HYPERLINK("http:evil").jpg', "'+SUM(1+1).jpg", "'-2+3.jpg", "'@import.jpg", "'-"} <= set(files)
    assert files["'=SUM(A1)/nested/@dir/-x.txt"]["status"] == "other"
    [unprocessed] = report_cells(tmp_path / "report", "unprocessed.csv")
    assert unprocessed["path"] == "\\xff\\xfe-truncated.jpg" and "truncated" in unprocessed["reason"].lower()
    assert_safe_for_spreadsheets(tmp_path / "report")
    images = {path for (path,) in rows(case_dir, "SELECT path FROM files WHERE status = 'image'")}
    assert {json.loads(line)["path"] for line in searched.stdout.splitlines()} == images


def test_report_cells_hold_no_control_characters_whatever_the_evidence_root_is_called(tmp_path: Path) -> None:
    """An evidence root named with a C1 control (U+0085, a line break to many tools) and a line separator: the
    files.csv evidence column must not carry them into the examiner's spreadsheet."""
    evidence = tmp_path / "evidence\u0085root\u2028x"
    build(evidence, [("a.jpg", small_jpeg(1)), ("=b.jpg", small_jpeg(2))])
    case_dir = new_case(tmp_path / "case")
    with untouched(evidence):
        assert cbis_run("index", evidence, "--case", case_dir, "--no-classify").returncode == 0
    assert cbis_run("report", "--case", case_dir, "--csv", tmp_path / "report").returncode == 0
    assert_safe_for_spreadsheets(tmp_path / "report")
    cells = report_cells(tmp_path / "report", "files.csv")
    assert [row["path"] for row in cells] == ["'=b.jpg", "a.jpg"]
    # shown escaped, like file names: visible to the examiner, inert in the spreadsheet
    assert {row["evidence"] for row in cells} == {str(tmp_path / "evidence\\u0085root\\u2028x")}


def test_an_evidence_root_whose_path_is_not_utf8(tmp_path: Path, case_dir: Path) -> None:
    evidence = os.fsencode(tmp_path) + b"/evidence-\xff-seized"
    create_named(evidence, b"photo.jpg", small_jpeg(1))
    result = cbis_run("index", os.fsdecode(evidence), "--case", case_dir, "--no-classify")
    assert result.returncode == 0, result.stderr[-500:]
    assert rows(case_dir, "SELECT path, status FROM files") == [("photo.jpg", "image")]
    assert rows(case_dir, "SELECT root, root_bytes FROM evidence") == [
        (os.fsdecode(evidence).replace("\udcff", "\\xff"), evidence)
    ]
    assert cbis_run("verify", "--case", case_dir).returncode == 0


def test_a_name_that_looks_like_rich_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    """Terminal tables print cells through rich, which would take "[bold red]" for a style and drop it: the
    examiner would read another name than the file's. Every table shows names as plain text."""
    from PIL import Image

    from tests.helpers import cbis, cbis_process

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    name = "[bold red]alert [italic]x.jpg"  # no closing tag: a name holds no slash
    Image.new("RGB", (40, 30), (200, 30, 30)).save(evidence / name)
    (evidence / "copy.jpg").write_bytes((evidence / name).read_bytes())
    case_dir = tmp_path / "case"
    assert cbis("case", "new", case_dir, "--number", "[b]N-1[/b]", "--examiner", "E").exit_code == 0
    assert cbis("index", evidence, "--case", case_dir, "--no-classify").exit_code == 0
    wide = {"COLUMNS": "400"}  # a fresh process: the table's width is read when the console starts
    assert name in cbis_process("search", "--case", case_dir, env=wide).stdout
    assert name in cbis_process("duplicates", "--case", case_dir, "--kind", "exact", env=wide).stdout
    assert "[b]N-1[/b]" in cbis_process("case", "info", "--case", case_dir, env=wide).stdout
