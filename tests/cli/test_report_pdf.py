"""`cbis report --pdf FILE` printed by Debian's chromium through Playwright, read back with pypdfium2: the pages
rendered to PNG, each page's text holding the case number and "page x of y"; and the HTML report opened in the
same chromium: it renders under its own Content-Security-Policy without a console error or a single request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cbis.reports import pdf_format
from tests.cli.test_report_html import report
from tests.helpers import cbis

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the page is the HTML report's, tested on both
@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
def test_every_pdf_page_has_the_case_number_and_page_x_of_y(classified: Path, tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2", reason="pip install -e '.[dev]' installs pypdfium2")
    out = tmp_path / "report" / "case.pdf"
    printed = report(classified, "--pdf", out)
    assert "12 files" in printed
    manifest = json.loads((out.parent / "case.pdf.manifest.json").read_text(encoding="utf-8"))
    assert [entry["name"] for entry in manifest["files"]] == ["case.pdf"]
    document = pdfium.PdfDocument(out)
    try:
        pages = len(document)
        assert pages >= 3  # 12 files with thumbnails, labels and EXIF do not fit on one A4 page
        text = ""
        for number in range(pages):
            page = document[number]
            words = " ".join(page.get_textpage().get_text_range().split())
            assert "case T-1" in words, number
            assert f"page {number + 1} of {pages}" in words, (number, words[-80:])
            text += words + " "
            if number == 0:
                picture = page.render(scale=1).to_pil().convert("L")
                # A real page: mostly white paper, but ink on it (text, a thumbnail, a chart).
                histogram = picture.histogram()
                dark = sum(histogram[:128]) / (picture.width * picture.height)
                assert 0.005 < dark < 0.5, dark
                assert len(picture.getcolors(256) or range(257)) > 8
        assert "PASS" in text and "camera/Canon_40D.jpg" in text and "a" * 32 in text
    finally:
        document.close()
    head = manifest["audit_head"]  # the PDF, unlike the HTML, is never byte-identical: the head is on its page
    assert f"entry {head['entry']}, SHA-256" in text and head["sha256"][:16] in text.replace(" ", "")


def test_without_chromium_pdf_is_a_one_line_error_naming_the_package(
    classified: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "case.pdf"
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CBIS_CHROMIUM", raising=False)
    result = cbis("report", "--case", classified, "--pdf", out)
    assert result.exit_code == 1
    assert result.output.startswith("Error: --pdf prints with headless chromium and found none")
    assert "apt-get install chromium" in result.output and "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.glob("case.pdf*"))
    monkeypatch.setenv("CBIS_CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = cbis("report", "--case", classified, "--pdf", out)
    assert result.exit_code == 1 and "is not an executable file" in result.output
    assert pdf_format.chromium.__name__ == "chromium"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
def test_the_html_report_renders_in_chromium_under_its_policy_and_requests_nothing(
    classified: Path,
    tmp_path: Path,
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' installs playwright")
    out = tmp_path / "html"
    report(classified, "--html", out)
    address = (out / "index.html").as_uri()
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=pdf_format.CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: r.url == address or r.url.startswith("data:") or problems.append(r.url))
            page.goto(address, wait_until="load")
            sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
            map_box = page.locator("svg.map").bounding_box()
            bars = page.locator("svg.chart rect.bar").count()
            styled = page.eval_on_selector("h2", "e => getComputedStyle(e).borderBottomStyle")
        finally:
            browser.close()
    assert problems == []  # a CSP violation (a style or image the policy refuses) is a console error
    assert len(sizes) >= 10 and all(done and width > 0 for done, width in sizes)
    assert map_box is not None and map_box["width"] > 400 and map_box["height"] > 200
    assert bars > 10
    assert styled == "solid"  # the inline stylesheet applied: its hash is the one the policy allows
