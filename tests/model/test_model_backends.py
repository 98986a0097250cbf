"""The compiled backends agree with the plain Keras model, and "auto" picks what was measured fastest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest
from model_test_support import AVAILABLE_MODELS, DATA_DIR, mixed_batch
from PIL import Image

from cbis.errors import UsageError
from cbis.model import backends
from cbis.model.base import Classifier
from cbis.model.cache import models_cache_dir
from cbis.model.registry import load_classifier

LoadClassifier = Callable[[str, str], Classifier]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tf-function", "litert"])
@pytest.mark.parametrize("name", AVAILABLE_MODELS)
def test_backend_agrees_with_keras(
    name: str, backend: str, classifier_for: LoadClassifier, chelsea: Image.Image, coffee: Image.Image
) -> None:
    keras_classifier = classifier_for(name, "keras")
    compiled = classifier_for(name, backend)
    assert compiled.provenance.backend == backend
    batch = mixed_batch(keras_classifier, [chelsea, coffee], noise_count=3)
    expected_predictions, expected_embeddings = keras_classifier.classify_and_embed(batch, top_k=20)
    predictions, embeddings = compiled.classify_and_embed(batch, top_k=20)
    for expected_row, row in zip(expected_predictions, predictions, strict=True):
        assert row[0].wnid == expected_row[0].wnid
        # Every class in the top 20 of either, compared by score: identical order is not required for near-ties.
        expected_scores = {p.wnid: p.score for p in expected_row}
        for prediction in row:
            if prediction.wnid in expected_scores:
                assert abs(prediction.score - expected_scores[prediction.wnid]) < 1e-3
        assert abs(row[0].score - expected_row[0].score) < 1e-3
    np.testing.assert_allclose(embeddings, expected_embeddings, atol=1e-3 * np.abs(expected_embeddings).max())


def test_auto_prefers_litert_on_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "tensorflow_sees_gpu", lambda: False)
    assert backends.choose_backend("auto") == ("litert" if backends.litert_installed() else "tf-function")


def test_auto_uses_tf_function_where_tensorflow_sees_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "tensorflow_sees_gpu", lambda: True)
    assert backends.choose_backend("auto") == "tf-function"


def test_gpu_check_skips_tensorflow_import_for_cpu_only_wheel() -> None:
    script = (
        "import sys; from cbis.model.backends import tensorflow_sees_gpu as f; print(f(), 'tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    if backends.installed_version("tensorflow") is None:  # the tensorflow-cpu wheel
        assert result.stdout.split() == ["False", "False"]


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(UsageError, match="auto, keras, tf-function, litert"):
        load_classifier("efficientnet-lite0", backend="onnx")


@pytest.mark.slow
def test_cached_litert_model_runs_without_tensorflow(classifier_for: LoadClassifier) -> None:
    """Once compiled, the LiteRT path needs neither TensorFlow's import time nor its memory."""
    classifier_for("efficientnet-lite0", "litert")  # compiles into this run's cache if not there yet
    script = textwrap.dedent(f"""
        import sys
        from PIL import Image
        from cbis.model.registry import load_classifier
        classifier = load_classifier("efficientnet-lite0", backend="litert")
        image = Image.open({str(DATA_DIR / "chelsea.png")!r}).convert("RGB")
        top = classifier.classify(classifier.prepare(image)[None])[0][0]
        print(classifier.provenance.backend, top.wnid, "tensorflow" in sys.modules, "keras" in sys.modules)
    """)
    environment = {**os.environ, "CBIS_HOME": str(models_cache_dir().parent)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True)
    backend, wnid, tensorflow_imported, keras_imported = result.stdout.split()
    assert backend == "litert"
    assert wnid in {"n02123045", "n02123159", "n02123394", "n02123597", "n02124075"}
    assert (tensorflow_imported, keras_imported) == ("False", "False")
    # LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." is kept out of the examiner's terminal.
    assert result.stderr == "", result.stderr


def test_routine_native_stderr_is_dropped_and_the_rest_passed_on(capfd: pytest.CaptureFixture[str]) -> None:
    # Written to file descriptor 2 directly, as LiteRT's C++ logger does, bypassing sys.stderr.
    with backends.without_routine_native_stderr():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(
            2,
            b"I0000 00:00:1795682598.937189   19976 port.cc:153] oneDNN custom operations are on. You may see "
            b"slightly different numerical results due to floating-point round-off errors.\n",
        )
        os.write(2, b"ERROR: something an examiner must see\n")
        os.write(2, b"I0000 00:00:1795682598.937189   19976 other.cc:1] not the oneDNN notice\n")
    os.write(2, b"after the block\n")
    assert capfd.readouterr().err == (
        "ERROR: something an examiner must see\n"
        "I0000 00:00:1795682598.937189   19976 other.cc:1] not the oneDNN notice\n"
        "after the block\n"
    )


def test_a_missing_temporary_directory_does_not_stop_a_model_loading(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The capture needs a temporary file; without one the routine line is let through rather than failing the run.
    def no_temporary_directory() -> None:
        raise FileNotFoundError(2, "No usable temporary directory found")

    monkeypatch.setattr(backends, "tempfile", SimpleNamespace(TemporaryFile=no_temporary_directory))
    with backends.without_routine_native_stderr():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
    assert capfd.readouterr().err == "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"


@pytest.mark.slow
def test_importing_tensorflow_says_nothing_on_stderr() -> None:
    # TensorFlow's oneDNN notice comes before TF_CPP_MIN_LOG_LEVEL is read; an examiner's first `cbis index`
    # converts the model and would show it twice.
    result = subprocess.run(
        [sys.executable, "-c", "import cbis.model._tf"], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stderr == "", result.stderr
