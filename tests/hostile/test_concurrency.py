"""Two indexers on one case, a killed indexer's lock, and the viewer reading a hostile case while it is written."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from cbis.web import create_app
from tests.hostile.corpus import (
    MALFORMED_EXIF,
    build,
    camera_exif,
    encoded,
    heif_lying_unit,
    image_with_exif,
    noise,
    truncations,
)
from tests.hostile.helpers import assert_accounted, cbis_command, cbis_run, rows, untouched

SLOW_FILE_BYTES = 512 << 20  # a sparse file: hashing it keeps an indexer busy for a second or two


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def reading(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (its descriptors in /proc)."""
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            if os.readlink(f"/proc/{pid}/fd/{descriptor}") == str(path):
                return True
        except OSError:
            continue
    return False


def runs_started(case_dir: Path) -> int:
    try:
        return rows(case_dir, "SELECT count(*) FROM runs")[0][0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_a_second_indexer_is_refused_and_a_killed_one_blocks_nothing(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    build(evidence, [(f"img{n:02d}.jpg", encoded(noise((64, 48), n), "JPEG")) for n in range(20)])
    with open(evidence / "aaa-large.bin", "wb") as stream:  # sorted first: read while the lock is held
        stream.truncate(SLOW_FILE_BYTES)
    with untouched(evidence) as tree:
        first = subprocess.Popen(
            cbis_command("index", evidence, "--case", case_dir, "--no-classify", "--workers", "1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: runs_started(case_dir) == 1)  # a run starts only once the lock is held
            # Frozen while it holds the index lock: on a loaded machine the second command's start-up alone can
            # outlast the first run, which then recorded "ok" before the kill below (seen in a full-suite run).
            # Frozen while it reads the large first file, not at any moment: frozen inside one of its short write
            # transactions it would hold SQLite's write lock too, and the second command would wait for that
            # (the bounded lock wait) instead of meeting the index lock (seen under two pytest-xdist workers).
            wait_for(lambda: reading(first.pid, evidence / "aaa-large.bin"))
            first.send_signal(signal.SIGSTOP)
            second = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
            assert first.poll() is None, "the first indexer finished too early for this test"
            assert second.returncode == 3
            assert re.fullmatch(
                rf"Error: another `cbis index` \(pid {first.pid}\) is writing to this case; wait for it to finish\n",
                second.stderr,
            ), second.stderr
            assert second.stdout == ""
            first.send_signal(signal.SIGKILL)
            first.communicate()
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
        # The kernel dropped the killed indexer's lock with its process: the next run goes ahead and finishes.
        third = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
        assert third.returncode == 0, third.stderr
        assert_accounted(case_dir, evidence, tree)
    audit = "SELECT outcome FROM audit_log WHERE command LIKE '%index%'"
    outcomes = [outcome for (outcome,) in rows(case_dir, audit)]
    assert outcomes.count("started") == 3 and outcomes.count("ok") == 1
    refusal = f"another `cbis index` (pid {first.pid}) is writing to this case; wait for it to finish"
    assert [o for o in outcomes if o.startswith("failed")] == [f"failed: CaseLockedError: {refusal}"]


def hostile_viewer_corpus(root: Path) -> None:
    """A few hundred ordinary photos with the hostile cases a viewer must show or refuse without an error."""
    files: list[tuple[str, bytes]] = []
    for number in range(300):
        files.append(
            (f"photos/p{number:03d}.jpg", encoded(noise((160, 120), number), "JPEG", exif=camera_exif(number)))
        )
    files += list(truncations())
    for name, block, _ in MALFORMED_EXIF:
        extension, data = image_with_exif(block)
        files.append((f"exif/{name}.{extension}", data))
    files.append(("heif/lying-unit.heic", heif_lying_unit()))
    files.append(
        ("names/<script>alert(1)</script>.jpg".replace("/script", "_script"), encoded(noise((40, 30), 1), "PNG"))
    )
    build(root, files)
    with open(root / "photos" / "p150-large.bin", "wb") as stream:  # keeps the indexer busy mid-run
        stream.truncate(SLOW_FILE_BYTES // 2)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's complaints about the damaged files
def test_the_viewer_answers_every_request_while_a_hostile_tree_is_indexed(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    hostile_viewer_corpus(evidence)
    app = create_app(case_dir)  # not TESTING: an exception becomes the 500 a browser would get
    client = app.test_client()
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    seen_counts: list[int] = []
    requests_during_index = 0

    def get(url: str) -> None:
        response = client.get(url)
        response.get_data()
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")

    def one_round(file_ids: list[int]) -> None:
        for url in ("/", "/overview", "/?unprocessed=1", "/?has_gps=1&sort=date", "/export/files.csv"):
            get(url)
        for file_id in file_ids:
            for url in (f"/image/{file_id}", f"/file/{file_id}/thumb.jpg", f"/file/{file_id}/original"):
                get(url)

    with untouched(evidence) as tree:
        indexer = subprocess.Popen(
            cbis_command(
                "index",
                evidence,
                "--case",
                case_dir,
                "--no-classify",
                "--allow-truncated",
                "--batch-size",
                "4",
                "--workers",
                "1",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            done: set[int] = set()
            while indexer.poll() is None:
                file_ids = [file_id for (file_id,) in rows(case_dir, "SELECT id FROM files ORDER BY id")]
                seen_counts.append(len(file_ids))
                fresh = [file_id for file_id in file_ids if file_id not in done][:6]  # the newest rows first
                one_round(fresh + file_ids[-2:])
                done.update(fresh)
                requests_during_index += 1
            _, stderr = indexer.communicate()
            assert indexer.returncode == 0, stderr.decode()
        finally:
            if indexer.poll() is None:
                indexer.kill()
                indexer.communicate()
        every_id = [file_id for (file_id,) in rows(case_dir, "SELECT id FROM files ORDER BY id")]
        one_round(every_id)  # and once more over everything, now that it is all there
        assert_accounted(case_dir, evidence, tree)
    print(f"rounds while indexing: {requests_during_index}; file counts seen: {sorted(set(seen_counts))[:12]}...")
    print(f"responses: {dict(statuses)}")
    assert not failures, failures[:10]
    assert requests_during_index >= 5 and len(set(seen_counts)) >= 3, "the viewer did not overlap the index run"
    assert statuses[200] > 0 and statuses[404] > 0  # previews of what is not an image are refused, not failed
    heif_id = rows(case_dir, "SELECT id, status, truncated FROM files WHERE path = 'heif/lying-unit.heic'")
    assert [(status, truncated) for _, status, truncated in heif_id] == [("image", 1)]
    thumb = client.get(f"/file/{heif_id[0][0]}/thumb.jpg")
    assert thumb.status_code == 404 and b"No preview" in thumb.data
    assert os.path.isdir(case_dir / "thumbnails")
