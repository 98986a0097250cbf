"""Logging in and out in a real browser (Debian's chromium through Playwright): the forms work under the
Content-Security-Policy, the cookie comes back, and after logging out the pages are gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cbis.services.cases import open_case
from cbis.services.users import add_user
from cbis.web import create_app
from tests.web.conftest import ViewerCase, build_case
from tests.web.test_browser import chromium_page, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "alice's long passphrase"


@pytest.fixture(scope="module")
def accounts_case(tmp_path_factory: pytest.TempPathFactory) -> ViewerCase:
    viewer = build_case(tmp_path_factory.mktemp("auth-browser"))
    case = open_case(viewer.case_dir)
    try:
        add_user(case, "alice", PASSWORD, display_name="Alice Examiner")
    finally:
        case.close()
    return viewer


@pytest.fixture(scope="module")
def live_server(accounts_case: ViewerCase) -> Iterator[str]:
    """Plain HTTP on localhost, as `cbis serve` runs there: the cookie is HttpOnly and SameSite=Strict, not Secure."""
    with served(create_app(accounts_case.case_dir)) as origin:
        yield origin


def test_log_in_view_an_image_and_log_out(tmp_path: Path, live_server: str, accounts_case: ViewerCase) -> None:
    file_id = accounts_case.ids["camera/Canon_40D.jpg"]
    with chromium_page(tmp_path / "profile", live_server) as (page, console):
        page.goto(f"{live_server}/image/{file_id}")
        assert page.url == f"{live_server}/login?next=/image/{file_id}"
        assert "Canon_40D" not in page.content()
        page.fill("#login-username", "alice")
        page.fill("#login-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/image/{file_id}")
        assert "Canon_40D.jpg" in page.content()
        assert page.locator(".logout .who").inner_text() == "Alice Examiner"
        [cookie] = page.context.cookies()
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script can read it
        page.click(".logout button")
        page.wait_for_url(f"{live_server}/login")
        page.goto(f"{live_server}/image/{file_id}")
        assert page.url.startswith(f"{live_server}/login?next=")
        assert console.problems == []
