"""What the hostile tests share: the real CLI in a subprocess, an evidence fingerprint that also reaches past
PATH_MAX, the accounting check every indexing test ends with, and running cbis as an unprivileged user."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

NOBODY_UID = 65534
NOBODY_GID = 65534


def cbis_run(*args: str | Path, timeout: float = 300, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """`python -m cbis ARGS` as the examiner runs it, in a fresh process."""
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "cbis", *map(str, args)], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def cbis_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "cbis", *map(str, args)]


def new_case(case_dir: Path) -> Path:
    created = cbis_run("case", "new", case_dir, "--number", "HOSTILE-1", "--examiner", "Hostile Tester")
    assert created.returncode == 0, created.stderr
    return case_dir


def rows(case_dir: Path, sql: str, *params: object) -> list[tuple]:
    connection = sqlite3.connect(f"{(case_dir / 'case.sqlite').resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


# --- The evidence, before and after ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: str  # file, dir, link, fifo, socket, device, repeat (a directory reached twice: a bind mount loop)
    mode: int
    size: int
    mtime_ns: int
    content: str  # sha256 of a file, target of a link, "" otherwise
    # Access times are evidence too. A link's is left out (0): the kernel updates it on every readlink, ours
    # included, and there is no O_NOATIME for reading a link (tests/hostile/test_access_times.py records that).
    atime_ns: int = 0


_O_NOATIME = getattr(os, "O_NOATIME", 0)


def _open_noatime(name: str | bytes, flags: int, directory: int | None = None) -> int:
    """os.open with O_NOATIME where the kernel allows it (the file's owner, or root): then neither reading a file
    nor listing a directory through the descriptor changes its access time."""
    if _O_NOATIME:
        try:
            return os.open(name, flags | _O_NOATIME, dir_fd=directory)
        except PermissionError:
            pass
    return os.open(name, flags, dir_fd=directory)


def read_evidence(path: Path) -> bytes:
    """A file's bytes read as the fingerprint reads them, without moving its atime: for a test that checks what cbis
    recorded against the evidence itself while a fingerprint watches the tree."""
    with os.fdopen(_open_noatime(os.fspath(path), os.O_RDONLY | os.O_NOFOLLOW), "rb") as stream:
        return stream.read()


def fingerprint(root: Path) -> dict[bytes, Node]:
    """Every entry under `root` (relative path bytes -> kind, permissions, size, mtime, atime, content hash or link
    target).

    Done with directory descriptors so that trees nested past PATH_MAX and directories only root may enter are
    covered too. Never follows a link. Taking the fingerprint does not itself touch the evidence: each entry's
    times are taken by lstat before it is read, and files are read and directories listed through O_NOATIME
    descriptors, so a second fingerprint sees the atimes the first one saw (as root, or as the files' owner).
    """
    result: dict[bytes, Node] = {}
    top = _open_noatime(os.fspath(root), os.O_RDONLY | os.O_DIRECTORY)
    try:
        top_stat = os.fstat(top)
        _visit(top, b"", result, {(top_stat.st_dev, top_stat.st_ino)})
    finally:
        os.close(top)
    return result


def _visit(directory: int, prefix: bytes, result: dict[bytes, Node], seen: set[tuple[int, int]]) -> None:
    with os.scandir(directory) as entries:  # a dup of an O_NOATIME descriptor: the listing keeps the atime
        names = sorted(os.fsencode(entry.name) for entry in entries)
    for name in names:
        relpath = prefix + name
        st = os.stat(name, dir_fd=directory, follow_symlinks=False)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISREG(st.st_mode):
            fd = _open_noatime(name, os.O_RDONLY | os.O_NOFOLLOW, directory)
            digest = hashlib.sha256()
            with os.fdopen(fd, "rb") as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            result[relpath] = Node("file", mode, st.st_size, st.st_mtime_ns, digest.hexdigest(), st.st_atime_ns)
        elif stat.S_ISLNK(st.st_mode):
            target = os.fsencode(os.readlink(name, dir_fd=directory)).hex()
            result[relpath] = Node("link", mode, st.st_size, st.st_mtime_ns, target)
        elif stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in seen:
                result[relpath] = Node("repeat", mode, 0, st.st_mtime_ns, "", st.st_atime_ns)
                continue
            result[relpath] = Node("dir", mode, 0, st.st_mtime_ns, "", st.st_atime_ns)
            child = _open_noatime(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, directory)
            try:
                _visit(child, relpath + b"/", result, seen | {key})
            finally:
                os.close(child)
        else:
            kind = "fifo" if stat.S_ISFIFO(st.st_mode) else "socket" if stat.S_ISSOCK(st.st_mode) else "device"
            result[relpath] = Node(kind, mode, 0, st.st_mtime_ns, "", st.st_atime_ns)


def regular_files(tree: dict[bytes, Node]) -> set[bytes]:
    return {path for path, node in tree.items() if node.kind == "file"}


def not_regular(tree: dict[bytes, Node]) -> set[bytes]:
    """Entries the walk must record without reading: links, FIFOs, sockets, devices, directories met twice."""
    return {path for path, node in tree.items() if node.kind not in ("file", "dir")}


# --- Accounting -----------------------------------------------------------------------------------------------


@dataclass
class Accounting:
    files: dict[bytes, tuple[str, str | None]]  # path_bytes -> (status, error)
    skips: dict[bytes, str]  # path_bytes -> reason
    last_run: dict[str, object]
    missing: set[bytes] = field(default_factory=set)  # recorded, then not found by a later walk


def accounting(case_dir: Path, root: Path) -> Accounting:
    root_bytes = os.fsencode(root.resolve())
    # What a later walk no longer found stays in the case, flagged missing: it is accounted for as missing.
    files: dict[bytes, tuple[str, str | None]] = {}
    missing: set[bytes] = set()
    for path, status, error, missing_since in rows(
        case_dir,
        "SELECT path_bytes, status, error, missing_since_run_id FROM files "
        "JOIN evidence ON evidence.id = files.evidence_id WHERE evidence.root_bytes = ?",
        root_bytes,
    ):
        if missing_since is None:
            files[bytes(path)] = (status, error)
        else:
            missing.add(bytes(path))
    skips = {
        bytes(path): reason
        for path, reason in rows(
            case_dir,
            "SELECT path_bytes, reason FROM walk_skips JOIN evidence ON evidence.id = walk_skips.evidence_id "
            "WHERE evidence.root_bytes = ? AND missing_since_run_id IS NULL",
            root_bytes,
        )
    }
    names = (
        "status",
        "files_walked",
        "images_indexed",
        "unprocessed",
        "other_files",
        "skipped_unchanged",
        "not_walked",
    )
    [last] = rows(
        case_dir,
        f"SELECT {', '.join(names)} FROM runs JOIN evidence ON evidence.id = runs.evidence_id "
        "WHERE evidence.root_bytes = ? ORDER BY runs.id DESC LIMIT 1",
        root_bytes,
    )
    return Accounting(files, skips, dict(zip(names, last, strict=True)), missing)


def assert_accounted(case_dir: Path, root: Path, tree: dict[bytes, Node]) -> Accounting:
    """Every regular file under the root is in the case, indexed or unprocessed with a reason, and the last run's
    counts add up to the files it walked; every link or special entry is recorded as not walked. A file below a
    directory the walk could not list is accounted for by that directory's record (its name cannot be known)."""
    found = accounting(case_dir, root)
    regular = regular_files(tree)
    # Files the walk met but could not stat are recorded as skips of their own; files below a directory it could
    # not list are covered by that directory's record.
    unlisted = [path + b"/" for path, reason in found.skips.items() if "directory" in reason or "denied" in reason]
    hidden = {path for path in regular if path in found.skips or any(path.startswith(d) for d in unlisted)}
    assert set(found.files) == regular - hidden, (
        f"not recorded: {sorted(regular - hidden - set(found.files))[:5]}; "
        f"recorded but not on disk: {sorted(set(found.files) - regular)[:5]}"
    )
    assert not found.missing & regular, f"flagged missing but on disk: {sorted(found.missing & regular)[:5]}"
    for path, (status, error) in found.files.items():
        assert status in ("image", "other", "unprocessed"), (path, status)
        if status == "unprocessed":
            assert error and error.strip(), f"{path!r} unprocessed without a reason"
    assert not_regular(tree) <= set(found.skips), sorted(not_regular(tree) - set(found.skips))[:5]
    assert all(reason.strip() for reason in found.skips.values())
    run = found.last_run
    assert run["status"] == "completed", run
    assert run["files_walked"] == len(regular - hidden)
    counted = run["images_indexed"] + run["unprocessed"] + run["other_files"] + run["skipped_unchanged"]  # type: ignore[operator]
    assert counted == run["files_walked"], run
    return found


# --- Running as someone who is not root ----------------------------------------------------------------------

# What the child imports and does as root before it drops to nobody: the interpreter's standard library lives
# under /root/.pyenv here, which nobody cannot enter, so every module an index run needs is loaded first by a
# small warm-up run (every image plugin included).
_AS_NOBODY = textwrap.dedent(
    """
    import os, shutil, sys, tempfile
    from pathlib import Path
    from PIL import Image
    from typer.testing import CliRunner
    from cbis.cli.main import app

    warm = Path(tempfile.mkdtemp(prefix="cbis-warm-", dir=os.getcwd()))
    (warm / "ev").mkdir()
    for name, fmt in (("a.jpg", "JPEG"), ("b.png", "PNG"), ("c.tif", "TIFF"), ("d.gif", "GIF"), ("e.webp", "WEBP")):
        Image.new("RGB", (8, 8), (9, 99, 199)).save(warm / "ev" / name, fmt)
    (warm / "ev" / "t.jpg").write_bytes((warm / "ev" / "a.jpg").read_bytes()[:200])
    (warm / "ev" / "n.txt").write_text("text")
    runner = CliRunner()
    for args in (["case", "new", str(warm / "case"), "--number", "W", "--examiner", "W"],
                 ["index", str(warm / "ev"), "--case", str(warm / "case"), "--no-classify"],
                 ["report", "--case", str(warm / "case"), "--csv", str(warm / "report")],
                 ["verify", "--case", str(warm / "case")]):
        runner.invoke(app, args, catch_exceptions=False)
    shutil.rmtree(warm)
    os.setgroups([])
    os.setgid(int(os.environ["CBIS_TEST_GID"]))
    os.setuid(int(os.environ["CBIS_TEST_UID"]))
    result = runner.invoke(app, sys.argv[1:], catch_exceptions=False)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    sys.exit(result.exit_code)
    """
)


def cbis_as_nobody(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`cbis ARGS` run by user nobody (the child drops root's privileges itself, after loading what it needs)."""
    environment = {**os.environ, "CBIS_TEST_UID": str(NOBODY_UID), "CBIS_TEST_GID": str(NOBODY_GID)}
    environment["HOME"] = str(cwd)
    return subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=environment,
    )


@contextmanager
def untouched(root: Path, *, atimes: bool = True) -> Iterator[dict[bytes, Node]]:
    """The evidence tree's fingerprint, checked again (content, names, sizes, mtimes, atimes, modes, link targets)
    when the block ends. `atimes=False` only where the block runs cbis as a user the kernel refuses O_NOATIME
    (not the files' owner): their atimes then move, which cbis says and records (test_access_times.py)."""

    def compared(tree: dict[bytes, Node]) -> dict[bytes, Node]:
        return tree if atimes else {path: replace(node, atime_ns=0) for path, node in tree.items()}

    before = fingerprint(root)
    yield before
    after = fingerprint(root)
    old, new = compared(before), compared(after)
    changed = sorted(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))
    assert not changed, f"the evidence changed: {changed[:10]}"


_PEAK_RSS = textwrap.dedent(
    """
    import resource, subprocess, sys
    completed = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    sys.stdout.write(completed.stdout)
    sys.stderr.write(completed.stderr)
    sys.stderr.write(f"\\nPEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
    sys.exit(completed.returncode)
    """
)


def peak_rss(command: list[str], timeout: float = 300) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run `command` under a wrapper process whose only child it is: (the result, the child's peak RSS in bytes).

    getrusage(RUSAGE_CHILDREN) in the test process itself would also count every earlier child of the session.
    """
    completed = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *command], capture_output=True, text=True, timeout=timeout
    )
    marker = completed.stderr.rsplit("PEAK_RSS_KIB=", 1)
    assert len(marker) == 2, completed.stderr
    completed.stderr = marker[0]
    return completed, int(marker[1]) * 1024


@contextmanager
def mounted_read_only(directory: Path) -> Iterator[None]:
    """`directory` bind-mounted onto itself and remounted read-only for the block (even root gets EROFS there);
    the test is skipped where this machine cannot mount."""
    mounted = subprocess.run(["mount", "--bind", directory, directory], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.strip()}")
    try:
        remounted = subprocess.run(["mount", "-o", "remount,ro,bind", directory], capture_output=True, text=True)
        if remounted.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remounted.stderr.strip()}")
        yield
    finally:
        subprocess.run(["umount", directory], check=True)
