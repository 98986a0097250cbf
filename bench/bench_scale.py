"""A million-image case at scale (issue 19): viewer pages, search, similar-to, report, case info, start-up and the
indexer's walk, on SQLite and PostgreSQL, against the issue's targets.

Builds a synthetic case of N images (bench/_synthetic.py: ImageNet labels with a skewed distribution, 40 cameras,
12 years of dates, 30% with GPS, 2% unprocessed, three evidence roots, an embedding each) through
`cbis.db.store.write_files` and `write_outputs`, as bench/bench_db.py does, then builds its similarity index
(`similarity_index.rebuild_indexes`, as `cbis similarity rebuild` does). The SQLite case is kept in the workdir and
reused while its marker (N, seed, embedding size, schema version) matches; `--rebuild` builds it afresh. A
PostgreSQL case is reused only while its database still exists on the same server (a cluster that persists);
`scripts/pg-test-cluster run` starts a throwaway one, so the case is built on each run there.

Then, REPS times each (median and p95, nearest rank: with fewer than 20 repetitions p95 is the slowest; one
repetition slower than --give-up seconds ends that measurement, the table says how many ran):
- viewer: through the real Flask app (`create_app` on the case, Flask test client), server time of the gallery's
  first page and a deep one (half the last page) under each filter and sort, the image page with previous/next
  under the same filters, the overview (and its HTML size), the CSV export's first chunk; target p95 < 300 ms;
  each page's note says whether its counts were exact or estimated (db/estimates.py: past the viewer's budget)
  and whether a deep page by number was found from the sample instead of by OFFSET;
- search: `services.search.search_case` (what `cbis search` calls) per filter, limit 50, `queries.count`
  (the count is printed) and `estimates.estimate` (the viewer's estimate past its budget: value, margin and
  error against the exact count); target < 200 ms;
- similar: `search_case(..., similar_to=SHA256)`, top 50; target < 100 ms; and `cbis search --similar-to` in a
  subprocess each time (start-up, the index opened and checked, the search): target start-up's 0.5 s + 100 ms;
- report: `python -m cbis report --csv` of the whole case in a subprocess: wall time and peak RSS; < 2 minutes;
- info: `python -m cbis case info` in a subprocess (< 1 s), and start-up of `cbis --help`, `cbis search --help`,
  `cbis serve --help` (< 0.5 s), timed as bench/bench_startup.py does;
- walk: trees of tiny files (text and a few tiny PNGs, kept in the workdir between runs), peak RSS of the
  indexer's walk and plan (`indexer.plan_work`, nothing read, no model) in a subprocess for each size: a first
  run (flat: the files to read are spooled to disk), and a re-run with every file known and unchanged (the
  case's known files are held in memory, about 640 bytes a file).

Prints one table per backend (and one for what needs no database) and writes every figure to
WORKDIR/bench_scale-N.json.

PostgreSQL: the server at $CBIS_TEST_PG_URL (`scripts/pg-test-cluster run python bench/bench_scale.py ...`);
without it only SQLite is measured.

Usage: python bench/bench_scale.py [--images 1000000] [--seed 19] [--backends sqlite,postgresql] [--reps 7]
       [--give-up 10] [--workdir bench/out/scale] [--only viewer,search,similar,report,info,walk]
       [--walk-sizes 100000,1000000] [--embedding-dim 1280] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from _synthetic import ROOTS, Synthetic
from bench_db import PROVENANCE
from bench_startup import byte_compile
from bench_startup import run as run_cbis
from cbis.db import estimates, overview, queries, store
from cbis.db.migrations import SCHEMA_VERSION
from cbis.db.queries import SearchFilters
from cbis.services.cases import Case, create_case, open_case, utc_now

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("viewer", "search", "similar", "report", "info", "walk")
BACKENDS = ("sqlite", "postgresql")
BATCH = 1000  # files per transaction while building (the indexer writes 32; this is a build, not the measure)
VIEWER_MS, SEARCH_MS, SIMILAR_MS, REPORT_S, INFO_S, STARTUP_S = 300.0, 200.0, 100.0, 120.0, 1.0, 0.5
# The filters measured, as the viewer's query parameters (web/state.py) and as `cbis search`'s SearchFilters.
FILTERS: dict[str, dict[str, str]] = {
    "none": {},
    "label=dog": {"label": "dog"},
    "make=Canon": {"make": "Canon"},
    "has_gps": {"has_gps": "1"},
    "2019..2020": {"from": "2019", "to": "2020"},
    "min_score=0.5": {"min_score": "0.5"},
    "label=dog&has_gps": {"label": "dog", "has_gps": "1"},
}
SORTS = ("path", "date", "score")
PER_PAGE = 60  # web/state.py DEFAULT_PAGE_SIZE


@dataclass
class Figure:
    operation: str
    times_s: list[float]
    target_s: float | None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    @property
    def p95_s(self) -> float:
        ordered = sorted(self.times_s)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def ok(self) -> bool | None:
        return None if self.target_s is None else self.p95_s < self.target_s

    def as_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "median_ms": round(self.median_s * 1000, 2),
            "p95_ms": round(self.p95_s * 1000, 2),
            "target_ms": None if self.target_s is None else self.target_s * 1000,
            "ok": self.ok,
            "times_ms": [round(t * 1000, 2) for t in self.times_s],
            "note": self.note,
            **self.extra,
        }


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Repeat:
    """How often to repeat each measurement, and after how long one repetition stops the rest (at a million
    images an image page can take tens of seconds: one such repetition says enough)."""

    count: int
    give_up_s: float


def timed(call: Callable[[], Any], repeat: Repeat) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat.count):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
        if times[-1] > repeat.give_up_s:
            break
    return times, result


# --- building the case ---


def marker_of(options: argparse.Namespace, database: str | None) -> dict[str, Any]:
    return {
        "images": options.images,
        "seed": options.seed,
        "embedding_dim": options.embedding_dim,
        "schema_version": SCHEMA_VERSION,
        "database": database,
    }


def build(case: Case, synthetic: Synthetic) -> dict[str, float]:
    """Write the synthetic case through the store, one transaction per BATCH files, then its similarity index."""
    from cbis.services import similarity_index

    with case.engine.begin() as connection:
        now = utc_now()
        evidence_ids = [store.evidence_id_for(connection, root, root.encode(), now) for root in ROOTS]
        ids = store.run_analyzer_ids(connection, "imagenet", "1", store.Classification, PROVENANCE, PROVENANCE, now)
        run_ids = [store.start_run(connection, evidence_id, [ids], now) for evidence_id in evidence_ids]
    started = time.perf_counter()
    written = 0
    counts = [{"files_walked": 0, "images_indexed": 0, "unprocessed": 0} for _ in ROOTS]
    for images in synthetic.batches(BATCH):
        with case.engine.begin() as connection:
            for root, evidence_id in enumerate(evidence_ids):
                mine = [image for image in images if image.root == root]
                if not mine:
                    continue
                file_ids = store.write_files(
                    connection, [image.row for image in mine], evidence_id=evidence_id, run_id=run_ids[root]
                )
                outputs = [
                    (file_id, image.classification)
                    for file_id, image in zip(file_ids, mine, strict=True)
                    if image.classification is not None
                ]
                store.write_outputs(connection, ids, outputs, run_id=run_ids[root])
                counts[root]["files_walked"] += len(mine)
                counts[root]["images_indexed"] += len(outputs)
                counts[root]["unprocessed"] += len(mine) - len(outputs)
        written += len(images)
        if written % 100_000 < BATCH:
            elapsed = time.perf_counter() - started
            progress(f"  built {written}/{synthetic.count} files ({written / elapsed:.0f} files/s)")
    write_s = time.perf_counter() - started
    with case.engine.begin() as connection:
        for run_id, run_counts in zip(run_ids, counts, strict=True):
            store.finish_run(connection, run_id, "completed", utc_now(), dict(run_counts))
    started = time.perf_counter()
    with case.engine.begin() as connection:  # as run_index keeps them at a run's end (services/indexer.py)
        overview.record(connection, run_ids[-1])
    overview_s = time.perf_counter() - started
    started = time.perf_counter()
    similarity_index.rebuild_indexes(case)
    index_s = time.perf_counter() - started
    return {
        "write_s": write_s,
        "files_per_s": synthetic.count / write_s,
        "overview_counts_s": overview_s,
        "similarity_index_s": index_s,
    }


def sqlite_case(options: argparse.Namespace, synthetic: Synthetic) -> tuple[Path, dict[str, Any]]:
    case_dir = options.workdir / f"case-sqlite-{options.images}"
    marker_file = options.workdir / f"case-sqlite-{options.images}.json"
    marker = marker_of(options, None)
    if not options.rebuild and marker_file.is_file() and json.loads(marker_file.read_text())["marker"] == marker:
        return case_dir, {**json.loads(marker_file.read_text())["build"], "reused": True}
    marker_file.unlink(missing_ok=True)
    shutil.rmtree(case_dir, ignore_errors=True)
    progress(f"building the SQLite case of {options.images} files in {case_dir}")
    case = create_case(case_dir, number="SCALE", examiner="bench")
    try:
        figures = build(case, synthetic)
    finally:
        case.close()
    marker_file.write_text(json.dumps({"marker": marker, "build": figures}, indent=1))
    return case_dir, {**figures, "reused": False}


def postgresql_case(options: argparse.Namespace, synthetic: Synthetic, server: str) -> tuple[Path, dict[str, Any]]:
    import psycopg

    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"cbis_scale_{options.images}_{options.seed}_{options.embedding_dim}_s{SCHEMA_VERSION}"
    database = make_url(server).set(database=name).render_as_string(hide_password=False)
    case_dir = options.workdir / f"case-postgresql-{options.images}"
    marker_file = options.workdir / f"case-postgresql-{options.images}.json"
    marker = marker_of(options, database)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if (
            exists
            and not options.rebuild
            and marker_file.is_file()
            and json.loads(marker_file.read_text())["marker"] == marker
        ):
            return case_dir, {**json.loads(marker_file.read_text())["build"], "reused": True}
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
        connection.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")  # type: ignore[arg-type]
    marker_file.unlink(missing_ok=True)
    shutil.rmtree(case_dir, ignore_errors=True)
    progress(f"building the PostgreSQL case of {options.images} files in database {name}")
    case = create_case(case_dir, number="SCALE", examiner="bench", database=database)
    try:
        figures = build(case, synthetic)
    finally:
        case.close()
    plain = make_url(database).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")  # as autovacuum would soon after an index run
    marker_file.write_text(json.dumps({"marker": marker, "build": figures}, indent=1))
    return case_dir, {**figures, "reused": False}


# --- measurements ---


def _filters(params: dict[str, str], *, viewer: bool = False) -> SearchFilters:
    """The SearchFilters `cbis search` builds for the same filter (cli/_filters.py make_filters), or the viewer
    (web/state.py parse: files in known hash sets hidden by default)."""
    filters = SearchFilters(hide_known=viewer)
    filters.label = params.get("label")
    filters.make = params.get("make")
    filters.has_gps = params.get("has_gps") == "1"
    filters.date_from, filters.date_to = params.get("from"), params.get("to")
    filters.min_score = float(params["min_score"]) if "min_score" in params else None
    return filters


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params) if params else ""


def counted(html: bytes) -> str:
    """Whether the page's counts were exact or estimated (db/estimates.py: past the viewer's budget), and
    whether a page by number was found from the sample (web/views._gallery_page) rather than by OFFSET."""
    note = "count estimated" if b"estimated)" in html else "count exact"
    return note + (", page from the sample" if b"found from a sample" in html else "")


def measure_viewer(case_dir: Path, reps: Repeat) -> list[Figure]:
    from cbis.web import create_app

    app = create_app(case_dir, {"TESTING": True})
    client = app.test_client()
    case = open_case(case_dir, readonly=True)
    figures: list[Figure] = []

    def get(url: str) -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.data

    def first_chunk(url: str) -> bytes:
        response = client.get(url, buffered=False)
        assert response.status_code == 200, (url, response.status_code)
        try:
            return next(iter(response.response))
        finally:
            response.close()

    try:
        for name, params in FILTERS.items():
            with case.engine.connect() as connection:
                total = queries.count(connection, _filters(params, viewer=True))
            last_page = max(1, math.ceil(total / PER_PAGE))
            for sort in SORTS:
                shown = {**params, **({"sort": sort} if sort != "path" else {})}
                progress(f"  viewer {name} sort={sort} ({total} files)")
                times, html = timed(lambda shown=shown: get("/" + _query(shown)), reps)
                figures.append(Figure(f"gallery p1 {name} {sort}", times, VIEWER_MS / 1000, counted(html)))
                deep = {**shown, "page": str(max(1, last_page // 2))}
                times, html = timed(lambda deep=deep: get("/" + _query(deep)), reps)
                figures.append(Figure(f"gallery p{deep['page']} {name} {sort}", times, VIEWER_MS / 1000, counted(html)))
                if total:
                    with case.engine.connect() as connection:
                        middle = queries.search(
                            connection, _filters(params, viewer=True), limit=1, offset=total // 2, sort=sort
                        )
                    url = f"/image/{middle[0].id}" + _query(shown)
                    times, html = timed(lambda url=url: get(url), reps)
                    figures.append(Figure(f"image prev/next {name} {sort}", times, VIEWER_MS / 1000, counted(html)))
            times, _ = timed(lambda params=params: first_chunk("/export/files.csv" + _query(params)), reps)
            figures.append(Figure(f"export first chunk {name}", times, VIEWER_MS / 1000))
        progress("  viewer overview")
        times, html = timed(lambda: get("/overview"), reps)
        figures.append(
            Figure("overview", times, VIEWER_MS / 1000, f"{len(html) / 1000:.0f} kB", {"html_bytes": len(html)})
        )
    finally:
        case.close()
    return figures


def measure_search(case_dir: Path, reps: Repeat) -> list[Figure]:
    from cbis.services.search import search_case

    figures: list[Figure] = []
    case = open_case(case_dir, readonly=True)
    try:
        for name, params in FILTERS.items():
            progress(f"  search {name}")
            times, hits = timed(lambda params=params: search_case(case, _filters(params), limit=50)[0], reps)
            figures.append(Figure(f"search {name}", times, SEARCH_MS / 1000, f"{len(hits)} hits"))

            def count(params: dict[str, str] = params) -> int:
                with case.engine.connect() as connection:
                    return queries.count(connection, _filters(params))

            times, total = timed(count, reps)
            figures.append(Figure(f"count {name}", times, SEARCH_MS / 1000, f"= {total}", {"count": total}))

            def estimate(params: dict[str, str] = params) -> estimates.Count:
                with case.engine.connect() as connection:
                    return estimates.estimate(connection, _filters(params))

            times, found = timed(estimate, reps)
            error = (found.value - total) / total if total else 0.0
            figures.append(
                Figure(
                    f"estimate {name}",
                    times,
                    SEARCH_MS / 1000,
                    f"~ {found.value} ± {found.margin} ({error:+.1%})",
                    {"estimate": found.value, "margin": found.margin, "sampled": found.sampled},
                )
            )
    finally:
        case.close()
    return figures


def measure_similar(case_dir: Path, reps: Repeat, home: Path) -> list[Figure]:
    from cbis.services.search import search_case

    case = open_case(case_dir, readonly=True)
    notes: list[str] = []
    try:
        with case.engine.connect() as connection:
            listed = queries.search(connection, SearchFilters(), limit=reps.count, offset=1000)
        references = [hit.sha256 for hit in listed]
        index = iter(references * 2)  # a different query image each repetition

        def similar() -> int:
            hits, _ = search_case(case, SearchFilters(), limit=50, similar_to=next(index), on_note=notes.append)
            return len(hits)

        times, found = timed(similar, reps)
    finally:
        case.close()
    note = f"{found} hits" + (f"; {notes[0]}" if notes else "")
    # What an examiner at the command line waits for: each `cbis search` is a process of its own, which opens the
    # index and checks it against the case before its first search.
    commands = [["search", "--case", str(case_dir), "--similar-to", sha256, "--limit", "50"] for sha256 in references]
    started = [run_cbis(REPO / "src", command, home, check=True) for command in commands]
    return [
        Figure("similar-to top 50", times, SIMILAR_MS / 1000, note),
        Figure(
            "cbis search --similar-to, top 50 (subprocess)",
            started,
            STARTUP_S + SIMILAR_MS / 1000,
            "a new process each: start-up, opening and checking the index, the search",
        ),
    ]


# `cbis` run with its peak RSS (VmHWM, of its own memory since exec) written to a file as it exits. wait4's
# ru_maxrss would not do: Linux carries the parent's high-water mark over into the child at fork and exec.
PEAK_RSS_WRAPPER = """
import atexit, runpy, sys
out = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(out, "w") as written:
        written.write(str(kb))
