"""What runs the network: a plain Keras call, a compiled ``tf.function``, or a LiteRT interpreter.

All three take a float32 batch (N, S, S, 3) and return (probabilities (N, 1000), pooled features (N, D)) from one
forward pass. Only the Keras and tf.function runners need TensorFlow; a LiteRT runner over an already compiled
``.tflite`` file needs nothing but ``ai_edge_litert`` and numpy, which spares ``cbis index`` TensorFlow's start-up.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from cbis.cpus import usable_cpu_count
from cbis.errors import ModelUnavailableError, WeightsError
from cbis.model.sources import installed_version

KERAS = "keras"
TF_FUNCTION = "tf-function"
LITERT = "litert"
BACKENDS = (KERAS, TF_FUNCTION, LITERT)

_CLASS_COUNT = 1000


class Forward(Protocol):
    backend: str

    def __call__(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, S, S, 3) float32 -> (probabilities (N, 1000), pooled features (N, D)), both float32."""
        ...


class KerasForward:
    """The model called eagerly, as written: the reference the compiled backends are checked against."""

    backend = KERAS

    def __init__(self, model: Any) -> None:
        self._model = model

    def __call__(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        probabilities, pooled = self._model(batch, training=False)
        return np.asarray(probabilities, dtype=np.float32), np.asarray(pooled, dtype=np.float32)


def compile_tf_function(model: Any, input_size: int) -> Any:
    """The two-output model as a ``tf.function`` traced once for any batch size."""
    from cbis.model._tf import tf

    @tf.function(input_signature=[tf.TensorSpec([None, input_size, input_size, 3], tf.float32, name="images")])
    def forward(images: Any) -> Any:
        probabilities, pooled = model(images, training=False)
        return {"probabilities": probabilities, "pooled": pooled}

    return forward


class TfFunctionForward:
    """A compiled graph with a fixed input signature: no per-call Python overhead, no retracing per batch size.

    Runs wherever TensorFlow places it, which is the GPU when TensorFlow sees one.
    """

    backend = TF_FUNCTION

    def __init__(self, model: Any, input_size: int) -> None:
        self._function = compile_tf_function(model, input_size)

    def __call__(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        outputs = self._function(batch)
        return outputs["probabilities"].numpy(), outputs["pooled"].numpy()


def convert_to_tflite(model: Any, target: Path) -> None:
    """Write the two-output model as a float32 ``.tflite`` file (no quantization: scores must match Keras).

    Goes through Keras' SavedModel export, the documented Keras 3 route: converting a ``tf.function`` of the model
    directly (``from_concrete_functions``) silently left the variables unfrozen here, giving a 0.2 MB model that
    answers NaN.
    """
    from cbis.model._tf import tf

    with tempfile.TemporaryDirectory(prefix="cbis-export-") as export_dir:
        model.export(export_dir, format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(export_dir)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        target.write_bytes(converter.convert())


class LiteRtForward:
    """A LiteRT interpreter over a compiled model, resized whenever the batch size changes.

    The interpreter is not thread-safe; a lock keeps concurrent callers from interleaving set/invoke/get.
    """

    backend = LITERT

    def __init__(self, tflite_file: Path, num_threads: int) -> None:
        from ai_edge_litert.interpreter import Interpreter

        try:
            with without_routine_native_stderr():
                self._interpreter = Interpreter(model_path=str(tflite_file), num_threads=num_threads)
                # The first allocation applies the XNNPACK delegate, which announces itself on stderr.
                self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise WeightsError(f"{tflite_file}: LiteRT cannot load this compiled model ({exc})") from exc
        (image_input,) = self._interpreter.get_input_details()
        self._input_index = image_input["index"]
        # Output order in a .tflite file need not follow the Python function's; tell them apart by width.
        outputs = {detail["shape_signature"][-1]: detail["index"] for detail in self._interpreter.get_output_details()}
        if len(outputs) != 2 or _CLASS_COUNT not in outputs:
            raise WeightsError(f"{tflite_file}: expected a probabilities and a features output, found {outputs}")
        self._probabilities_index = outputs.pop(_CLASS_COUNT)
        (self._pooled_index,) = outputs.values()
        self._batch_size: int | None = None
        self._lock = threading.Lock()

    def __call__(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if batch.shape[0] != self._batch_size:
                self._interpreter.resize_tensor_input(self._input_index, batch.shape)
                self._interpreter.allocate_tensors()
                self._batch_size = batch.shape[0]
            self._interpreter.set_tensor(self._input_index, batch)
            self._interpreter.invoke()
            # get_tensor copies, so the results survive the next invoke.
            return (
                self._interpreter.get_tensor(self._probabilities_index),
                self._interpreter.get_tensor(self._pooled_index),
            )


# Native start-up chatter on file descriptor 2, which no setting silences: LiteRT's C++ logger announces the
# XNNPACK delegate whenever an interpreter first allocates (tensorflow/tensorflow#58050), and TensorFlow's absl
# logging prints its oneDNN notice before TF_CPP_MIN_LOG_LEVEL is read, once per library that loads it. In the
# middle of cbis' output it is noise; anything else native code says is passed on.
ROUTINE_NATIVE_LINES = (
    re.compile(r"INFO: Created TensorFlow Lite XNNPACK delegate for CPU\."),
    re.compile(r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"),
    re.compile(r"I\d{4} [\d:.]+ +\d+ port\.cc:\d+\] oneDNN custom operations are on\..*"),
)


def _routine(line: str) -> bool:
    return any(pattern.fullmatch(line.strip()) for pattern in ROUTINE_NATIVE_LINES)


@contextmanager
def without_routine_native_stderr() -> Iterator[None]:
    """Capture what native code writes to stderr during the block; pass on every line but the routine ones.

    Used only while a model loads, before any progress display or worker thread writes to stderr, so nothing
    else can be caught in between; whatever is, is passed on after the block, in order. Without a temporary
    file or a stderr to redirect, the block runs uncaptured: the line is noise, not a reason to fail.
    """
    sys.stderr.flush()
    with ExitStack() as cleanup:
        try:
            capture = cleanup.enter_context(tempfile.TemporaryFile())
            saved = os.dup(2)
        except OSError:
            capture = None
        if capture is None:
            yield
            return
        cleanup.callback(os.close, saved)
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            capture.seek(0)
            said = capture.read().decode("utf-8", errors="replace")
            kept = [line for line in said.splitlines() if line.strip() and not _routine(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


def check_agreement(reference: Forward, candidate: Forward, input_size: int, what: str) -> None:
    """Run both on the same fixed batch; ``WeightsError`` unless the candidate reproduces the reference.

    Guards compiled models before they are cached: a converter that silently drops weights still produces a
    model that runs, only its answers are wrong.
    """
    batch = np.random.default_rng(7).uniform(-1.0, 1.0, (2, input_size, input_size, 3)).astype(np.float32)
    reference_probabilities, reference_pooled = reference(batch)
    probabilities, pooled = candidate(batch)
    agrees = (
        np.isfinite(probabilities).all()
        and np.abs(probabilities - reference_probabilities).max() < 1e-3
        and np.allclose(pooled, reference_pooled, rtol=1e-3, atol=1e-3 * np.abs(reference_pooled).max())
    )
    if not agrees:
        raise WeightsError(f"{what} does not reproduce the Keras model's outputs; not using it")


INFERENCE_THREADS_ENV = "CBIS_INFERENCE_THREADS"


def inference_threads() -> int:
    """Threads a model runs on: $CBIS_INFERENCE_THREADS (set per process, e.g. by each Ray actor sharing a node),
    else every CPU this process may use. TensorFlow reads it once, when first imported."""
    value = os.environ.get(INFERENCE_THREADS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else usable_cpu_count()


@contextmanager
def threads_for_loading(threads: int | None) -> Iterator[None]:
    """Make a model loaded in the block use `threads` CPU threads instead of every CPU of the machine (several
    Ray actors on one node share its CPUs); None leaves the process's setting as it is."""
    if threads is None:
        yield
        return
    previous = os.environ.get(INFERENCE_THREADS_ENV)
    os.environ[INFERENCE_THREADS_ENV] = str(threads)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[INFERENCE_THREADS_ENV]
        else:
            os.environ[INFERENCE_THREADS_ENV] = previous


def litert_installed() -> bool:
    return importlib.util.find_spec("ai_edge_litert") is not None


def tensorflow_version() -> str:
    """The installed TensorFlow's version, without importing it when it is not imported yet."""
    if "tensorflow" in sys.modules:
        return str(sys.modules["tensorflow"].__version__)
    for distribution in ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel"):
        version = installed_version(distribution)
        if version is not None:
            return version
    raise ModelUnavailableError("TensorFlow is not installed; cbis needs it to build its classifiers")


def keras_version() -> str:
    version = installed_version("keras")
    if version is None:
        raise ModelUnavailableError("Keras is not installed; cbis needs it to build its classifiers")
    return version


def tensorflow_sees_gpu() -> bool:
    # The tensorflow-cpu wheel is built without CUDA: no need to pay TensorFlow's start-up just to hear "no".
    if installed_version("tensorflow") is None and installed_version("tensorflow-cpu") is not None:
        return False
    from cbis.model._tf import tf

    return bool(tf.config.list_physical_devices("GPU"))


def choose_backend(requested: str) -> str:
    """Resolve "auto": tf-function on a GPU (LiteRT here is CPU-only), else LiteRT when installed, else tf-function.

    LiteRT won every CPU measurement. bench/bench_models.py, batch 32, 2-core AMD EPYC shared with other work, three
    runs, img/s ranges for keras / tf-function / litert: efficientnet-lite0 55-95 / 76-193 / 164-317, mobilenet-v2
    66-94 / 95-189 / 259-408; within each run LiteRT was 1.3-3.5x faster than tf-function.
    """
    if requested != "auto":
        if requested == LITERT and not litert_installed():
            raise ModelUnavailableError("backend 'litert' needs the ai-edge-litert package: pip install ai-edge-litert")
        return requested
    if tensorflow_sees_gpu():
        return TF_FUNCTION
    return LITERT if litert_installed() else TF_FUNCTION
