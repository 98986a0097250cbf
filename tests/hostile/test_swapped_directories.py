"""A directory swapped for a symbolic link (or a file for another) between the walk and the read.

On a live share, or in a tree built to attack the examiner, a directory the walk listed can become a link to
somewhere outside the evidence root before its files are read. The file must then be recorded as changed during
the run, never hashed or EXIF-parsed from outside the root. The walk and the examination are the real ones;
the swap happens between them, where a racing attacker would put it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cbis.ingest.walk import WalkEntry, walk
from cbis.services.examine import ExamineSettings, examine
from tests.hostile.corpus import small_jpeg

SETTINGS = ExamineSettings(max_pixels=178_956_970, allow_truncated=False)  # an inventory: no analyzer


def walked(root: Path) -> dict[str, WalkEntry]:
    return {item.relpath: item for item in walk(root) if isinstance(item, WalkEntry)}


def make_tree(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "evidence"
    (root / "photos" / "deeper").mkdir(parents=True)
    (root / "photos" / "deeper" / "kept.jpg").write_bytes(small_jpeg(1))
    (root / "photos" / "kept.jpg").write_bytes(small_jpeg(2))
    outside = tmp_path / "outside"
    (outside / "deeper").mkdir(parents=True)
    # The same names, other content: what cbis would store as evidence if it followed the link.
    (outside / "deeper" / "kept.jpg").write_bytes(small_jpeg(3))
    (outside / "kept.jpg").write_bytes(small_jpeg(4))
    return root, outside


def test_a_directory_swapped_for_a_link_outside_the_root_is_not_read(tmp_path: Path) -> None:
    root, outside = make_tree(tmp_path)
    entries = walked(root)
    (root / "photos").rename(tmp_path / "moved-away")
    (root / "photos").symlink_to(outside)
    outside_hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in outside.rglob("*.jpg")}
    for relpath in ("photos/kept.jpg", "photos/deeper/kept.jpg"):
        row = examine(entries[relpath], SETTINGS).row
        assert row.status == "unprocessed", relpath
        assert row.error is not None and row.error.startswith("file changed during the run: "), row.error
        assert "'photos' on its path is no longer a directory" in row.error
        assert row.sha256 is None and row.sha256 not in outside_hashes
        assert row.exif is None or not row.exif


def test_a_file_replaced_by_another_is_recorded_as_changed(tmp_path: Path) -> None:
    root, _ = make_tree(tmp_path)
    entries = walked(root)
    replacement = tmp_path / "replacement.jpg"
    replacement.write_bytes(small_jpeg(5))
    os.replace(replacement, root / "photos" / "kept.jpg")  # a new inode under the listed name
    os.utime(root / "photos" / "kept.jpg", ns=(entries["photos/kept.jpg"].stat.st_atime_ns,) * 2)
    row = examine(entries["photos/kept.jpg"], SETTINGS).row
    assert row.status == "unprocessed"
    assert row.error is not None and "leads to a different file than the walk listed" in row.error
    # The untouched one is read as usual, beneath the same root.
    other = examine(entries["photos/deeper/kept.jpg"], SETTINGS).row
    assert other.status == "image" and other.sha256 == hashlib.sha256(small_jpeg(1)).hexdigest()


def test_the_last_component_swapped_for_a_link_is_not_followed(tmp_path: Path) -> None:
    root, outside = make_tree(tmp_path)
    entries = walked(root)
    (root / "photos" / "kept.jpg").unlink()
    (root / "photos" / "kept.jpg").symlink_to(outside / "kept.jpg")
    row = examine(entries["photos/kept.jpg"], SETTINGS).row
    assert row.status == "unprocessed" and row.sha256 is None
    assert row.error is not None and row.error.startswith("file changed during the run: it is now a symbolic link")
