"""`cbis verify` after the evidence or the audit log was tampered with: every difference listed, exit status 5."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.hostile.corpus import build, create_named, png_declaring, small_jpeg
from tests.hostile.helpers import cbis_run, rows

DIFFERS = 5


def indexed_tree(tmp_path: Path, case_dir: Path) -> Path:
    evidence = tmp_path / "evidence"
    build(evidence, [(f"photos/p{n}.jpg", small_jpeg(n)) for n in range(6)])
    build(evidence, [("docs/report.txt", b"quarterly figures\n")])
    create_named(os.fsencode(evidence), b"odd/=cmd|' /C calc'!A0.jpg", small_jpeg(7))
    create_named(os.fsencode(evidence), b"odd/new\nline-\xff.jpg", small_jpeg(8))
    # Too slow for the 0.05 s limit below: recorded as timed out, without hashes.
    build(evidence, [("slow/zeros.png", png_declaring(10000, 10000, colour_type=0, rows=10000))])
    result = cbis_run(
        "index", evidence, "--case", case_dir, "--no-classify", "--workers", "1", "--file-time-limit", "0.05"
    )
    assert result.returncode == 0, result.stderr
    assert rows(case_dir, "SELECT sha256 FROM files WHERE path = 'slow/zeros.png'") == [(None,)]
    return evidence


def test_verify_passes_an_untouched_case(tmp_path: Path, case_dir: Path) -> None:
    indexed_tree(tmp_path, case_dir)
    result = cbis_run("verify", "--case", case_dir)
    assert result.returncode == 0, result.stdout
    [(head, head_hash)] = rows(
        case_dir, "SELECT id, row_hash FROM audit_log WHERE outcome = 'started' ORDER BY id DESC LIMIT 1"
    )
    assert result.stdout.splitlines() == [
        f"audit log: {head} entries, chain intact",
        f"audit log head: entry {head}, sha256 {head_hash}",  # to note in the report: a cut-off tail shows
        "review log: 0 events, chain intact, replays",
        "evidence: 10 recorded files checked",
        "case database: SQLite integrity_check ok",  # the database's own check (run first; a failure stops verify)
        "OK: the audit and review chains are intact and the evidence matches the case",
    ]


def test_verify_lists_every_change_missing_and_added_file(tmp_path: Path, case_dir: Path) -> None:
    evidence = indexed_tree(tmp_path, case_dir)
    # Same size, same mtime, one bit different: only the hash can tell.
    target = evidence / "photos" / "p1.jpg"
    stat = target.stat()
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (evidence / "photos" / "p2.jpg").unlink()
    (evidence / "photos" / "p3.jpg").unlink()
    os.symlink("p4.jpg", evidence / "photos" / "p3.jpg")  # a file replaced by a link: changed, never followed
    (evidence / "photos" / "planted.jpg").write_bytes(small_jpeg(50))
    with open(os.fsencode(evidence) + b"/odd/new\nline-\xff.jpg", "ab") as stream:
        stream.write(b"appended")
    with open(evidence / "slow" / "zeros.png", "ab") as stream:  # no hash was recorded; the size was
        stream.write(b"\x00")
    result = cbis_run("verify", "--case", case_dir)
    assert result.returncode == DIFFERS
    lines = result.stdout.splitlines()
    assert lines[0].endswith("chain intact")
    assert sorted(lines[4:-2]) == sorted(
        [
            "  CHANGED      odd/new\\nline-\\xff.jpg",
            "  CHANGED      photos/p1.jpg",
            "  CHANGED      slow/zeros.png",
            "  CHANGED      photos/p3.jpg (recorded as a regular file; now: symbolic link to p4.jpg (inside the root;"
            " indexed at its own path))",
            "  MISSING      photos/p2.jpg",
            "  ADDED        photos/planted.jpg",
        ]
    )
    assert lines[-2] == "case database: SQLite integrity_check ok"
    assert lines[-1] == "DIFFERS: see the lines above"
    # the audit log keeps the finding, not a bare "ok"
    [(outcome,)] = rows(
        case_dir, "SELECT outcome FROM audit_log WHERE command LIKE 'cbis verify%' ORDER BY id DESC LIMIT 1"
    )
    assert outcome == "differs: 4 changed, 1 missing, 1 added"


def test_verify_catches_a_removed_audit_row_and_a_missing_root(tmp_path: Path, case_dir: Path) -> None:
    evidence = indexed_tree(tmp_path, case_dir)
    assert cbis_run("search", "--case", case_dir, "--label", "weapon").returncode == 0
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        # Someone who drops the append-only trigger to erase one command from history.
        connection.execute("DROP TRIGGER audit_log_no_delete")
        connection.execute("DELETE FROM audit_log WHERE id = 2")
    evidence.rename(tmp_path / "moved")
    result = cbis_run("verify", "--case", case_dir)
    assert result.returncode == DIFFERS
    assert "audit log: " in result.stdout and "1 problem(s)" in result.stdout
    assert "  AUDIT    audit row 3: previous-row hash does not match (a row was removed or changed)" in result.stdout
    assert f"  MISSING ROOT {evidence}" in result.stdout
    assert f"  MISSING      {evidence}/photos/p0.jpg" in result.stdout


def test_verify_compares_what_was_recorded_as_not_walked(tmp_path: Path, case_dir: Path) -> None:
    """Links, FIFOs and loops are recorded, not read; verify compares what they are and where links lead."""
    evidence = tmp_path / "evidence"
    outside = tmp_path / "outside"
    outside.mkdir()
    build(evidence, [("photos/a.jpg", small_jpeg(1)), ("photos/b.jpg", small_jpeg(2))])
    os.symlink("a.jpg", evidence / "photos" / "link.jpg")
    os.symlink("b.jpg", evidence / "photos" / "removed-link.jpg")
    os.mkfifo(evidence / "pipe")
    assert cbis_run("index", evidence, "--case", case_dir, "--no-classify").returncode == 0
    assert cbis_run("verify", "--case", case_dir).returncode == 0

    (evidence / "photos" / "link.jpg").unlink()
    os.symlink(outside / "secret.jpg", evidence / "photos" / "link.jpg")  # retargeted outside the root
    (evidence / "photos" / "removed-link.jpg").unlink()
    (evidence / "pipe").unlink()
    (evidence / "pipe").write_bytes(b"not a FIFO any more")
    os.symlink("/", evidence / "new-link")
    result = cbis_run("verify", "--case", case_dir)
    assert result.returncode == DIFFERS, result.stdout
    lines = result.stdout.splitlines()
    assert sorted(line for line in lines if line.startswith("  ")) == sorted(
        [
            "  CHANGED      photos/link.jpg (recorded as: symbolic link to a.jpg (inside the root; indexed at its own"
            f" path); now: symbolic link to {outside}/secret.jpg (outside the evidence root; not followed))",
            "  CHANGED      pipe (recorded as: not a regular file (FIFO); now: a regular file)",
            "  MISSING      photos/removed-link.jpg (recorded as: symbolic link to b.jpg (inside the root; indexed at"
            " its own path))",
            "  ADDED        new-link (symbolic link to / (outside the evidence root; not followed))",
        ]
    )
