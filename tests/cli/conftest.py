"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cbis
from tests.web.conftest import MODEL_A, classify


@pytest.fixture
def classified(evidence: Path, backend_case: Path) -> Path:
    """The sample evidence indexed without the model, then given top-5 labels of MODEL_A (model-a, weights
    "a" * 64) through the db layer's writer, as `cbis index` stores them: a classified case without TensorFlow."""
    result = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert result.exit_code == 0, result.output
    classify(backend_case, MODEL_A)
    return backend_case
