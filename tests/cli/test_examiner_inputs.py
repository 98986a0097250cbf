"""What a new examiner types (issue 13, "Errors and inputs"): impossible dates, dates with offsets, paths as typed,
flags, unknown models, an empty evidence path, and output piped to a file. Real `cbis` subprocesses on real cases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data"
# Dated only in XMP: xmp:CreateDate 2013-09-23T10:09:46+02:00 is its date taken.
DATED = DATA / "metadata/xmp_only_dates.jpg"


def run(*args: str | Path, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cbis", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        input=stdin,
        env={**os.environ, "CBIS_CASE": ""},
    )


def assert_refused(result: subprocess.CompletedProcess[str], *words: str, status: int = 2) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.returncode == status, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A case holding one dated image, indexed with --no-classify."""
    where = tmp_path_factory.mktemp("inputs")
    case_dir = where / "case"
    assert run("case", "new", case_dir, "--number", "I-1", "--examiner", "E").returncode == 0
    evidence = where / "evidence"
    (evidence / "photos").mkdir(parents=True)
    (evidence / "photos/dated.jpg").write_bytes(DATED.read_bytes())
    result = run("index", "--case", case_dir, "--no-classify", evidence)
    assert result.returncode == 0, result.stderr
    return case_dir, evidence


def found(case_dir: Path, *args: str) -> list[str]:
    result = run("search", "--case", case_dir, "--json", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["path"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "2023-02-29", "2024-05-31T24:00", "2024-05-31T13:60"])
def test_impossible_dates_are_refused(inventory: tuple[Path, Path], value: str) -> None:
    case_dir, _ = inventory
    assert_refused(run("search", "--case", case_dir, "--from", value), f"--from {value}: no such date", "2024-05-31")
    assert_refused(run("search", "--case", case_dir, "--to", value), f"--to {value}: no such date")


@pytest.mark.parametrize("value", ["31/05/2024", "2024-5-31", "yesterday", "2024-05-31Z", "2024-05-31T13:45+15:00"])
def test_malformed_dates_are_refused_with_the_forms_that_work(inventory: tuple[Path, Path], value: str) -> None:
    case_dir, _ = inventory
    assert_refused(run("search", "--case", case_dir, "--from", value), "--from takes a date", "+02:00")


def test_from_after_to_is_refused(inventory: tuple[Path, Path]) -> None:
    case_dir, _ = inventory
    assert_refused(
        run("search", "--case", case_dir, "--from", "2013-10", "--to", "2013-09-30"), "--from 2013-10 is after --to"
    )
    assert found(case_dir, "--from", "2013-09-23", "--to", "2013-09") == ["photos/dated.jpg"]


def test_a_leap_day_is_a_date(inventory: tuple[Path, Path]) -> None:
    case_dir, _ = inventory
    assert found(case_dir, "--from", "2024-02-29") == []


@pytest.mark.parametrize(
    ("bounds", "hit"),
    [
        (("--from", "2013-09-23T10:09:46+02:00"), True),
        (("--to", "2013-09-23T10:09:46+02:00"), True),
        # The offset of a bound is set aside: local times as written are compared (the stored +02:00 too).
        (("--from", "2013-09-23T10:09:46Z"), True),
        (("--from", "2013-09-23T10:09:46-05:00"), True),
        (("--to", "2013-09-23T10:09:45+02:00"), False),
        (("--from", "2013-09-23 10:09:47+0200"), False),
        (("--from", "2013-09-23T10:09:46.999Z"), True),  # to the second, as the stored dates are
    ],
)
def test_dates_with_an_offset_are_accepted(inventory: tuple[Path, Path], bounds: tuple[str, str], hit: bool) -> None:
    case_dir, _ = inventory
    assert found(case_dir, *bounds) == (["photos/dated.jpg"] if hit else [])
