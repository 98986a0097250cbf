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
        "evidence: 10 recorded files checked",
        "case database: SQLite integrity_check ok",  # the database's own check (run first; a failure stops verify)
        "OK: the audit chain is intact and the evidence matches the case",
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
    os.symlink("p4.jpg", evidence / "photos" / "p3.jpg")  # a file replaced by a link is missing, not followed
    (evidence / "photos" / "planted.jpg").write_bytes(small_jpeg(50))
    with open(os.fsencode(evidence) + b"/odd/new\nline-\xff.jpg", "ab") as stream:
        stream.write(b"appended")
    with open(evidence / "slow" / "zeros.png", "ab") as stream:  # no hash was recorded; the size was
        stream.write(b"\x00")
    result = cbis_run("verify", "--case", case_dir)
    assert result.returncode == DIFFERS
    lines = result.stdout.splitlines()
    assert lines[0].endswith("chain intact")
    assert sorted(lines[3:-2]) == sorted(
        [
            "  CHANGED      odd/new\\nline-\\xff.jpg",
            "  CHANGED      photos/p1.jpg",
            "  CHANGED      slow/zeros.png",
            "  MISSING      photos/p2.jpg",
            "  MISSING      photos/p3.jpg",
            "  ADDED        photos/planted.jpg",
        ]
    )
    assert lines[-2] == "case database: SQLite integrity_check ok"
    assert lines[-1] == "DIFFERS: see the lines above"
    # the audit log keeps the finding, not a bare "ok"
    [(outcome,)] = rows(
        case_dir, "SELECT outcome FROM audit_log WHERE command LIKE 'cbis verify%' ORDER BY id DESC LIMIT 1"
    )
    assert outcome == "differs: 3 changed, 2 missing, 1 added"


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
