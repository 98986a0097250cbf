"""The viewer over hostile images: what cannot be previewed gets a 404 with the reason, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbis.web import create_app
from tests.helpers import cbis
from tests.hostile.corpus import FORMATS, build, heif_lying_unit, truncations, whole_image
from tests.hostile.helpers import rows, untouched


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's own complaints about the damaged files
def test_previews_of_damaged_images_indexed_with_allow_truncated(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    build(evidence, [("heif/lying-unit.heic", heif_lying_unit())])
    build(evidence, list(truncations()))
    build(evidence, [(f"whole/{kind}.{extension}", whole_image(kind)) for kind, (extension, _, _) in FORMATS.items()])
    with untouched(evidence):
        result = cbis("index", evidence, "--case", case_dir, "--no-classify", "--allow-truncated")
        assert result.exit_code == 0, result.output
        client = create_app(case_dir).test_client()  # not TESTING: an exception is the 500 a browser would get
        answers: dict[str, dict[str, int]] = {}
        for file_id, path in rows(case_dir, "SELECT id, path FROM files ORDER BY path"):
            answers[path] = {}
            for kind in ("thumb.jpg", "display.jpg", "original"):
                answers[path][kind] = client.get(f"/file/{file_id}/{kind}").status_code
            answers[path]["page"] = client.get(f"/image/{file_id}").status_code
    failed = {path: codes for path, codes in answers.items() if any(code >= 500 for code in codes.values())}
    assert not failed
    # libheif runs out of data in the HEVC unit that claims more bytes than there are: indexed (flagged), no preview.
    assert answers["heif/lying-unit.heic"] == {"thumb.jpg": 404, "display.jpg": 404, "original": 200, "page": 200}
    assert all(answers[f"whole/{kind}.{extension}"]["thumb.jpg"] == 200 for kind, (extension, _, _) in FORMATS.items())
