"""Hash-set hits in a real browser (Debian's chromium through Playwright): the notable alert and badge show, a
known file is hidden until the switch shows it, and its page says it is known, not cleared."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cbis.web import create_app
from tests.conftest import EVIDENCE_SAMPLES
from tests.helpers import cbis
from tests.web.test_browser import chromium_page, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTABLE, KNOWN, OTHER = "flagged.jpg", "os-icon.jpg", "holiday.jpg"


@pytest.fixture(scope="module")
def hashset_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import hashlib

    base = tmp_path_factory.mktemp("hashsets-browser")
    evidence = base / "evidence"
    evidence.mkdir()
    for name, sample in ((NOTABLE, "gps/DSCN0010.jpg"), (KNOWN, "Canon_40D.jpg"), (OTHER, "gps/DSCN0021.jpg")):
        shutil.copy(EVIDENCE_SAMPLES / "jpg" / sample, evidence / name)
    case_dir = base / "case"
    assert cbis("case", "new", case_dir, "--number", "H-1", "--examiner", "E").exit_code == 0
    assert cbis("index", evidence, "--case", case_dir, "--analyze", "perceptual").exit_code == 0
    lists = {"VIC-test": (NOTABLE, "notable"), "NSRL-test": (KNOWN, "known")}
    for set_name, (name, kind) in lists.items():
        listing = base / f"{set_name}.txt"
        listing.write_text(f"{hashlib.sha256((evidence / name).read_bytes()).hexdigest()} {name}\n")
        result = cbis("hashset", "import", set_name, listing, "--kind", kind, "--case", case_dir)
        assert result.exit_code == 0, result.output
    with served(create_app(Path(case_dir), {"TESTING": True})) as origin:
        yield origin


def test_notable_alert_badges_and_the_known_switch(hashset_server: str, tmp_path: Path) -> None:
    with chromium_page(tmp_path / "profile", hashset_server) as (page, console):
        page.goto(hashset_server + "/")
        page.wait_for_load_state("networkidle")
        assert "match notable hash sets" in page.locator(".hashset-alert").inner_text()
        names = page.locator(".tile a.name").all_inner_texts()
        assert NOTABLE in names and OTHER in names and KNOWN not in names  # known files hidden by default
        badge = page.locator(".tile", has_text=NOTABLE).locator(".flag-hashset")
        assert badge.inner_text().startswith("notable: VIC-test")
        page.locator(".hashset-note a", has_text="Show them").click()
        page.wait_for_url(re.compile(r"known=show"))
        page.wait_for_load_state("networkidle")
        assert KNOWN in page.locator(".tile a.name").all_inner_texts()
        page.locator(".tile a.name", has_text=KNOWN).click()
        page.wait_for_url(re.compile(r"/image/\d+"))
        page.wait_for_load_state("networkidle")
        body = page.locator("body").inner_text()
        assert "NSRL-test" in body and "does not mean harmless" in body
        assert console.problems == []
