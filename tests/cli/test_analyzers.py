"""The analyzer seam from the command line: `cbis analyzers`, `cbis index --analyze`, and an analyzer added to a
case made by an earlier cbis. The second analyzer is tests/analyzers/mean_colour.py, registered from here only.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cbis.services import examine
from tests.analyzers import mean_colour
from tests.conftest import EXAMPLES, tree_fingerprint
from tests.helpers import cbis

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
# The last case file made before the analyzer seam (scripts/make-old-case 5 6b1feb4): indexed and classified by
# that cbis, with examples/evidence.
PRE_ANALYZER_CASE = CASES / "v5.sqlite"
IMAGES_IN_EXAMPLES = 12


def rows(case_dir: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        return connection.execute(sql, params).fetchall()


@pytest.fixture
def with_mean_colour() -> Iterator[None]:
    with mean_colour.registered():
        yield


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real decoder, counted: one entry per decode of a file's picture."""
    calls: list[str] = []
    real = examine.decode_image

    def counted(source, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(type(source).__name__)
        return real(source, **kwargs)

    monkeypatch.setattr(examine, "decode_image", counted)
    return calls


def new_case(directory: Path) -> Path:
    result = cbis("case", "new", directory, "--number", "A-1", "--examiner", "Test Examiner")
    assert result.exit_code == 0, result.output
    return directory


def mean_colours(case_dir: Path) -> dict[str, dict]:
    return {
        path: json.loads(result)
        for path, result in rows(
            case_dir,
            "SELECT files.path, result_json FROM analysis_results JOIN files ON files.id = analysis_results.file_id "
            "JOIN analyzers ON analyzers.id = analysis_results.analyzer_id WHERE analyzers.name = 'mean-colour'",
        )
    }


def test_cbis_analyzers_lists_each_with_its_availability(with_mean_colour: None) -> None:
    result = cbis("analyzers")
    assert result.exit_code == 0, result.output
    assert "imagenet (default)" in result.stdout and "mean-colour" in result.stdout
    assert "mean-colour (default)" not in result.stdout
    lines = [line for line in result.stdout.splitlines() if "imagenet" in line or "mean-colour" in line]
    assert all("yes" in line for line in lines), result.stdout


def test_analyze_refuses_unknown_names_and_contradictions(case_dir: Path) -> None:
    result = cbis("index", EXAMPLES, "--case", case_dir, "--analyze", "imagenet,nope")
    assert result.exit_code == 2
    assert "unknown analyzer 'nope'" in result.stderr and "imagenet" in result.stderr
    result = cbis("index", EXAMPLES, "--case", case_dir, "--analyze", "imagenet", "--no-classify")
    assert result.exit_code == 2 and "--no-classify" in result.stderr
    result = cbis("index", EXAMPLES, "--case", case_dir, "--analyze", "none", "--model", "mobilenet-v2")
    assert result.exit_code == 2 and "--model" in result.stderr
    assert rows(case_dir, "SELECT count(*) FROM runs") == [(0,)]  # refused before any run began


def test_a_second_analyzer_decodes_no_file_twice(with_mean_colour: None, decodes: list[str], tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    one = new_case(tmp_path / "one")
    assert cbis("index", evidence, "--case", one).exit_code == 0
    alone = len(decodes)
    decodes.clear()
    both = new_case(tmp_path / "both")
    result = cbis("index", evidence, "--case", both, "--analyze", "imagenet,mean-colour")
    assert result.exit_code == 0, result.output
    assert alone == len(decodes) >= IMAGES_IN_EXAMPLES  # every sniffed image once (and the two broken ones)
    colours = mean_colours(both)
    assert len(colours) == IMAGES_IN_EXAMPLES
    # Decoded once, at the size the larger need asks for (the classifier's), and the same as with imagenet alone.
    assert rows(both, "SELECT count(*) FROM predictions WHERE rank = 1") == [(IMAGES_IN_EXAMPLES,)]
    assert rows(one, "SELECT files.path, label, score FROM predictions JOIN files ON files.id = file_id") == rows(
        both, "SELECT files.path, label, score FROM predictions JOIN files ON files.id = file_id"
    )
    # An analyzer added later to the same files decodes each of them once more, and only them.
    decodes.clear()
    again = cbis("index", evidence, "--case", one, "--analyze", "imagenet,mean-colour")
    assert again.exit_code == 0, again.output
    assert len(decodes) == IMAGES_IN_EXAMPLES
    assert mean_colours(one) == colours


@pytest.fixture
def pre_analyzer_case(tmp_path: Path) -> tuple[Path, Path]:
    """A case made by cbis before the analyzer seam, with its evidence, upgraded to today's schema."""
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    case_dir = tmp_path / "old"
    case_dir.mkdir()
    shutil.copyfile(PRE_ANALYZER_CASE, case_dir / "case.sqlite")
    with sqlite3.connect(case_dir / "case.sqlite") as connection:  # the evidence moved with the case
        connection.execute("UPDATE evidence SET root = ?, root_bytes = ?", (str(evidence), os.fsencode(evidence)))
        recorded = connection.execute("SELECT path_bytes, size, mtime_ns FROM files").fetchall()
    # The copy as the old cbis saw it: the same bytes (its SHA-256s are checked below), the same modification times.
    for path_bytes, size, mtime_ns in recorded:
        path = os.path.join(os.fsencode(evidence), path_bytes)
        assert os.stat(path).st_size == size
        os.utime(path, ns=(mtime_ns, mtime_ns))
    result = cbis("case", "upgrade", "--case", case_dir)
    assert result.exit_code == 0, result.output
    return case_dir, evidence


def report(case_dir: Path, directory: Path) -> dict[str, bytes]:
    result = cbis("report", "--case", case_dir, "--csv", directory)
    assert result.exit_code == 0, result.output
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.name != "manifest.json"}


TABLES_OF_EARLIER_ROWS = ("files", "exif", "predictions", "embeddings", "models", "walk_skips", "evidence")


def earlier_rows(case_dir: Path) -> dict[str, list[tuple]]:
    """Every row the old cbis wrote, as it wrote it; but `files.last_run_id`, the last run whose walk saw the
    file, which every run moves on (it is how a report says when a file was last seen)."""
    found = {table: rows(case_dir, f"SELECT * FROM {table} ORDER BY 1") for table in TABLES_OF_EARLIER_ROWS}
    columns = [name for (_, name, *_) in rows(case_dir, "PRAGMA table_info(files)")]
    last_run = columns.index("last_run_id")
    found["files"] = [row[:last_run] + row[last_run + 1 :] for row in found["files"]]
    return found


def test_an_old_case_gets_a_second_analyzer_and_only_its_rows(
    with_mean_colour: None, pre_analyzer_case: tuple[Path, Path], tmp_path: Path
) -> None:
    case_dir, evidence = pre_analyzer_case
    before = earlier_rows(case_dir)
    report_before = report(case_dir, tmp_path / "report-before")

    # The bytes of one picture change, its size and modification time kept: `stat` says unchanged, the SHA-256 not.
    changed = evidence / "camera" / "Canon_40D.jpg"
    stat = changed.stat()
    data = bytearray(changed.read_bytes())
    data[-3] ^= 0xFF  # inside the entropy-coded data, before the end marker: still a picture
    changed.write_bytes(bytes(data))
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fingerprint = tree_fingerprint(evidence)

    result = cbis("index", evidence, "--case", case_dir, "--analyze", "mean-colour")
    assert result.exit_code == 0, result.output
    assert tree_fingerprint(evidence) == fingerprint
    # Reported, never analysed as if it were the file recorded.
    assert "camera/Canon_40D.jpg" in result.stderr and "SHA-256 now" in result.stderr
    assert "1 changed since indexed although size and mtime did not, not analysed" in result.stdout
    colours = mean_colours(case_dir)
    assert sorted(colours) == sorted(
        path
        for (path,) in rows(case_dir, "SELECT path FROM files WHERE status = 'image'")
        if path != "camera/Canon_40D.jpg"
    )
    assert rows(case_dir, "SELECT content_changed, images_indexed FROM runs ORDER BY id DESC LIMIT 1") == [
        (1, IMAGES_IN_EXAMPLES - 1)
    ]
    # Only new rows: every earlier row is as the old cbis wrote it, and so is every report of them.
    assert earlier_rows(case_dir) == before
    assert report(case_dir, tmp_path / "report-after") == report_before
    [(name, version, provenance)] = rows(case_dir, "SELECT name, version, provenance_json FROM analyzers")
    assert (name, version) == ("mean-colour", "1") and "box-filtered" in json.loads(provenance)["method"]

    # A re-run finds nothing left to do for it (the changed file is reported again, and again not analysed).
    again = cbis("index", evidence, "--case", case_dir, "--analyze", "mean-colour")
    assert again.exit_code == 0, again.output
    assert "indexed 0 images" in again.stdout and "1 changed since indexed" in again.stdout
    assert mean_colours(case_dir) == colours
    info = cbis("case", "info", "--case", case_dir)
    [line] = [line for line in info.stdout.splitlines() if line.startswith("analyzers")]
    assert "mean-colour version 1 (runs " in line and "imagenet" not in line  # the old runs recorded none


def test_a_plain_index_of_an_old_case_adds_only_the_default_analyzers_it_lacks(
    pre_analyzer_case: tuple[Path, Path],
) -> None:
    """The classifier has every image's output already (the old predictions count): only the perceptual hashes,
    new since, are added, and every earlier row stays as it was."""
    case_dir, evidence = pre_analyzer_case
    before = earlier_rows(case_dir)
    result = cbis("index", evidence, "--case", case_dir)
    assert result.exit_code == 0, result.output
    assert f"indexed {IMAGES_IN_EXAMPLES} images, 0 unprocessed, 3 skipped as unchanged" in result.stdout
    assert earlier_rows(case_dir) == before
    assert rows(case_dir, "SELECT count(*) FROM perceptual_hashes") == [(IMAGES_IN_EXAMPLES,)]
    assert rows(case_dir, "SELECT count(*) FROM analysis_results") == [(0,)]
    again = cbis("index", evidence, "--case", case_dir)
    assert "indexed 0 images, 0 unprocessed, 15 skipped as unchanged" in again.stdout
