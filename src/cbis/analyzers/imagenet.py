"""The first analyzer: ImageNet labels (top-k with scores) and pooled CNN features, from one forward pass.

The model itself (registry, weights, backends) is cbis.model; this module is only what makes it an analyzer.
Its provenance is the model's (`ModelProvenance`), as the case has always recorded it, and its output is a
`cbis.records.Classification`, which the db layer writes to the predictions and embeddings tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np

from cbis.analyzers.base import AnalysisInput, AnalyzerSettings, AnalyzerSpec, Needs
from cbis.records import Classification, PredictionRow

if TYPE_CHECKING:
    from cbis.model.base import Classifier
    from cbis.model.preprocess import Preprocessor

NAME = "imagenet"
# Bump when what this module stores for the same model changes (not for a new model: that is its provenance).
VERSION = "1"
# Provenance fields that say which network ran; not the weights file's path, which may differ from node to node
# for the same bytes.
_IDENTITY_KEYS = (
    "name",
    "architecture",
    "weights_sha256",
    "source_package",
    "source_version",
    "tensorflow_version",
    "keras_version",
    "preprocessing",
    "input_size",
    "backend",
)


class ImageNetPreparer:
    """The model's input preparation without the model: what a Ray examine task needs."""

    def __init__(self, preprocessor: Preprocessor, draft_size: int) -> None:
        self._preprocessor = preprocessor
        self.needs = Needs(image=True, draft_size=draft_size)

    def prepare(self, source: AnalysisInput) -> np.ndarray | None:
        if source.image is None:
            return None
        return self._preprocessor(source.image)


class ImageNetAnalyzer(ImageNetPreparer):
    name = NAME
    version = VERSION
    output = Classification
    accelerator = True

    def __init__(self, classifier: Classifier, top_k: int, preprocessor: Preprocessor) -> None:
        super().__init__(preprocessor, classifier.draft_size)
        self.classifier = classifier
        self.top_k = top_k
        self.batch_size: int | None = None

    def provenance(self) -> dict[str, Any]:
        return asdict(self.classifier.provenance)

    def identity(self) -> dict[str, Any]:
        provenance = self.provenance()
        return {key: provenance.get(key) for key in _IDENTITY_KEYS}

    def analyze(self, inputs: Sequence[np.ndarray]) -> list[Any]:
        predictions, embeddings = self.classifier.classify_and_embed(np.stack(inputs), top_k=self.top_k)
        return [
            Classification(
                predictions=[PredictionRow(p.rank, p.wnid, p.label, float(p.score)) for p in top],
                embedding=np.asarray(vector, dtype="<f2").tobytes(),
                embedding_dim=int(vector.shape[-1]),
            )
            for top, vector in zip(predictions, embeddings, strict=True)
        ]


def _model(settings: AnalyzerSettings) -> str:
    from cbis.model.registry import DEFAULT_MODEL

    return settings.model or DEFAULT_MODEL


def preparer(settings: AnalyzerSettings) -> ImageNetPreparer:
    from cbis.model import registry

    preprocessor, draft_size = registry.preparation(_model(settings))  # an unknown model is refused here
    return ImageNetPreparer(preprocessor, draft_size)


def load(settings: AnalyzerSettings, on_status: Callable[[str], None] | None = None) -> ImageNetAnalyzer:
    from cbis.model import registry
    from cbis.model.backends import threads_for_loading

    with threads_for_loading(settings.inference_threads):
        classifier = registry.load_classifier(_model(settings), weights=settings.weights, on_status=on_status)
    preprocessor, _ = registry.preparation(classifier.name)
    return ImageNetAnalyzer(classifier, settings.top_k, preprocessor)


def unavailable() -> str | None:
    """Why the default model cannot run here (the runtime or its weights package missing), without loading it."""
    from cbis.model.registry import DEFAULT_MODEL, list_models

    for status in list_models():
        if status.name == DEFAULT_MODEL:
            return status.reason
    return None


SPEC = AnalyzerSpec(
    name=NAME,
    description="ImageNet labels (top-k, scores) and CNN features for --similar-to; the model: --model",
    output=Classification,
    load=load,
    preparer=preparer,
    unavailable=unavailable,
    in_default=True,
    settings_used=frozenset({"model", "weights", "top_k"}),
    what_it_does="every image; stores predictions, an embedding and the model's provenance",
)
