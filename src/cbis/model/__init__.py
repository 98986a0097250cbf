"""Offline ImageNet classifiers: top-k labels, pooled embeddings and the provenance of the model that made them.

Importing this package does not import TensorFlow; ``load_classifier`` does, when it has to.
"""

from cbis.model.base import Classifier, ModelProvenance, Prediction
from cbis.model.registry import DEFAULT_MODEL, ModelStatus, list_models, load_classifier

__all__ = [
    "DEFAULT_MODEL",
    "Classifier",
    "ModelProvenance",
    "ModelStatus",
    "Prediction",
    "list_models",
    "load_classifier",
]
