"""Helpers for the tests that run on both backends: SQL through the case's own engine, whatever its database."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import Connection, Engine, text

from cbis.db import store
from cbis.db.engine import open_case_engine
from cbis.services.cases import open_case, utc_now


@contextmanager
def engine_on(case_dir: Path, *, readonly: bool = False) -> Iterator[Engine]:
    engine = open_case_engine(case_dir, readonly=readonly)
    try:
        yield engine
    finally:
        engine.dispose()


def rows(case_dir: Path, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Portable SQL on the case's database (read-only), rows as tuples."""
    with engine_on(case_dir, readonly=True) as engine, engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def scalar(case_dir: Path, sql: str, **params: Any) -> Any:
    [(value,)] = rows(case_dir, sql, **params)
    return value


def is_postgresql(case_dir: Path) -> bool:
    return (case_dir / "case.toml").is_file()


def cbis_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "cbis", *map(str, args)]


# The real CLI, sent a signal by itself while it writes batch N: after the batch's files are inserted, before its
# transaction commits. A stop at a point the test chooses, not one that a race between the run and a poller picks
# (a poller starved on a loaded machine once saw a whole 400-file run end before it looked).
_SIGNALLED_IN_BATCH = textwrap.dedent(
    """
    import os, sys
    from cbis.db import store
    signum, batch, seen = int(sys.argv[1]), int(sys.argv[2]), [0]
    original = store.write_files
    def write_files(*args, **kwargs):
        file_ids = original(*args, **kwargs)
        seen[0] += 1
        if seen[0] == batch:
            os.kill(os.getpid(), signum)
        return file_ids
    store.write_files = write_files
    from cbis.cli.main import app
    sys.argv = ["cbis", *sys.argv[3:]]
    app()
    """
)


def signalled_in_batch(signum: signal.Signals, batch: int, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run cbis with `args` and send it `signum` from inside while it writes batch number `batch` (from 1)."""
    command = [sys.executable, "-c", _SIGNALLED_IN_BATCH, str(int(signum)), str(batch), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def run_cbis(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cbis_command(*args), capture_output=True, text=True, timeout=timeout)


def make_corpus(root: Path, count: int) -> None:
    root.mkdir()
    for n in range(count):
        Image.new("RGB", (64, 48), (n % 256, (n * 7) % 256, (n * 13) % 256)).save(root / f"f{n:04d}.jpg")


def wait_for(condition, timeout: float = 30, interval: float = 0.02) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def index_lock_free(case_dir: Path) -> bool:
    """On PostgreSQL, whether no session holds an advisory lock (the server frees a killed client's at once, but
    "at once" is after it notices the closed socket); on SQLite the kernel frees the flock with the process."""
    if not is_postgresql(case_dir):
        return True
    return scalar(case_dir, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0


# Labels chosen to catch backend differences: upper case sorts before lower case by bytes (SQLite, COLLATE "C")
# but not in en_US or ICU; '%' and '_' must be matched literally by --label.
LABELS = ("Zebra", "apple", "100%_sure", "tabby", "Égret", "golden retriever")


def model_provenance(model_name: str = "test-model") -> dict[str, Any]:
    """A model's provenance as the store records it, for predictions written without TensorFlow."""
    return {
        "name": model_name,
        "architecture": "test fixture",
        "weights_sha256": "c" * 64,
        "weights_file": "/models/test.pth",
        "source_package": None,
        "source_version": None,
        "tensorflow_version": "0",
        "keras_version": "0",
        "preprocessing": "none",
        "input_size": 224,
        "backend": "test",
    }


def store_predictions(case_dir: Path, model_name: str = "test-model") -> int:
    """Top-5 predictions for every image, written through the db layer's own writer (no TensorFlow)."""
    provenance = model_provenance(model_name)
    case = open_case(case_dir)
    try:
        with case.engine.begin() as connection:
            model_id = store.model_id_for(connection, provenance, utc_now())
            images = connection.execute(text("SELECT id, path FROM files WHERE status = 'image' ORDER BY id")).all()
            items = []
            for index, (file_id, _path) in enumerate(images):
                predictions = [
                    store.PredictionRow(rank, f"n{rank:08d}", LABELS[(index // 2 + rank - 1) % len(LABELS)], 0.5 / rank)
                    for rank in range(1, 6)
                ]
                items.append((file_id, store.Classification(predictions, b"", 0)))
            store.write_classifications(connection, items, model_id)
        return model_id
    finally:
        case.close()


def connection_rows(connection: Connection, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(text(sql), params)]
