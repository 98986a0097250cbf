"""Copies and look-alikes in the viewer, on variants made from real camera photos: the image page lists each with
the reason `cbis duplicates` gives, the gallery collapses a visual stack to one tile with a badge and opens it,
and an edited picture shows its EXIF thumbnail beside it."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from cbis.web import create_app
from tests.cli.test_duplicates import edited_after_the_camera, make_variants
from tests.conftest import EVIDENCE_SAMPLES, tree_fingerprint
from tests.db.support import wait_for
from tests.helpers import cbis
from tests.web.conftest import listed_ids

pytestmark = pytest.mark.slow

ORIGINAL = "variants/original.jpg"
STACK = ("half.jpg", "q30.jpg", "q90-stripped.jpg", "as.png", "as.webp", "crop5.jpg", "turned90.jpg")


@dataclass
class LookalikeCase:
    case_dir: Path
    evidence: Path
    ids: dict[str, int]
    duplicates: list[dict]  # `cbis duplicates --json`


@pytest.fixture(scope="module")
def lookalike_case(tmp_path_factory: pytest.TempPathFactory) -> LookalikeCase:
    base = tmp_path_factory.mktemp("lookalikes")
    evidence = base / "evidence"
    (evidence / "variants").mkdir(parents=True)
    photo = EVIDENCE_SAMPLES / "jpg" / "gps" / "DSCN0010.jpg"
    shutil.copy(photo, evidence / ORIGINAL)
    make_variants(photo, evidence / "variants" / "made")
    shutil.copy(photo, evidence / "copy-of-original.jpg")
    shutil.copy(EVIDENCE_SAMPLES / "jpg" / "Nikon_D70.jpg", evidence / "nikon.jpg")
    edited_after_the_camera(
        EVIDENCE_SAMPLES / "jpg" / "gps" / "DSCN0025.jpg",
        evidence / "edited.jpg",
        EVIDENCE_SAMPLES / "jpg" / "gps" / "DSCN0012.jpg",
    )
    case_dir = base / "case"
    assert cbis("case", "new", case_dir, "--number", "L-1", "--examiner", "Test Examiner").exit_code == 0
    before = tree_fingerprint(evidence)
    result = cbis("index", evidence, "--case", case_dir, "--analyze", "perceptual")
    assert result.exit_code == 0, result.output
    found = cbis("duplicates", "--case", case_dir, "--json")
    assert found.exit_code == 0, found.output
    client = create_app(case_dir, {"TESTING": True}).test_client()
    expanded = client.get("/?stacks=expand&per_page=240").get_data(as_text=True)
    ids = {
        path: int(file_id)
        for file_id, path in re.findall(r'class="name" href="/image/(\d+)[^"]*" title="([^"]+)"', expanded)
    }
    assert len(ids) == 12, ids
    assert tree_fingerprint(evidence) == before
    return LookalikeCase(case_dir, evidence, ids, [json.loads(line) for line in found.stdout.splitlines()])


@pytest.fixture
def client(lookalike_case: LookalikeCase) -> FlaskClient:
    return create_app(lookalike_case.case_dir, {"TESTING": True}).test_client()


def section(html: str) -> str:
    start = html.index('id="lookalikes"')
    return html[start : html.index("</section>", start)]


def reasons(found: list[dict], path: str) -> dict[frozenset[str], str]:
    """Every link's reason of `cbis duplicates` that involves this path, keyed by the two paths."""
    return {
        frozenset((link["a"], link["b"])): link["reason"]
        for group in found
        for link in group["links"]
        if path in (link["a"], link["b"])
    }


