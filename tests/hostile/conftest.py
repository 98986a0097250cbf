"""Fixtures of the hostile-input suite (see docs/robustness.md): places nobody can reach, and root checks."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root: to mount a read-only bind and to drop to user nobody (CI runs the suite as root)",
)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A fresh directory under /tmp that user nobody can reach (pytest's own temporary directories are 0700)."""
    directory = Path(tempfile.mkdtemp(prefix="cbis-hostile-", dir="/tmp"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
