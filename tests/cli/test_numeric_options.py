"""Numbers a user can type that no setting should take: beyond 64 bits, NaN, infinities, zero and negatives.
Each is refused with exit 2 and the rule on one line, before any work (issue 12, item 14). Before, a --limit
beyond 64 bits was an OverflowError from SQLite, --workers one a RuntimeError from the thread pool,
--file-time-limit nan switched the limit off and --max-pixels -5 refused every image."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import cbis_process as run

BEYOND_64_BITS = str(2**64 + 1)


def assert_refused(result: subprocess.CompletedProcess[str], rule: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert rule in lines[0], lines[0]
    assert result.returncode == 2, result.stderr


@pytest.fixture(scope="module")
def case_and_evidence(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("numeric")
    case_dir = where / "case"
    assert run("case", "new", case_dir, "--number", "N-1", "--examiner", "E").returncode == 0
    evidence = where / "evidence"
    evidence.mkdir()
    (evidence / "photo.jpg").write_bytes((Path(__file__).parents[1] / "data/metadata/xmp_only_dates.jpg").read_bytes())
    return case_dir, evidence


@pytest.mark.parametrize(
    ("option", "value", "rule"),
    [
        ("--workers", BEYOND_64_BITS, "--workers must be between 1 and 1024"),
        ("--workers", "100000", "--workers must be between 1 and 1024"),
        ("--batch-size", BEYOND_64_BITS, "--batch-size must be between 1 and 4096"),
        ("--top-k", BEYOND_64_BITS, "--top-k must be between 1 and 20"),
        ("--max-pixels", BEYOND_64_BITS, "--max-pixels must be between 1 and 1000000000000"),
        ("--max-pixels", "-5", "--max-pixels must be between 1 and"),
        ("--max-pixels", "0", "--max-pixels must be between 1 and"),
        ("--file-time-limit", "nan", "--file-time-limit must be a number of seconds above 0 and at most 86400"),
        ("--file-time-limit", "inf", "--file-time-limit must be a number of seconds above 0"),
        ("--file-time-limit", "-inf", "--file-time-limit must be a number of seconds above 0"),
        ("--file-time-limit", "-1", "--file-time-limit must be a number of seconds above 0"),
        ("--file-time-limit", "1e300", "--file-time-limit must be a number of seconds above 0"),
    ],
)
def test_index_refuses_numbers_out_of_range(
    case_and_evidence: tuple[Path, Path], option: str, value: str, rule: str
) -> None:
    case_dir, evidence = case_and_evidence
    assert_refused(run("index", "--case", case_dir, "--no-classify", f"{option}={value}", evidence), rule)


@pytest.mark.parametrize(
    ("option", "rule"),
    [("--ray-actors", "--ray-actors must be between 1 and 1024"), ("--ray-threads", "--ray-threads must be between 1")],
)
def test_ray_options_beyond_64_bits_are_refused_before_ray_starts(
    case_and_evidence: tuple[Path, Path], option: str, rule: str
) -> None:
    case_dir, evidence = case_and_evidence
    result = run("index", "--case", case_dir, "--ray", "local", f"{option}={BEYOND_64_BITS}", evidence)
    assert_refused(result, rule)


@pytest.mark.parametrize("value", [BEYOND_64_BITS, str(2**63), "0", "-3"])
def test_search_limit_out_of_range(case_and_evidence: tuple[Path, Path], value: str) -> None:
    case_dir, _ = case_and_evidence
    assert_refused(run("search", "--case", case_dir, f"--limit={value}"), "--limit must be between 1 and")


def test_search_limit_at_the_64_bit_bound_works(case_and_evidence: tuple[Path, Path]) -> None:
    case_dir, evidence = case_and_evidence
    assert run("index", "--case", case_dir, "--no-classify", evidence).returncode == 0
    result = run("search", "--case", case_dir, f"--limit={2**63 - 1}", "--json")
    assert result.returncode == 0, result.stderr
    assert '"photo.jpg"' in result.stdout


def test_min_score_nan_is_refused(case_and_evidence: tuple[Path, Path]) -> None:
    case_dir, _ = case_and_evidence
    assert_refused(run("search", "--case", case_dir, "--min-score=nan"), "--min-score is a probability")
