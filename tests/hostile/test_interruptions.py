"""kill -9 at random moments of a 1,000-file index, again and again, then one uninterrupted run: the case must
end up exactly as a clean run leaves it (integrity, no duplicates, same counts, byte-identical CSV reports)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.hostile.corpus import build, camera_exif, small_jpeg, whole_image
from tests.hostile.helpers import assert_accounted, cbis_command, cbis_run, new_case, rows, untouched

SEED = int(os.environ.get("CBIS_HOSTILE_SEED", "20261126"))
FILES = 1000
KILLS = 6
REPORTS = ("files.csv", "exif.csv", "prediction.csv", "unprocessed.csv", "summary.csv")


def corpus(root: Path) -> None:
    """1,000 regular files: small JPEGs (every tenth with camera EXIF and GPS), truncated JPEGs, text files, and a
    few names a spreadsheet would run; plus links, which are recorded but are not files."""
    files: list[tuple[str, bytes]] = []
    for number in range(940):
        exif = camera_exif(number) if number % 10 == 0 else None
        files.append((f"dir{number % 12:02d}/img{number:04d}.jpg", small_jpeg(number, exif=exif)))
    whole = whole_image("jpeg")
    for number in range(30):
        files.append((f"damaged/cut{number:02d}.jpg", whole[: 200 + number * 40]))
    for number in range(25):
        files.append((f"notes/note{number:02d}.txt", f"note {number}\n".encode()))
    for number, name in enumerate(("=1+1.jpg", "+cmd.jpg", "-x.jpg", "@a.jpg", 'quote".jpg')):
        files.append((f"odd/{name}", small_jpeg(1000 + number)))
    assert len(files) == FILES
    build(root, files)
    os.symlink("../dir00/img0000.jpg", root / "odd" / "link.jpg")
    os.symlink("/etc/passwd", root / "odd" / "escape")
    os.symlink(".", root / "odd" / "loop")


def file_count(case_dir: Path) -> int:
    try:
        return rows(case_dir, "SELECT count(*) FROM files")[0][0]
    except sqlite3.OperationalError:  # the schema is being created, or the file is locked for a moment
        return 0


def index_command(evidence: Path, case_dir: Path) -> list[str]:
    return cbis_command("index", evidence, "--case", case_dir, "--no-classify", "--batch-size", "16")


def kill_at_random(evidence: Path, case_dir: Path, rng: random.Random, kills_left: int) -> tuple[str, int, int]:
    """Start an index, SIGKILL it at a random moment; (how it ended, files before, files after)."""
    before = file_count(case_dir)
    process = subprocess.Popen(index_command(evidence, case_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Once a random number of further files is committed, plus a random few milliseconds; or, one time in
        # three, at a random moment before that: interpreter start-up, opening the case, the audit row, planning.
        target = before + rng.randint(1, max(1, (FILES - before) // (kills_left + 1)))
        deadline = time.monotonic() + (rng.uniform(0.0, 1.0) if rng.random() < 0.3 else 60.0)
        while file_count(case_dir) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0.0, 0.005))
        if process.poll() is not None:
            _, stderr = process.communicate()
            assert process.returncode == 0, stderr.decode()  # never refused by a lock a killed run left behind
            return "finished", before, file_count(case_dir)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        assert process.returncode == -signal.SIGKILL
        return "killed", before, file_count(case_dir)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def case_rows(case_dir: Path) -> dict[str, list[tuple]]:
    return {
        "files": rows(
            case_dir,
            "SELECT path_bytes, path, size, mtime_ns, md5, sha1, sha256, format, extension_mismatch, status, error, "
            "width, height, truncated, warnings_json FROM files ORDER BY path_bytes",
        ),
        "exif": rows(
            case_dir,
            "SELECT files.path_bytes, make, model, datetime_original, gps_latitude, gps_longitude, tags_json "
            "FROM exif JOIN files ON files.id = exif.file_id ORDER BY files.path_bytes",
        ),
        "skips": rows(case_dir, "SELECT path_bytes, reason FROM walk_skips ORDER BY path_bytes"),
    }


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume_gives_the_clean_run_s_case(tmp_path: Path) -> None:
    print(f"kill -9 schedule seed: {SEED} (set CBIS_HOSTILE_SEED to replay)")
    rng = random.Random(SEED)
    evidence = tmp_path / "evidence"
    corpus(evidence)
    with untouched(evidence) as tree:
        clean = new_case(tmp_path / "case-clean")
        done = cbis_run(*index_command(evidence, clean)[3:])
        assert done.returncode == 0, done.stderr
        assert cbis_run("report", "--case", clean, "--csv", tmp_path / "report-clean").returncode == 0

        killed = new_case(tmp_path / "case-killed")
        history: list[tuple[str, int, int]] = []
        while sum(outcome == "killed" for outcome, _, _ in history) < KILLS and len(history) < 40:
            kills_left = KILLS - sum(outcome == "killed" for outcome, _, _ in history)
            history.append(kill_at_random(evidence, killed, rng, kills_left))
            if history[-1][0] == "finished":
                break
        print("runs (outcome, files before, files after):", history)
        kills = [entry for entry in history if entry[0] == "killed"]
        assert len(kills) >= 5, f"only {len(kills)} kills landed before the index finished: {history}"
        assert any(after < FILES for _, _, after in kills), "no kill landed mid-run"
        resumed = cbis_run(*index_command(evidence, killed)[3:])
        assert resumed.returncode == 0, resumed.stderr

        assert rows(killed, "PRAGMA integrity_check") == [("ok",)]
        assert rows(killed, "SELECT count(*), count(DISTINCT path_bytes) FROM files") == [(FILES, FILES)]
        [(exif_rows, exif_files)] = rows(killed, "SELECT count(*), count(DISTINCT file_id) FROM exif")
        assert exif_rows == exif_files
        assert case_rows(killed) == case_rows(clean)
        count_by_status = "SELECT status, count(*) FROM files GROUP BY status ORDER BY status"
        assert rows(killed, count_by_status) == rows(clean, count_by_status)
        assert rows(clean, count_by_status) == [("image", 945), ("other", 25), ("unprocessed", 30)]
        assert_accounted(killed, evidence, tree)

        assert cbis_run("report", "--case", killed, "--csv", tmp_path / "report-killed").returncode == 0
        for name in REPORTS:
            assert (tmp_path / "report-killed" / name).read_bytes() == (
                tmp_path / "report-clean" / name
            ).read_bytes(), name

        # Every killed run that got as far as the case left its "started" row; none could write an outcome.
        index_outcomes = [
            outcome for (outcome,) in rows(killed, "SELECT outcome FROM audit_log WHERE command LIKE '%index%'")
        ]
        assert index_outcomes.count("ok") == 1
        assert index_outcomes.count("started") >= 1 + sum(after > before for _, before, after in kills)
        assert set(index_outcomes) == {"started", "ok"}
        assert rows(killed, "SELECT count(*) FROM runs WHERE status = 'running'")[0][0] >= sum(
            after > before for _, before, after in kills
        )
        verified = cbis_run("verify", "--case", killed)
        assert verified.returncode == 0, verified.stdout
        assert "chain intact" in verified.stdout
