"""cbis only reads the evidence: it indexes a tree mounted read-only, and a tree where files and directories are
unreadable to it (recorded with the operating system's error), and changes nothing in either."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from tests.hostile.conftest import needs_root
from tests.hostile.corpus import MALFORMED_EXIF, build, image_with_exif, small_jpeg, truncations
from tests.hostile.helpers import (
    NOBODY_GID,
    NOBODY_UID,
    assert_accounted,
    cbis_as_nobody,
    cbis_run,
    mounted_read_only,
    new_case,
    rows,
    untouched,
)


def mixed_tree(root: Path) -> None:
    build(root, [(f"photos/p{n:02d}.jpg", small_jpeg(n)) for n in range(10)])
    build(root, list(truncations())[:12])
    build(root, [("notes/readme.txt", b"text"), ("exif/huge-count.jpg", image_with_exif(MALFORMED_EXIF[0][1])[1])])
    os.symlink("../photos/p00.jpg", root / "notes" / "link.jpg")


@needs_root
def test_index_report_and_verify_a_read_only_mount(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    mixed_tree(evidence)
    with mounted_read_only(evidence):
        with pytest.raises(OSError) as refused:  # not even root may write there now
            (evidence / "probe").write_bytes(b"x")
        assert refused.value.errno == errno.EROFS
        with untouched(evidence) as tree:
            for command in (
                ("index", evidence, "--case", case_dir, "--no-classify"),
                ("index", evidence, "--case", case_dir, "--no-classify", "--allow-truncated"),  # a second pass
                ("report", "--case", case_dir, "--csv", tmp_path / "report"),
                ("verify", "--case", case_dir),
            ):
                result = cbis_run(*command)
                assert result.returncode == 0, (command, result.stderr, result.stdout)
            assert_accounted(case_dir, evidence, tree)
    assert rows(case_dir, "SELECT count(*) FROM files WHERE status = 'image'")[0][0] >= 11


@needs_root
@pytest.mark.slow
def test_files_and_directories_cbis_may_not_read_are_recorded_with_the_os_error(shared_dir: Path) -> None:
    evidence, case_dir = shared_dir / "evidence", shared_dir / "case"
    mixed_tree(evidence)
    build(evidence, [("locked/hidden.jpg", small_jpeg(50)), ("listonly/x.jpg", small_jpeg(51))])
    build(evidence, [("private/mode-000.jpg", small_jpeg(52)), ("private/write-only.jpg", small_jpeg(53))])
    new_case(case_dir)
    for directory, _, names in os.walk(case_dir):
        for path in (directory, *(os.path.join(directory, name) for name in names)):
            os.chown(path, NOBODY_UID, NOBODY_GID)
    # The whole tree read-only to everyone (chmod -R a-w), then some of it unreadable to nobody as well.
    for directory, dirnames, filenames in os.walk(evidence):
        for name in filenames:
            os.chmod(os.path.join(directory, name), 0o444)
        for name in dirnames:
            os.chmod(os.path.join(directory, name), 0o555)
    os.chmod(evidence, 0o555)
    os.chmod(evidence / "private" / "mode-000.jpg", 0o000)
    os.chmod(evidence / "private" / "write-only.jpg", 0o200)
    os.chmod(evidence / "locked", 0o000)
    os.chmod(evidence / "listonly", 0o444)  # names can be read, entries cannot be looked up
    try:
        # nobody may not open root's files with O_NOATIME: their atimes move (cbis says so; test_access_times.py).
        with untouched(evidence, atimes=False) as tree:
            result = cbis_as_nobody("index", evidence, "--case", case_dir, "--no-classify", cwd=shared_dir)
            assert result.returncode == 0, result.stderr[-3000:]
            found = assert_accounted(case_dir, evidence, tree)
            assert result.stdout.startswith("indexed 12 images, 13 unprocessed")
            as_nobody = cbis_as_nobody("verify", "--case", case_dir, cwd=shared_dir)
            as_root = cbis_run("verify", "--case", case_dir)
        os.chmod(evidence, 0o111)  # nobody may still enter the root, but no longer list it
        unlistable = cbis_as_nobody("verify", "--case", case_dir, cwd=shared_dir)
    finally:
        for directory, dirnames, _ in os.walk(evidence):
            for name in dirnames:
                os.chmod(os.path.join(directory, name), 0o755)
    assert found.files[b"private/mode-000.jpg"] == ("unprocessed", "cannot read: Permission denied")
    assert found.files[b"private/write-only.jpg"] == ("unprocessed", "cannot read: Permission denied")
    assert found.skips[b"locked"].startswith("permission denied: [Errno 13] Permission denied")
    assert found.skips[b"listonly/x.jpg"].startswith("cannot stat: [Errno 13] Permission denied")
    assert found.files[b"photos/p00.jpg"] == ("image", None)
    # What nobody could read was never hashed, so verify as nobody finds nothing new; root sees the files
    # nobody could not list, as added since indexing.
    assert as_nobody.returncode == 0, as_nobody.stdout + as_nobody.stderr
    assert as_root.returncode == 5
    assert "  ADDED        listonly/x.jpg" in as_root.stdout and "  ADDED        locked/hidden.jpg" in as_root.stdout
    # A root that can no longer be listed is a difference like any other, not an error that ends the check.
    assert unlistable.returncode == 5, unlistable.stdout + unlistable.stderr
    assert f"  UNREADABLE   {evidence}: cannot read the evidence directory {evidence}: [Errno 13]" in unlistable.stdout
    shutil.rmtree(evidence)
