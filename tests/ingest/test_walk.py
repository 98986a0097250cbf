import hashlib
import os
import pickle
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from cbis.errors import EvidenceError
from cbis.ingest.walk import WalkEntry, WalkSkip, display_path, relpath_bytes, walk


def walked(root: Path) -> list[WalkEntry | WalkSkip]:
    return list(walk(root))


def files_of(results: list[WalkEntry | WalkSkip]) -> list[str]:
    return [result.relpath for result in results if isinstance(result, WalkEntry)]


def skips_of(results: list[WalkEntry | WalkSkip]) -> dict[str, str]:
    return {result.relpath: result.reason for result in results if isinstance(result, WalkSkip)}


def make(path: Path, content: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_sorted_depth_first_with_files_and_directories_interleaved(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    for relpath in ["b.jpg", "a/z.txt", "a.jpg", "A.txt", "a/c.txt", "a/sub/deep.png", "_x", "a/b.bin"]:
        make(root / relpath)
    results = walked(root)
    # Byte order: "A" (0x41) < "_" (0x5f) < "a" < "a.jpg" ("a" is a prefix) < "b.jpg".
    assert files_of(results) == [
        "A.txt",
        "_x",
        "a/b.bin",
        "a/c.txt",
        "a/sub/deep.png",
        "a/z.txt",
        "a.jpg",
        "b.jpg",
    ]
    assert skips_of(results) == {}


def test_entries_carry_absolute_path_and_lstat(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    make(root / "dir" / "photo.jpg", b"12345")
    (entry,) = walked(root)
    assert isinstance(entry, WalkEntry)
    assert entry.path == root / "dir" / "photo.jpg"
    assert entry.path.is_absolute()
    assert entry.relpath == "dir/photo.jpg"
    assert stat.S_ISREG(entry.stat.st_mode) and entry.stat.st_size == 5


def test_order_is_by_bytes_not_by_text(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    root.mkdir()
    names = [b"\xc3\xa9.jpg", b"z.jpg", b"\xff.jpg", b"Z.jpg"]
    for name in names:
        with open(os.path.join(os.fsencode(root), name), "wb") as out:
            out.write(b"x")
    assert [relpath_bytes(relpath) for relpath in files_of(walked(root))] == sorted(names)


def test_symlinks_are_never_followed_and_say_where_they_point(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    make(root / "sub" / "a.jpg")
    make(tmp_path / "outside" / "secret.jpg")
    (root / "inside_file").symlink_to("sub/a.jpg")
    (root / "inside_dir").symlink_to("sub")
    (root / "outside_file").symlink_to("../outside/secret.jpg")
    (root / "outside_dir").symlink_to(tmp_path / "outside")
    (root / "loop_a").symlink_to("loop_b")
    (root / "loop_b").symlink_to("loop_a")
    (root / "sub" / "up").symlink_to("..")  # the root itself: inside
    (root / "parent").symlink_to("..")  # above the root: outside
    (root / "dangling").symlink_to("sub/missing.jpg")
    results = walked(root)
    assert files_of(results) == ["sub/a.jpg"]
    assert skips_of(results) == {
        "dangling": "symbolic link to sub/missing.jpg (inside the root; target does not exist; not followed)",
        "inside_dir": "symbolic link to sub (inside the root; indexed at its own path)",
        "inside_file": "symbolic link to sub/a.jpg (inside the root; indexed at its own path)",
        "loop_a": "symbolic link to loop_b (inside the root; symbolic link loop; not followed)",
        "loop_b": "symbolic link to loop_a (inside the root; symbolic link loop; not followed)",
        "outside_dir": f"symbolic link to {tmp_path / 'outside'} (outside the evidence root; not followed)",
        "outside_file": "symbolic link to ../outside/secret.jpg (outside the evidence root; not followed)",
        "parent": "symbolic link to .. (outside the evidence root; not followed)",
        "sub/up": "symbolic link to .. (inside the root; indexed at its own path)",
    }


def test_root_given_as_a_symlink_is_resolved_once(tmp_path: Path) -> None:
    real = tmp_path / "real"
    make(real / "a.jpg")
    (real / "link").symlink_to("a.jpg")
    named = tmp_path / "named"
    named.symlink_to(real)
    results = walked(named)
    assert [(r.path, r.relpath) for r in results if isinstance(r, WalkEntry)] == [(real / "a.jpg", "a.jpg")]
    assert "inside the root" in skips_of(results)["link"]


def test_root_must_be_an_existing_directory(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="not found"):
        walk(tmp_path / "missing")
    make(tmp_path / "file.jpg")
    with pytest.raises(EvidenceError, match=r"must be a directory, but .* is a regular file"):
        walk(tmp_path / "file.jpg")


def test_fifo_and_socket_are_skipped_without_blocking(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    make(root / "a.jpg")
    os.mkfifo(root / "pipe.jpg")
    server = None
    if len(os.fsencode(root / "sock")) < 100:
        server = socket.socket(socket.AF_UNIX)
        server.bind(os.fspath(root / "sock"))
    results: list[WalkEntry | WalkSkip] = []
    walker = threading.Thread(target=lambda: results.extend(walk(root)), daemon=True)
    walker.start()
    walker.join(timeout=10)
    if server is not None:
        server.close()
    assert not walker.is_alive(), "walking blocked on the FIFO"
    assert files_of(results) == ["a.jpg"]
    skipped = skips_of(results)
    assert skipped["pipe.jpg"] == "not a regular file (FIFO)"
    if server is not None:
        assert skipped["sock"] == "not a regular file (socket)"


def walk_as_nobody(root: Path) -> list[WalkEntry | WalkSkip]:
    """Walk in a forked child that has dropped root: root reads every directory whatever its permissions."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        outcome: tuple[str, object] = ("error", "child did not finish")
        try:
            try:
                os.setgid(65534)
                os.setuid(65534)
            except OSError as exc:
                outcome = ("skip", f"cannot drop root here: {exc}")
            else:
                outcome = ("ok", list(walk(root)))
        except BaseException as exc:
            outcome = ("error", repr(exc))
        finally:
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(outcome))
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as results:
        status, payload = pickle.loads(results.read())
    os.waitpid(pid, 0)
    if status == "skip":
        pytest.skip(str(payload))
    assert status == "ok", payload
    return payload  # type: ignore[return-value]


def test_unreadable_directory_is_skipped_and_the_walk_goes_on() -> None:
    # Not in tmp_path: pytest makes that private to root, and the walk may run as "nobody".
    base = Path(tempfile.mkdtemp(prefix="cbis-walk-"))
    base.chmod(0o755)
    root = base / "evidence"
    make(root / "locked" / "inside.jpg")
    make(root / "z.jpg")
    (root / "locked").chmod(0)
    try:
        results = walk_as_nobody(root) if os.geteuid() == 0 else walked(root)
    finally:
        (root / "locked").chmod(0o755)
        shutil.rmtree(base)
    assert files_of(results) == ["z.jpg"]
    assert skips_of(results)["locked"].startswith("permission denied: [Errno 13] Permission denied")


def test_unreadable_root_is_a_user_error() -> None:
    base = Path(tempfile.mkdtemp(prefix="cbis-walk-"))
    base.chmod(0o755)
    root = base / "evidence"
    make(root / "a.jpg")
    root.chmod(0)
    try:
        if os.geteuid() == 0:
            with pytest.raises(AssertionError, match=r"EvidenceError\(.cannot read the evidence directory"):
                walk_as_nobody(root)
        else:
            with pytest.raises(EvidenceError, match="cannot read the evidence directory"):
                walk(root)
    finally:
        root.chmod(0o755)
        shutil.rmtree(base)


def test_non_utf8_name_round_trips(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    root.mkdir()
    raw_name = b"caf\xe9.jpg"
    with open(os.path.join(os.fsencode(root), raw_name), "wb") as out:
        out.write(b"latin-1 named")
    (entry,) = walked(root)
    assert isinstance(entry, WalkEntry)
    assert relpath_bytes(entry.relpath) == raw_name
    assert display_path(entry.relpath) == "caf\\xe9.jpg"
    assert entry.path.read_bytes() == b"latin-1 named"


@pytest.mark.parametrize(
    ("relpath", "shown"),
    [
        ("plain/photo.jpg", "plain/photo.jpg"),
        ("café/日本.jpg", "café/日本.jpg"),
        ("two\nlines.jpg", "two\\nlines.jpg"),
        ("tab\tand\rcr", "tab\\tand\\rcr"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("back\\slash", "back\\\\slash"),
        ("caf\udce9.jpg", "caf\\xe9.jpg"),  # the byte 0xE9 that is not UTF-8
        ("caf\u00e9.jpg", "caf\u00e9.jpg"),  # the character é, which is
        ("invoice\u202egpj.exe", "invoice\\u202egpj.exe"),  # right-to-left override
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("c1\u0085control", "c1\\u0085control"),
    ],
)
def test_display_path(relpath: str, shown: str) -> None:
    assert display_path(relpath) == shown


def tree_paths(root: Path) -> list[bytes]:
    paths = []
    for directory, subdirectories, files in os.walk(os.fsencode(root)):
        paths += [os.path.join(directory, name) for name in subdirectories + files]
    return sorted(paths)


def metadata(root: Path) -> dict[bytes, tuple[int, ...]]:
    """Names, types, sizes and times, access times included (symlinks' aside, see below)."""
    state = {}
    for path in tree_paths(root):
        info = os.lstat(path)
        # readlink may update a symlink's own atime on a writable relatime mount, and the walk must read link
        # targets to describe them. Everything else must keep even its access time.
        atime = -1 if stat.S_ISLNK(info.st_mode) else info.st_atime_ns
        state[path] = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, atime)
    return state


def contents(root: Path) -> dict[bytes, str]:
    state = {}
    for path in tree_paths(root):
        if stat.S_ISREG(os.lstat(path).st_mode):
            with open(path, "rb") as stream:
                state[path] = hashlib.sha256(stream.read()).hexdigest()
    return state


def test_the_tree_is_unchanged_after_walking(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    make(root / "a" / "b" / "photo.jpg", b"\xff\xd8\xff pretend")
    make(root / "notes.txt", b"text")
    with open(os.path.join(os.fsencode(root), b"caf\xe9\n.jpg"), "wb") as out:
        out.write(b"odd name")
    (root / "link").symlink_to("a/b/photo.jpg")
    os.mkfifo(root / "fifo")
    contents_before = contents(root)
    # Access times older than modification times, so a relatime mount would update them on any read.
    for path in tree_paths(root):
        if not os.path.islink(path):
            os.utime(path, ns=(1_000_000_000, 2_000_000_000))
    before = metadata(root)
    results = walked(root)
    walked(root)
    assert metadata(root) == before
    assert contents(root) == contents_before
    assert len(files_of(results)) == 3


def test_a_very_deep_tree_does_not_hit_the_recursion_limit(tmp_path: Path) -> None:
    root = os.fspath(tmp_path / "evidence")
    deep = root
    os.mkdir(deep)
    try:
        for _ in range(1200):  # one level at a time: os.makedirs would itself recurse too deep
            deep += "/d"
            os.mkdir(deep)
        with open(deep + "/bottom.jpg", "wb") as out:
            out.write(b"x")
        assert files_of(walked(Path(root))) == ["d/" * 1200 + "bottom.jpg"]
    finally:
        # Removed here, bottom up: shutil.rmtree (and so pytest's own clean-up) recurses once per level.
        if os.path.exists(deep + "/bottom.jpg"):
            os.unlink(deep + "/bottom.jpg")
        while os.path.exists(deep) and deep != root:
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def can_bind_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None and shutil.which("umount") is not None


@pytest.mark.skipif(not can_bind_mount(), reason="bind mounts need root and mount(8)")
def test_bind_mount_loops_and_repeats_are_walked_once(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    make(root / "a" / "photo.jpg")
    (root / "a" / "loop").mkdir()
    (root / "z_again").mkdir()
    mounted: list[Path] = []
    try:
        for source, target in ((root, root / "a" / "loop"), (root / "a", root / "z_again")):
            done = subprocess.run(["mount", "--bind", source, target], capture_output=True, check=False)
            if done.returncode != 0:
                pytest.skip(f"mount --bind is not allowed here: {done.stderr.decode().strip()}")
            mounted.append(target)
        results = walked(root)
    finally:
        for target in reversed(mounted):
            subprocess.run(["umount", "-l", target], check=False)
    assert files_of(results) == ["a/photo.jpg"]
    assert skips_of(results) == {
        "a/loop": "directory loop (already walked as .)",
        "z_again": "directory already walked as a (same device and inode, e.g. a bind mount)",
    }
