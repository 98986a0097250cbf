"""The viewer in a real browser: Debian's chromium driven by Playwright against the real server on localhost.

Checks what only a browser can: the pages render under the Content-Security-Policy without a single console
error, the server-side SVG chart and map have a real size on screen, the filter form and keyboard links work.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.web.conftest import ViewerCase

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')"
)
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The viewer served by werkzeug on a free localhost port, in a thread, for the block: its origin."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(app: Flask) -> Iterator[str]:
    with served(app) as origin:
        yield origin


class Console:
    """Every console message, page error, failed or off-site request: a CSP violation shows up here."""

    def __init__(self, origin: str) -> None:
        self.problems: list[str] = []
        self.origin = origin

    def attach(self, page) -> None:  # type: ignore[no-untyped-def]
        page.on(
            "request",
            lambda r: r.url.startswith(self.origin + "/") or self.problems.append(f"off-site request: {r.url}"),
        )
        page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))


@contextmanager
def chromium_page(profile: Path, origin: str) -> Iterator[tuple[Any, Console]]:
    """A page of a fresh chromium profile, with every console problem on `origin` collected."""
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
            offline=False,
        )
        try:
            page = context.new_page()
            console = Console(origin)
            console.attach(page)
            yield page, console
        finally:
            context.close()


@pytest.fixture
def browser_page(tmp_path: Path, live_server: str) -> Iterator[tuple[object, Console]]:
    with chromium_page(tmp_path / "profile", live_server) as opened:  # a fresh profile every time
        yield opened


def visible_size(page, selector: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    locator = page.locator(selector).first
    sync_api.expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None, selector
    return box["width"], box["height"]


def test_filter_open_image_chart_map_and_keys(
    live_server: str, browser_page: tuple[object, Console], shared_case: ViewerCase, tmp_path: Path
) -> None:
    page, console = browser_page
    page.goto(live_server + "/")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert page.locator(".tile").count() == min(60, shared_case.images)  # type: ignore[attr-defined]
    page.screenshot(path=str(tmp_path / "gallery.png"))  # type: ignore[attr-defined]

    # Filter by a label through the form.
    page.fill("#f-label", "retriever")  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"label=retriever"))  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    labels = page.locator(".tile .label").all_inner_texts()  # type: ignore[attr-defined]
    assert labels and page.locator(".chips").inner_text().startswith("label")  # type: ignore[attr-defined]
    for image in page.locator(".tile img").all():  # type: ignore[attr-defined]
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    # Open the first result: the display image, the predictions chart.
    first = page.locator(".tile a.name").first  # type: ignore[attr-defined]
    first.click()
    page.wait_for_url(re.compile(r"/image/\d+\?label=retriever"))  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    width, height = visible_size(page, "svg.chart.bars")
    assert width > 200 and height > 50
    assert page.locator("svg.chart.bars rect.bar").count() == 5  # type: ignore[attr-defined]
    assert page.locator("#display-image").evaluate("img => img.naturalWidth") > 0  # type: ignore[attr-defined]

    # The right arrow follows rel=next, keeping the filter (keys.js, allowed by the CSP as a static file).
    before = page.url  # type: ignore[attr-defined]
    page.keyboard.press("ArrowRight")  # type: ignore[attr-defined]
    page.wait_for_url(lambda url: url != before and "label=retriever" in url)  # type: ignore[attr-defined]

    # A GPS image: both maps have a size, their outline loaded, the point is drawn.
    page.goto(f"{live_server}/image/{shared_case.ids['gps/DSCN0021.jpg']}?has_gps=1")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    for selector in ("svg.map-region", "svg.map-world", "svg.map-region circle"):
        width, height = visible_size(page, selector)
        assert width > 0 and height > 0, selector
    region_width, region_height = visible_size(page, "svg.map-region")
    assert region_width > 150 and abs(region_width / region_height - 2) < 0.1
    page.screenshot(path=str(tmp_path / "image.png"), full_page=True)  # type: ignore[attr-defined]

    # The overview: charts and the map of every point.
    page.goto(live_server + "/overview")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    for selector in ("svg.chart.columns", "svg.map-overview", 'svg[aria-label="Images by top-1 label"]'):
        width, height = visible_size(page, selector)
        assert width > 100 and height > 50, selector
    assert page.locator("svg.map-overview circle").count() == 4  # type: ignore[attr-defined]
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)  # type: ignore[attr-defined]

    assert console.problems == []
    for name in ("gallery.png", "image.png", "overview.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_hostile_text_stays_text_and_inline_script_is_blocked(
    live_server: str, browser_page: tuple[object, Console], shared_case: ViewerCase
) -> None:
    page, console = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]
    for path in ("hostile/<script>alert(1)</script>.jpg", 'hostile/"><img src=x onerror=alert(1)>.jpg'):
        page.goto(f"{live_server}/image/{shared_case.ids[path]}")  # type: ignore[attr-defined]
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
        assert page.locator("h1.file-title").inner_text() == path  # type: ignore[attr-defined]
        assert page.locator("img[src='x']").count() == 0  # type: ignore[attr-defined]
    page.goto(f"{live_server}/?per_page=240")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert dialogs == [] and console.problems == []
    # The policy is really enforced: a script injected into the page is refused by the browser.
    ran = page.evaluate(  # type: ignore[attr-defined]
        """() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                   document.body.appendChild(s); return window.__ran === 1; }"""
    )
    assert ran is False
    assert any("Content Security Policy" in problem for problem in console.problems)
