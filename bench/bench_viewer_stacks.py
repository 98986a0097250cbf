"""The viewer's visual stacks on a synthetic case: files and perceptual rows written through `cbis.db.store` (one
run, batches of 1,000), pHashes as bench_duplicates.py makes them (originals and planted look-alikes), then the
gallery collapsed (the first request groups the case and caches the stacks; later ones reuse them), the gallery
expanded, an opened stack and one image page (its look-alikes by one scan, no grouping), each timed.

    PYTHONPATH=src python bench/bench_viewer_stacks.py --files 10000
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from bench_duplicates import synthetic
from bench_hashsets import file_row
from cbis.db import store
from cbis.records import PerceptualHashes
from cbis.services.cases import create_case, utc_now
from cbis.web import create_app

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    work = args.workdir / "viewer-stacks"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    case = create_case(work / "case", number="BENCH", examiner="bench")
    rows, planted = synthetic(args.files)
    started = time.monotonic()
    with case.engine.begin() as connection:
        now = utc_now()
        evidence_id = store.evidence_id_for(connection, "/bench", b"/bench", now)
        ids = store.run_analyzer_ids(connection, "perceptual", "1", PerceptualHashes, {"bench": 1}, {"bench": 1}, now)
        run_id = store.start_run(connection, evidence_id, [ids], now)
    for start in range(0, args.files, 1000):
        with case.engine.begin() as connection:
            files = [file_row(n) for n in range(start, min(start + 1000, args.files))]
            file_ids = store.write_files(connection, files, evidence_id=evidence_id, run_id=run_id)
            outputs = [
                (
                    file_id,
                    PerceptualHashes(
                        f"{row.phash:016x}",
                        "".join(f"{v:016x}" for v in row.variants),
                        "0" * 16,
                        f"{row.pdq:064x}",
                        100,
                        False,
                        None,
                        False,
                    ),
                )
                for file_id, row in zip(file_ids, rows[start : start + 1000], strict=True)
            ]
            store.write_outputs(connection, ids, outputs, run_id=run_id)
    seconds = time.monotonic() - started
    print(f"case: {args.files:,} images ({planted:,} planted look-alikes) written in {seconds:.1f} s")
    case.close()
    client = create_app(work / "case", {"TESTING": True}).test_client()
    for title, url in (
        ("gallery, collapsed (groups the case, caches the stacks)", "/"),
        ("gallery, collapsed again (cached stacks)", "/?page=2"),
        ("gallery, expanded", "/?stacks=expand"),
        ("an opened stack", "/?stack=1"),
        ("image page (copies and look-alikes of one file)", "/image/1"),
    ):
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        print(f"{title}: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
