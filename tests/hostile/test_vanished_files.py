"""Files deleted from the evidence between two runs: recorded as missing in that run, never deleted from the case,
counted in the summary, shown or left out by search, flagged in files.csv, and found again if they come back."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

from cbis.web import create_app
from tests.hostile.corpus import build, small_jpeg
from tests.hostile.helpers import assert_accounted, cbis_run, rows, untouched


def search_paths(case_dir: Path, *options: str) -> dict[str, int | None]:
    result = cbis_run("search", "--case", case_dir, "--json", "--limit", "100", *options)
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    return {hit["path"]: hit["missing_since_run"] for hit in hits}


def test_a_file_deleted_between_runs_is_recorded_as_missing_and_kept(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    build(evidence, [(f"photos/p{n}.jpg", small_jpeg(n)) for n in range(4)])
    os.symlink("p0.jpg", evidence / "photos" / "link.jpg")
    first = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
    assert first.returncode == 0, first.stderr
    kept = (evidence / "photos" / "p3.jpg").read_bytes()
    (evidence / "photos" / "p3.jpg").unlink()
    (evidence / "photos" / "link.jpg").unlink()

    with untouched(evidence) as tree:
        second = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
        assert second.returncode == 0, second.stderr
        assert_accounted(case_dir, evidence, tree)
    assert "indexed 0 images, 0 unprocessed, 3 skipped as unchanged" in second.stdout
    assert "1 recorded before and now missing" in second.stdout
    [(run_id, missing_count)] = rows(case_dir, "SELECT id, files_missing FROM runs ORDER BY id DESC LIMIT 1")
    assert missing_count == 1
    # The row is kept, with everything the first run recorded, and flagged.
    assert rows(case_dir, "SELECT status, sha256 IS NOT NULL, missing_since_run_id FROM files WHERE path = ?",
                "photos/p3.jpg") == [("image", 1, run_id)]  # fmt: skip
    assert rows(case_dir, "SELECT missing_since_run_id FROM walk_skips WHERE path = 'photos/link.jpg'") == [(run_id,)]
    assert rows(case_dir, "SELECT count(*) FROM files WHERE missing_since_run_id IS NULL") == [(3,)]

    assert search_paths(case_dir)["photos/p3.jpg"] == run_id
    assert "photos/p3.jpg" not in search_paths(case_dir, "--missing", "exclude")
    assert search_paths(case_dir, "--missing", "only") == {"photos/p3.jpg": run_id}
    table = cbis_run("search", "--case", case_dir, env={**os.environ, "COLUMNS": "200"})
    assert f"photos/p3.jpg (missing since run {run_id})" in table.stdout
    bad = cbis_run("search", "--case", case_dir, "--missing", "sometimes")
    assert bad.returncode == 2 and "--missing takes one of: include, exclude, only" in bad.stderr

    report = tmp_path / "report"
    assert cbis_run("report", "--case", case_dir, "--csv", report).returncode == 0
    with open(report / "files.csv", newline="", encoding="utf-8") as stream:
        files = {row["path"]: row for row in csv.DictReader(stream)}
    assert files["photos/p3.jpg"]["missing_since_run"] == str(run_id)
    assert files["photos/p0.jpg"]["missing_since_run"] == ""

    # The viewer marks it in the gallery and on its page, and filters as search does.
    client = create_app(case_dir, {"TESTING": True}).test_client()
    [(missing_id,)] = rows(case_dir, "SELECT id FROM files WHERE path = 'photos/p3.jpg'")

    def listed(query: str) -> set[int]:
        return {int(n) for n in re.findall(r'href="/image/(\d+)', client.get(query).get_data(as_text=True))}

    assert missing_id in listed("/") and len(listed("/")) == 4
    assert f"index run {run_id} no longer found it" in client.get("/").get_data(as_text=True)
    assert listed("/?missing=exclude") == listed("/") - {missing_id}
    assert listed("/?missing=only") == {missing_id}
    invalid = client.get("/?missing=sometimes")  # explained, never a 500
    assert invalid.status_code == 400 and "one of include, exclude, only" in invalid.get_data(as_text=True)
    assert f"not found by index run {run_id}" in client.get(f"/image/{missing_id}").get_data(as_text=True)
    exported = client.get("/export/files.csv?missing=only").get_data(as_text=True).splitlines()
    assert exported[0].endswith(",missing_since_run") and len(exported) == 2 and exported[1].endswith(f",{run_id}")

    info = cbis_run("case", "info", "--case", case_dir)
    assert "missing files" in info.stdout and "1 (recorded, then not found by a later walk)" in info.stdout
    # verify: the case already says the file is gone, so its absence is no difference.
    assert cbis_run("verify", "--case", case_dir).returncode == 0

    (evidence / "photos" / "p3.jpg").write_bytes(kept)
    third = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
    assert third.returncode == 0 and "missing" not in third.stdout
    assert rows(case_dir, "SELECT count(*) FROM files WHERE missing_since_run_id IS NOT NULL") == [(0,)]
    assert rows(case_dir, "SELECT count(*) FROM files") == [(4,)]
