"""The CLI as a user runs it: `python -m cbis` in a subprocess, and start-up kept free of TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cbis", *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("module", ["cbis.cli.main", "cbis.services.search", "cbis.services.report", "cbis.db.queries"])
def test_light_modules_do_not_import_tensorflow(module: str) -> None:
    code = f"import sys, {module}; assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_python_dash_m_inventory_end_to_end(evidence: Path, tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, "--number", "E2E", "--examiner", "E").returncode == 0
    indexed = run("index", evidence, "--case", case_dir, "--no-classify")
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout.startswith("indexed ")
    assert "Traceback" not in indexed.stderr
    report = run("report", "--case", case_dir, "--csv", tmp_path / "out")
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "out" / "exif.csv").read_text(encoding="utf-8").count("\n") > 5


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("cbis ")
    result = run("--help")
    assert result.returncode == 0 and "index" in result.stdout
