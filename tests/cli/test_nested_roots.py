"""A root inside, around, or equal (by another path) to a root the case holds is refused (issue 13, "Nested
root"): before, indexing a folder of an indexed root added a second root holding the same files again."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers import cbis
from tests.helpers import cbis_process as run
from tests.hostile.test_links_and_loops import bind_mounted

PHOTO = (Path(__file__).parents[1] / "data/metadata/xmp_only_dates.jpg").read_bytes()


def counts(case_dir: Path) -> tuple[int, int]:
    database = sqlite3.connect(case_dir / "case.sqlite")
    try:
        return (
            database.execute("SELECT count(*) FROM evidence").fetchone()[0],
            database.execute("SELECT count(*) FROM files").fetchone()[0],
        )
    finally:
        database.close()


def refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path]:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, "--number", "R-1", "--examiner", "E").returncode == 0
    root = tmp_path / "seized" / "disk"
    for folder in ("photos/2024", "photos/2023", "documents"):
        (root / folder).mkdir(parents=True)
        (root / folder / "a.jpg").write_bytes(PHOTO)
    (root.parent / "other").mkdir()
    (root.parent / "other" / "b.jpg").write_bytes(PHOTO)
    assert run("index", "--case", case_dir, "--no-classify", root).returncode == 0
    assert counts(case_dir) == (1, 3)
    return case_dir, root


def test_a_folder_inside_an_indexed_root_is_refused(indexed: tuple[Path, Path]) -> None:
    case_dir, root = indexed
    refused(
        run("index", "--case", case_dir, "--no-classify", root / "photos" / "2024"),
        f"{root}/photos/2024 is inside the evidence root {root} already indexed into this case",
        f"cbis index {root}",
    )
    assert counts(case_dir) == (1, 3)  # no second root, no duplicate rows


def test_a_folder_holding_an_indexed_root_is_refused(indexed: tuple[Path, Path]) -> None:
    case_dir, root = indexed
    refused(
        run("index", "--case", case_dir, "--no-classify", root.parent),
        f"{root.parent} holds the evidence root {root} already indexed",
        "recorded twice",
    )
    assert counts(case_dir) == (1, 3)


def test_the_same_root_again_and_a_root_beside_it_are_indexed(indexed: tuple[Path, Path]) -> None:
    case_dir, root = indexed
    assert run("index", "--case", case_dir, "--no-classify", root).returncode == 0  # a re-run
    link = root.parent.parent / "link-to-disk"
    link.symlink_to(root)
    assert run("index", "--case", case_dir, "--no-classify", link).returncode == 0  # resolves to the same root
    assert run("index", "--case", case_dir, "--no-classify", root.parent / "other").returncode == 0
    assert counts(case_dir) == (2, 4)


def test_the_indexed_root_through_a_bind_mount_is_refused(indexed: tuple[Path, Path]) -> None:
    case_dir, root = indexed
    with bind_mounted(root, root.parent.parent / "mounted") as mounted:
        if not mounted:
            pytest.skip("needs root and mount --bind")
        refused(
            run("index", "--case", case_dir, "--no-classify", root.parent.parent / "mounted" / "photos"),
            "inside the evidence root",
        )
        refused(
            run("index", "--case", case_dir, "--no-classify", root.parent.parent / "mounted"),
            "reached by another path",
        )
    assert counts(case_dir) == (1, 3)


def test_nested_roots_and_unknown_models_on_both_backends(backend_case: Path, tmp_path: Path) -> None:
    root = tmp_path / "disk"
    (root / "photos").mkdir(parents=True)
    (root / "photos" / "a.jpg").write_bytes(PHOTO)
    assert cbis("index", "--case", backend_case, "--no-classify", root).exit_code == 0
    inside = cbis("index", "--case", backend_case, "--no-classify", root / "photos")
    assert inside.exit_code == 2 and f"inside the evidence root {root}" in inside.stderr
    unknown = cbis("search", "--case", backend_case, "--model", "nosuch")
    assert unknown.exit_code == 2 and "unknown model 'nosuch'; this case holds no predictions" in unknown.stderr
