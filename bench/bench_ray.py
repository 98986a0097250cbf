"""`make bench`, Ray part: `cbis index --ray local` next to the local pipeline, on this machine.

On the corpus of bench/bench_index.py (distinct full-size camera JPEGs; its `build_corpus`), prints:
  1. `cbis index` (local pipeline) and `cbis index --ray local --ray-actors 2`, end to end as subprocesses,
     on the whole corpus and on one file; img/s for both;
  2. Ray's fixed start-up cost, measured apart: the one-file runs (start a cluster, check the nodes, probe the
     model, start the actors, stop), and, in this process, its parts: ray.init, the model probe, actor start;
  3. the per-image time of each pipeline once running, (T(N) - T(1)) / (N - 1), and from the two lines
     T(n) = fixed + n x per-image the corpus size from which Ray pays off on this machine (or that it never does).

Usage: python bench/bench_ray.py [--corpus 300] [--actors 2] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

from bench_index import FULL_SIZE, SAMPLES, build_corpus

REPO = Path(__file__).resolve().parents[1]


def cbis_index(corpus: Path, case_dir: Path, *extra: str) -> tuple[float, str]:
    """A fresh case, then `cbis index` in a subprocess: (seconds, its summary line)."""
    cbis = [sys.executable, "-m", "cbis"]
    shutil.rmtree(case_dir, ignore_errors=True)
    subprocess.run(
        [*cbis, "case", "new", str(case_dir), "--number", "BENCH", "--examiner", "bench"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    result = subprocess.run([*cbis, "index", str(corpus), "--case", str(case_dir), *extra], capture_output=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"cbis index {' '.join(extra)} failed ({result.returncode}):\n{result.stderr.decode()[-3000:]}"
        )
    return seconds, result.stdout.decode().strip()


def ray_startup_parts(one_file: Path, actors: int) -> dict[str, float]:
    """Ray's fixed costs, each timed on its own in this process: connect, model probe, actors on one file."""
    from cbis.model.registry import DEFAULT_MODEL
    from cbis.services import distributed
    from cbis.services.distributed import LOCAL, RayOptions, ray_connection

    ray = distributed.import_ray()

    parts: dict[str, float] = {}
    started = time.perf_counter()
    with ray_connection(RayOptions(LOCAL)):
        parts["ray.init (local cluster)"] = time.perf_counter() - started
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        ray.data.DataContext.get_current().enable_progress_bars = False
        warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)
        stages = distributed._stages(ray, RayOptions(LOCAL, actors=actors))
        started = time.perf_counter()
        from cbis import analyzers

        specs = [analyzers.get("imagenet")]
        settings = analyzers.AnalyzerSettings(DEFAULT_MODEL, inference_threads=1)
        probe = ray.remote(num_cpus=stages.actor_cpus)(distributed.probe_analyzers)
        expected = {item["name"]: item["identity"] for item in ray.get(probe.remote(specs, settings))}
        parts["model probe (a task loads the model)"] = time.perf_counter() - started
        preparer = specs[0].preparer(settings)
        from PIL import Image

        with Image.open(one_file) as image:
            source = analyzers.AnalysisInput(image.convert("RGB"), None, "jpeg", None, None, None)
            prepared = distributed.array_to_bytes(preparer.prepare(source))
        import pyarrow as pa

        table = pa.table({"input:imagenet": pa.array([prepared], pa.binary())})
        started = time.perf_counter()
        dataset = ray.data.from_arrow(table).map_batches(
            distributed.AnalyzeBatch,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=actors),
            fn_constructor_kwargs={"specs": specs, "settings": settings, "expected": expected},
            num_cpus=stages.actor_cpus,
        )
        dataset.take_all()
        parts[f"{actors} actors start and classify one image"] = time.perf_counter() - started
        started = time.perf_counter()
    parts["ray.shutdown"] = time.perf_counter() - started
    return parts


