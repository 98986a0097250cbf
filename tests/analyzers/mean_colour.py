"""A test-only analyzer: the mean colour of each picture. Registered from the tests (`registered`), never by cbis.

It is written exactly as a new analyzer would be, against cbis.analyzers alone: adding it touches no file of cbis.
An odd batch size (3) makes the executors split their batches for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import PIL
from PIL import Image

from cbis import analyzers
from cbis.analyzers import AnalysisInput, AnalyzerSettings, AnalyzerSpec, Needs

NAME = "mean-colour"


@dataclass
class MeanColour:
    red: float
    green: float
    blue: float
    sampled: str  # e.g. "8x8 of 640x480": what the mean was taken over


class MeanColourAnalyzer:
    name = NAME
    version = "1"
    output = MeanColour
    batch_size = 3
    accelerator = False
    needs = Needs(image=True, draft_size=32)
    side = 8

    def provenance(self) -> dict[str, Any]:
        return {"method": f"mean of a {self.side}x{self.side} box-filtered RGB copy", "pillow": PIL.__version__}

    def identity(self) -> dict[str, Any]:
        return self.provenance()

    def prepare(self, source: AnalysisInput) -> np.ndarray | None:
        if source.image is None:
            return None
        small = source.image.convert("RGB").resize((self.side, self.side), Image.Resampling.BOX)
        decoded = np.zeros((2,), dtype=np.int64) + source.image.size  # the size the pipeline decoded it at
        return np.concatenate([np.asarray(small, dtype=np.int64).reshape(-1), decoded])

    def analyze(self, inputs: Sequence[np.ndarray]) -> list[Any]:
        out = []
        for data in inputs:
            pixels, (width, height) = data[:-2].reshape(-1, 3), data[-2:]
            red, green, blue = (round(float(value), 6) for value in pixels.mean(axis=0))
            out.append(MeanColour(red, green, blue, f"{self.side}x{self.side} of {width}x{height}"))
        return out


def load(settings: AnalyzerSettings, on_status: Callable[[str], None] | None = None) -> MeanColourAnalyzer:
    return MeanColourAnalyzer()


def preparer(settings: AnalyzerSettings) -> MeanColourAnalyzer:
    return MeanColourAnalyzer()


def unavailable() -> str | None:
    return None


SPEC = AnalyzerSpec(
    name=NAME,
    description="mean colour of each picture (test only)",
    output=MeanColour,
    load=load,
    preparer=preparer,
    unavailable=unavailable,
    what_it_does="every image; one JSON row each",
)


@contextmanager
def registered() -> Iterator[AnalyzerSpec]:
    analyzers.register(SPEC)
    try:
        yield SPEC
    finally:
        analyzers.unregister(NAME)