def test_image_page_lists_copies_and_lookalikes_with_the_reasons_of_cbis_duplicates(
    lookalike_case: LookalikeCase, client: FlaskClient
) -> None:
    page = client.get(f"/image/{lookalike_case.ids[ORIGINAL]}")
    assert page.status_code == 200
    listed = section(page.get_data(as_text=True))
    links = reasons(lookalike_case.duplicates, ORIGINAL)
    copies = reasons(lookalike_case.duplicates, "copy-of-original.jpg")
    copy = links[frozenset((ORIGINAL, "copy-of-original.jpg"))]
    assert "Exact copies" in listed and f'href="/image/{lookalike_case.ids["copy-of-original.jpg"]}"' in listed
    assert copy.startswith("same SHA-256") and copy in listed
    for variant in STACK:
        path = f"variants/made/{variant}"
        assert f'href="/image/{lookalike_case.ids[path]}"' in listed, variant
        assert f"/file/{lookalike_case.ids[path]}/thumb.jpg" in listed, variant
        # cbis duplicates links one file per SHA-256 (the first indexed: the copy); the page says the same of both
        reason = links.get(frozenset((ORIGINAL, path))) or copies[frozenset(("copy-of-original.jpg", path))]
        assert reason.replace(">", "&gt;") in listed, (variant, reason)
    assert "resized 640x480 -&gt; 320x240" in listed and "once turned" in listed
    assert "nikon.jpg" not in listed and "edited.jpg" not in listed  # unrelated photos never listed


def test_a_variants_page_lists_the_original_and_its_copy(lookalike_case: LookalikeCase, client: FlaskClient) -> None:
    listed = section(client.get(f"/image/{lookalike_case.ids['variants/made/half.jpg']}").get_data(as_text=True))
    for path in (ORIGINAL, "copy-of-original.jpg", "variants/made/q30.jpg"):
        assert f'href="/image/{lookalike_case.ids[path]}"' in listed, path
    assert "Exact copies" not in listed
    unrelated = section(client.get(f"/image/{lookalike_case.ids['nikon.jpg']}").get_data(as_text=True))
    assert "No other file in this case is a copy or a look-alike" in unrelated


def test_gallery_collapses_the_stack_to_its_likelier_original_with_a_badge(
    lookalike_case: LookalikeCase, client: FlaskClient
) -> None:
    stack = next(g for g in lookalike_case.duplicates if g["kind"] == "visual")
    members = {lookalike_case.ids[m["path"]] for m in stack["members"]}
    head = max(stack["members"], key=lambda m: (m["width"] * m["height"], m["size"]))  # every member's EXIF differs
    collapsed = client.get("/?per_page=240").get_data(as_text=True)
    tiles = listed_ids(collapsed)
    assert set(tiles) & members == {lookalike_case.ids[head["path"]]}
    assert f"+{len(members) - 1} look-alikes" in collapsed
    assert len(tiles) == 12 - len(members) + 1
    assert f"<strong>{len(tiles)}</strong> files" in collapsed  # the count is of tiles, so the pages add up
    opened = client.get(f"/?stack={lookalike_case.ids[head['path']]}&per_page=240")
    assert opened.status_code == 200 and set(listed_ids(opened.get_data(as_text=True))) == members
    expanded = client.get("/?stacks=expand&per_page=240").get_data(as_text=True)
    assert len(listed_ids(expanded)) == 12 and "look-alikes</a>" not in expanded
    assert 'name="stacks"' in expanded and '<option value="expand" selected>' in expanded
    # links keep the switch, as they keep missing= and known=
    assert f'href="/image/{lookalike_case.ids["nikon.jpg"]}?stacks=expand' in expanded
    assert client.get("/?stacks=sideways").status_code == 400


def test_a_filter_that_leaves_out_the_original_still_shows_the_member_it_keeps(
    lookalike_case: LookalikeCase, client: FlaskClient
) -> None:
    half = lookalike_case.evidence / "variants" / "made" / "half.jpg"
    digest = hashlib.sha256(half.read_bytes()).hexdigest()
    assert listed_ids(client.get(f"/?hash={digest}").get_data(as_text=True)) == [
        lookalike_case.ids["variants/made/half.jpg"]
    ]


