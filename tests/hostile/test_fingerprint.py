"""The evidence fingerprints themselves: each helper that says "the evidence is unchanged" sees a change of content,
name, size, mtime, mode, link target or atime, and taking a fingerprint does not itself change an atime.

Every "evidence untouched" assertion in the suite rests on these helpers; a helper blind to one kind of change
would let every test using it pass over that change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import tree_fingerprint
from tests.hostile.helpers import fingerprint, untouched

SECOND_NS = 1_000_000_000


def make_tree(root: Path) -> Path:
    (root / "photos" / "deep").mkdir(parents=True)
    (root / "photos" / "a.jpg").write_bytes(b"\xff\xd8" + bytes(range(256)) * 4 + b"\xff\xd9")
    (root / "photos" / "deep" / "b.txt").write_bytes(b"notes\n")
    os.symlink("a.jpg", root / "photos" / "link.jpg")
    # Times well in the past with atime before mtime: on a relatime mount any plain read would now move the atime.
    for path in (
        root / "photos" / "a.jpg",
        root / "photos" / "deep" / "b.txt",
        root / "photos" / "deep",
        root / "photos",
    ):
        os.utime(path, ns=(1_600_000_000 * SECOND_NS, 1_600_000_100 * SECOND_NS))
    return root


def keeping_times(path: Path, change: Callable[[], None]) -> None:
    """Apply `change` to `path`, then put its atime and mtime back: only what `change` is about differs."""
    st = os.lstat(path)
    change()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)


def flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))


def retarget(link: Path, target: str) -> None:
    link.unlink()
    os.symlink(target, link)


CHANGES: dict[str, Callable[[Path], None]] = {
    "content": lambda root: keeping_times(root / "photos/a.jpg", lambda: flip_one_byte(root / "photos/a.jpg")),
    "name": lambda root: (root / "photos/deep/b.txt").rename(root / "photos/deep/c.txt"),
    "size": lambda root: keeping_times(root / "photos/deep/b.txt", lambda: os.truncate(root / "photos/deep/b.txt", 3)),
    "mtime": lambda root: os.utime(
        root / "photos/a.jpg", ns=(os.lstat(root / "photos/a.jpg").st_atime_ns, 1_700_000_000 * SECOND_NS)
    ),
    "mode": lambda root: os.chmod(root / "photos/a.jpg", 0o600),
    "link target": lambda root: keeping_times(
        root / "photos/link.jpg",
        lambda: retarget(root / "photos/link.jpg", "b.jpg"),  # same length, same size
    ),
    "file atime": lambda root: os.utime(
        root / "photos/a.jpg", ns=(1_650_000_000 * SECOND_NS, os.lstat(root / "photos/a.jpg").st_mtime_ns)
    ),
    "directory atime": lambda root: os.utime(
        root / "photos/deep", ns=(1_650_000_000 * SECOND_NS, os.lstat(root / "photos/deep").st_mtime_ns)
    ),
    "directory mode": lambda root: os.chmod(root / "photos/deep", 0o700),
}

HELPERS: dict[str, Callable[[Path], object]] = {"fingerprint": fingerprint, "tree_fingerprint": tree_fingerprint}


@pytest.mark.parametrize("helper", HELPERS)
@pytest.mark.parametrize("change", CHANGES)
def test_each_fingerprint_sees_each_kind_of_change(tmp_path: Path, helper: str, change: str) -> None:
    root = make_tree(tmp_path / "evidence")
    take = HELPERS[helper]
    before = take(root)
    assert take(root) == before  # stable: the change below is what makes the difference
    CHANGES[change](root)
    assert take(root) != before, f"{helper} does not see a change of {change}"


@pytest.mark.parametrize("change", CHANGES)
def test_untouched_fails_on_each_kind_of_change(tmp_path: Path, change: str) -> None:
    root = make_tree(tmp_path / "evidence")
    with untouched(root):
        pass
    with pytest.raises(AssertionError, match="the evidence changed"), untouched(root):
        CHANGES[change](root)


@pytest.mark.parametrize("helper", HELPERS)
def test_taking_a_fingerprint_changes_no_access_time(tmp_path: Path, helper: str) -> None:
    root = make_tree(tmp_path / "evidence")
    paths = [root / "photos", root / "photos/deep", root / "photos/a.jpg", root / "photos/deep/b.txt"]
    before = {path: os.lstat(path).st_atime_ns for path in paths}
    HELPERS[helper](root)
    assert {path: os.lstat(path).st_atime_ns for path in paths} == before
    # The control: on this (relatime) mount a plain read and a plain listing do move these atimes, so the
    # assertion above is not vacuous.
    copy = make_tree(tmp_path / "copy")
    (copy / "photos/a.jpg").read_bytes()
    os.listdir(copy / "photos/deep")
    assert os.lstat(copy / "photos/a.jpg").st_atime_ns != before[root / "photos/a.jpg"]
    assert os.lstat(copy / "photos/deep").st_atime_ns != before[root / "photos/deep"]
    shutil.rmtree(copy)


def test_untouched_without_atimes_still_sees_every_other_change(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "evidence")
    with untouched(root, atimes=False):
        CHANGES["file atime"](root)
        CHANGES["directory atime"](root)
    for change in set(CHANGES) - {"file atime", "directory atime"}:
        copy = make_tree(tmp_path / change)
        with pytest.raises(AssertionError, match="the evidence changed"), untouched(copy, atimes=False):
            CHANGES[change](copy)
