"""Plain-numpy forward passes of the two PyTorch source networks, written from the torch modules' semantics.

They read the ``.pth`` arrays as torch lays them out (OIHW kernels, (out, in) Linear weights) and never touch
Keras, so a wrong transpose or padding in the Keras rebuild shows up as a disagreement. Computed in float64.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

Padding = tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))


def tf_same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """What Conv2dStaticSamePadding (TF "SAME") adds before and after: the extra pixel goes after."""
    output = -(-size // stride)
    total = max((output - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv2d(
    x: np.ndarray, weight_oihw: np.ndarray, stride: int, padding: Padding, depthwise: bool = False
) -> np.ndarray:
    """NHWC input, torch OIHW kernel (depthwise: (C, 1, kh, kw)), explicit zero padding, no bias."""
    x = np.pad(x, ((0, 0), padding[0], padding[1], (0, 0)))
    _, height, width, _ = x.shape
    kernel_h, kernel_w = weight_oihw.shape[2:]
    out_h = (height - kernel_h) // stride + 1
    out_w = (width - kernel_w) // stride + 1
    out_channels = weight_oihw.shape[0]
    result = np.zeros((x.shape[0], out_h, out_w, out_channels))
    for i in range(kernel_h):
        for j in range(kernel_w):
            patch = x[:, i : i + stride * out_h : stride, j : j + stride * out_w : stride, :]
            if depthwise:
                result += patch * weight_oihw[:, 0, i, j]
            else:
                result += patch @ weight_oihw[:, :, i, j].T
    return result


def batch_norm(x: np.ndarray, arrays: Mapping[str, np.ndarray], prefix: str, epsilon: float) -> np.ndarray:
    scale = arrays[f"{prefix}.weight"] / np.sqrt(arrays[f"{prefix}.running_var"] + epsilon)
    return (x - arrays[f"{prefix}.running_mean"]) * scale + arrays[f"{prefix}.bias"]


def relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 6.0)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def linear(x: np.ndarray, arrays: Mapping[str, np.ndarray], prefix: str) -> np.ndarray:
    return x @ arrays[f"{prefix}.weight"].T + arrays[f"{prefix}.bias"]


def _same(x: np.ndarray, kernel: int, stride: int) -> Padding:
    return tf_same_padding(x.shape[1], kernel, stride), tf_same_padding(x.shape[2], kernel, stride)


def _symmetric(kernel: int) -> Padding:
    pad = (kernel - 1) // 2
    return (pad, pad), (pad, pad)


# (repeats, kernel, first stride, expand ratio, output channels): EfficientNet-B0's stages.
LITE0_STAGES = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)


def efficientnet_lite0(
    x: np.ndarray, arrays: Mapping[str, np.ndarray], *, padding: str = "same"
) -> dict[str, np.ndarray]:
    """Intermediate outputs of lukemelas' EfficientNet (Lite variant: ReLU6, no SE) in eval mode.

    ``padding="symmetric"`` pads like a plain torch Conv2d instead: a deliberately wrong variant.
    """
    eps = 1e-3

    def pad(tensor: np.ndarray, kernel: int, stride: int) -> Padding:
        return _same(tensor, kernel, stride) if padding == "same" else _symmetric(kernel)

    outputs: dict[str, np.ndarray] = {}
    x = relu6(batch_norm(conv2d(x, arrays["_conv_stem.weight"], 2, pad(x, 3, 2)), arrays, "_bn0", eps))
    outputs["stem"] = x
    index = 0
    in_channels = 32
    for repeats, kernel, first_stride, expand_ratio, out_channels in LITE0_STAGES:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            p = f"_blocks.{index}"
            block_input = x
            if expand_ratio != 1:
                x = relu6(
                    batch_norm(conv2d(x, arrays[f"{p}._expand_conv.weight"], 1, pad(x, 1, 1)), arrays, f"{p}._bn0", eps)
                )
            x = conv2d(x, arrays[f"{p}._depthwise_conv.weight"], stride, pad(x, kernel, stride), depthwise=True)
            x = relu6(batch_norm(x, arrays, f"{p}._bn1", eps))
            x = batch_norm(conv2d(x, arrays[f"{p}._project_conv.weight"], 1, pad(x, 1, 1)), arrays, f"{p}._bn2", eps)
            if stride == 1 and in_channels == out_channels:
                x = x + block_input
            outputs[f"block{index}"] = x
            in_channels = out_channels
            index += 1
    x = relu6(batch_norm(conv2d(x, arrays["_conv_head.weight"], 1, pad(x, 1, 1)), arrays, "_bn1", eps))
    pooled = x.mean(axis=(1, 2))
    outputs["pooled"] = pooled
    outputs["probabilities"] = softmax(linear(pooled, arrays, "_fc"))
    return outputs


# (expand ratio, output channels, repeats, first stride): MobileNetV2's table 2.
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def mobilenet_v2(x: np.ndarray, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Intermediate outputs of torchvision's MobileNetV2 in eval mode (every 3x3 conv pads 1 on each side)."""
    eps = 1e-5
    none: Padding = ((0, 0), (0, 0))
    outputs: dict[str, np.ndarray] = {}
    x = relu6(batch_norm(conv2d(x, arrays["features.0.0.weight"], 2, _symmetric(3)), arrays, "features.0.1", eps))
    outputs["stem"] = x
    index = 1
    in_channels = 32
    for expand_ratio, out_channels, repeats, first_stride in MOBILENET_V2_STAGES:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            p = f"features.{index}.conv"
            block_input = x
            if expand_ratio == 1:
                layers = (f"{p}.0.0", f"{p}.0.1", f"{p}.1", f"{p}.2")
            else:
                x = relu6(batch_norm(conv2d(x, arrays[f"{p}.0.0.weight"], 1, none), arrays, f"{p}.0.1", eps))
                layers = (f"{p}.1.0", f"{p}.1.1", f"{p}.2", f"{p}.3")
            depthwise, depthwise_bn, project, project_bn = layers
            x = conv2d(x, arrays[f"{depthwise}.weight"], stride, _symmetric(3), depthwise=True)
            x = relu6(batch_norm(x, arrays, depthwise_bn, eps))
            x = batch_norm(conv2d(x, arrays[f"{project}.weight"], 1, none), arrays, project_bn, eps)
            if stride == 1 and in_channels == out_channels:
                x = x + block_input
            outputs[f"block{index}"] = x
            in_channels = out_channels
            index += 1
    x = relu6(batch_norm(conv2d(x, arrays[f"features.{index}.0.weight"], 1, none), arrays, f"features.{index}.1", eps))
    pooled = x.mean(axis=(1, 2))
    outputs["pooled"] = pooled
    outputs["probabilities"] = softmax(linear(pooled, arrays, "classifier.1"))
    return outputs
