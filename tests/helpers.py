"""Small helpers shared by tests: run the CLI in-process with real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cbis.cli.main import app


def cbis(*args: str | Path, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Invoke `cbis ARGS` in-process; crashes surface as exceptions instead of passing as exit 1."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)


def cbis_process(
    *args: str | Path,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m cbis ARGS` in a fresh process, as an examiner runs it; the developer's $CBIS_CASE never leaks in."""
    return subprocess.run(
        [sys.executable, "-m", "cbis", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        input=stdin,
        env={**os.environ, "CBIS_CASE": "", **(env or {})},
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str, status: int = 2) -> str:
    """The command failed with `status` and exactly one `Error: ` line holding each of `words`, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.returncode == status, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