def driver_write_rate(workdir: Path, rows: int = 4000) -> float:
    """Rows per second the driver alone can commit (SQLite case, batches of 32, with EXIF, top-5 and embedding).

    Whatever the cluster, every row goes through the driver: this is the ceiling of one `cbis index --ray`.
    """
    import numpy as np

    from cbis.db.store import Classification, FileRow, PredictionRow
    from cbis.services.cases import create_case, open_case
    from cbis.services.examine import Examined
    from cbis.services.indexer import IndexSummary, Plan, RunIds, write_batch

    case_dir = workdir / "case-ray-write"
    shutil.rmtree(case_dir, ignore_errors=True)
    create_case(case_dir, number="BENCH", examiner="bench", description="driver write rate").close()
    case = open_case(case_dir)
    try:
        with case.engine.begin() as connection:
            from cbis.db import store

            evidence_id = store.evidence_id_for(connection, "/bench", b"/bench", "2026-01-01T00:00:00Z")
            provenance = {
                "name": "bench",
                "architecture": "bench",
                "weights_sha256": "0" * 64,
                "weights_file": "/bench",
                "source_package": None,
                "source_version": None,
                "tensorflow_version": "0",
                "keras_version": "0",
                "preprocessing": "none",
                "input_size": 224,
                "backend": "litert",
            }
            now = "2026-01-01T00:00:00Z"
            analyzer = store.run_analyzer_ids(connection, "imagenet", "1", Classification, provenance, provenance, now)
            run_id = store.start_run(connection, evidence_id, [analyzer], now)
        ids = RunIds(evidence_id, run_id, (analyzer,))
        plan = Plan.empty(Path("/bench"))
        summary = IndexSummary("/bench", run_id, "bench")
        embedding = np.zeros(1280, dtype="<f2").tobytes()

        def row(n: int) -> FileRow:
            return FileRow(
                path=f"d{n // 1000:03d}/img{n:07d}.jpg",
                path_bytes=f"d{n // 1000:03d}/img{n:07d}.jpg".encode(),
                extension="jpg",
                size=1_267_040,
                mtime_ns=1_700_000_000_000_000_000 + n,
                mtime="2023-11-14T22:13:20.000000Z",
                ctime="2023-11-14T22:13:20.000000Z",
                atime="2023-11-14T22:13:20.000000Z",
                status="image",
                md5=f"{n:032x}",
                sha1=f"{n:040x}",
                sha256=f"{n:064x}",
                format="jpeg",
                width=3264,
                height=2448,
                exif={"make": "Canon", "model": "EOS", "tags": {"Exif.ExposureTime": [1, 60]}},
            )

        classification = Classification(
            [PredictionRow(k, f"n{k:08d}", f"label {k}", 0.1) for k in range(1, 6)], embedding, 1280
        )

        started = time.perf_counter()
        for start in range(0, rows, 32):
            batch = [
                Examined(row(n), outputs={"imagenet": classification}) for n in range(start, min(start + 32, rows))
            ]
            write_batch(case, batch, plan, summary, ids)
        return rows / (time.perf_counter() - started)
    finally:
        case.close()
        shutil.rmtree(case_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=int, default=300, help="images in the corpus (default 300)")
    parser.add_argument("--actors", type=int, default=2, help="classifier actors for the Ray run (default 2)")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    if not SAMPLES.is_dir():
        raise SystemExit(f"the bench builds its corpus from {SAMPLES}, which is missing")
    try:
        import ray
    except ImportError:
        raise SystemExit("bench_ray.py needs Ray: pip install -e '.[ray]'") from None
    args.workdir.mkdir(parents=True, exist_ok=True)
    n = args.corpus
    corpus = args.workdir / f"corpus-ray-{n}"
    paths = build_corpus(corpus, n)
    one = args.workdir / "corpus-ray-one"
    shutil.rmtree(one, ignore_errors=True)
    one.mkdir()
    shutil.copy(paths[0], one / paths[0].name)

    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {python}, Ray {ray.__version__}")
    print(f"corpus: {n} full-size camera JPEGs (2-12 MP) from {len(FULL_SIZE)} samples; Ray: {args.actors} actors")
    ray_args = ("--ray", "local", "--ray-actors", str(args.actors))
    cbis_index(one, args.workdir / "case-ray-warm")  # converts the model once, if this machine never did
    local_1, _ = cbis_index(one, args.workdir / "case-ray-l1")
    ray_1, _ = cbis_index(one, args.workdir / "case-ray-r1", *ray_args)
    local_n, local_line = cbis_index(corpus, args.workdir / "case-ray-ln")
    ray_n, ray_line = cbis_index(corpus, args.workdir / "case-ray-rn", *ray_args)

    print(f"local pipeline, {n} images: {local_n:7.1f} s = {n / local_n:6.1f} img/s end to end  ({local_line})")
    print(f"Ray, {n} images:            {ray_n:7.1f} s = {n / ray_n:6.1f} img/s end to end  ({ray_line})")
    print(f"one file: local {local_1:.1f} s, Ray {ray_1:.1f} s: Ray's fixed start-up cost {ray_1 - local_1:.1f} s more")
    for part, seconds in ray_startup_parts(paths[0], args.actors).items():
        print(f"  of which {part}: {seconds:.1f} s")
    per_local = (local_n - local_1) / (n - 1)
    per_ray = (ray_n - ray_1) / (n - 1)
    print(
        f"once running: local {1 / per_local:.1f} img/s ({per_local * 1000:.0f} ms/img), "
        f"Ray {1 / per_ray:.1f} img/s ({per_ray * 1000:.0f} ms/img)"
    )
    extra_fixed = ray_1 - local_1
    if per_ray < per_local:
        payoff = extra_fixed / (per_local - per_ray)
        print(f"Ray pays off on this machine from about {payoff:.0f} images (fixed {extra_fixed:.1f} s recovered)")
    else:
        print(
            f"Ray never pays off on this machine: {per_ray / per_local:.2f}x the time per image once running, "
            f"and {extra_fixed:.1f} s more to start. With k nodes like this one, T = {ray_1:.1f} s + n x "
            f"{per_ray * 1000:.0f} ms / k against {local_1:.1f} s + n x {per_local * 1000:.0f} ms locally:"
        )
        for k in (2, 4, 8, 16):
            if per_ray / k < per_local:
                print(f"  k = {k:2d}: Ray pays off from about {extra_fixed / (per_local - per_ray / k):.0f} images")
            else:
                print(f"  k = {k:2d}: never")
    case_bytes = sum(f.stat().st_size for f in (args.workdir / "case-ray-ln").glob("case.sqlite*"))
    print(f"case database: {case_bytes / n / 1024:.1f} KiB per image (SQLite, with EXIF, top-5 and embedding)")
    print(f"driver ceiling: it commits {driver_write_rate(args.workdir):.0f} rows/s to a SQLite case (batches of 32)")
    for case in ("case-ray-warm", "case-ray-l1", "case-ray-r1", "case-ray-ln", "case-ray-rn"):
        shutil.rmtree(args.workdir / case, ignore_errors=True)


if __name__ == "__main__":
    main()
