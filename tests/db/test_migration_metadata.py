"""Migration 5 on a real case made by an earlier cbis: the displayed size is filled in from what it recorded."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from cbis.services.cases import open_case
from tests.helpers import cbis

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"


def test_an_old_case_gets_displayed_sizes_and_empty_sources(tmp_path: Path) -> None:
    case_dir = tmp_path / "old"
    case_dir.mkdir()
    shutil.copyfile(CASES / "v2.sqlite", case_dir / "case.sqlite")
    open_case(case_dir).close()  # migrates
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        rows = {
            path: rest
            for path, *rest in connection.execute(
                "SELECT path, width, height, display_width, display_height, modify_date, sources_json, "
                "conflicts_json, has_conflict FROM files LEFT JOIN exif ON exif.file_id = files.id"
            )
        }
    # landscape_6.jpg: stored 450 x 600 with orientation 6, shown 600 x 450.
    assert rows["rotated/landscape_6.jpg"][:4] == [450, 600, 600, 450]
    assert rows["rotated/portrait_3.jpg"][0:2] == rows["rotated/portrait_3.jpg"][2:4]  # orientation 3: not turned
    # The HEIC's recorded size was libheif's, already as shown.
    assert rows["phone/IMG_5195.HEIC"][:4] == [2566, 3313, 2566, 3313]
    assert rows["misc/IMG_0001.jpg"][:4] == [None, None, None, None]  # not an image
    assert rows["camera/Canon_40D.jpg"][4:] == [None, "{}", "{}", 0]  # unknown until indexed again


def test_the_viewer_refuses_an_older_case_and_says_how_to_update_it(tmp_path: Path) -> None:
    case_dir = tmp_path / "old"
    case_dir.mkdir()
    shutil.copyfile(CASES / "v2.sqlite", case_dir / "case.sqlite")
    refused = cbis("serve", "--case", case_dir, "--get", "/overview")
    assert refused.exit_code == 1
    assert "schema version 2, from an older cbis" in refused.stderr and "cbis case upgrade " in refused.stderr
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        assert connection.execute("SELECT max(version) FROM schema_version").fetchone() == (2,)  # not migrated
    assert cbis("case", "upgrade", case_dir).exit_code == 0
    served = cbis("serve", "--case", case_dir, "--get", "/login")  # the old case has an examiner account
    assert served.exit_code == 0, served.stderr
