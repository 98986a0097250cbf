"""Access times are evidence. Run as root, cbis keeps every file's and directory's; run as an examiner who does not
own the evidence, the kernel refuses O_NOATIME: cbis says so before the run and records it in the case, and
--require-noatime refuses instead. Reading a link's target changes the link's atime whoever reads it: recorded.
The evidence here is on the machine's usual relatime mount, where a first read does change an atime."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.corpus import build, small_jpeg
from tests.hostile.helpers import NOBODY_GID, NOBODY_UID, cbis_as_nobody, cbis_run, mounted_read_only, new_case, rows


def entries(root: Path) -> list[Path]:
    """Every entry under `root`. Listing the tree changes its directories' atimes, so it is done once, before the
    'before' snapshot; the snapshots themselves only lstat."""
    found = [root]
    for directory, dirnames, filenames in os.walk(root):
        found.extend(Path(directory, name) for name in dirnames + filenames)
    return found


def atimes(paths: list[Path], *, links: bool = True) -> dict[str, int]:
    return {str(path): os.lstat(path).st_atime_ns for path in paths if links or not path.is_symlink()}


def evidence_tree(root: Path) -> Path:
    build(root, [("photos/a.jpg", small_jpeg(1)), ("photos/b.jpg", small_jpeg(2)), ("notes/n.txt", b"note\n")])
    os.symlink("a.jpg", root / "photos" / "link.jpg")
    for directory, _, names in os.walk(root):  # readable by everyone, owned by root: as a copy made by root is
        os.chmod(directory, 0o755)
        for name in names:
            if not Path(directory, name).is_symlink():
                os.chmod(Path(directory, name), 0o644)
    return root


def last_run_note(case_dir: Path) -> str:
    [(note,)] = rows(case_dir, "SELECT access_times FROM runs ORDER BY id DESC LIMIT 1")
    return note


def nobody_case(case_dir: Path) -> Path:
    new_case(case_dir)
    for directory, _, names in os.walk(case_dir):
        for path in (directory, *(os.path.join(directory, name) for name in names)):
            os.chown(path, NOBODY_UID, NOBODY_GID)
    return case_dir


@pytest.mark.skipif(os.geteuid() != 0, reason="O_NOATIME on files cbis does not own needs root")
def test_as_root_files_and_directories_keep_their_access_times_and_link_reads_are_recorded(tmp_path: Path) -> None:
    evidence = evidence_tree(tmp_path / "evidence")
    case_dir = new_case(tmp_path / "case")
    paths = entries(evidence)
    before = atimes(paths, links=False)
    result = cbis_run("index", evidence, "--case", case_dir, "--no-classify")
    assert result.returncode == 0, result.stderr
    assert "Warning: access times" not in result.stderr  # root may ask for O_NOATIME on every file
    assert atimes(paths, links=False) == before
    note = last_run_note(case_dir)
    assert note.startswith("may have changed: 1 symbolic links' targets read (readlink has no O_NOATIME)"), note
    info = cbis_run("case", "info", "--case", case_dir, env={**os.environ, "COLUMNS": "300"})
    assert "evidence access times" in info.stdout and "1 symbolic links' targets read" in info.stdout


def test_an_examiner_who_does_not_own_the_evidence_is_told_and_it_is_recorded(shared_dir: Path) -> None:
    evidence = evidence_tree(shared_dir / "evidence")
    case_dir = nobody_case(shared_dir / "case")
    result = cbis_as_nobody("index", evidence, "--case", case_dir, "--no-classify", cwd=shared_dir)
    assert result.returncode == 0, result.stderr
    assert "Warning: access times: cbis runs as uid" in result.stderr
    assert "does not own the evidence: the kernel refuses O_NOATIME" in result.stderr
    note = last_run_note(case_dir)
    # The root, two directories and three files were opened without O_NOATIME, and one link read.
    assert note.startswith("may have changed: 6 files and directories opened without O_NOATIME"), note
    assert "1 symbolic links' targets read" in note and "mount options rw" in note
    assert rows(case_dir, "SELECT count(*) FROM files WHERE status IN ('image', 'other')") == [(3,)]


def test_require_noatime_refuses_to_run_where_access_times_would_change(shared_dir: Path) -> None:
    evidence = evidence_tree(shared_dir / "evidence")
    case_dir = nobody_case(shared_dir / "case")
    paths = entries(evidence)
    before = atimes(paths)
    result = cbis_as_nobody("index", evidence, "--case", case_dir, "--no-classify", "--require-noatime", cwd=shared_dir)
    assert result.returncode == 2, result.stdout
    assert "--require-noatime: cbis runs as uid" in result.stderr and "Traceback" not in result.stderr
    assert atimes(paths) == before  # nothing was opened, not even the root listed
    assert rows(case_dir, "SELECT count(*) FROM files") == [(0,)]


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
def test_a_read_only_mount_is_recognised_and_require_noatime_accepts_it(tmp_path: Path) -> None:
    evidence = evidence_tree(tmp_path / "evidence")
    case_dir = new_case(tmp_path / "case")
    with mounted_read_only(evidence):
        paths = entries(evidence)
        before = atimes(paths)
        result = cbis_run("index", evidence, "--case", case_dir, "--no-classify", "--require-noatime")
        assert result.returncode == 0, result.stderr
        assert atimes(paths) == before  # the link's included: a read-only mount updates no atime
    assert last_run_note(case_dir) == "kept unchanged: the evidence is on a read-only mount"
    # On this mount the link's target could be read: the read changes nothing there.
    [(reason,)] = rows(case_dir, "SELECT reason FROM walk_skips WHERE path = 'photos/link.jpg'")
    assert reason.startswith("symbolic link to a.jpg")


def test_require_noatime_refuses_each_read_that_would_change_an_access_time(shared_dir: Path) -> None:
    """The examiner owns the evidence but not every file in it: those files, and the link's target, are not read."""
    evidence = evidence_tree(shared_dir / "evidence")
    for path in entries(evidence):
        if path.name != "b.jpg":
            os.lchown(path, NOBODY_UID, NOBODY_GID)
    case_dir = nobody_case(shared_dir / "case")
    paths = entries(evidence)
    before = atimes(paths)
    result = cbis_as_nobody("index", evidence, "--case", case_dir, "--no-classify", "--require-noatime", cwd=shared_dir)
    assert result.returncode == 0, result.stderr
    assert atimes(paths) == before
    [(status, error)] = rows(case_dir, "SELECT status, error FROM files WHERE path = 'photos/b.jpg'")
    assert status == "unprocessed" and error.startswith("cannot read: the kernel refused O_NOATIME"), error
    assert rows(case_dir, "SELECT status FROM files WHERE path = 'photos/a.jpg'") == [("image",)]
    [(reason,)] = rows(case_dir, "SELECT reason FROM walk_skips WHERE path = 'photos/link.jpg'")
    assert reason.startswith("symbolic link whose target was not read: reading it would change the link's access")
    assert last_run_note(case_dir) == (
        "kept unchanged: every file and directory opened with O_NOATIME; 2 reads refused by --require-noatime "
        "(recorded as unread)"
    )
