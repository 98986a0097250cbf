"""Helpers shared by the classifier tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from cbis.model.base import Classifier
from cbis.model.registry import list_models

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "model"

# Models whose weights are on this machine; the others' tests are skipped (inception-v3 needs a downloaded file).
AVAILABLE_MODELS = [status.name for status in list_models() if status.available]


def mixed_batch(classifier: Classifier, images: list[Image.Image], noise_count: int = 1) -> np.ndarray:
    """Real photos plus seeded noise images, prepared and stacked."""
    rng = np.random.default_rng(3)
    size = classifier.input_size
    noise = [
        Image.fromarray(rng.integers(0, 256, (size + 40, size + 10, 3), dtype=np.uint8)) for _ in range(noise_count)
    ]
    return np.stack([classifier.prepare(image) for image in [*images, *noise]])
