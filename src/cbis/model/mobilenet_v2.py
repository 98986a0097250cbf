"""MobileNetV2 rebuilt in Keras, with torchvision's ImageNet weights (``mobilenet_v2-b0353104.pth``).

torchvision's layout: ``features.0`` is the stem (conv 3x3 stride 2, BN, ReLU6), ``features.1``-``features.17``
the inverted-residual blocks (``conv.<n>``), ``features.18`` the 1x1 head to 1280 channels and ``classifier.1`` the
Linear layer. torch pads every 3x3 convolution by one pixel on all sides. For stride 1 that is Keras' "same";
for stride 2 it is not (TF "SAME" pads only bottom/right on even inputs), so stride-2 convolutions get an explicit
symmetric ``ZeroPadding2D`` and "valid". BatchNorm epsilon is torch's default, 1e-5.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cbis.model._tf import keras
from cbis.model.pth import StateDict
from cbis.model.torch_import import TorchWeightLoader

# Changing the graph or the weight conversion? Bump this model's ``revision`` in registry.py: caches keyed on it
# (converted weights, compiled .tflite) are then rebuilt instead of reused.

_STEM_CHANNELS = 32
_HEAD_CHANNELS = 1280
_BN_EPSILON = 1e-5
_CLASS_COUNT = 1000
# The MobileNetV2 paper's table 2: (expand ratio t, output channels c, repeats n, first stride s).
_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


@dataclass(frozen=True)
class _Block:
    index: int  # position in ``features``
    in_channels: int
    out_channels: int
    stride: int
    expand_ratio: int

    @property
    def prefix(self) -> str:
        return f"features.{self.index}.conv"

    @property
    def has_skip(self) -> bool:
        return self.stride == 1 and self.in_channels == self.out_channels

    def layer_paths(self) -> tuple[str | None, str, str, str, str, str]:
        """Torch paths of (expand conv, its BN, depthwise conv, its BN, project conv, its BN); no expand for t=1."""
        p = self.prefix
        if self.expand_ratio == 1:
            return None, "", f"{p}.0.0", f"{p}.0.1", f"{p}.1", f"{p}.2"
        return f"{p}.0.0", f"{p}.0.1", f"{p}.1.0", f"{p}.1.1", f"{p}.2", f"{p}.3"


def _blocks() -> list[_Block]:
    blocks: list[_Block] = []
    in_channels = _STEM_CHANNELS
    for expand_ratio, out_channels, repeats, first_stride in _STAGES:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            blocks.append(_Block(len(blocks) + 1, in_channels, out_channels, stride, expand_ratio))
            in_channels = out_channels
    return blocks


def _head_index() -> int:
    return len(_blocks()) + 1


def _relu6(name: str) -> keras.layers.Layer:
    return keras.layers.ReLU(max_value=6.0, name=name)


def _batch_norm(name: str) -> keras.layers.Layer:
    return keras.layers.BatchNormalization(epsilon=_BN_EPSILON, name=name)


def _torch_padding(x: keras.KerasTensor, stride: int, name: str) -> tuple[keras.KerasTensor, str]:
    """Pad like torch's ``padding=1`` for a 3x3 convolution; returns the input and the Keras padding mode."""
    if stride == 1:
        return x, "same"
    return keras.layers.ZeroPadding2D(((1, 1), (1, 1)), name=name)(x), "valid"


def build_model(input_size: int = 224) -> keras.Model:
    """The network with two outputs: softmax probabilities (N, 1000) and pooled features (N, 1280).

    Layers are named after the torch module paths they take their weights from.
    """
    inputs = keras.Input(shape=(input_size, input_size, 3), name="image")
    x, padding = _torch_padding(inputs, 2, "features.0.pad")
    x = keras.layers.Conv2D(_STEM_CHANNELS, 3, strides=2, padding=padding, use_bias=False, name="features.0.0")(x)
    x = _relu6("features.0.relu6")(_batch_norm("features.0.1")(x))
    for block in _blocks():
        expand, expand_bn, depthwise, depthwise_bn, project, project_bn = block.layer_paths()
        block_input = x
        if expand is not None:
            x = keras.layers.Conv2D(block.in_channels * block.expand_ratio, 1, use_bias=False, name=expand)(x)
            x = _relu6(f"{expand}.relu6")(_batch_norm(expand_bn)(x))
        x, padding = _torch_padding(x, block.stride, f"{depthwise}.pad")
        x = keras.layers.DepthwiseConv2D(3, strides=block.stride, padding=padding, use_bias=False, name=depthwise)(x)
        x = _relu6(f"{depthwise}.relu6")(_batch_norm(depthwise_bn)(x))
        x = keras.layers.Conv2D(block.out_channels, 1, use_bias=False, name=project)(x)
        x = _batch_norm(project_bn)(x)
        if block.has_skip:
            x = keras.layers.Add(name=f"features.{block.index}.skip")([block_input, x])
    head = f"features.{_head_index()}"
    x = keras.layers.Conv2D(_HEAD_CHANNELS, 1, use_bias=False, name=f"{head}.0")(x)
    x = _relu6(f"{head}.relu6")(_batch_norm(f"{head}.1")(x))
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    logits = keras.layers.Dense(_CLASS_COUNT, name="classifier.1")(pooled)  # classifier.0 is dropout
    probabilities = keras.layers.Softmax(name="probabilities")(logits)
    return keras.Model(inputs, [probabilities, pooled], name="mobilenet_v2")


def load_torch_weights(model: keras.Model, state: StateDict, source: Path) -> None:
    """Copy the state dict into ``model`` (from ``build_model``); ``WeightsError`` if it does not fit exactly."""
    loader = TorchWeightLoader(state, source)
    loader.conv(model.get_layer("features.0.0"), "features.0.0")
    loader.batch_norm(model.get_layer("features.0.1"), "features.0.1")
    for block in _blocks():
        expand, expand_bn, depthwise, depthwise_bn, project, project_bn = block.layer_paths()
        if expand is not None:
            loader.conv(model.get_layer(expand), expand)
            loader.batch_norm(model.get_layer(expand_bn), expand_bn)
        loader.depthwise_conv(model.get_layer(depthwise), depthwise)
        loader.batch_norm(model.get_layer(depthwise_bn), depthwise_bn)
        loader.conv(model.get_layer(project), project)
        loader.batch_norm(model.get_layer(project_bn), project_bn)
    head = f"features.{_head_index()}"
    loader.conv(model.get_layer(f"{head}.0"), f"{head}.0")
    loader.batch_norm(model.get_layer(f"{head}.1"), f"{head}.1")
    loader.dense(model.get_layer("classifier.1"), "classifier.1")
    loader.finish()
