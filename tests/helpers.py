"""Small helpers shared by tests: run the CLI in-process with real files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cbis.cli.main import app


def cbis(*args: str | Path, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Invoke `cbis ARGS` in-process; crashes surface as exceptions instead of passing as exit 1."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)
