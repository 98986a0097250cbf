"""Files that change, vanish or grow while cbis reads them: detected (size, times and bytes read compared before
and after), read once more, and recorded as they were, or as unreadable with the reason."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.hostile.corpus import build, small_jpeg
from tests.hostile.helpers import cbis_command, fingerprint, rows

LARGE = 128 << 20  # sparse: about half a second to read and hash, long enough to act while it is read

# Watches the indexer's open file descriptors (/proc/PID/fd) and acts on a file the moment the indexer opens
# the one named: that puts each change inside a read, deterministically, without touching cbis.
SABOTEUR = textwrap.dedent(
    """
    import json, os, sys, time
    pid, plan = int(sys.argv[1]), json.loads(sys.argv[2])
    deadline = time.monotonic() + 120
    while plan and time.monotonic() < deadline:
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except FileNotFoundError:
            break
        opened = set()
        for descriptor in descriptors:
            try:
                opened.add(os.readlink(f"/proc/{pid}/fd/{descriptor}"))
            except OSError:
                pass
        for step in [step for step in plan if step[0] in opened]:
            watched, action, target = step
            if action == "append":
                with open(target, "ab") as stream:
                    stream.write(b"!")
            else:
                os.unlink(target)
            plan.remove(step)
            print(action, target, flush=True)
        time.sleep(0.0002)
    """
)

GROWER = textwrap.dedent(
    """
    import os, sys
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
    while True:
        os.write(fd, b"another line of a log being written\\n")
    """
)


@pytest.mark.slow
def test_files_that_change_vanish_or_grow_while_read(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    changes_once, vanishes_while_read = evidence / "a-changes-once.bin", evidence / "b-vanishes-while-read.bin"
    vanishes_before_read, growing = evidence / "c-vanishes-before-read.jpg", evidence / "d-always-growing.log"
    for path in (changes_once, vanishes_while_read):
        with open(path, "wb") as stream:
            stream.truncate(LARGE)
    vanishes_before_read.write_bytes(small_jpeg(1))
    growing.write_bytes(b"first line\n")
    build(evidence, [(f"e-photo{n}.jpg", small_jpeg(n)) for n in range(5)])
    before = fingerprint(evidence)
    grower = subprocess.Popen([sys.executable, "-c", GROWER, str(growing)])
    indexer = subprocess.Popen(
        cbis_command("index", evidence, "--case", case_dir, "--no-classify", "--workers", "1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    plan = [
        (str(changes_once), "append", str(changes_once)),  # grows by one byte during the first read
        (str(changes_once), "unlink", str(vanishes_before_read)),  # walked, then gone before its turn
        (str(vanishes_while_read), "unlink", str(vanishes_while_read)),  # deleted during the read
    ]
    saboteur = subprocess.run(
        [sys.executable, "-c", SABOTEUR, str(indexer.pid), json.dumps(plan)], capture_output=True, text=True
    )
    stdout, stderr = indexer.communicate(timeout=120)
    grower.kill()
    grower.wait()
    assert indexer.returncode == 0, stderr
    assert saboteur.stdout.splitlines() == [
        f"append {changes_once}",
        f"unlink {vanishes_before_read}",
        f"unlink {vanishes_while_read}",
    ], saboteur.stderr

    found = {
        path: (status, error, size, sha256)
        for path, status, error, size, sha256 in rows(case_dir, "SELECT path, status, error, size, sha256 FROM files")
    }
    # Changed during the first read, quiet during the second: recorded as it ended up, hashes and size agreeing.
    final = changes_once.read_bytes()
    assert found["a-changes-once.bin"] == ("other", None, LARGE + 1, hashlib.sha256(final).hexdigest())
    assert found["b-vanishes-while-read.bin"][:2] == ("unprocessed", "cannot read: No such file or directory")
    assert found["c-vanishes-before-read.jpg"][:2] == ("unprocessed", "cannot read: No such file or directory")
    status, error, _, sha256 = found["d-always-growing.log"]
    assert status == "unprocessed" and sha256 is None
    assert error is not None and error.startswith("file changed while being read (twice): ")
    assert "size changed while reading" in error or "bytes but the file's size was" in error
    assert all(found[f"e-photo{n}.jpg"][0] == "image" for n in range(5))
    assert set(found) == {os.fsdecode(path) for path in before}  # every file walked is recorded
    [(walked, images, unprocessed, other)] = rows(
        case_dir, "SELECT files_walked, images_indexed, unprocessed, other_files FROM runs ORDER BY id DESC LIMIT 1"
    )
    assert (walked, images, unprocessed, other) == (9, 5, 3, 1)
    assert "indexed 5 images, 3 unprocessed, 0 skipped as unchanged" in stdout

    # cbis changed nothing itself: the only differences are the saboteurs'.
    after = fingerprint(evidence)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {b"a-changes-once.bin", b"b-vanishes-while-read.bin", b"c-vanishes-before-read.jpg",
                       b"d-always-growing.log"}  # fmt: skip
