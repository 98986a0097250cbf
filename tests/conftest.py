"""Shared fixtures: real case databases in tmp dirs, real evidence trees, and isolation from the user's files."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "evidence"
SHARED_SAMPLES = REPO.parent / "shared" / "evidence-samples"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never read a developer's $CBIS_CASE or write to their cache; share one model cache per test session."""
    monkeypatch.delenv("CBIS_CASE", raising=False)
    monkeypatch.delenv("CBIS_EXAMINER", raising=False)
    monkeypatch.setenv("CBIS_HOME", str(_session_home(tmp_path_factory)))


_home: dict[str, Path] = {}


def _session_home(factory: pytest.TempPathFactory) -> Path:
    if "path" not in _home:
        _home["path"] = factory.mktemp("cbis-home")
    return _home["path"]


def tree_fingerprint(root: Path) -> dict[bytes, tuple[str, int, int]]:
    """Names, content hashes, sizes and mtimes of everything under root: evidence must never change."""
    fingerprint: dict[bytes, tuple[str, int, int]] = {}
    for directory, dirnames, filenames in os.walk(os.fsencode(root)):
        dirnames.sort()
        for name in [*dirnames, *filenames]:
            path = os.path.join(directory, name)
            st = os.lstat(path)
            digest = ""
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as stream:
                    digest = hashlib.sha256(stream.read()).hexdigest()
            fingerprint[os.path.relpath(path, os.fsencode(root))] = (digest, st.st_size, st.st_mtime_ns)
    return fingerprint


@pytest.fixture
def evidence(tmp_path: Path) -> Iterator[Path]:
    """A copy of the bundled sample evidence, checked unchanged after the test."""
    root = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, root)
    before = tree_fingerprint(root)
    yield root
    assert tree_fingerprint(root) == before, "the evidence tree changed"


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    from cbis.services.cases import create_case

    directory = tmp_path / "case"
    create_case(directory, number="T-1", examiner="Test Examiner", description="test case").close()
    return directory
