"""`cbis index --ray`: the same case as a local run, resumable after a kill, refused where nodes differ.

Every test here runs on the session's local Ray cluster (tests/ray/conftest.py), with the real default model.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from cbis.db import overview
from cbis.services.cases import open_case
from tests.conftest import EVIDENCE_SAMPLES, EXAMPLES, tree_fingerprint
from tests.helpers import cbis
from tests.ray.conftest import require_ray

require_ray()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.ray,
    # Ray Data sets its own deprecated settings when it copies its context; nothing cbis can change.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
]

CBIS = (sys.executable, "-m", "cbis")
FILE_COLUMNS = (
    "path, path_bytes, extension, size, mtime_ns, mtime, ctime, atime, md5, sha1, sha256, format, "
    "extension_mismatch, status, error, width, height, truncated, warnings_json"
)
EXIF_COLUMNS = (
    "make, model, software, datetime_original, datetime_digitized, gps_latitude, gps_longitude, gps_altitude, "
    "orientation, lens_model, body_serial, tags_json"
)


def query(case_dir: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        return connection.execute(sql, params).fetchall()


def new_case(directory: Path) -> Path:
    from cbis.services.cases import create_case

    create_case(directory, number="R-1", examiner="Test Examiner", description="ray test").close()
    return directory


def build_evidence(root: Path) -> Path:
    """The bundled samples, two full-size photos, and 40 made images of every kind the pipeline branches on."""
    shutil.copytree(EXAMPLES, root)
    for name in ("hdr/iphone_hdr_YES.jpg", "gps/DSCN0027.jpg"):
        shutil.copy(EVIDENCE_SAMPLES / "jpg" / name, root / f"full-{Path(name).name}")
    made = root / "made"
    made.mkdir()
    for n in range(40):
        size = (40 + 13 * n, 30 + 7 * (n % 9))
        colour = (n * 6 % 256, n * 31 % 256, n * 57 % 256)
        mode, suffix = [("RGB", "jpg"), ("RGB", "png"), ("L", "png"), ("RGBA", "png"), ("P", "gif")][n % 5]
        image = Image.new("RGB", size, colour).convert(mode)
        image.save(made / f"img{n:02d}.{suffix}")
    (made / "empty.jpg").write_bytes(b"")
    (made / "notes.txt").write_text("not an image\n")
    Image.new("RGB", (50, 40), (200, 10, 10)).save(made / "ünïcode naïve.jpg")
    # A name that is not valid UTF-8 must cross the cluster byte for byte.
    Image.new("RGB", (45, 35), (10, 200, 10)).save(os.path.join(os.fsencode(made), b"latin1-\xe9t\xe9.jpg"))
    return root


def test_ray_run_gives_the_case_a_local_run_gives(
    ray_cluster: None, default_model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = build_evidence(tmp_path / "evidence")
    before = tree_fingerprint(evidence)
    local, distributed = new_case(tmp_path / "local"), new_case(tmp_path / "ray")

    here = cbis("index", evidence, "--case", local)
    assert here.exit_code == 0, here.stderr
    there = cbis("index", evidence, "--case", distributed, "--ray", "local", "--ray-actors", "2")
    assert there.exit_code == 0, there.stderr
    assert there.stdout.split(" in ")[0] == here.stdout.split(" in ")[0]  # the same counts; times differ

    files = f"SELECT {FILE_COLUMNS} FROM files ORDER BY path_bytes"
    assert query(distributed, files) == query(local, files)
    assert len(query(local, files)) == 61
    exif = f"SELECT path_bytes, {EXIF_COLUMNS} FROM exif JOIN files ON files.id = exif.file_id ORDER BY path_bytes"
    assert query(distributed, exif) == query(local, exif)

    predictions = (
        "SELECT path_bytes, rank, wnid, label, score FROM predictions JOIN files ON files.id = predictions.file_id "
        "ORDER BY path_bytes, rank"
    )
    here, there = query(local, predictions), query(distributed, predictions)
    assert [row[:4] for row in there] == [row[:4] for row in here]  # the same top-k labels, in the same order
    assert max(abs(a[4] - b[4]) for a, b in zip(here, there, strict=True)) <= 1e-4
    assert len({row[0] for row in here}) == query(local, "SELECT count(*) FROM files WHERE status = 'image'")[0][0]
    embeddings = "SELECT path_bytes, dim, length(vector) FROM embeddings JOIN files ON files.id = file_id ORDER BY 1"
    assert query(distributed, embeddings) == query(local, embeddings)

    model = "SELECT name, weights_sha256, backend, tensorflow_version FROM models"
    assert query(distributed, model) == query(local, model)
    assert query(distributed, "SELECT status, images_indexed FROM runs") == query(
        local, "SELECT status, images_indexed FROM runs LIMIT 1"
    )

    # Each run kept the overview's counts as it left its case (db/overview.py): what counting the rows gives.
    kept = {case_dir: kept_overview(case_dir) for case_dir in (local, distributed)}
    assert kept[local][0] is not None and kept[local][0] == kept[local][1]
    assert kept[distributed][0] is not None and kept[distributed][0] == kept[distributed][1]
    assert kept[distributed][0].files == kept[local][0].files

    again = cbis("index", evidence, "--case", distributed, "--ray", "local")
    assert "indexed 0 images, 0 unprocessed, 61 skipped as unchanged" in again.stdout
    assert tree_fingerprint(evidence) == before
    assert kept_overview(distributed)[0] == kept[distributed][0]  # the run after keeps its own (the same) counts


def kept_overview(case_dir: Path) -> tuple[overview.OverviewCounts | None, overview.OverviewCounts]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return overview.kept(connection), overview.compute(connection)
    finally:
        case.close()


def test_an_inventory_then_a_classifying_run_on_ray_match_local_runs(
    ray_cluster: None, default_model: str, tmp_path: Path
) -> None:
    """--no-classify first, then a run that classifies the unchanged images it already holds (no re-hashing)."""
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    local, distributed = new_case(tmp_path / "local"), new_case(tmp_path / "ray")
    for extra in (["--no-classify"], []):
        here = cbis("index", evidence, "--case", local, *extra)
        there = cbis("index", evidence, "--case", distributed, "--ray", "local", *extra)
        assert there.exit_code == 0, there.stderr
        assert there.stdout.split(" in ")[0] == here.stdout.split(" in ")[0]
    assert "indexed 12 images, 0 unprocessed, 3 skipped as unchanged" in there.stdout
    files = f"SELECT {FILE_COLUMNS} FROM files ORDER BY path_bytes"
    assert query(distributed, files) == query(local, files)
    labels = "SELECT path_bytes, rank, label FROM predictions JOIN files ON files.id = file_id ORDER BY 1, 2"
    assert query(distributed, labels) == query(local, labels)
    assert len(query(local, labels)) == 12 * 5


def test_a_ray_run_killed_then_stopped_with_ctrl_c_resumes_with_nothing_lost_or_doubled(
    ray_cluster: None, default_model: str, tmp_path: Path
) -> None:
    """Kill the driver (SIGKILL) mid-run, run again and press Ctrl-C mid-run: each time its cluster goes with it
    and the case holds whole batches only, and the next run takes up exactly where the last one stopped. One
    case for both stops: each driver starts a Ray cluster of its own, the costly part."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    total = 200
    for n in range(total):
        Image.new("RGB", (64, 48), (n % 256, n * 7 % 256, n * 13 % 256)).save(evidence / f"f{n:04d}.jpg")
    case_dir = new_case(tmp_path / "case")
    partial = 0
    for stop, exit_code in ((signal.SIGKILL, -signal.SIGKILL), (signal.SIGINT, 130)):
        stopped = _stop_a_ray_run_mid_way(evidence, case_dir, stop, after_files=partial + 16)
        assert stopped is not None, "the run ended before it could be stopped"
        returncode, stderr = stopped
        assert returncode == exit_code, stderr
        if stop == signal.SIGINT:
            assert "Interrupted: work committed so far is kept" in stderr
        before, partial = partial, query(case_dir, "SELECT count(*) FROM files")[0][0]
        assert before + 16 <= partial < total, "the stop did not land mid-run"
        assert query(case_dir, "SELECT count(*), count(DISTINCT path) FROM files") == [(partial, partial)]
        assert query(case_dir, "SELECT count(*) FROM predictions")[0][0] == 5 * partial  # whole batches only
    assert [s for (s,) in query(case_dir, "SELECT status FROM runs ORDER BY id")] == ["running", "interrupted"]

    resumed = cbis("index", evidence, "--case", case_dir, "--ray", "local")
    assert resumed.exit_code == 0, resumed.stderr
    assert f"indexed {total - partial} images, 0 unprocessed, {partial} skipped as unchanged" in resumed.stdout
    assert query(case_dir, "SELECT count(*), count(DISTINCT path) FROM files") == [(total, total)]
    assert query(case_dir, "SELECT count(*) FROM predictions")[0][0] == 5 * total
    assert query(case_dir, "PRAGMA integrity_check") == [("ok",)]
    statuses = [s for (s,) in query(case_dir, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["running", "interrupted", "completed"]


def _stop_a_ray_run_mid_way(
    evidence: Path, case_dir: Path, stop: signal.Signals, *, after_files: int
) -> tuple[int, str] | None:
    """`cbis index --ray local` as a process of its own, sent `stop` once the case holds `after_files` files;
    its exit code and stderr once it and its cluster have ended (None if it ended before)."""
    ray_temp = tempfile.mkdtemp(prefix="cbk-")  # short: Ray's socket paths go below it
    driver = subprocess.Popen(
        [*CBIS, "index", str(evidence), "--case", str(case_dir), "--ray", "local", "--batch-size", "8"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the cluster it starts can be found and waited for
        env={**os.environ, "TMPDIR": ray_temp},
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and driver.poll() is None:
            if query(case_dir, "SELECT count(*) FROM files")[0][0] >= after_files:
                break
            time.sleep(0.02)
        if driver.poll() is not None:
            return None
        driver.send_signal(stop)
        _, stderr = driver.communicate(timeout=60)
        _wait_for_group_to_end(driver.pid)
        return driver.returncode, stderr
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
        for _ in range(5):  # a Ray process on its way out may still create its session's folders
            shutil.rmtree(ray_temp, ignore_errors=True)
            if not os.path.exists(ray_temp):
                break
            time.sleep(1)


def _running_in_group(group: int) -> dict[int, str]:
    """Processes of a process group that still run, with their command lines (zombies don't count)."""
    running = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                running[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue  # ended while we looked
    return running


def _wait_for_group_to_end(group: int, seconds: float = 30) -> None:
    """A killed driver's local cluster must stop: Ray's GCS and raylet within `seconds`.

    Ray's agent processes notice later (about a minute here) and end on their own; they are ended here at once
    so that they don't compete with the next tests for the two CPUs.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        core = [cmd for cmd in _running_in_group(group).values() if "gcs_server" in cmd or "raylet" in cmd]
        if not core:
            break
        time.sleep(0.2)
    for pid in _running_in_group(group):
        with contextlib.suppress(ProcessLookupError):  # ended on its own meanwhile
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _running_in_group(group) and time.monotonic() < deadline:  # gone, before their files are removed
        time.sleep(0.05)
    assert not core, f"the killed driver's Ray cluster was still running {seconds:.0f} s later: {core}"


def test_nodes_are_checked_before_a_run(ray_cluster: None, tmp_path: Path) -> None:
    from cbis.ingest.walk import WalkEntry, walk
    from cbis.services.distributed import check_nodes

    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES / "camera", evidence)
    samples = [entry for entry in walk(evidence) if isinstance(entry, WalkEntry)]
    assert check_nodes(evidence, samples, expect_read_only=False) == []
    [warning] = check_nodes(evidence, samples, expect_read_only=True)  # a temp dir is no read-only mount
    assert "read-write" in warning and str(evidence) in warning


def test_a_node_whose_model_differs_is_refused(ray_cluster: None, default_model: str) -> None:
    import pyarrow as pa

    from cbis import analyzers
    from cbis.errors import CbisError
    from cbis.services.distributed import AnalyzeBatch

    settings = analyzers.AnalyzerSettings(default_model, inference_threads=1)
    [analyzer] = analyzers.load(["imagenet"], settings)
    recorded = analyzer.identity() | {"weights_sha256": "0" * 64}
    actor = AnalyzeBatch([analyzers.get("imagenet")], settings, {"imagenet": recorded})
    table = pa.table({"input:imagenet": pa.array([None], pa.binary())})
    with pytest.raises(CbisError, match="not the one recorded for this run"):
        actor(table)


def test_ray_options_are_checked(ray_cluster: None, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES / "camera", evidence)
    case_dir = new_case(tmp_path / "case")
    result = cbis("index", evidence, "--case", case_dir, "--ray", "local", "--ray-actors", "0")
    assert result.exit_code == 2 and "--ray-actors must be between 1 and" in result.stderr
    result = cbis("index", evidence, "--case", case_dir, "--ray", "local", "--ray-actors", "9")
    assert result.exit_code == 2 and "too many" in result.stderr


def test_a_ray_run_brings_the_similarity_index_up_to_date(
    ray_cluster: None, default_model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from cbis.db import similarity_index as index_search

    monkeypatch.setattr(index_search, "EXACT_BELOW", 0)  # these few images use the index, as 10,000 would
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    case_dir = new_case(tmp_path / "case")
    result = cbis("index", evidence, "--case", case_dir, "--ray", "local", "--ray-actors", "1")
    assert result.exit_code == 0, result.stderr
    [manifest] = (case_dir / "similarity").glob("model-*.json")
    recorded = json.loads(manifest.read_text())
    assert recorded["count"] == query(case_dir, "SELECT count(*) FROM embeddings")[0][0] > 0
    assert recorded["last_run_id"] == query(case_dir, "SELECT max(id) FROM runs")[0][0]
    searched = cbis("search", "--case", case_dir, "--json", "--similar-to", "gps/DSCN0010.jpg")
    assert searched.exit_code == 0 and searched.stderr == "", searched.output
    assert json.loads(searched.stdout.splitlines()[0])["path"] == "gps/DSCN0010.jpg"
