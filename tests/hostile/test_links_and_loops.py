"""Trees built to trap a walker: symbolic-link loops and links out of the root, a bind-mount loop, FIFOs and
sockets, and directories nested past PATH_MAX. The walk ends, never leaves the root, and accounts for everything."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.hostile.corpus import build, small_jpeg
from tests.hostile.helpers import assert_accounted, cbis_run, new_case, rows, untouched

DEPTH = 24  # directories of 250 bytes each: about 6,000 bytes of path, past Linux's PATH_MAX of 4096
NAME = b"d" * 250


def deep_tree(root: Path) -> list[bytes]:
    """Directories nested past PATH_MAX, made with directory descriptors, a JPEG at several depths; their paths."""
    made = []
    current = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    relpath = b""
    try:
        for level in range(DEPTH):
            name = b"%02d" % level + NAME
            os.mkdir(name, dir_fd=current)
            following = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
            os.close(current)
            current = following
            relpath += name + b"/"
            if level in (3, 15, DEPTH - 1):
                fd = os.open(b"deep.jpg", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=current)
                with os.fdopen(fd, "wb") as stream:
                    stream.write(small_jpeg(level))
                made.append(relpath + b"deep.jpg")
    finally:
        os.close(current)
    return made


@contextmanager
def bind_mounted(source: Path, target: Path) -> Iterator[bool]:
    """`mount --bind source target` for the block; False (and no mount) where the test cannot mount."""
    target.mkdir()
    mounted = (
        os.geteuid() == 0 and subprocess.run(["mount", "--bind", source, target], capture_output=True).returncode == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", target], check=True)


def test_links_loops_special_files_and_deep_trees_end_and_stay_inside(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.jpg"
    secret.write_bytes(small_jpeg(999))
    build(evidence, [("photos/a.jpg", small_jpeg(1)), ("photos/b.jpg", small_jpeg(2)), ("notes/n.txt", b"note")])
    links = {
        "links/loop-a": "loop-b",
        "links/loop-b": "loop-a",
        "links/self": "self",
        "links/to-root-of-filesystem": "/",
        "links/to-parent": "..",
        "links/to-evidence-root": "..",
        "links/to-outside-dir": str(outside),
        "links/to-outside-file.jpg": str(secret),
        "links/relative-escape.jpg": "../../outside/secret.jpg",
        "links/dangling.jpg": "does-not-exist.jpg",
        "links/to-photo.jpg": "../photos/a.jpg",
        "links/to-photos-dir": "../photos",
        "links/chain-1": "chain-2",
        "links/chain-2": "chain-3",
        "links/chain-3": "../photos/b.jpg",
    }
    (evidence / "links").mkdir()
    for name, target in links.items():
        os.symlink(target, evidence / name)
    os.mkfifo(evidence / "special-fifo")  # reading it would block for ever
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(evidence / "special-socket"))
    deep = deep_tree(evidence)
    with bind_mounted(evidence, evidence / "bind-loop") as looped, untouched(evidence) as tree:
        result = cbis_run("index", evidence, "--case", case_dir, "--no-classify", timeout=60)
        assert result.returncode == 0, result.stderr
        found = assert_accounted(case_dir, evidence, tree)
        verified = cbis_run("verify", "--case", case_dir, timeout=60)
        assert verified.returncode == 0, verified.stdout
    listener.close()
    assert set(found.files) == {b"photos/a.jpg", b"photos/b.jpg", b"notes/n.txt", *deep}
    assert all(found.files[path][0] == "image" for path in deep)  # past PATH_MAX, still read and decoded
    reasons = {os.fsdecode(path): reason for path, reason in found.skips.items()}
    assert set(reasons) == set(links) | {"special-fifo", "special-socket"} | ({"bind-loop"} if looped else set())
    for name in ("links/loop-a", "links/loop-b", "links/self"):
        assert "symbolic link loop" in reasons[name], reasons[name]
    for name in ("links/to-root-of-filesystem", "links/to-outside-dir", "links/to-outside-file.jpg",
                 "links/relative-escape.jpg"):  # fmt: skip
        assert "outside the evidence root; not followed" in reasons[name], reasons[name]
    assert "target does not exist" in reasons["links/dangling.jpg"]
    assert "indexed at its own path" in reasons["links/to-photo.jpg"]
    assert reasons["special-fifo"] == "not a regular file (FIFO)"
    assert reasons["special-socket"] == "not a regular file (socket)"
    if looped:
        assert reasons["bind-loop"].startswith("directory loop (already walked as .)")
    # Nothing from outside the root was read: its content is nowhere in the case.
    secret_sha256 = hashlib.sha256(secret.read_bytes()).hexdigest()
    assert rows(case_dir, "SELECT count(*) FROM files WHERE sha256 = ?", secret_sha256) == [(0,)]


def test_a_case_inside_the_evidence_is_refused_when_the_evidence_is_named_through_a_bind_mount(
    tmp_path: Path,
) -> None:
    evidence = tmp_path / "evidence"
    build(evidence, [("photos/a.jpg", small_jpeg(1))])
    case_dir = new_case(evidence / "case")  # the examiner's mistake: the case lives in the evidence tree
    with bind_mounted(evidence, tmp_path / "mnt") as mounted:
        if not mounted:
            pytest.skip("bind mounts need root and a kernel that allows them here")
        with untouched(evidence):
            result = cbis_run("index", tmp_path / "mnt", "--case", case_dir, "--no-classify")
        assert result.returncode == 2, result.stdout
        assert "is inside the evidence" in result.stderr and "Traceback" not in result.stderr
        # The other way round: the evidence named through a link to a directory that holds the case.
        (tmp_path / "link").symlink_to(evidence)
        with untouched(evidence):
            linked = cbis_run("index", tmp_path / "link", "--case", case_dir, "--no-classify")
        assert linked.returncode == 2 and "is inside the evidence" in linked.stderr
    assert rows(case_dir, "SELECT count(*) FROM files") == [(0,)]
