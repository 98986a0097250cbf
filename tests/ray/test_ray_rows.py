"""What crosses the cluster: FileRows as Arrow columns, and each node's view of the evidence. No cluster needed."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cbis.db.store import FileRow
from tests.conftest import EXAMPLES

pa = pytest.importorskip("pyarrow", reason="Ray is not installed: pip install 'cbis[ray]'")

pytestmark = pytest.mark.ray


def awkward_row() -> FileRow:
    return FileRow(
        path="d\\xe9j\\xe0/\u00e9t\u00e9.jpg",
        path_bytes=b"d\xe9j\xe0/\xc3\xa9t\xc3\xa9.jpg",
        extension="jp\udce9",  # an extension made of an undecodable byte (os.fsdecode's surrogate escape)
        size=123_456_789_012,
        mtime_ns=1_700_000_000_123_456_789,
        mtime="2023-11-14T22:13:20.123456Z",
        ctime="2023-11-14T22:13:20.123456Z",
        atime="2023-11-14T22:13:20.123456Z",
        status="image",
        md5="0" * 32,
        sha1="1" * 40,
        sha256="2" * 64,
        format="jpeg",
        extension_mismatch=True,
        error=None,
        width=None,
        height=4000,
        truncated=True,
        warnings=["EXIF tag 0x9286 cut to 4096 bytes", "odd \udcff byte"],
        exif={
            "make": "NIKON",
            "gps_latitude": 43.46744833333334,
            "orientation": 6,
            "model": None,
            "tags": {"Exif.MakerNote": {"hex": "00ff", "length": 2}, "GPS.GPSLatitude": [[43, 1], [28, 1]]},
        },
    )


def test_file_rows_cross_as_arrow_columns_unchanged() -> None:
    from cbis.services.distributed import record_to_row, row_schema, row_to_record

    rows = [awkward_row(), FileRow("a", b"a", "", 0, 0, "", "", "", "unprocessed", error="cannot read: \udce9")]
    table = pa.Table.from_pylist([row_to_record(row) for row in rows], schema=row_schema())
    # Through Arrow's own serialisation, as between Ray processes.
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    received = pa.ipc.open_stream(sink.getvalue()).read_all()
    assert [record_to_row(record) for record in received.to_pylist()] == rows


def test_every_file_row_field_has_a_column() -> None:
    from dataclasses import fields

    from cbis.services.distributed import row_schema

    assert row_schema().names == [f.name for f in fields(FileRow)]


def _view(root: Path, names: list[str]) -> dict:
    from cbis.services.distributed import look_at_evidence

    return look_at_evidence(os.fsencode(root), [os.fsencode(root / name) for name in names])


def test_a_node_that_sees_other_files_or_none_refuses_the_run(tmp_path: Path) -> None:
    from cbis.errors import CbisError
    from cbis.services.distributed import compare_views

    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES / "camera", evidence)
    names = sorted(p.name for p in evidence.iterdir())
    mine = _view(evidence, names)
    samples = [evidence / name for name in names]

    # The same tree seen again (another node on the same mount): fine.
    same = {"node 10.0.0.2": _view(evidence, names)}
    assert compare_views(evidence, samples, mine, same, expect_read_only=False) == []

    # A node with another copy mounted at that path: same names, other sizes and times.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(EXAMPLES / "camera", elsewhere)
    (elsewhere / names[0]).write_bytes(b"something else")
    other = _view(elsewhere, names) | {"host": "gpu2"}
    with pytest.raises(CbisError, match=r"node 10\.0\.0\.3 \(gpu2\): .*Canon_40D\.jpg: 14 bytes"):
        compare_views(evidence, samples, mine, {"node 10.0.0.3": other}, expect_read_only=False)

    # A node without the mount.
    missing = _view(tmp_path / "not-mounted", names) | {"host": "gpu3"}
    with pytest.raises(CbisError, match=r"gpu3\): .*: cannot stat: No such file or directory"):
        compare_views(evidence, samples, mine, {"node 10.0.0.4": missing}, expect_read_only=False)

    # A node that runs another cbis, and one that never answered.
    older = mine | {"cbis": "0.0.9", "host": "old"}
    with pytest.raises(CbisError, match=r"runs cbis 0\.0\.9.*node 10\.0\.0\.6 did not answer"):
        compare_views(
            evidence,
            samples,
            mine,
            {"node 10.0.0.5": older, "node 10.0.0.6": "did not answer within 120 s"},
            expect_read_only=False,
        )


def test_a_wrong_cluster_address_fails_at_once() -> None:
    import socket
    import time

    from cbis.errors import CbisError, UsageError
    from cbis.services.distributed import _check_reachable

    with pytest.raises(UsageError, match="expected 'local' or the head's HOST:PORT"):
        _check_reachable("head.lab")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(CbisError, match=f"no Ray cluster answers at 127.0.0.1:{port}"):
        _check_reachable(f"127.0.0.1:{port}")
    assert time.monotonic() - started < 10


@dataclass
class Box:
    x: int
    y: int


@dataclass
class AnalyzerRow:
    """A record type a new analyzer might add."""

    name: str
    mean_brightness: float | None = None
    seen: bool = False
    boxes: list[Box] = field(default_factory=list)
    best: Box | None = None
    note: str | None = None


def test_a_new_field_of_any_type_crosses_without_a_change_to_the_ray_path() -> None:
    """The Arrow schema and encoding come from the record's own field types (cbis.records): a record with a
    `float | None` field, an optional record, a list of records, crosses as FileRow does."""
    from cbis.records import from_wire, to_wire, wire_kinds

    kinds = wire_kinds(AnalyzerRow)
    assert kinds == {"name": "text", "mean_brightness": "float", "seen": "bool", "boxes": "json", "best": "json",
                     "note": "text"}  # fmt: skip
    arrow = {"text": pa.binary(), "float": pa.float64(), "bool": pa.bool_(), "json": pa.string()}
    schema = pa.schema([(name, arrow[kind]) for name, kind in kinds.items()])
    rows = [
        AnalyzerRow("caf\udce9", 0.125, True, [Box(1, 2), Box(3, 4)], Box(5, 6), "n"),
        AnalyzerRow("empty"),
    ]
    table = pa.Table.from_pylist([to_wire(row) for row in rows], schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    received = pa.ipc.open_stream(sink.getvalue()).read_all()
    assert [from_wire(AnalyzerRow, record) for record in received.to_pylist()] == rows


RAY_THREADS_PROBE = """
import os, sys
import numpy as np
from cbis import analyzers
from cbis.services.distributed import load_actor_analyzers
before = len(os.listdir("/proc/self/task"))
settings = analyzers.AnalyzerSettings("efficientnet-lite0", inference_threads=int(sys.argv[1]))
[analyzer] = load_actor_analyzers([analyzers.get("imagenet")], settings)
classifier = analyzer.classifier
side = classifier.input_size
classifier.classify_and_embed(np.zeros((2, side, side, 3), dtype=np.float32), top_k=1)
print(len(os.listdir("/proc/self/task")) - before, os.environ.get("CBIS_INFERENCE_THREADS"))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_ray_threads_sets_each_actor_s_inference_threads() -> None:
    """`--ray-threads T` (README, docs/scale-out.md): the model an actor loads runs on T threads, whatever the
    machine's CPU count, and the setting does not outlive the loading. LiteRT's pool adds T - 1 threads."""
    import subprocess
    import sys

    added = {}
    for threads in (1, 1, 3):  # the first run may convert the weights (TensorFlow's own threads): not counted
        result = subprocess.run(
            [sys.executable, "-c", RAY_THREADS_PROBE, str(threads)], capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        count, left_behind = result.stdout.split()
        added[threads] = int(count)
        assert left_behind == "None"
    assert added == {1: 0, 3: 2}, added
