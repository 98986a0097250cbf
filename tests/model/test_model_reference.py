"""The Keras rebuilds against plain-numpy forward passes computed straight from the .pth arrays.

The reference (model_numpy_reference.py) follows the torch modules: OIHW kernels, TF-"SAME" padding for
EfficientNet-Lite (its Conv2dStaticSamePadding modules), symmetric padding for torchvision's MobileNetV2. The
negative controls show the comparison is sharp enough to catch a wrong padding or a wrong kernel transpose.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import model_numpy_reference as reference
import numpy as np
import pytest
from PIL import Image

from cbis.model.base import Classifier
from cbis.model.pth import StateDict, read_state_dict
from cbis.model.sources import efficientnet_lite0_weights, mobilenet_v2_weights

pytestmark = pytest.mark.slow

# Keras layer whose output is each reference tap (stem, the first blocks including a stride-2 depthwise one, and
# the first residual addition).
_LITE0_TAPS = {"stem": "bn0.relu6", "block0": "blocks.0.bn2", "block1": "blocks.1.bn2", "block2": "blocks.2.skip"}
_MOBILENET_TAPS = {
    "stem": "features.0.relu6",
    "block1": "features.1.conv.2",
    "block2": "features.2.conv.3",
    "block3": "features.3.skip",
}
RELATIVE_TOLERANCE = 1e-4


def _close(actual: np.ndarray, expected: np.ndarray) -> bool:
    """Within 1e-4 of the reference's largest magnitude, everywhere."""
    return bool(np.abs(actual - expected).max() <= RELATIVE_TOLERANCE * np.abs(expected).max())


def _float64(state: StateDict) -> dict[str, np.ndarray]:
    return {name: array.astype(np.float64) for name, array in state.arrays.items()}


def _rebuild(module_name: str, weights: Path) -> tuple[Any, StateDict]:
    import importlib

    architecture = importlib.import_module(module_name)
    state = read_state_dict(weights)
    model = architecture.build_model()
    architecture.load_torch_weights(model, state, weights)
    return model, state


def _keras_taps(model: Any, taps: dict[str, str], batch: np.ndarray) -> dict[str, np.ndarray]:
    from cbis.model._tf import keras

    probe = keras.Model(model.input, [model.get_layer(layer).output for layer in taps.values()] + list(model.outputs))
    outputs = [np.asarray(output) for output in probe(batch, training=False)]
    return dict(zip([*taps, "probabilities", "pooled"], outputs, strict=True))


def _batch(classifier: Classifier, chelsea: Image.Image) -> np.ndarray:
    """A real photo (realistic activations) and seeded noise in the model's input range."""
    noise = np.random.default_rng(11).uniform(-1.0, 1.0, (classifier.input_size, classifier.input_size, 3))
    return np.stack([classifier.prepare(chelsea), noise.astype(np.float32)])


@pytest.fixture(scope="module")
def lite0(classifier_for: Callable[[str, str], Classifier], chelsea: Image.Image) -> dict[str, Any]:
    weights = efficientnet_lite0_weights(None).path
    model, state = _rebuild("cbis.model.efficientnet_lite", weights)
    classifier = classifier_for("efficientnet-lite0", "keras")
    batch = _batch(classifier, chelsea)
    return {
        "state": state,
        "batch": batch,
        "keras": _keras_taps(model, _LITE0_TAPS, batch),
        "reference": reference.efficientnet_lite0(batch.astype(np.float64), _float64(state)),
        "classifier": classifier,
    }


@pytest.fixture(scope="module")
def mobilenet(classifier_for: Callable[[str, str], Classifier], chelsea: Image.Image) -> dict[str, Any]:
    weights = mobilenet_v2_weights(None).path
    model, state = _rebuild("cbis.model.mobilenet_v2", weights)
    classifier = classifier_for("mobilenet-v2", "keras")
    batch = _batch(classifier, chelsea)
    return {
        "state": state,
        "batch": batch,
        "keras": _keras_taps(model, _MOBILENET_TAPS, batch),
        "reference": reference.mobilenet_v2(batch.astype(np.float64), _float64(state)),
        "classifier": classifier,
    }


@pytest.mark.parametrize("tap", [*_LITE0_TAPS, "pooled", "probabilities"])
def test_efficientnet_lite0_matches_numpy_reference(lite0: dict[str, Any], tap: str) -> None:
    actual, expected = lite0["keras"][tap], lite0["reference"][tap]
    assert actual.shape == expected.shape
    assert _close(actual, expected), f"{tap}: max difference {np.abs(actual - expected).max():.3g}"


@pytest.mark.parametrize("tap", [*_MOBILENET_TAPS, "pooled", "probabilities"])
def test_mobilenet_v2_matches_numpy_reference(mobilenet: dict[str, Any], tap: str) -> None:
    actual, expected = mobilenet["keras"][tap], mobilenet["reference"][tap]
    assert actual.shape == expected.shape
    assert _close(actual, expected), f"{tap}: max difference {np.abs(actual - expected).max():.3g}"


@pytest.mark.parametrize("fixture_name", ["lite0", "mobilenet"])
def test_registry_classifier_from_cache_matches_reference(fixture_name: str, request: pytest.FixtureRequest) -> None:
    """What load_classifier returns (weights via the converted .weights.h5 cache) is the verified network too."""
    case = request.getfixturevalue(fixture_name)
    classifier = case["classifier"]
    assert classifier.provenance.backend == "keras"
    embeddings = classifier.embed(case["batch"])
    assert _close(embeddings, case["reference"]["pooled"])
    predictions = classifier.classify(case["batch"], top_k=3)
    for row, expected in zip(predictions, case["reference"]["probabilities"], strict=True):
        top = np.argsort(-expected)[:3]
        assert [p.wnid for p in row] == [classifier_wnid(index) for index in top]
        np.testing.assert_allclose([p.score for p in row], expected[top], atol=1e-5)


def classifier_wnid(index: int) -> str:
    from cbis.model.labels import imagenet_labels

    return imagenet_labels().wnids[index]


# --- negative controls: the comparison must be able to fail ---------------------------------------------------


def test_symmetric_padding_would_be_caught(lite0: dict[str, Any]) -> None:
    """Padding Lite0's stride-2 convolutions torch-style instead of TF-style moves every output."""
    wrong = reference.efficientnet_lite0(
        lite0["batch"].astype(np.float64), _float64(lite0["state"]), padding="symmetric"
    )
    for tap in ("stem", "block1", "pooled"):
        assert not _close(lite0["keras"][tap], wrong[tap]), tap


@pytest.mark.parametrize("fixture_name", ["lite0", "mobilenet"])
def test_transposed_kernels_would_be_caught(fixture_name: str, request: pytest.FixtureRequest) -> None:
    """Swapping kernel height and width (e.g. transpose(3, 2, 1, 0) instead of (2, 3, 1, 0)) is detected."""
    case = request.getfixturevalue(fixture_name)
    swapped = {
        name: array.transpose(0, 1, 3, 2) if array.ndim == 4 else array
        for name, array in _float64(case["state"]).items()
    }
    forward = reference.efficientnet_lite0 if fixture_name == "lite0" else reference.mobilenet_v2
    wrong = forward(case["batch"].astype(np.float64), swapped)
    assert not _close(case["keras"]["stem"], wrong["stem"])
    assert not _close(case["keras"]["pooled"], wrong["pooled"])
