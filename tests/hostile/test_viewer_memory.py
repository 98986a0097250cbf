"""Previews of images that cost gigabytes to decode: the viewer renders them through the indexer's decoder, so
concurrent requests take turns within its memory budget instead of each holding a full-size copy."""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

from tests.hostile.corpus import build, png_declaring
from tests.hostile.helpers import cbis_run, peak_rss, rows

GB = 1 << 30
MB = 1 << 20

# Four requests at once (thumbnail and display of both images), as a gallery page and an open image page would
# send them. Each answer's status and JPEG size are printed for the test to check.
_PREVIEWS = textwrap.dedent(
    """
    import io, sys, threading
    sys.path.insert(0, {repo!r})
    from PIL import Image
    from cbis.web import create_app
    case_dir, ids = sys.argv[1], [int(n) for n in sys.argv[2:]]
    app = create_app(case_dir, {{"TESTING": True}})
    answers = []
    def fetch(file_id, kind):
        response = app.test_client().get(f"/file/{{file_id}}/{{kind}}.jpg")
        size = Image.open(io.BytesIO(response.data)).size if response.status_code == 200 else None
        answers.append((file_id, kind, response.status_code, size))
    threads = [threading.Thread(target=fetch, args=(i, kind)) for i in ids for kind in ("thumb", "display")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(sorted(answers))
    """
)


@pytest.mark.slow
def test_previews_of_images_that_cost_gigabytes_take_turns(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    build(
        evidence,
        [
            # 700 KB that decode to 715 MB of RGBA, and 290 MB of 16-bit grey: both under the default pixel cap.
            ("rgba-13370x13370.png", png_declaring(13370, 13370, colour_type=6, rows=13370)),
            ("gray16-12000x12000.png", png_declaring(12000, 12000, colour_type=0, bit_depth=16, rows=12000)),
        ],
    )
    indexed = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
    assert indexed.returncode == 0, indexed.stderr
    ids = [str(file_id) for (file_id,) in rows(case_dir, "SELECT id FROM files WHERE status = 'image' ORDER BY id")]
    assert len(ids) == 2

    repo = str(Path(__file__).resolve().parents[2])
    result, peak = peak_rss([sys.executable, "-c", _PREVIEWS.format(repo=repo), str(case_dir), *ids])
    assert result.returncode == 0, result.stderr
    answers = ast.literal_eval(result.stdout.strip())
    assert len(answers) == 4
    for file_id, kind, status, size in answers:
        assert status == 200, (file_id, kind, status)
        assert max(size) == {"thumb": 320, "display": 1600}[kind], (file_id, kind, size)
    print(f"peak RSS of four concurrent previews: {peak / MB:.0f} MB")
    assert peak < 1.5 * GB
