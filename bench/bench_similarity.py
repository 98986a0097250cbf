"""The similarity index of `cbis search --similar-to` (cbis.services.similarity_index) on synthetic vectors.

For each size (default 10k and 100k; add 1000000 with --sizes where the machine has the cores and minutes):
float16 vectors of the default model's dimension (1280), clustered and non-negative like pooled CNN features
(2,000 centres, Gaussian spread, clipped at 0; i.i.d. Gaussian vectors have no neighbourhoods worth the name and
measure nothing an examiner meets). Prints the index build time, its size on disk and in memory, the time to open
it as a search does (SHA-256 check and memory-map), recall@10 against exact search (the index's own top 10, and
search's path: 1,000 candidates scored exactly), and top-50 query latency, median and p95; beside it exact
search of the same vectors held in memory (the fastest exact search could be; the case's exact search also reads
every vector from the database).

--crossover N,N,...: a real SQLite case with N synthetic embeddings written through db/store, timing
search's exact path (`exact_nearest`) against the index path (open + candidates + exact scoring from the
database), to place EXACT_BELOW.

Usage: python bench/bench_similarity.py [--sizes 10000,100000] [--queries 100] [--crossover 2000,5000,20000]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from cbis.db import similarity_index as index_search
from cbis.services import similarity_index

DIM = 1280
CENTRES = 2000


def synthetic(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.abs(rng.standard_normal((CENTRES, DIM), dtype=np.float32))
    out = np.empty((count, DIM), dtype=np.float16)
    for start in range(0, count, 50_000):
        n = min(50_000, count - start)
        block = centres[rng.integers(0, CENTRES, n)] + 0.6 * rng.standard_normal((n, DIM), dtype=np.float32)
        out[start : start + n] = block.clip(0)
    return out


def exact_top(unit_matrix: np.ndarray, query: np.ndarray, count: int) -> np.ndarray:
    scores = unit_matrix @ query
    top = np.argpartition(-scores, count)[:count]
    return top[np.argsort(-scores[top], kind="stable")]


def unit_f32(vectors: np.ndarray) -> np.ndarray:
    return similarity_index.unit(vectors.astype(np.float32))


def percentile_ms(values: list[float], q: float) -> float:
    return 1000 * float(np.percentile(values, q))


def bench_size(count: int, queries: int, workdir: Path) -> None:
    vectors = synthetic(count)
    keys = np.arange(count, dtype=np.uint64)
    started = time.perf_counter()
    index = similarity_index.new_index(DIM)
    index.add(keys, vectors, threads=os.cpu_count() or 1)
    build = time.perf_counter() - started
    path = workdir / f"bench-{count}.usearch"
    index.save(str(path))
    started = time.perf_counter()
    index_search._sha256(path)
    from usearch.index import Index

    view = Index.restore(str(path), view=True)
    opened = time.perf_counter() - started
    unit_matrix = np.empty((count, DIM), dtype=np.float32)
    for start in range(0, count, 100_000):
        unit_matrix[start : start + 100_000] = unit_f32(vectors[start : start + 100_000])
    rng = np.random.default_rng(1)
    picks = rng.integers(0, count, queries)
    raw_recall, search_recall, latency, latency_1000, exact_latency = [], [], [], [], []
    for pick in picks:
        query = unit_matrix[pick]
        started = time.perf_counter()
        truth = exact_top(unit_matrix, query, 50)
        exact_latency.append(time.perf_counter() - started)
        started = time.perf_counter()
        top50 = view.search(query, 50)
        latency.append(time.perf_counter() - started)
        raw_recall.append(len(set(top50.keys[:10].tolist()) & set(truth[:10].tolist())) / 10)
        started = time.perf_counter()
        candidates = np.sort(view.search(query, 1000).keys.astype(np.int64))
        scores = unit_matrix[candidates] @ query
        rescored = candidates[np.argsort(-scores, kind="stable")]
        latency_1000.append(time.perf_counter() - started)
        search_recall.append(len(set(rescored[:10].tolist()) & set(truth[:10].tolist())) / 10)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{count:>9,} vectors: build {build:7.1f} s ({count / build:,.0f}/s); "
        f"on disk {path.stat().st_size / 2**20:,.0f} MiB, in memory {index.memory_usage / 2**20:,.0f} MiB; "
        f"open (SHA-256 + mmap) {opened * 1000:,.0f} ms",
        flush=True,
    )
    print(
        f"{'':>19}recall@10: index top-10 {np.mean(raw_recall):.3f}, search's path (1000 candidates rescored) "
        f"{np.mean(search_recall):.3f}",
        flush=True,
    )
    print(
        f"{'':>19}top-50 latency: median {percentile_ms(latency, 50):.2f} ms, p95 {percentile_ms(latency, 95):.2f} ms;"
        f" search's 1000 candidates + rescoring: median {percentile_ms(latency_1000, 50):.2f} ms, "
        f"p95 {percentile_ms(latency_1000, 95):.2f} ms; exact in memory: median "
        f"{percentile_ms(exact_latency, 50):.1f} ms; peak RSS {peak:,.0f} MiB",
        flush=True,
    )
    del view, index
    path.unlink()


def bench_crossover(sizes: list[int], workdir: Path) -> None:
    """Exact search against the index path on real SQLite cases holding synthetic embeddings."""
    from cbis.db import similarity as db
    from cbis.db import store
    from cbis.db.queries import ModelRef
    from cbis.services.cases import create_case, utc_now

    for count in sizes:
        case_dir = workdir / f"crossover-{count}"
        shutil.rmtree(case_dir, ignore_errors=True)
        case = create_case(case_dir, number="BENCH", examiner="bench")
        vectors = synthetic(count, seed=2)
        provenance = {"name": "bench", "weights_sha256": "b" * 64, "backend": "bench", "architecture": "bench"}
        provenance |= {"weights_file": "/b", "tensorflow_version": "0", "keras_version": "0"}
        provenance |= {"preprocessing": "none", "input_size": 224, "source_package": None, "source_version": None}
        with case.engine.begin() as connection:
            now = utc_now()
            evidence_id = store.evidence_id_for(connection, "/bench", b"/bench", now)
            ids = store.run_analyzer_ids(connection, "imagenet", "1", store.Classification, provenance, provenance, now)
            run_id = store.start_run(connection, evidence_id, [ids], now)
        for start in range(0, count, 1000):
            rows = [_file_row(n) for n in range(start, min(count, start + 1000))]
            with case.engine.begin() as connection:
                file_ids = store.write_files(connection, rows, evidence_id=evidence_id, run_id=run_id)
                outputs = [
                    (file_id, store.Classification([], vectors[n].astype("<f2").tobytes(), DIM))
                    for n, file_id in zip(range(start, start + len(rows)), file_ids, strict=True)
                ]
                store.write_outputs(connection, ids, outputs, run_id=run_id)
        similarity_index.update(case, rebuild=True)
        with case.engine.connect() as connection:
            [(model_id, name, backend, weights)] = db.embedded_models(connection)
            model = ModelRef(model_id, name, backend, weights)
            query = unit_f32(vectors[7])
            started = time.perf_counter()
            exact = similarity_index.exact_nearest(connection, model.id, query, 1000)
            exact_s = time.perf_counter() - started
            started = time.perf_counter()
            stored, highest = db.embedding_stats(connection, model.id)
            index, why = similarity_index.open_for_search(connection, case_dir, model, stored, highest, DIM)
            assert index is not None, why
            approximate = similarity_index.index_nearest(connection, index, model.id, query, 1000)
            index_s = time.perf_counter() - started
        top = list(exact)[:50]
        agree = len(set(top) & set(list(approximate)[:50])) / 50
        print(
            f"crossover {count:>7,} embeddings in SQLite: exact search {exact_s * 1000:7.0f} ms, index path "
            f"{index_s * 1000:6.0f} ms (top-50 agreement {agree:.2f})",
            flush=True,
        )
        case.close()
        shutil.rmtree(case_dir, ignore_errors=True)


def _file_row(n: int):  # type: ignore[no-untyped-def]
    from cbis.db import store

    path = f"d{n // 500:03d}/IMG_{n:07d}.jpg"
    return store.FileRow(
        path=path,
        path_bytes=path.encode(),
        extension="jpg",
        size=n,
        mtime_ns=n,
        mtime="2020-09-13T12:26:40Z",
        ctime="2020-09-13T12:26:40Z",
        atime="2020-09-13T12:26:40Z",
        status="image",
        sha256=f"{n:064x}",
        format="jpeg",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--crossover", default="", help="comma-separated embedding counts (SQLite cases)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    from usearch import __version__ as usearch_version

    print(
        f"similarity index: usearch {usearch_version}, HNSW M={similarity_index.CONNECTIVITY} "
        f"ef_add={similarity_index.EXPANSION_ADD} ef_search={similarity_index.EXPANSION_SEARCH} "
        f"{similarity_index.SCALAR}, cosine; {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        for size in (int(s) for s in args.sizes.split(",") if s):
            bench_size(size, args.queries, Path(scratch))
        if args.crossover:
            bench_crossover([int(s) for s in args.crossover.split(",")], Path(scratch))


if __name__ == "__main__":
    main()
