"""What every analyzer promises: the one interface the pipeline runs, whichever executor runs it.

An analysis of a picture (ImageNet labels, later perceptual hashes, text, faces) is two steps:

- `prepare(source)` on the decode worker threads (or a Ray examine task), once per file, with the picture the
  pipeline decoded once for every analyzer of the run: numpy and Pillow only, thread-safe, cheap to build. It
  returns the analyzer's input for that file as one numpy array (what crosses between processes), or None to
  skip the file.
- `analyze(inputs)` on a whole batch of prepared inputs, on the main thread (or in a Ray actor that loaded the
  analyzer once): one output record per input, in order, or None where that input gave nothing.

The output records are plain dataclasses (`output`), written by the db layer: a record type it has tables for
(cbis.records.Classification) goes there; any other is stored as JSON in `analysis_results`, so a new analyzer
needs no change to the database layer. An analyzer's `provenance` is what the case stores to say exactly which
analysis produced a row (for the classifier: the model, its weights' SHA-256, the runtime).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Needs:
    """What an analyzer's `prepare` reads; the pipeline decodes each file once for all of a run's analyzers."""

    image: bool = True
    """The decoded picture: RGB, EXIF-oriented, first frame."""
    draft_size: int | None = None
    """The smallest shorter side the decoder may reduce the picture to (JPEG draft mode, whole-factor reduction
    of huge images); None: full size. A run decodes at the largest size any of its analyzers needs."""
    data: bool = False
    """The file's bytes (as hashed), when the file is at most the reader's in-memory limit (64 MiB); else None."""


@dataclass
class AnalysisInput:
    """One file as `prepare` sees it."""

    image: Image.Image | None
    data: bytes | None
    format: str | None
    width: int | None
    height: int | None
    exif: dict[str, Any] | None


class Preparer(Protocol):
    needs: Needs

    def prepare(self, source: AnalysisInput) -> np.ndarray | None: ...


class Analyzer(Preparer, Protocol):
    name: str
    version: str
    output: type
    batch_size: int | None  # inputs per analyze() call it prefers; None: the run's --batch-size
    accelerator: bool  # whether it can use a GPU (Ray gives each actor one where the cluster has them)

    def provenance(self) -> dict[str, Any]:
        """What the case records about this analyzer: JSON-serialisable, the same for the same analysis."""
        ...

    def identity(self) -> dict[str, Any]:
        """The part of the provenance that must agree between every Ray actor and the run's record (not, say,
        the path a node keeps its weights file at)."""
        ...

    def analyze(self, inputs: Sequence[np.ndarray]) -> list[Any]: ...


@dataclass(frozen=True)
class AnalyzerSettings:
    """What the command line decides for a run's analyzers; each analyzer takes what concerns it."""

    model: str | None = None  # classifier name (None: the default model)
    weights: Path | None = None
    top_k: int = 5
    inference_threads: int | None = None  # None: the runtime's own choice
    ocr_languages: str | None = None  # Tesseract languages, "eng+deu" (None: the OCR analyzer's default)
    ocr_mode: str | None = None  # which images OCR reads: "auto" (text-like ones) or "all" (None: auto)


@dataclass(frozen=True)
class AnalyzerSpec:
    """A registered analyzer: how to tell whether it can run here, and how to build it.

    `load` may be slow (a model); `preparer` must be cheap, because every Ray examine task builds it. Both are
    called with the run's settings, and must be importable functions (Ray ships them to other processes).
    """

    name: str
    description: str
    output: type
    load: Callable[[AnalyzerSettings, Callable[[str], None] | None], Analyzer]
    preparer: Callable[[AnalyzerSettings], Preparer]
    unavailable: Callable[[], str | None]  # why it cannot run here (install what), or None; never slow
    in_default: bool = False  # part of a plain `cbis index`
    # With in_default: left out of a plain `cbis index` where it cannot run (an optional engine such as Tesseract
    # not installed) instead of refusing the run; `cbis analyzers` says why.
    default_if_available: bool = False
    settings_used: frozenset[str] = frozenset()  # the AnalyzerSettings fields it reads ("model", "top_k"...)
    what_it_does: str = ""  # for `cbis analyzers`: which files it runs on, what it stores


def check_outputs(analyzer: Analyzer, inputs: Sequence[np.ndarray], outputs: list[Any]) -> list[Any]:
    """An analyzer must give one output (or None) per input, of its declared type; anything else is its bug."""
    if len(outputs) != len(inputs):
        raise RuntimeError(f"analyzer {analyzer.name} returned {len(outputs)} outputs for {len(inputs)} inputs")
    for output in outputs:
        if output is not None and not isinstance(output, analyzer.output):
            raise RuntimeError(
                f"analyzer {analyzer.name} returned a {type(output).__name__}, not its {analyzer.output.__name__}"
            )
    return outputs
