"""Copy numpy arrays from a PyTorch state dict into Keras layers, checking that every tensor finds its place.

Layout differences handled here, once:

* ``Conv2D``: torch ``(out, in, kh, kw)`` -> Keras ``(kh, kw, in, out)``;
* ``DepthwiseConv2D``: torch ``(channels, 1, kh, kw)`` -> Keras ``(kh, kw, channels, 1)``;
* ``Dense``: torch ``(out, in)`` -> Keras ``(in, out)``;
* ``BatchNormalization``: weight, bias, running_mean, running_var -> gamma, beta, moving_mean, moving_variance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cbis.errors import WeightsError
from cbis.model.pth import StateDict


class TorchWeightLoader:
    """Assigns state-dict tensors to Keras layers by torch module path; ``finish()`` insists nothing was left over."""

    def __init__(self, state: StateDict, source: Path) -> None:
        self._arrays = state.arrays
        self._source = source
        self._used: set[str] = set()

    def _take(self, name: str) -> np.ndarray:
        try:
            array = self._arrays[name]
        except KeyError:
            raise WeightsError(f"{self._source}: no tensor {name!r}; the file does not fit this architecture") from None
        self._used.add(name)
        return array

    def _assign(self, layer: Any, arrays: list[np.ndarray]) -> None:
        expected = [tuple(weight.shape) for weight in layer.weights]
        given = [array.shape for array in arrays]
        if expected != given:
            raise WeightsError(f"{self._source}: layer {layer.name} expects shapes {expected}, the file gives {given}")
        layer.set_weights(arrays)

    def conv(self, layer: Any, prefix: str) -> None:
        arrays = [self._take(f"{prefix}.weight").transpose(2, 3, 1, 0)]
        if getattr(layer, "use_bias", False):
            arrays.append(self._take(f"{prefix}.bias"))
        self._assign(layer, arrays)

    def depthwise_conv(self, layer: Any, prefix: str) -> None:
        self._assign(layer, [self._take(f"{prefix}.weight").transpose(2, 3, 0, 1)])

    def batch_norm(self, layer: Any, prefix: str) -> None:
        names = ("weight", "bias", "running_mean", "running_var")
        self._assign(layer, [self._take(f"{prefix}.{name}") for name in names])

    def dense(self, layer: Any, prefix: str) -> None:
        self._assign(layer, [self._take(f"{prefix}.weight").T, self._take(f"{prefix}.bias")])

    def finish(self) -> None:
        # BatchNorm's step counter is training bookkeeping, not a weight.
        unused = [name for name in self._arrays if name not in self._used and not name.endswith("num_batches_tracked")]
        if unused:
            raise WeightsError(
                f"{self._source}: {len(unused)} tensors have no place in this architecture (e.g. {unused[:3]}); "
                "the file is for a different model"
            )
