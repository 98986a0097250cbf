from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "evidence-samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    """The shared real-photo samples (/work/shared/evidence-samples); tests that need them skip without."""
    if not (SAMPLES / "jpg").is_dir():
        pytest.skip(f"the evidence samples are not on this machine ({SAMPLES.resolve()})")
    return SAMPLES.resolve()