atexit.register(peak)
sys.argv = ["cbis", *sys.argv[1:]]
runpy.run_module("cbis", run_name="__main__", alter_sys=True)
"""


def run_measured(args: list[str], workdir: Path) -> tuple[float, float, int]:
    """Run `cbis ARGS` in a subprocess; its wall time (s), its peak RSS (MB) and exit status."""
    peak_file = workdir / "peak-rss.txt"
    peak_file.unlink(missing_ok=True)
    command = [sys.executable, "-c", PEAK_RSS_WRAPPER, str(peak_file), *args]
    started = time.perf_counter()
    completed = subprocess.run(command, env=cbis_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")[-2000:]
    return seconds, int(peak_file.read_text()) / 1024, completed.returncode


def cbis_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), "CBIS_CASE": ""}


def measure_report(case_dir: Path, workdir: Path) -> list[Figure]:
    out = workdir / "report-out"
    shutil.rmtree(out, ignore_errors=True)
    progress("  report --csv")
    seconds, rss_mb, _ = run_measured(["report", "--case", str(case_dir), "--csv", str(out)], workdir)
    size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    shutil.rmtree(out, ignore_errors=True)
    note = f"peak RSS {rss_mb:.0f} MB, {size / 1e6:.0f} MB of CSV"
    return [Figure("report --csv", [seconds], REPORT_S, note, {"peak_rss_mb": rss_mb, "csv_bytes": size})]


def measure_info(case_dir: Path, reps: int, home: Path) -> list[Figure]:
    args = ["case", "info", "--case", str(case_dir)]
    times = [run_cbis(REPO / "src", args, home) for _ in range(reps)]
    return [Figure("cbis case info (subprocess)", times, INFO_S)]


def measure_startup(reps: int, home: Path) -> list[Figure]:
    figures = []
    for args in (["--help"], ["search", "--help"], ["serve", "--help"]):
        times = [run_cbis(REPO / "src", args, home) for _ in range(reps)]
        figures.append(Figure(f"cbis {' '.join(args)} (subprocess)", times, STARTUP_S))
    return figures


# --- the walk ---

# A valid 1x1 PNG, built once: the walk never opens files, but a tree of evidence holds some pictures.
_PNG = b"\x89PNG\r\n\x1a\n" + b"".join(
    len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    for kind, data in (
        (b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"),
        (b"IDAT", zlib.compress(b"\x00\xff\x00\x00")),
        (b"IEND", b""),
    )
)


def tree_of(workdir: Path, size: int) -> Path:
    """A tree of `size` tiny files, 1000 to a directory (one in 50 a tiny PNG), kept for the next run."""
    root = workdir / "trees" / f"files-{size}"
    done = root.with_name(f"files-{size}.complete")  # beside the tree: the walk would count it
    if done.is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    progress(f"  creating a tree of {size} tiny files in {root}")
    started = time.perf_counter()
    for n in range(size):
        directory = root / f"d{n // 1000:04d}"
        if n % 1000 == 0:
            directory.mkdir(parents=True)
        if n % 50 == 0:
            (directory / f"IMG_{n:07d}.png").write_bytes(_PNG)
        else:
            (directory / f"note_{n:07d}.txt").write_bytes(b"not an image %d\n" % n)
    done.write_text(f"{size}\n")
    progress(f"  tree of {size} files made in {time.perf_counter() - started:.0f} s")
    return root


# Run in a subprocess of its own, with nothing else imported: plan a first run over the tree (nothing known yet),
# as `cbis index` does before reading anything, and report its peak RSS (VmHWM, see PEAK_RSS_WRAPPER) before and
# after. Then a re-run: every file known to the case and unchanged, the known files built as
# `store.known_files` builds them from the case (their peak measured apart from the re-run's plan).
WALK_CHILD = """
import json, sys, time
from pathlib import Path
from cbis.db.store import KnownFile
from cbis.ingest.walk import relpath_bytes
from cbis.services.indexer import plan_work
def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
root = Path(sys.argv[1])
before = peak_kb()
started = time.perf_counter()
plan = plan_work(root, {}, ())
seconds = time.perf_counter() - started
after = peak_kb()
known = {
    relpath_bytes(entry.relpath): KnownFile(
        n, entry.stat.st_size, entry.stat.st_mtime_ns, f"{n:064x}", sys.intern("image"), frozenset()
    )
    for n, entry in enumerate(plan.todo, 1)
}
plan.close()
known_kb = peak_kb()
started = time.perf_counter()
known_files = len(known)
again = plan_work(root, known, ())  # consumes `known`, as in `cbis index`
rerun_seconds = time.perf_counter() - started
assert len(again.unchanged_ids) == known_files and not again.todo and not again.missing_ids
print(json.dumps({
    "files": plan.files_walked, "seconds": seconds, "before_kb": before, "after_kb": after,
    "known_kb": known_kb, "rerun_kb": peak_kb(), "rerun_seconds": rerun_seconds,
}))
"""


def measure_walk(workdir: Path, sizes: list[int]) -> list[Figure]:
    figures: list[Figure] = []
    grown: dict[int, float] = {}
    for size in sizes:
        root = tree_of(workdir, size)
        progress(f"  walk and plan of {size} files")
        command = [sys.executable, "-c", WALK_CHILD, str(root)]
        completed = subprocess.run(command, env=cbis_env(), capture_output=True, text=True, check=True)
        child = json.loads(completed.stdout)
        assert child["files"] == size, child
        grown[size] = (child["after_kb"] - child["before_kb"]) / 1024
        note = (
            f"peak RSS {child['after_kb'] / 1024:.0f} MB, {grown[size]:.0f} MB of it the walk and plan "
            f"({grown[size] * 1024 * 1024 / size:.0f} bytes a file)"
        )
        extra = {"files": size, "peak_rss_mb": child["after_kb"] / 1024, "walk_rss_mb": grown[size]}
        figures.append(Figure(f"walk+plan {size} files", [child["seconds"]], None, note, extra))
        known_mb = (child["known_kb"] - child["after_kb"]) / 1024
        rerun_mb = (child["rerun_kb"] - child["known_kb"]) / 1024
        note = (
            f"peak RSS {child['rerun_kb'] / 1024:.0f} MB: the case's known files {known_mb:.0f} MB "
            f"({known_mb * 1024 * 1024 / size:.0f} bytes a file), the re-run's plan {rerun_mb:.0f} MB more"
        )
        extra = {"files": size, "peak_rss_mb": child["rerun_kb"] / 1024, "known_mb": known_mb, "plan_mb": rerun_mb}
        figures.append(Figure(f"re-run walk+plan {size} files", [child["rerun_seconds"]], None, note, extra))
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        first_runs = figures[::2]
        ratio = (
            first_runs[sizes.index(large)].extra["peak_rss_mb"] / first_runs[sizes.index(small)].extra["peak_rss_mb"]
        )
        figures.append(
            Figure(
                f"walk+plan peak RSS {large} / {small}",
                [0.0],
                None,
                f"{ratio:.2f}x for {large / small:.0f}x the files (flat is about 1)",
                {"ratio": ratio},
            )
        )
    return figures


# --- output ---


def print_table(title: str, figures: list[Figure]) -> None:
    print(f"\n{title}")
    print(f"  {'operation':44} {'reps':>4} {'median ms':>10} {'p95 ms':>10} {'target':>9} {'':5} note")
    for figure in figures:
        target = "" if figure.target_s is None else f"< {figure.target_s * 1000:.0f}"
        verdict = {None: "", True: "OK", False: "OVER"}[figure.ok]
        if figure.target_s is None and not figure.times_s[0]:
            print(f"  {figure.operation:44} {'':>4} {'':>10} {'':>10} {target:>9} {verdict:5} {figure.note}")
            continue
        print(
            f"  {figure.operation:44} {len(figure.times_s):4} {figure.median_s * 1000:10.1f} "
            f"{figure.p95_s * 1000:10.1f} {target:>9} {verdict:5} {figure.note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--embedding-dim", type=int, default=1280, help="efficientnet-lite0's (the default model)")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument(
        "--give-up", type=float, default=10.0, help="seconds: a repetition slower than this ends that measurement"
    )
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "scale")
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--walk-sizes", default="100000,1000000")
    parser.add_argument("--rebuild", action="store_true", help="build the case afresh even if one is cached")
    options = parser.parse_args()
    backends = [b for b in options.backends.split(",") if b]
    sections = [s for s in options.only.split(",") if s]
    for name in (*backends, *sections):
        if name not in (*BACKENDS, *SECTIONS):
            parser.error(f"unknown backend or section {name!r}: backends {BACKENDS}, sections {SECTIONS}")
    options.workdir = options.workdir.resolve()
    options.workdir.mkdir(parents=True, exist_ok=True)
    home = options.workdir / "home"
    byte_compile(REPO / "src")  # the subprocesses start as an installed cbis does, from bytecode
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"synthetic case: {options.images} files, seed {options.seed}, {options.embedding_dim}-value embeddings, "
        f"{options.reps} repetitions, schema {SCHEMA_VERSION}"
    )
    results: dict[str, Any] = {"images": options.images, "seed": options.seed, "reps": options.reps, "backends": {}}
    database_sections = [s for s in sections if s in ("viewer", "search", "similar", "report", "info")]
    synthetic = Synthetic(options.images, options.seed, options.embedding_dim) if database_sections else None
    for backend in backends if synthetic is not None else ():
        if backend == "postgresql":
            server = os.environ.get("CBIS_TEST_PG_URL")
            if not server:
                print("\nPostgreSQL skipped: CBIS_TEST_PG_URL is not set (scripts/pg-test-cluster run ... starts one)")
                continue
            case_dir, built = postgresql_case(options, synthetic, server)
        else:
            case_dir, built = sqlite_case(options, synthetic)
        how = "cached" if built["reused"] else "built"
        print(
            f"\n{backend}: case {how}: {options.images} files in {built['write_s']:.0f} s "
            f"({built['files_per_s']:.0f} files/s), similarity index in {built['similarity_index_s']:.1f} s"
        )
        figures: list[Figure] = []
        repeat = Repeat(options.reps, options.give_up)
        if "viewer" in sections:
            figures += measure_viewer(case_dir, repeat)
        if "search" in sections:
            figures += measure_search(case_dir, repeat)
        if "similar" in sections:
            figures += measure_similar(case_dir, repeat, home)
        if "report" in sections:
            figures += measure_report(case_dir, options.workdir)
        if "info" in sections:
            figures += measure_info(case_dir, options.reps, home)
        print_table(f"{backend}, {options.images} files", figures)
        results["backends"][backend] = {"build": built, "figures": [f.as_json() for f in figures]}
    general: list[Figure] = []
    if "info" in sections:
        general += measure_startup(options.reps, home)
    if "walk" in sections:
        general += measure_walk(options.workdir, [int(size) for size in options.walk_sizes.split(",") if size])
    if general:
        print_table("start-up and the indexer's walk (no case database)", general)
        results["general"] = [f.as_json() for f in general]
    output = options.workdir / f"bench_scale-{options.images}.json"
    output.write_text(json.dumps(results, indent=1))
    print(f"\nall figures: {output}")


if __name__ == "__main__":
    main()
