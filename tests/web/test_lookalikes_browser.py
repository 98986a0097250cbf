"""A visual stack in a real browser (Debian's chromium through Playwright): the gallery's badge opens the stack,
and a look-alike's page is one click away, without a console error under the Content-Security-Policy."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from cbis.web import create_app
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, Console, sync_api
from tests.web.test_lookalikes import ORIGINAL, LookalikeCase, lookalike_case  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack_server(lookalike_case: LookalikeCase) -> Iterator[str]:  # noqa: F811
    server = make_server("127.0.0.1", 0, create_app(lookalike_case.case_dir, {"TESTING": True}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_open_a_stack_from_the_gallery_and_reach_a_lookalike(
    stack_server: str,
    lookalike_case: LookalikeCase,  # noqa: F811
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = context.new_page()
            console = Console(stack_server)
            console.attach(page)
            page.goto(stack_server + "/")
            page.wait_for_load_state("networkidle")
            tiles = page.locator(".tile").count()
            badge = page.locator("a.stack-badge").first
            assert re.fullmatch(r"\+\d+ look-alikes", badge.inner_text())
            badge.click()
            page.wait_for_url(re.compile(r"\?stack=\d+"))
            page.wait_for_load_state("networkidle")
            assert page.locator(".tile").count() > tiles - 1  # every member of the stack, one tile each
            page.locator(".tile a.name", has_text="half.jpg").click()
            page.wait_for_url(re.compile(rf"/image/{lookalike_case.ids['variants/made/half.jpg']}\?stack="))
            page.wait_for_load_state("networkidle")
            section = page.locator("#lookalikes")
            assert "resized" in section.inner_text()
            section.locator("a.related-name", has_text=ORIGINAL).click()
            page.wait_for_url(re.compile(rf"/image/{lookalike_case.ids[ORIGINAL]}"))
            page.wait_for_load_state("networkidle")
            assert page.locator("#lookalikes .related-thumb img").first.evaluate(
                "i => i.complete && i.naturalWidth > 0"
            )
            assert console.problems == []
        finally:
            context.close()
