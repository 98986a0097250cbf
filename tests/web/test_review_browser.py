"""The review keyboard loop in a real browser (Debian's chromium through Playwright), under the viewer's CSP: log
in, press 1 on an image (its category set, the next image shown), t to tag, n to note, u to undo, then select
tiles in the gallery with shift-click and shift-arrow and set their category with a number key. What each key did
is checked in the case through services.review, and `cbis verify` passes afterwards."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cbis.db.review import ReviewState
from cbis.services import review
from cbis.services.cases import open_case
from cbis.services.users import add_user
from cbis.web import create_app
from tests.conftest import EVIDENCE_SAMPLES
from tests.helpers import cbis
from tests.web.test_browser import chromium_page, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "alice's long passphrase"
SAMPLES = ("gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "Canon_40D.jpg", "gps/DSCN0012.jpg", "gps/DSCN0025.jpg")


@pytest.fixture(scope="module")
def review_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("review-browser")
    evidence = base / "evidence"
    evidence.mkdir()
    for number, sample in enumerate(SAMPLES):
        shutil.copy(EVIDENCE_SAMPLES / "jpg" / sample, evidence / f"{number:02d}.jpg")
    case_dir = base / "case"
    assert cbis("case", "new", case_dir, "--number", "R-1", "--examiner", "E").exit_code == 0
    assert cbis("index", evidence, "--case", case_dir, "--no-classify").exit_code == 0
    case = open_case(case_dir)
    try:
        add_user(case, "alice", PASSWORD)
    finally:
        case.close()
    return case_dir


@pytest.fixture(scope="module")
def live_server(review_case: Path) -> Iterator[str]:
    with served(create_app(review_case)) as origin:
        yield origin


def press(page: Any, key: str) -> None:
    """Press a key that posts a review form, and wait for the page the viewer sends the browser on to.

    (Not page.wait_for_function: its string predicates are evaluated, which the viewer's CSP refuses.)"""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("networkidle")


def states(case_dir: Path) -> dict[int, ReviewState]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return review.replay(connection).states
    finally:
        case.close()


def test_the_keyboard_loop(tmp_path: Path, live_server: str, review_case: Path) -> None:
    with chromium_page(tmp_path / "profile", live_server) as (page, console):
        page.goto(live_server + "/")
        page.fill("#login-username", "alice")
        page.fill("#login-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(live_server + "/")
        ids = [int(i) for i in page.locator(".tile").evaluate_all("tiles => tiles.map(t => t.dataset.file)")]
        assert len(ids) == len(SAMPLES)

        # Image page: 1 sets CAT-1 and moves on to the next image.
        page.goto(f"{live_server}/image/{ids[0]}")
        page.wait_for_load_state("networkidle")
        page.keyboard.press("1")
        page.wait_for_url(f"{live_server}/image/{ids[1]}")
        page.wait_for_load_state("networkidle")
        assert states(review_case)[ids[0]].category == "CAT-1"
        assert "uncategorised" in page.locator("#review-category").inner_text()

        # t tags, n notes (each asks in a prompt), u undoes the last change (the note).
        page.once("dialog", lambda dialog: dialog.accept("bedroom"))
        press(page, "t")
        assert "bedroom" in page.locator("#review-tags").inner_text()
        assert states(review_case)[ids[1]].tags == ("bedroom",)
        page.once("dialog", lambda dialog: dialog.accept("same window as 00.jpg"))
        press(page, "n")
        assert "same window" in page.locator("#review-note-text").inner_text()
        assert states(review_case)[ids[1]].note == "same window as 00.jpg"
        press(page, "u")
        assert "same window" not in page.locator("#review-note-text").inner_text()
        after = states(review_case)[ids[1]]
        assert (after.note, after.tags, after.category) == (None, ("bedroom",), None)

        # Gallery: shift-click two tiles, 4 sets both; then arrows and shift-arrow select two more, 5 sets them.
        page.goto(live_server + "/")
        page.wait_for_load_state("networkidle")
        page.locator(f'.tile[data-file="{ids[2]}"] a.name').click(modifiers=["Shift"])
        page.locator(f'.tile[data-file="{ids[3]}"] a.name').click(modifiers=["Shift"])
        assert page.url == live_server + "/"  # shift-click selects, it does not open the image
        assert page.locator(".tile.selected").count() == 2
        press(page, "4")
        assert page.locator(".tile .review-cat-set").count() == 3
        found = states(review_case)
        assert [found[i].category for i in ids[2:4]] == ["CAT-4", "CAT-4"]
        assert ids[4] not in found or found[ids[4]].category is None
        page.keyboard.press("ArrowRight")  # the first tile
        page.keyboard.press("Shift+ArrowRight")  # and the second
        assert page.locator(".tile.selected").count() == 2
        press(page, "5")
        assert page.url == live_server + "/" and page.locator(".tile .review-cat-set").count() == 4
        found = states(review_case)
        assert [found[i].category for i in ids[:2]] == ["CAT-5", "CAT-5"]
        counts = page.locator("#review-category-counts").inner_text()
        assert "CAT-5" in counts and "CAT-4" in counts
        assert console.problems == []
    result = cbis("verify", "--case", review_case)
    assert result.exit_code == 0, result.output
