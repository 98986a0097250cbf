import hashlib
import io
import os
import random
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from cbis.ingest.hashing import (
    Digests,
    FileChangedError,
    NotRegularFileError,
    ensure_unchanged,
    hash_stream,
    open_evidence,
    read_and_hash,
)

EMPTY = Digests(
    md5="d41d8cd98f00b204e9800998ecf8427e",
    sha1="da39a3ee5e6b4b0d3255bfef95601890afd80709",
    sha256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    size=0,
)
ABC = Digests(
    md5="900150983cd24fb0d6963f7d28e17f72",
    sha1="a9993e364706816aba3e25717850c26c9cd0d89d",
    sha256="ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    size=3,
)


def digests_of(data: bytes) -> Digests:
    return Digests(
        md5=hashlib.md5(data).hexdigest(),
        sha1=hashlib.sha1(data).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert read_and_hash(path) == (EMPTY, b"")


def test_abc(tmp_path: Path) -> None:
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    assert read_and_hash(path) == (ABC, b"abc")


def test_three_mebibytes_match_hashlib_and_come_back_whole(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(3 * (1 << 20) + 17)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    digests, kept = read_and_hash(path)
    assert digests == digests_of(data)
    assert kept == data


def test_file_over_keep_limit_is_streamed_and_not_kept(tmp_path: Path) -> None:
    data = random.Random(2).randbytes(3 * (1 << 20) + 5)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    digests, kept = read_and_hash(path, keep_limit=1 << 20, chunk_size=4096 + 3)
    assert kept is None
    assert digests == digests_of(data)


def test_file_exactly_at_keep_limit_is_kept(tmp_path: Path) -> None:
    data = b"x" * 1000
    path = tmp_path / "edge.bin"
    path.write_bytes(data)
    assert read_and_hash(path, keep_limit=1000) == (digests_of(data), data)
    assert read_and_hash(path, keep_limit=999) == (digests_of(data), None)


def test_hash_stream_reads_what_is_left() -> None:
    stream = io.BytesIO(b"xxabc")
    stream.read(2)
    assert hash_stream(stream, chunk_size=1) == ABC


def test_reading_changes_nothing_about_the_file(tmp_path: Path) -> None:
    path = tmp_path / "evidence.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"a" * 5000)
    # An access time older than the modification time: a relatime mount would update it on a plain read.
    os.utime(path, ns=(1_000_000_000, 2_000_000_000))
    before = os.stat(path)
    read_and_hash(path)
    read_and_hash(path, keep_limit=0)
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ctime_ns) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ctime_ns,
    )
    assert after.st_atime_ns == before.st_atime_ns, "O_NOATIME should keep the access time (we own the file)"


def test_ensure_unchanged_accepts_a_quiet_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    stat = os.stat(path)
    ensure_unchanged(stat, os.stat(path), 5)


