"""The viewer's text and faces: the image page shows the OCR text with each word boxed over the picture and the
faces boxed, with crops made from the evidence on demand and cached in the case directory; the gallery filters by
text, screenshots and faces; and it all renders under the CSP in a real chromium."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from cbis.analyzers import faces, ocr
from cbis.web import create_app
from tests.analyzers.rendered import chat_screenshot, page
from tests.conftest import tree_fingerprint
from tests.helpers import cbis
from tests.web.conftest import listed_ids

pytestmark = pytest.mark.skipif(
    ocr.unavailable() is not None or faces.unavailable() is not None, reason="Tesseract or BlazeFace missing"
)
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def text_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    base = tmp_path_factory.mktemp("text-faces")
    evidence = base / "evidence"
    evidence.mkdir()
    chat_screenshot(["Did the bank transfer arrive?", "Yes, 2500 euro today"]).save(evidence / "chat.png")
    page(["Invoice 4711", "Total due 99 euro"], size=44).save(evidence / "invoice.png")
    shutil.copy(DATA / "evidence-samples/jpg/invalid/image00971.jpg", evidence / "people.jpg")
    shutil.copy(DATA / "model/chelsea.png", evidence / "cat.png")
    case_dir = base / "case"
    assert cbis("case", "new", case_dir, "--number", "TF-1", "--examiner", "Test Examiner").exit_code == 0
    result = cbis("index", evidence, "--case", case_dir, "--analyze", "ocr,faces")
    assert result.exit_code == 0, result.output
    client = create_app(case_dir, {"TESTING": True}).test_client()
    html = client.get("/?per_page=240").get_data(as_text=True)
    ids = dict(zip(["cat.png", "chat.png", "invoice.png", "people.jpg"], listed_ids(html), strict=True))  # by path
    return case_dir, evidence, ids


@pytest.fixture
def client(text_case: tuple[Path, Path, dict[str, int]]) -> FlaskClient:
    return create_app(text_case[0], {"TESTING": True}).test_client()


def test_the_image_page_shows_the_text_and_boxes_each_word(text_case, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _, _, ids = text_case
    html = client.get(f"/image/{ids['chat.png']}").get_data(as_text=True)
    text = re.search(r'<pre class="ocr-text" id="ocr-text">(.*?)</pre>', html, re.S)
    assert text and "bank transfer arrive" in text.group(1)
    assert "screenshot" in html
    overlay = re.search(r'<svg class="overlay" id="image-overlay" viewBox="0 0 1080 2340"', html)
    assert overlay, "the word boxes are drawn in the picture's own pixels"
    boxes = re.findall(r'<rect class="ocr-word" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"><title>(\S+)', html)
    assert {"bank", "transfer"} <= {word.lower() for *_, word in boxes}
    assert ' style="' not in html.split('id="image-overlay"')[1].split("</svg>")[0]  # CSP: no inline style


def test_faces_are_boxed_and_cropped_from_the_evidence(text_case, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    case_dir, evidence, ids = text_case
    before = tree_fingerprint(evidence)
    html = client.get(f"/image/{ids['people.jpg']}").get_data(as_text=True)
    assert "1 face found" in html
    (face,) = re.findall(r'<rect class="face-box" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"', html)
    assert 460 < float(face[0]) < 520  # the boy's face, in pixels of the 636-pixel picture
    crop = client.get(f"/file/{ids['people.jpg']}/face/0.jpg")
    assert crop.status_code == 200 and crop.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(crop.data)) as opened:
        assert opened.format == "JPEG" and max(opened.size) <= 160 and min(opened.size) > 40
    cached = list(case_dir.rglob("*_face_*.jpg"))
    assert len(cached) == 1 and cached[0].read_bytes() == crop.data
    assert client.get(f"/file/{ids['people.jpg']}/face/1.jpg").status_code == 404
    assert client.get(f"/file/{ids['cat.png']}/face/0.jpg").status_code == 404
    assert "No face found" in client.get(f"/image/{ids['cat.png']}").get_data(as_text=True)
    assert tree_fingerprint(evidence) == before


def test_a_changed_evidence_file_gets_no_face_crop(tmp_path: Path, text_case) -> None:  # type: ignore[no-untyped-def]
    _, evidence, _ = text_case
    copy = tmp_path / "evidence"
    shutil.copytree(evidence, copy)
    case_dir = tmp_path / "case"
    assert cbis("case", "new", case_dir, "--number", "TF-2", "--examiner", "Test Examiner").exit_code == 0
    assert cbis("index", copy, "--case", case_dir, "--analyze", "faces").exit_code == 0
    client = create_app(case_dir, {"TESTING": True}).test_client()
    (file_id,) = [i for i in listed_ids(client.get("/?faces=1").get_data(as_text=True))]
    with Image.open(copy / "people.jpg") as opened:
        opened.convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(copy / "people.jpg")
    assert client.get(f"/file/{file_id}/face/0.jpg").status_code == 409


def test_the_gallery_filters_by_text_screenshots_and_faces(text_case, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _, _, ids = text_case
    assert listed_ids(client.get("/?text=invoice").get_data(as_text=True)) == [ids["invoice.png"]]
    assert listed_ids(client.get("/?text=euro").get_data(as_text=True)) == [ids["chat.png"], ids["invoice.png"]]
    assert listed_ids(client.get("/?screenshot=1").get_data(as_text=True)) == [ids["chat.png"]]
    assert listed_ids(client.get("/?faces=1").get_data(as_text=True)) == [ids["people.jpg"]]
    refused = client.get("/?text=%22%22").get_data(as_text=True)
    assert "words to find" in refused


def test_the_faces_page_shows_each_face_as_a_crop(text_case, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _, _, ids = text_case
    html = client.get("/faces").get_data(as_text=True)
    assert "1 image with faces" in html
    assert re.findall(r'src="/file/(\d+)/face/(\d+)\.jpg"', html) == [(str(ids["people.jpg"]), "0")]
    filtered = client.get("/faces?text=invoice").get_data(as_text=True)  # the gallery's filters apply
    assert 'id="no-faces"' in filtered and "/face/" not in filtered.split("<h1>")[1]


@pytest.mark.browser
def test_the_overlay_renders_over_the_picture_under_the_csp(text_case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.web.test_browser import chromium_page, served

    case_dir, _, ids = text_case
    with served(create_app(case_dir, {"TESTING": True})) as origin, chromium_page(tmp_path / "p", origin) as opened:
        browser, console = opened
        browser.goto(f"{origin}/image/{ids['chat.png']}")
        browser.wait_for_load_state("networkidle")
        picture = browser.locator("#display-image").bounding_box()
        overlay = browser.locator("#image-overlay").bounding_box()
        assert picture and overlay and picture["width"] > 100
        for key in ("x", "y", "width", "height"):
            assert abs(picture[key] - overlay[key]) < 2, key
        word = browser.locator("#image-overlay rect.ocr-word").first.bounding_box()
        assert word and picture["x"] <= word["x"] < picture["x"] + picture["width"] and word["width"] > 2
        browser.goto(f"{origin}/image/{ids['people.jpg']}")
        browser.wait_for_load_state("networkidle")
        assert browser.locator(".face-crops img").evaluate("img => img.naturalWidth") > 40
        browser.goto(f"{origin}/faces")
        browser.wait_for_load_state("networkidle")
        assert browser.locator(".face-files .face-crops img").evaluate("img => img.naturalWidth") > 40
        assert console.problems == []
