"""The one hostile run with the real default classifier (EfficientNet-Lite0 on LiteRT): truncated images indexed
with --allow-truncated carry the truncated flag and predictions; bombs are refused; the run stays under 2 GB."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.corpus import (
    FORMATS,
    MALFORMED_EXIF,
    bombs,
    build,
    encoded,
    heif_lying_unit,
    image_with_exif,
    noise,
    png_declaring,
    whole_image,
)
from tests.hostile.helpers import assert_accounted, cbis_command, new_case, peak_rss, rows, untouched

GB = 1 << 30


@pytest.mark.slow
def test_hostile_tree_with_the_real_classifier(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    cut = {kind: whole_image(kind, seed=5, size=(320, 240)) for kind in ("jpeg", "jpeg-progressive", "png", "gif")}
    build(
        evidence, [(f"truncated/{kind}.{FORMATS[kind][0]}", data[: len(data) * 2 // 3]) for kind, data in cut.items()]
    )
    build(evidence, [("truncated/heif-lying-unit.heic", heif_lying_unit(size=(320, 240)))])
    build(
        evidence, [(f"whole/{kind}.{FORMATS[kind][0]}", whole_image(kind, seed=6, size=(320, 240))) for kind in FORMATS]
    )
    build(
        evidence,
        [
            (f"exif/{name}.{image_with_exif(block)[0]}", image_with_exif(block)[1])
            for name, block, _ in MALFORMED_EXIF[:8]
        ],
    )
    build(evidence, [(f"bombs/{name}", data) for name, data in bombs().items()])
    # Just under the default pixel cap: 700 KB that decodes to 715 MB, and needed 3.5 GB to classify before.
    build(evidence, [("heavy/rgba-13370x13370.png", png_declaring(13370, 13370, colour_type=6, rows=13370))])
    build(evidence, [("=cmd|' calc'!A0.jpg", encoded(noise((256, 256), 9), "JPEG"))])
    # The first run on a machine converts the packaged weights with TensorFlow (once, cached under $CBIS_HOME):
    # done here on ordinary images, so that the run measured below is the steady state an examiner sees.
    warm_up = tmp_path / "warm-up"
    build(warm_up, [("photo.jpg", encoded(noise((64, 64), 1), "JPEG"))])
    first, first_peak = peak_rss(
        cbis_command("index", warm_up, "--case", new_case(tmp_path / "warm-case")),
        timeout=600,
    )
    assert first.returncode == 0, first.stderr[-3000:]
    print(f"first run (weights converted if not cached yet): peak RSS {first_peak / GB:.2f} GB")
    with untouched(evidence) as tree:
        result, peak = peak_rss(
            cbis_command("index", evidence, "--case", case_dir, "--allow-truncated", "--workers", "2"), timeout=600
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert_accounted(case_dir, evidence, tree)
    print(f"{result.stdout.strip()}; peak RSS {peak / GB:.2f} GB")
    assert peak < 2 * GB
    [(model_id, model_name)] = rows(case_dir, "SELECT id, name FROM models")
    assert model_name == "efficientnet-lite0"
    found = {
        path: (status, truncated, error, predictions)
        for path, status, truncated, error, predictions in rows(
            case_dir,
            "SELECT path, status, truncated, error, (SELECT count(*) FROM predictions p WHERE p.file_id = files.id "
            "AND p.model_id = ?) FROM files",
            model_id,
        )
    }
    flagged = [path for path in found if path.startswith("truncated/")]
    assert len(flagged) == 5
    for path in flagged:
        assert found[path][:2] == ("image", 1), (path, found[path])
        assert found[path][3] == 5, path  # top-5 predictions for what could be decoded
    for path, (status, truncated, _, predictions) in found.items():
        if path.startswith(("whole/", "exif/", "heavy/", "=")):
            assert (status, truncated, predictions) == ("image", 0, 5), (path, found[path])
        elif path.startswith("bombs/"):
            assert status == "unprocessed" and predictions == 0, path
    assert rows(case_dir, "SELECT count(*) FROM embeddings")[0][0] == sum(p == 5 for *_, p in found.values())
