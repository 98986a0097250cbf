"""A `cbis case new` killed half-way leaves nothing that blocks the next one: the case is built under a temporary
name and renamed into place, and the next `cbis case new` removes what a killed one left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.hostile.helpers import cbis_run, rows

# The real CLI, SIGKILLed from inside at a chosen step of building the case.
_KILLED_AT = textwrap.dedent(
    """
    import os, signal, sys
    from cbis.services import cases
    step = sys.argv[1]
    def kill(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    if step == "migrate":  # the schema half made
        original_migrate = cases.migrate
        def migrate(engine):
            original_migrate(engine)
            kill()
        cases.migrate = migrate
    elif step == "audit":  # the case's details in, its audit rows not yet
        cases.record_action = kill
    elif step == "rename":  # everything written, not yet in place
        cases.os.rename = kill
    from cbis.cli.main import app
    sys.argv = ["cbis", *sys.argv[2:]]
    app()
    """
)


def leftovers(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if ".cbis-new-" in name)


@pytest.mark.parametrize("folder_exists", [False, True], ids=["new-folder", "existing-folder"])
@pytest.mark.parametrize("step", ["migrate", "audit", "rename"])
def test_a_killed_case_new_leaves_nothing_that_blocks_a_retry(tmp_path: Path, step: str, folder_exists: bool) -> None:
    case_dir = tmp_path / "cases" / "2026-0042"
    if folder_exists:
        case_dir.mkdir(parents=True)
    args = ("case", "new", str(case_dir), "--number", "2026-0042", "--examiner", "Ada")
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AT, step, *args], capture_output=True, text=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # Nothing under the case's name looks like a case.
    assert case_dir.is_dir() == folder_exists
    if folder_exists:
        assert sorted(os.listdir(case_dir)) == leftovers(case_dir)  # no case.sqlite, only the build
    assert leftovers(case_dir if folder_exists else case_dir.parent)  # the killed build, under its own name
    info = cbis_run("case", "info", "--case", case_dir)
    assert info.returncode == 2 and "is not a cbis case" in info.stderr and "Traceback" not in info.stderr
    # The retry succeeds and clears what the killed run left.
    again = cbis_run(*args)
    assert again.returncode == 0, again.stderr
    assert leftovers(case_dir.parent) == [] and leftovers(case_dir) == []
    assert sorted(os.listdir(case_dir)) == ["case.sqlite"]
    assert rows(case_dir, "SELECT case_number FROM case_info") == [("2026-0042",)]
    # The case holds its own creation, started and ok.
    assert [outcome for (outcome,) in rows(case_dir, "SELECT outcome FROM audit_log ORDER BY id")] == ["started", "ok"]
    assert cbis_run("case", "info", "--case", case_dir).returncode == 0


def test_a_running_case_new_s_build_is_left_alone(tmp_path: Path) -> None:
    """Only builds whose process is gone are removed: another examiner's `case new` still running is not."""
    parent = tmp_path / "cases"
    parent.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = parent / f".2026-0042.cbis-new-{sleeper.pid}"
        running.mkdir()
        (running / "case.sqlite").write_bytes(b"")
        created = cbis_run("case", "new", parent / "2026-0042", "--number", "2026-0042", "--examiner", "Ada")
        assert created.returncode == 0, created.stderr
        assert running.is_dir()
    finally:
        sleeper.kill()
        sleeper.wait()
