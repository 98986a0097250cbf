from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import tree_fingerprint
from tests.db.support import signalled_in_batch
from tests.helpers import cbis
from tests.hostile.helpers import read_evidence


def rows(case_dir: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        return connection.execute(sql, params).fetchall()


def test_index_accounts_for_every_sample_file(evidence: Path, case_dir: Path) -> None:
    result = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert result.exit_code == 0, result.output
    # Listed through the fingerprint: a plain rglob would move the directories' atimes, which the fixture checks.
    walked = sorted(path.decode() for path, node in tree_fingerprint(evidence).items() if node.kind == "file")
    recorded = dict(rows(case_dir, "SELECT path, status FROM files"))
    assert sorted(recorded) == walked
    statuses = {path: status for path, status in recorded.items()}
    assert statuses["camera/Canon_40D.jpg"] == "image"
    assert statuses["phone/IMG_5195.HEIC"] == "image"
    assert statuses["misc/holiday-notes.txt"] == "image"  # found by its bytes, not its name
    assert statuses["misc/IMG_0001.jpg"] == "unprocessed"
    assert statuses["LICENSE.md"] == "other"
    for path, reason in rows(case_dir, "SELECT path, error FROM files WHERE status = 'unprocessed'"):
        assert reason, f"{path} unprocessed without a reason"
    images = sum(1 for s in statuses.values() if s == "image")
    unprocessed = sum(1 for s in statuses.values() if s == "unprocessed")
    assert f"indexed {images} images, {unprocessed} unprocessed, 0 skipped as unchanged" in result.stdout


def test_index_records_hashes_times_and_mismatches(evidence: Path, case_dir: Path) -> None:
    import hashlib

    cbis("index", evidence, "--case", case_dir, "--no-classify")
    data = read_evidence(evidence / "camera" / "Nikon_D70.jpg")  # without moving the atime the fixture checks
    [(md5, sha1, sha256, size, mtime, fmt)] = rows(
        case_dir, "SELECT md5, sha1, sha256, size, mtime, format FROM files WHERE path = 'camera/Nikon_D70.jpg'"
    )
    assert (md5, sha1, sha256, size) == (
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
        len(data),
    )
    assert fmt == "jpeg" and mtime.endswith("Z") and mtime[:4].isdigit()
    mismatched = dict(rows(case_dir, "SELECT path, extension_mismatch FROM files"))
    assert mismatched["misc/holiday-notes.txt"] == 1
    assert mismatched["misc/IMG_0001.jpg"] == 1
    assert mismatched["camera/Canon_40D.jpg"] == 0
    assert mismatched["LICENSE.md"] == 0


def test_index_stores_exif_and_gps(evidence: Path, case_dir: Path) -> None:
    cbis("index", evidence, "--case", case_dir, "--no-classify")
    [(make, model, taken)] = rows(
        case_dir,
        "SELECT make, model, datetime_original FROM exif JOIN files ON files.id = exif.file_id "
        "WHERE path = 'camera/Canon_40D.jpg'",
    )
    assert (make, model, taken) == ("Canon", "Canon EOS 40D", "2008-05-30T15:56:01")
    [(lat, lon)] = rows(
        case_dir,
        "SELECT gps_latitude, gps_longitude FROM exif JOIN files ON files.id = exif.file_id "
        "WHERE path = 'gps/DSCN0010.jpg'",
    )
    # GPSLatitude (43/1, 28/1, 281400000/100000000) N, GPSLongitude (11/1, 53/1, 645599999/100000000) E:
    # 43 + 28/60 + 2.814/3600 = 43.467448; 11 + 53/60 + 6.45599999/3600 = 11.885127 (worked by hand)
    assert lat == pytest.approx(43.467448, abs=1e-6)
    assert lon == pytest.approx(11.885127, abs=1e-6)


def test_reindex_skips_unchanged_and_picks_up_changes(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "ev"
    evidence.mkdir()
    for n in range(3):
        Image.new("RGB", (40, 30), (n * 60, 10, 10)).save(evidence / f"img{n}.png")
    cbis("index", evidence, "--case", case_dir, "--no-classify")
    again = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert "indexed 0 images, 0 unprocessed, 3 skipped as unchanged" in again.stdout
    Image.new("RGB", (50, 30), (1, 2, 3)).save(evidence / "img1.png")  # changed content, size and mtime
    Image.new("RGB", (20, 20)).save(evidence / "new.png")
    third = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert "indexed 2 images, 0 unprocessed, 2 skipped as unchanged" in third.stdout
    assert rows(case_dir, "SELECT count(*), count(DISTINCT path) FROM files") == [(4, 4)]
    assert rows(case_dir, "SELECT width FROM files WHERE path = 'img1.png'") == [(50,)]


def test_case_inside_evidence_is_refused(tmp_path: Path) -> None:
    evidence = tmp_path / "ev"
    evidence.mkdir()
    Image.new("RGB", (8, 8)).save(evidence / "a.png")
    cbis("case", "new", evidence / "case", "--number", "1", "--examiner", "E")
    result = cbis("index", evidence, "--case", evidence / "case", "--no-classify")
    assert result.exit_code == 2
    assert "inside the evidence" in result.stderr


def test_missing_evidence_is_a_clear_error(case_dir: Path, tmp_path: Path) -> None:
    result = cbis("index", tmp_path / "nope", "--case", case_dir, "--no-classify")
    assert result.exit_code == 2
    assert "evidence directory not found" in result.stderr


def _make_corpus(root: Path, count: int) -> None:
    root.mkdir()
    for n in range(count):
        Image.new("RGB", (64, 48), (n % 256, (n * 7) % 256, (n * 13) % 256)).save(root / f"f{n:04d}.jpg")


def _cbis_subprocess(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "cbis", *map(str, args)]


def test_second_indexer_is_refused_while_one_runs(tmp_path: Path, case_dir: Path) -> None:
    from cbis.services.locking import index_lock

    evidence = tmp_path / "ev"
    _make_corpus(evidence, 2)
    with index_lock(case_dir):
        result = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert result.exit_code == 3
    assert "another `cbis index`" in result.stderr
    assert cbis("index", evidence, "--case", case_dir, "--no-classify").exit_code == 0  # lock released


def test_interrupted_run_resumes_where_it_stopped(tmp_path: Path, case_dir: Path) -> None:
    """Ctrl-C (SIGINT) while a batch is being written: that batch commits, the run ends with status 130, and the
    next run takes up exactly where it stopped."""
    evidence = tmp_path / "ev"
    _make_corpus(evidence, 300)
    interrupted = signalled_in_batch(
        signal.SIGINT, 3, "index", evidence, "--case", case_dir, "--no-classify", "--batch-size", "8", "--workers", "1"
    )
    assert interrupted.returncode == 130, interrupted.stderr
    assert "Interrupted" in interrupted.stderr
    assert rows(case_dir, "SELECT status FROM runs ORDER BY id DESC LIMIT 1") == [("interrupted",)]
    assert rows(case_dir, "SELECT count(*) FROM files") == [(3 * 8,)]
    resumed = subprocess.run(
        _cbis_subprocess("index", evidence, "--case", case_dir, "--no-classify"), capture_output=True, text=True
    )
    assert resumed.returncode == 0
    assert f"{3 * 8} skipped as unchanged" in resumed.stdout
    assert rows(case_dir, "SELECT count(*), count(DISTINCT path) FROM files") == [(300, 300)]


def test_symlinks_are_recorded_not_followed(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "ev"
    _make_corpus(evidence, 1)
    outside = tmp_path / "outside.png"
    Image.new("RGB", (8, 8)).save(outside)
    os.symlink(outside, evidence / "escape.png")
    os.symlink(evidence, evidence / "loop")
    result = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert result.exit_code == 0, result.output
    assert rows(case_dir, "SELECT path FROM files") == [("f0000.jpg",)]
    reasons = dict(rows(case_dir, "SELECT path, reason FROM walk_skips"))
    assert set(reasons) == {"escape.png", "loop"}
    assert "outside" in reasons["escape.png"]


def test_a_file_past_the_time_limit_is_recorded_and_the_run_goes_on(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "ev"
    evidence.mkdir()
    # A real 36 MP PNG takes far longer than a millisecond to decode: it stands in for a stuck decoder.
    Image.new("RGB", (6000, 6000), (10, 200, 30)).save(evidence / "big.png", compress_level=1)
    Image.new("RGB", (8, 8)).save(evidence / "small.png")
    result = cbis(
        "index", evidence, "--case", case_dir, "--no-classify", "--workers", "1", "--file-time-limit", "0.001"
    )
    assert result.exit_code == 0, result.output
    reasons = dict(rows(case_dir, "SELECT path, error FROM files WHERE status = 'unprocessed'"))
    assert "big.png" in reasons and reasons["big.png"].startswith("timed out")
    assert rows(case_dir, "SELECT count(*) FROM files") == [(2,)]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_default_workers_follow_the_cpus_this_process_may_use() -> None:
    # A container or `taskset` limits cbis to fewer CPUs than the host has; reading threads beyond those only
    # take turns, so the default must count the allowed CPUs, not os.cpu_count().
    probe = (
        "import os\n"
        "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "from cbis.services.indexer import default_workers\n"
        "print(default_workers(), os.cpu_count())\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    workers, host_cpus = map(int, result.stdout.split())
    assert workers == 1, f"default workers {workers} on one allowed CPU of {host_cpus}"


FILE_FACTS = (
    "SELECT path, status, size, mtime_ns, mtime, ctime, atime, sha256, error, last_run_id FROM files ORDER BY path"
)


def test_a_plan_kept_on_disk_records_what_a_plan_in_memory_records(
    evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk's plan spills to the case directory a chunk at a time (cbis.spool): with chunks of two files,
    every new, changed and analyze-only file goes through the disk, and the case holds exactly what it holds when
    the whole plan fits in one chunk."""
    from cbis import spool
    from cbis.services.cases import create_case
    from cbis.timestamps import from_ns

    cases = {}
    for chunk_size in (spool.CHUNK_SIZE, 2):
        monkeypatch.setattr(spool, "CHUNK_SIZE", chunk_size)
        case = tmp_path / f"case-{chunk_size}"
        create_case(case, number="T-1", examiner="Test Examiner", description="spool").close()
        assert cbis("index", evidence, "--case", case, "--no-classify").exit_code == 0
        # Unchanged files that lack an analyzer's output: the analyze-only part of the plan.
        again = cbis("index", evidence, "--case", case, "--analyze", "perceptual")
        assert again.exit_code == 0, again.output
        assert "skipped as unchanged" in again.stdout and "indexed 0 images" not in again.stdout
        cases[chunk_size] = case
        assert sorted(os.listdir(case)) == sorted(os.listdir(cases[spool.CHUNK_SIZE])), "a spool file was left"
    in_memory, on_disk = (rows(cases[size], FILE_FACTS) for size in (spool.CHUNK_SIZE, 2))
    assert len(on_disk) > 2 * 2 and on_disk == in_memory
    # Both went through the spool's records: each file's stat, to the nanosecond, is still the one on disk.
    recorded = {
        path: (size, mtime_ns, mtime, ctime, atime) for path, _, size, mtime_ns, mtime, ctime, atime, *_ in on_disk
    }
    on_the_disk = {}
    for path in recorded:
        st = os.lstat(evidence / path)
        on_the_disk[path] = (
            st.st_size,
            st.st_mtime_ns,
            *map(from_ns, (st.st_mtime_ns, st.st_ctime_ns, st.st_atime_ns)),
        )
    assert recorded == on_the_disk
    hashes = (
        "SELECT path, phash FROM files JOIN perceptual_hashes ON perceptual_hashes.file_id = files.id ORDER BY path"
    )
    assert rows(cases[2], hashes) == rows(cases[spool.CHUNK_SIZE], hashes) != []
