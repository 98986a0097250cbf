"""A visual stack in a real browser (Debian's chromium through Playwright): the gallery's badge opens the stack,
and a look-alike's page is one click away, without a console error under the Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from cbis.web import create_app
from tests.web.test_browser import chromium_page, served
from tests.web.test_lookalikes import ORIGINAL, LookalikeCase, lookalike_case  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack_server(lookalike_case: LookalikeCase) -> Iterator[str]:  # noqa: F811
    with served(create_app(lookalike_case.case_dir, {"TESTING": True})) as origin:
        yield origin


def test_open_a_stack_from_the_gallery_and_reach_a_lookalike(
    stack_server: str,
    lookalike_case: LookalikeCase,  # noqa: F811
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    with chromium_page(tmp_path / "profile", stack_server) as (page, console):
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
        assert page.locator("#lookalikes .related-thumb img").first.evaluate("i => i.complete && i.naturalWidth > 0")
        assert console.problems == []