def test_ensure_unchanged_notices_growth(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    before = os.stat(path)
    with path.open("ab") as appender:
        appender.write(b"678")
    with pytest.raises(FileChangedError) as caught:
        ensure_unchanged(before, os.stat(path), 5)
    assert "size changed while reading (5 -> 8 bytes)" in caught.value.reason


def test_ensure_unchanged_notices_a_restored_mtime(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = os.stat(path)
    time.sleep(0.01)
    path.write_bytes(b"54321")  # same size
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # and the old mtime put back
    with pytest.raises(FileChangedError) as caught:
        ensure_unchanged(before, os.stat(path), 5)
    assert "status-change time changed" in caught.value.reason


def test_ensure_unchanged_notices_short_and_long_reads(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    stat = os.stat(path)
    with pytest.raises(FileChangedError, match="read 4 bytes but the file's size was 5 bytes"):
        ensure_unchanged(stat, stat, 4)
    with pytest.raises(FileChangedError, match="read 6 bytes"):
        ensure_unchanged(stat, stat, 6)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_file_whose_size_lies_is_reported_changed() -> None:
    # /proc files are regular files that claim size 0 yet read as text: bytes read != size.
    with pytest.raises(FileChangedError, match="but the file's size was 0 bytes"):
        read_and_hash(Path("/proc/self/status"))


def test_a_file_growing_during_the_read_is_reported_changed(tmp_path: Path) -> None:
    path = tmp_path / "growing.log"
    path.write_bytes(b"x" * (2 << 20))
    stop = threading.Event()

    def keep_appending() -> None:
        with path.open("ab", buffering=0) as appender:
            while not stop.is_set():
                appender.write(b"y" * 512)
                time.sleep(0)

    writer = threading.Thread(target=keep_appending)
    writer.start()
    caught: FileChangedError | None = None
    try:
        deadline = time.monotonic() + 10
        # Small chunks make the read long enough for the writer to get in; retried in case it did not.
        while caught is None and time.monotonic() < deadline:
            for keep_limit in (0, 1 << 30):
                try:
                    read_and_hash(path, keep_limit=keep_limit, chunk_size=4096)
                except FileChangedError as exc:
                    caught = exc
    finally:
        stop.set()
        writer.join()
    assert caught is not None
    assert "changed while reading" in caught.reason or "bytes but the file's size was" in caught.reason


def test_o_noatime_refusal_for_a_non_owner_falls_back() -> None:
    target = Path("/etc/passwd")  # owned by root and readable by everyone on any Linux
    if not hasattr(os, "O_NOATIME") or not target.exists():
        pytest.skip("needs Linux O_NOATIME and /etc/passwd")
    if os.geteuid() != 0:
        if target.stat().st_uid == os.geteuid():
            pytest.skip("this user owns /etc/passwd, so O_NOATIME is allowed")
        with open_evidence(target) as stream:
            assert stream.read(4)
        return
    # As root O_NOATIME is always allowed; a forked child that drops to "nobody" is not the owner.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        outcome = b"?"
        try:
            try:
                os.setgid(65534)
                os.setuid(65534)
            except OSError as exc:
                outcome = f"cannot drop privileges: {exc!r}".encode()
                raise
            try:
                os.close(os.open(target, os.O_RDONLY | os.O_NOATIME))
                outcome = b"O_NOATIME was allowed, so the fallback was not exercised"
            except PermissionError:
                with open_evidence(target) as stream:
                    outcome = b"ok" if stream.read(4) else b"read nothing"
        except BaseException as exc:
            if not outcome.startswith(b"cannot drop privileges"):
                outcome = f"error: {exc!r}".encode()
        finally:
            os.write(write_end, outcome)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as results:
        outcome = results.read()
    os.waitpid(pid, 0)
    if outcome.startswith(b"cannot drop privileges"):
        pytest.skip(f"this container does not allow dropping to another user ({outcome.decode()})")
    assert outcome == b"ok"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def try_open() -> None:
        try:
            read_and_hash(fifo)
        except BaseException as exc:
            outcome.append(exc)

    opener = threading.Thread(target=try_open, daemon=True)
    opener.start()
    opener.join(timeout=10)
    if opener.is_alive():
        # Unblock the stuck open so the test process can exit, then fail.
        with open(fifo, "wb"):
            pass
        pytest.fail("opening a FIFO blocked")
    assert isinstance(outcome[0], NotRegularFileError)
    assert outcome[0].reason == "not a regular file (FIFO)"


def test_directory_device_and_symlink_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFileError, match=r"not a regular file \(directory\)"):
        open_evidence(tmp_path)
    if Path("/dev/null").exists():
        with pytest.raises(NotRegularFileError, match=r"not a regular file \(character device\)"):
            open_evidence(Path("/dev/null"))
    real = tmp_path / "real.jpg"
    real.write_bytes(b"data")
    link = tmp_path / "link.jpg"
    link.symlink_to(real)
    with pytest.raises(NotRegularFileError, match=r"not a regular file \(symbolic link\)"):
        read_and_hash(link)


@pytest.mark.skipif(sys.platform == "win32", reason="AF_UNIX sockets in the filesystem")
def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    if len(os.fsencode(path)) >= 100:
        pytest.skip("temporary path too long for a Unix socket")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(os.fspath(path))
        with pytest.raises(NotRegularFileError, match=r"\(socket\)"):
            open_evidence(path)
    finally:
        server.close()


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_and_hash(tmp_path / "gone")
