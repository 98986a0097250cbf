"""InceptionV3, the original tool's model: Keras' own architecture and Keras weights the examiner supplies.

No conversion happens here: ``keras.applications.InceptionV3(weights=None)`` builds the graph without touching the
network, then the examiner's ``.h5`` (the Keras applications release) or ``.weights.h5`` file is loaded into it.
"""

from __future__ import annotations

from pathlib import Path

from cbis.errors import WeightsError
from cbis.model._tf import keras

# Changing the graph? Bump this model's ``revision`` in registry.py so stale compiled models go unused.


def build_model() -> keras.Model:
    """The network with two outputs: softmax probabilities (N, 1000) and pooled features (N, 2048)."""
    base = keras.applications.InceptionV3(weights=None, include_top=True, classifier_activation="softmax")
    return keras.Model(base.input, [base.output, base.get_layer("avg_pool").output], name="inception_v3")


def load_keras_weights(model: keras.Model, source: Path) -> None:
    """Load a Keras weights file (legacy ``.h5`` by layer order, or ``.weights.h5``) into ``build_model()``'s model."""
    try:
        model.load_weights(source)
    except (ValueError, OSError, KeyError) as exc:
        raise WeightsError(f"{source}: not InceptionV3 weights Keras can load ({exc})") from exc
