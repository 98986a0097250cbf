"""The one concrete ``Classifier``: preprocessing, a forward pass on some backend, and ImageNet labels."""

from __future__ import annotations

import numpy as np
from PIL import Image

from cbis.errors import UsageError
from cbis.model.backends import Forward
from cbis.model.base import MAX_TOP_K, MIN_TOP_K, ModelProvenance, Prediction
from cbis.model.labels import ImageNetLabels
from cbis.model.preprocess import Preprocessor

# Larger batches are run in slices: memory stays bounded, and a LiteRT interpreter is not resized for one odd N.
_MAX_FORWARD_BATCH = 64


class ImageNetClassifier:
    def __init__(
        self,
        *,
        name: str,
        input_size: int,
        draft_size: int,
        provenance: ModelProvenance,
        preprocessor: Preprocessor,
        forward: Forward,
        labels: ImageNetLabels,
    ) -> None:
        self.name = name
        self.input_size = input_size
        self.draft_size = draft_size
        self.provenance = provenance
        self._preprocessor = preprocessor
        self._forward = forward
        self._labels = labels

    def __repr__(self) -> str:
        return f"<ImageNetClassifier {self.name} on {self.provenance.backend}>"

    def prepare(self, image: Image.Image) -> np.ndarray:
        return self._preprocessor(image)

    def classify(self, batch: np.ndarray, top_k: int = 5) -> list[list[Prediction]]:
        return self.classify_and_embed(batch, top_k)[0]

    def embed(self, batch: np.ndarray) -> np.ndarray:
        return self._run(batch)[1]

    def classify_and_embed(self, batch: np.ndarray, top_k: int = 5) -> tuple[list[list[Prediction]], np.ndarray]:
        _check_top_k(top_k)
        probabilities, pooled = self._run(batch)
        return self._top_predictions(probabilities, top_k), pooled

    def _run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        batch = np.asarray(batch)
        expected = (self.input_size, self.input_size, 3)
        if batch.ndim != 4 or batch.shape[1:] != expected or batch.shape[0] < 1:
            raise ValueError(
                f"{self.name} takes a batch of shape (N, {', '.join(map(str, expected))}), got {batch.shape}"
            )
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        results = [
            self._forward(batch[start : start + _MAX_FORWARD_BATCH])
            for start in range(0, len(batch), _MAX_FORWARD_BATCH)
        ]
        probabilities = np.concatenate([result[0] for result in results])
        pooled = np.concatenate([result[1] for result in results])
        return probabilities, np.ascontiguousarray(pooled, dtype=np.float32)

    def _top_predictions(self, probabilities: np.ndarray, top_k: int) -> list[list[Prediction]]:
        # A stable sort on the negated scores: equal scores keep class-index order, so results are reproducible.
        best_first = np.argsort(-probabilities, axis=1, kind="stable")[:, :top_k]
        return [
            [
                Prediction(
                    rank=rank,
                    wnid=self._labels.wnids[index],
                    label=self._labels.names[index],
                    score=float(scores[index]),
                )
                for rank, index in enumerate(indices.tolist(), start=1)
            ]
            for scores, indices in zip(probabilities, best_first, strict=True)
        ]


def _check_top_k(top_k: int) -> None:
    if not MIN_TOP_K <= top_k <= MAX_TOP_K:
        raise UsageError(f"top-k must be between {MIN_TOP_K} and {MAX_TOP_K}, got {top_k}")
