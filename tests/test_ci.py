"""CI (.ci/run) fails on any skip .ci/allowed-skips does not list, read from a real pytest -ra log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHECK_SKIPS = REPO / ".ci" / "check-skips"


def pytest_log(tmp_path: Path, files: dict[str, str]) -> Path:
    """The output of a real pytest -ra run over `files` (relative path -> source), as .ci/run saves it."""
    project = tmp_path / "project"
    for relpath, source in files.items():
        (project / relpath).parent.mkdir(parents=True, exist_ok=True)
        (project / relpath).write_text(source, encoding="utf-8")
    (project / "pytest.ini").write_text("[pytest]\naddopts = -ra\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=project, capture_output=True, text=True
    )
    log = tmp_path / "pytest.log"
    log.write_text(run.stdout + run.stderr, encoding="utf-8")
    return log


def check(log: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHECK_SKIPS, log], capture_output=True, text=True)


PASSING = "def test_ok():\n    assert True\n"
BROWSER_SKIP = "import pytest\n\ndef test_browser():\n    pytest.skip('/usr/bin/chromium is missing')\n"
INTERRUPT_SKIP = "import pytest\n\ndef test_race():\n    pytest.skip('the run finished before the interrupt landed')\n"


def test_a_run_without_skips_passes(tmp_path: Path) -> None:
    result = check(pytest_log(tmp_path, {"tests/test_a.py": PASSING}))
    assert result.returncode == 0, result.stderr


def test_an_unlisted_skip_fails_ci_and_is_named(tmp_path: Path) -> None:
    log = pytest_log(tmp_path, {"tests/test_a.py": PASSING, "tests/web/test_browser.py": BROWSER_SKIP})
    assert "SKIPPED [1] tests/web/test_browser.py:4: /usr/bin/chromium is missing" in log.read_text()
    result = check(log)
    assert result.returncode == 1
    assert "tests/web/test_browser.py:4: /usr/bin/chromium is missing" in result.stderr


def test_a_listed_skip_passes_only_where_it_is_listed(tmp_path: Path) -> None:
    allowed = pytest_log(tmp_path / "allowed", {"tests/cli/test_index.py": INTERRUPT_SKIP})
    assert check(allowed).returncode == 0
    # The same reason from another test is not the allowed skip.
    elsewhere = pytest_log(tmp_path / "elsewhere", {"tests/cli/test_other.py": INTERRUPT_SKIP})
    assert check(elsewhere).returncode == 1


def test_ci_runs_the_demo_before_the_tests_and_checks_the_skips() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in script.splitlines() if not line.lstrip().startswith("#")]
    demo = commands.index("make demo")
    tests = next(n for n, line in enumerate(commands) if line.startswith("make test"))
    checked = commands.index('.ci/check-skips "$log"')
    assert demo < tests < checked
