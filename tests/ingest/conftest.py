from pathlib import Path

import pytest

from tests.conftest import EVIDENCE_SAMPLES


@pytest.fixture(scope="session")
def samples() -> Path:
    """The real-photo samples shipped in tests/data/evidence-samples (see its README.md for their licence)."""
    return EVIDENCE_SAMPLES
