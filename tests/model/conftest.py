"""Shared fixtures for the classifier tests: an isolated cache, real images, loaded classifiers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import platformdirs
import pytest
from model_test_support import DATA_DIR
from PIL import Image

from cbis.model.base import Classifier
from cbis.model.cache import models_cache_dir
from cbis.model.registry import load_classifier


@pytest.fixture(scope="session", autouse=True)
def cbis_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One conversion cache per test run, shared by all tests, never the user's real cache.

    tests/conftest.py may point CBIS_HOME at its own session directory for each test; either way the cache is a
    temporary directory shared by the run, so tests that look inside it ask ``models_cache_dir()``.
    """
    home = tmp_path_factory.mktemp("cbis-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CBIS_HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def classifier_for(cbis_home: Path) -> Callable[[str, str], Classifier]:
    """load_classifier, memoised per (model, backend) for the session: conversion and start-up are paid once."""

    @functools.cache
    def load(name: str, backend: str) -> Classifier:
        assert models_cache_dir() != Path(platformdirs.user_cache_dir("cbis")) / "models", "would touch the real cache"
        return load_classifier(name, backend=backend)

    return load


@pytest.fixture(scope="session")
def chelsea() -> Image.Image:
    with Image.open(DATA_DIR / "chelsea.png") as image:
        return image.convert("RGB")


@pytest.fixture(scope="session")
def coffee() -> Image.Image:
    with Image.open(DATA_DIR / "coffee.png") as image:
        return image.convert("RGB")
