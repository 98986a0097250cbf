"""The viewer's overview and gallery on a synthetic case: files with EXIF (cameras, dates, GPS on a third of them)
and top-5 predictions written through `cbis.db.store` in one run (batches of 1,000), some review events; then the
run's kept overview counts recorded (what `cbis index` adds at the end of a run, timed), counting them from the rows
(what the overview did on every load before, timed), and /overview and / through the Flask test client, each
requested 20 times: p50, p95 and the page's size.

    PYTHONPATH=src python bench/bench_overview.py --files 300000
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from pathlib import Path

from bench_hashsets import file_row
from cbis.db import overview, store
from cbis.db import review as review_db
from cbis.services.cases import create_case, open_case, utc_now
from cbis.web import create_app

REPO = Path(__file__).resolve().parents[1]
LABELS = [(f"n{n:08d}", f"label {n}") for n in range(1000)]
CAMERAS = [(f"Make {n % 40}", f"Model {n}") for n in range(300)]


def located_row(n: int, spread: random.Random) -> store.FileRow:
    row = file_row(n)
    make, model = CAMERAS[n % len(CAMERAS)]
    exif: dict[str, object] = {
        "make": make,
        "model": model,
        "datetime_original": f"{2010 + n % 14}-{n % 12 + 1:02d}-15T12:00:00",
        "tags": {},
    }
    if n % 3 == 0:
        exif["gps_latitude"], exif["gps_longitude"] = spread.uniform(-60, 70), spread.uniform(-170, 175)
    row.exif = exif
    return row


def timed(function: object, times: int = 20) -> tuple[float, float]:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return statistics.median(seconds), seconds[int(len(seconds) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    work = args.workdir / "overview"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    case = create_case(work / "case", number="BENCH", examiner="bench")
    spread = random.Random(19)
    started = time.monotonic()
    with case.engine.begin() as connection:
        now = utc_now()
        evidence_id = store.evidence_id_for(connection, "/bench", b"/bench", now)
        model = {
            "name": "bench",
            "architecture": "bench",
            "weights_sha256": "b" * 64,
            "weights_file": "bench",
            "source_package": None,
            "source_version": None,
            "tensorflow_version": "-",
            "keras_version": "-",
            "preprocessing": "-",
            "input_size": 224,
            "backend": "litert",
        }
        model_id = store.model_id_for(connection, model, now)
        run_id = store.start_run(connection, evidence_id, [], now)
    for start in range(0, args.files, 1000):
        with case.engine.begin() as connection:
            rows = [located_row(n, spread) for n in range(start, min(start + 1000, args.files))]
            file_ids = store.write_files(connection, rows, evidence_id=evidence_id, run_id=run_id)
            items = [
                (
                    file_id,
                    store.Classification(
                        [
                            store.PredictionRow(rank, *LABELS[(file_id * 7 + rank) % 1000], 0.9 / rank)
                            for rank in range(1, 6)
                        ],
                        b"",
                        0,
                    ),
                )
                for file_id in file_ids
            ]
            store.write_classifications(connection, items, model_id)
    with case.engine.begin() as connection:
        for n in range(2000):
            kind = ("category", "tag_add", "tag_remove")[n % 3]
            value = f"CAT-{n % 5}" if kind == "category" else f"tag{n % 13}"
            event = review_db.NewReviewEvent(1 + (n * 37) % args.files, kind, value, "bench", "cli", utc_now(), None)
            review_db.append_event(connection, event)
        store.finish_run(connection, run_id, "completed", utc_now(), {})
    print(f"{args.files:,} files written in {time.monotonic() - started:.1f} s")
    case.close()

    case = open_case(work / "case")
    with case.engine.begin() as connection:
        began = time.perf_counter()
        overview.record(connection, run_id)
        print(f"overview counts kept at the end of the run: {time.perf_counter() - began:.2f} s")
    with case.engine.connect() as connection:
        began = time.perf_counter()
        overview.compute(connection)
        print(f"counting them from the rows (each overview load before): {time.perf_counter() - began:.2f} s")
    case.close()

    client = create_app(work / "case", {"TESTING": True}).test_client()
    for url in ("/overview", "/"):
        size = len(client.get(url).get_data())
        p50, p95 = timed(lambda url=url: client.get(url))
        print(f"{url}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
