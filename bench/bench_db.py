"""`make bench`, after bench_index.py: bulk writes of the case database, SQLite and PostgreSQL side by side.

Writes N synthetic files (each with its EXIF row, 5 predictions and a 1280-value float16 embedding, as
`cbis index` stores an image) through `cbis.db.store.write_files` and `write_outputs` in batches of 32, one
transaction per batch, exactly as the indexer's `write_batch` does, into a fresh case on each backend. Prints rows/s
for each.

PostgreSQL: the server at $CBIS_TEST_PG_URL (`scripts/pg-test-cluster run python bench/bench_db.py` starts a
throwaway one, with fsync off; `run --durable` keeps fsync and synchronous commits on); a database is created for
the run and dropped after. Without $CBIS_TEST_PG_URL only SQLite is measured.

Usage: python bench/bench_db.py [--rows 20000] [--batch 32] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import time
import uuid
from pathlib import Path

from sqlalchemy import make_url, text

from cbis.db import store
from cbis.services.cases import Case, create_case, utc_now

REPO = Path(__file__).resolve().parents[1]
PROVENANCE = {
    "name": "bench",
    "architecture": "bench",
    "weights_sha256": "b" * 64,
    "weights_file": "/bench",
    "source_package": None,
    "source_version": None,
    "tensorflow_version": "0",
    "keras_version": "0",
    "preprocessing": "none",
    "input_size": 224,
    "backend": "bench",
}
EMBEDDING = bytes(range(256)) * 10  # 1280 float16 values' worth of bytes


def synthetic_rows(count: int) -> list[store.FileRow]:
    rows = []
    for n in range(count):
        path = f"d{n // 500:03d}/IMG_{n:06d}.jpg"
        digest = hashlib.sha256(path.encode()).hexdigest()
        rows.append(
            store.FileRow(
                path=path,
                path_bytes=path.encode(),
                extension="jpg",
                size=2_000_000 + n,
                mtime_ns=1_600_000_000_000_000_000 + n,
                mtime="2020-09-13T12:26:40Z",
                ctime="2020-09-13T12:26:40Z",
                atime="2020-09-13T12:26:40Z",
                status="image",
                md5=digest[:32],
                sha1=digest[:40],
                sha256=digest,
                format="jpeg",
                width=4000,
                height=3000,
                exif={
                    "make": "Canon",
                    "model": "Canon EOS 40D",
                    "software": "Firmware 1.0.3",
                    "datetime_original": "2008-05-30T15:56:01",
                    "datetime_digitized": "2008-05-30T15:56:01",
                    "gps_latitude": 43.467448 + n * 1e-6,
                    "gps_longitude": 11.885127,
                    "gps_altitude": 120.5,
                    "orientation": 1,
                    "lens_model": "EF-S 17-85mm",
                    "body_serial": "0820500998",
                    "tags": {"ExposureTime": "1/160", "FNumber": 7.1, "ISOSpeedRatings": 100, "n": n},
                },
            )
        )
    return rows


def measure(case: Case, rows: list[store.FileRow], batch: int) -> float:
    """Seconds to write `rows` in transactions of `batch`, as the indexer does."""
    with case.engine.begin() as connection:
        now = utc_now()
        evidence_id = store.evidence_id_for(connection, "/bench/evidence", b"/bench/evidence", now)
        ids = store.run_analyzer_ids(connection, "imagenet", "1", store.Classification, PROVENANCE, PROVENANCE, now)
        run_id = store.start_run(connection, evidence_id, [ids], now)
    classification = store.Classification(
        [store.PredictionRow(rank, f"n{rank:08d}", f"label {rank}", 0.9 / rank) for rank in range(1, 6)],
        EMBEDDING,
        1280,
    )
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        with case.engine.begin() as connection:
            chunk = rows[start : start + batch]
            file_ids = store.write_files(connection, chunk, evidence_id=evidence_id, run_id=run_id)
            store.write_outputs(connection, ids, [(file_id, classification) for file_id in file_ids], run_id=run_id)
    seconds = time.perf_counter() - started
    with case.engine.connect() as connection:
        written = connection.execute(text("SELECT count(*) FROM predictions")).scalar()
    assert written == 5 * len(rows), written
    return seconds


def sqlite_rate(rows: list[store.FileRow], batch: int, workdir: Path) -> tuple[float, str]:
    case_dir = workdir / "bench-db-sqlite"
    shutil.rmtree(case_dir, ignore_errors=True)
    case = create_case(case_dir, number="BENCH", examiner="bench")
    try:
        seconds = measure(case, rows, batch)
    finally:
        case.close()
        shutil.rmtree(case_dir, ignore_errors=True)
    return len(rows) / seconds, "WAL, synchronous=NORMAL"


def postgresql_rate(rows: list[store.FileRow], batch: int, workdir: Path, server: str) -> tuple[float, str]:
    import psycopg

    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"cbis_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")  # type: ignore[arg-type]
        settings = ", ".join(
            f"{setting}={connection.execute(f'SHOW {setting}').fetchone()[0]}"  # type: ignore[arg-type,index]
            for setting in ("server_version", "fsync", "synchronous_commit")
        )
    case_dir = workdir / "bench-db-postgresql"
    shutil.rmtree(case_dir, ignore_errors=True)
    try:
        database = make_url(server).set(database=name).render_as_string(hide_password=False)
        case = create_case(case_dir, number="BENCH", examiner="bench", database=database)
        try:
            seconds = measure(case, rows, batch)
        finally:
            case.close()
    finally:
        shutil.rmtree(case_dir, ignore_errors=True)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
    return len(rows) / seconds, settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = synthetic_rows(args.rows)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"case database writes: {args.rows} files (EXIF, 5 predictions, embedding each) through "
        f"store.write_files, {args.batch} per transaction"
    )
    rate, settings = sqlite_rate(rows, args.batch, args.workdir)
    print(f"  SQLite       {rate:9.0f} files/s  ({settings})")
    server = os.environ.get("CBIS_TEST_PG_URL")
    if not server:
        print("  PostgreSQL   skipped: CBIS_TEST_PG_URL is not set (scripts/pg-test-cluster run ... starts a server)")
        return
    pg_rate, settings = postgresql_rate(rows, args.batch, args.workdir, server)
    print(f"  PostgreSQL   {pg_rate:9.0f} files/s  ({settings})")
    print(f"  PostgreSQL / SQLite: {pg_rate / rate:.2f}")


if __name__ == "__main__":
    main()