def test_edited_picture_shows_its_exif_thumbnail_beside_it(lookalike_case: LookalikeCase, client: FlaskClient) -> None:
    edited = lookalike_case.ids["edited.jpg"]
    html = client.get(f"/image/{edited}").get_data(as_text=True)
    assert "EXIF thumbnail differs from the picture" in html
    assert f'src="/file/{edited}/display.jpg"' in html and f'src="/file/{edited}/exif-thumbnail.jpg"' in html
    distance = int(re.search(r"pHash (\d+) bits of 64", html).group(1))  # type: ignore[union-attr]
    assert distance > 16
    # the same distance among its second-look reasons, read with the file's own perceptual hashes only
    assert f"the EXIF thumbnail is not the picture (pHash {distance} bits apart)" in html
    original_html = client.get(f"/image/{lookalike_case.ids[ORIGINAL]}").get_data(as_text=True)
    assert "the EXIF thumbnail is not the picture" not in original_html
    thumbnail = client.get(f"/file/{edited}/exif-thumbnail.jpg")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(thumbnail.data)) as opened:
        assert opened.format == "JPEG" and opened.width <= 200
    flagged = client.get("/?thumbnail_mismatch=1").get_data(as_text=True)
    assert listed_ids(flagged) == [edited]
    # a picture whose thumbnail agrees shows it without the badge; one without a thumbnail has no route answer
    original = client.get(f"/image/{lookalike_case.ids[ORIGINAL]}").get_data(as_text=True)
    assert "exif-thumbnail.jpg" in original and "EXIF thumbnail differs" not in original
    stripped = lookalike_case.ids["variants/made/q90-stripped.jpg"]
    assert client.get(f"/file/{stripped}/exif-thumbnail.jpg").status_code == 404
    assert client.get("/file/99999/exif-thumbnail.jpg").status_code == 404


def test_the_exif_thumbnail_route_refuses_changed_evidence(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    shutil.copy(EVIDENCE_SAMPLES / "jpg" / "gps" / "DSCN0025.jpg", evidence / "photo.jpg")
    case_dir = tmp_path / "case"
    assert cbis("case", "new", case_dir, "--number", "L-2", "--examiner", "Test Examiner").exit_code == 0
    assert cbis("index", evidence, "--case", case_dir, "--analyze", "perceptual").exit_code == 0
    client = create_app(case_dir, {"TESTING": True}).test_client()
    assert client.get("/file/1/exif-thumbnail.jpg").status_code == 200
    with (evidence / "photo.jpg").open("ab") as stream:
        stream.write(b"\0")
    assert client.get("/file/1/exif-thumbnail.jpg").status_code == 409


def test_on_a_large_case_the_stacks_are_grouped_on_a_thread_and_no_page_waits(lookalike_case: LookalikeCase) -> None:
    """Past STACKS_GROUP_NOW_ROWS perceptual rows (0 here: this case stands for a large one) the first gallery
    after a change shows every file and says the stacks are being grouped, as does an image page (its copies
    still listed); once the thread is done, both show exactly what a case grouped at once shows."""
    from cbis.web import lookalikes

    def large() -> Flask:
        return create_app(lookalike_case.case_dir, {"TESTING": True, "STACKS_GROUP_NOW_ROWS": 0})

    original = lookalike_case.ids[ORIGINAL]
    # Each app's first request starts the thread and answers at once, however soon the thread is done.
    first = large().test_client().get("/?per_page=240").get_data(as_text=True)
    assert "look-alike stacks are being grouped" in first and len(listed_ids(first)) == 12
    assert "look-alikes</a>" not in first
    app = large()
    client = app.test_client()
    page = section(client.get(f"/image/{original}").get_data(as_text=True))
    assert "stacks are being grouped" in page and "Its visual stack" not in page
    assert f'href="/image/{lookalike_case.ids["copy-of-original.jpg"]}"' in page  # copies need no grouping
    assert wait_for(lambda: lookalikes.CACHE_KEY in app.extensions and lookalikes.GROUPING_KEY not in app.extensions)
    at_once = create_app(lookalike_case.case_dir, {"TESTING": True}).test_client()
    for url in ("/?per_page=240", f"/image/{original}", f"/?stack={original}&per_page=240"):
        grouped, expected = (c.get(url).get_data(as_text=True) for c in (client, at_once))
        assert "being grouped" not in grouped and listed_ids(grouped) == listed_ids(expected), url
    assert section(client.get(f"/image/{original}").get_data(as_text=True)) == section(
        at_once.get(f"/image/{original}").get_data(as_text=True)
    )
    assert "look-alikes</a>" in client.get("/?per_page=240").get_data(as_text=True)
