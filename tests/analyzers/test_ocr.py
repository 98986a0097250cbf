"""The OCR analyzer on pictures with known text rendered here (fonts, sizes, turns, English and German), its
selection of the pictures worth reading, and hostile inputs; through the analyzer interface, with real Tesseract."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cbis.analyzers import AnalysisInput, AnalyzerSettings, ocr
from cbis.db.text_search import fold
from cbis.errors import UsageError
from tests.analyzers.rendered import MONO, SANS, SERIF, chat_screenshot, page, sign_photo

pytestmark = pytest.mark.skipif(ocr.unavailable() is not None, reason=f"Tesseract: {ocr.unavailable()}")


@pytest.fixture(scope="module")
def reader() -> ocr.OcrAnalyzer:
    return ocr.load(AnalyzerSettings(ocr_languages="eng+deu"))


def read(analyzer: ocr.OcrAnalyzer, image: Image.Image, *, fmt: str = "PNG", exif: dict | None = None) -> ocr.OcrText:
    source = AnalysisInput(image, None, fmt, image.width, image.height, exif)
    prepared = analyzer.prepare(source)
    assert prepared is not None
    (result,) = analyzer.analyze([prepared])
    return result


def words_of(result: ocr.OcrText) -> set[str]:
    return {fold(word.text.strip(".,:;!?")) for word in result.words}


@pytest.mark.parametrize(
    ("font", "size"), [(SANS, 28), (SANS, 64), (SERIF, 36), (MONO, 32)], ids=["sans28", "sans64", "serif36", "mono32"]
)
def test_it_reads_english_in_several_fonts_and_sizes(reader: ocr.OcrAnalyzer, font: object, size: int) -> None:
    result = read(reader, page(["Bank transfer confirmed", "Invoice number 48213"], font=font, size=size))  # type: ignore[arg-type]
    assert result.read and result.reason.startswith("text-like")
    assert {"bank", "transfer", "confirmed", "invoice", "number", "48213"} <= words_of(result)
    assert result.confidence is not None and result.confidence > 80
    assert result.languages == "eng+deu"


def test_it_reads_german_with_its_letters(reader: ocr.OcrAnalyzer) -> None:
    result = read(reader, page(["Überweisung an Müller", "Straße und Größe"], size=48))
    assert {"uberweisung", "strasse", "grosse"} <= words_of(result)
    # folded for searching, but stored as read: the umlauts are in the text itself
    assert "Straße" in result.text


def test_word_boxes_are_where_the_words_are() -> None:
    image = page(["left", "", "", "", "", "below"], size=60, canvas=(1000, 800))
    result = read(ocr.load(AnalyzerSettings(ocr_mode="all")), image)  # two words: too little for the detector
    boxes = {word.text: word for word in result.words}
    first, second = boxes["left"], boxes["below"]
    assert 40 <= first.left <= 80 and 40 <= first.top <= 110  # drawn at (60, 60)
    assert second.top > first.top + 300  # five lines of 96 px further down
    assert 0 < first.width < 300 and 20 < first.height < 90


def test_boxes_are_in_pixels_of_the_full_picture_when_it_was_decoded_smaller(reader: ocr.OcrAnalyzer) -> None:
    full = page(["Reduced"], size=80, canvas=(2000, 1000))
    half = full.resize((1000, 500))
    source = AnalysisInput(half, None, "PNG", 2000, 1000, None)  # the run decoded it at half size
    (result,) = reader.analyze([reader.prepare(source)])  # type: ignore[list-item]
    (word,) = [w for w in result.words if w.text == "Reduced"]
    assert 60 <= word.left <= 110  # drawn at x=80 in the full picture


@pytest.mark.parametrize("turn", [90, 270])
def test_a_page_photographed_sideways_is_read_turned(reader: ocr.OcrAnalyzer, turn: int) -> None:
    upright = page(["Meeting at the harbour", "Tuesday evening"], size=48, canvas=(1100, 400))
    turned = upright.rotate(turn, expand=True)
    result = read(reader, turned)
    assert result.rotation in (90, 270)
    assert {"meeting", "harbour", "tuesday", "evening"} <= words_of(result)
    # the boxes are in the picture as it is (turned): tall and narrow
    long_words = [w for w in result.words if len(w.text) >= 7]
    assert long_words and all(w.height > w.width for w in long_words)


def test_a_chat_screenshot_is_flagged_and_read(reader: ocr.OcrAnalyzer) -> None:
    result = read(reader, chat_screenshot(["Did the bank transfer arrive?", "Yes, 2500 euro today"]))
    assert result.screenshot and result.read and result.reason == "screenshot"
    assert {"bank", "transfer", "arrive", "2500", "euro"} <= words_of(result)


def test_a_sign_in_a_photo_is_found_by_the_text_detector(reader: ocr.OcrAnalyzer) -> None:
    result = read(reader, sign_photo("HAUPTBAHNHOF"), fmt="JPEG", exif={"make": "Canon", "model": "EOS"})
    assert result.read and not result.screenshot
    assert "hauptbahnhof" in words_of(result)


def test_camera_photos_without_text_are_passed_by_unless_all(reader: ocr.OcrAnalyzer) -> None:
    rng = np.random.default_rng(1)
    smooth = Image.fromarray(rng.normal(128, 8, (60, 80, 3)).clip(0, 255).astype("uint8")).resize((1600, 1200))
    camera = {"make": "Nikon", "model": "D70"}
    passed = read(reader, smooth, fmt="JPEG", exif=camera)
    assert not passed.read and passed.reason == "not text-like" and passed.words == [] and passed.text == ""
    everything = ocr.load(AnalyzerSettings(ocr_mode="all"))
    assert read(everything, smooth, fmt="JPEG", exif=camera).read


def test_screenshot_geometry_needs_no_camera_exif(reader: ocr.OcrAnalyzer) -> None:
    blank = Image.new("RGB", (1170, 2532), (250, 250, 250))
    assert read(reader, blank).screenshot  # an iPhone's screen, no EXIF
    assert not read(reader, blank, fmt="JPEG", exif={"make": "Apple", "model": "iPhone 13"}).screenshot
    # a trail camera that writes no make, only its exposure (the Reconyx HC500 sample), at an iPad's size
    exposure = {"tags": {"Exif": {"ExposureTime": [148, 8160], "ISOSpeedRatings": 100}}}
    assert not read(reader, Image.new("RGB", (2048, 1536), "white"), fmt="JPEG", exif=exposure).screenshot
    assert read(reader, Image.new("RGB", (900, 1600), "white"), fmt="PNG").screenshot  # a screen's proportions
    assert not read(reader, Image.new("RGB", (900, 1600), "white"), fmt="JPEG").screenshot


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1, 1)),
        Image.new("RGB", (12, 3000), "white"),
        Image.new("RGB", (1500, 1500), "white"),
        Image.fromarray(np.random.default_rng(3).integers(0, 256, (900, 1200, 3), dtype=np.uint8)),
        Image.new("RGB", (9000, 60), "black"),
    ],
    ids=["1x1", "sliver", "blank", "noise", "huge-strip"],
)
def test_hostile_pictures_give_a_result_and_no_text(reader: ocr.OcrAnalyzer, image: Image.Image) -> None:
    all_mode = ocr.load(AnalyzerSettings(ocr_mode="all"))
    for analyzer in (reader, all_mode):
        result = read(analyzer, image)
        assert isinstance(result, ocr.OcrText)
        assert len(result.text) < 40  # noise may give Tesseract a stray glyph or two, never a page


def test_languages_and_modes_are_checked() -> None:
    assert ocr.parse_languages("eng+deu+eng") == "eng+deu"
    for bad in ("", "eng+", "eng deu", "../eng"):
        with pytest.raises(UsageError, match="--ocr-lang"):
            ocr.parse_languages(bad)
    with pytest.raises(UsageError, match="--ocr"):
        ocr.parse_mode("some")
    reason = ocr.missing_reason("xyzzy")
    assert reason is not None and "apt-get install tesseract-ocr" in reason and "xyzzy" in reason
    with pytest.raises(UsageError, match="apt-get install"):
        ocr.load(AnalyzerSettings(ocr_languages="xyzzy"))


def test_provenance_names_the_engine_and_each_language_file(reader: ocr.OcrAnalyzer) -> None:
    import hashlib

    provenance = reader.provenance()
    assert provenance["engine"].startswith("tesseract 5")
    directory = ocr.tessdata_for("eng+deu")
    assert directory is not None
    for language in ("eng", "deu"):
        expected = hashlib.sha256((directory / f"{language}.traineddata").read_bytes()).hexdigest()
        assert provenance["traineddata_sha256"][language] == expected
    assert "tessdata" not in reader.identity()  # where the files are may differ between Ray nodes
