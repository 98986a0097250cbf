"""Hash sets at scale: a plain list of N SHA-256 digests imported into a case of M synthetic files, then matched.

The case's files are written through `cbis.db.store.write_files`, one run, batches of 1,000 (as bench_db.py
does); every 100th file's digest is in the list. Prints the import time and rate (entries/s) and the match time
(files/s) on SQLite. Default N = 10,000,000 and M = 100,000 (issue 15); --entries 1000000 measures at 1M and
prints the extrapolation to 10M (import grows about linearly; matching is index lookups per file).

Usage: python bench/bench_hashsets.py [--entries 10000000] [--files 100000] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import time
from pathlib import Path

from cbis.db import store
from cbis.services import hashsets
from cbis.services.cases import create_case, utc_now

REPO = Path(__file__).resolve().parents[1]


def file_row(n: int) -> store.FileRow:
    path = f"d{n // 500:03d}/IMG_{n:06d}.jpg"
    return store.FileRow(
        path=path,
        path_bytes=path.encode(),
        extension="jpg",
        size=1000 + n,
        mtime_ns=1_600_000_000_000_000_000 + n,
        mtime="2020-09-13T12:26:40Z",
        ctime="2020-09-13T12:26:40Z",
        atime="2020-09-13T12:26:40Z",
        md5=hashlib.md5(path.encode()).hexdigest(),
        sha1=hashlib.sha1(path.encode()).hexdigest(),
        sha256=hashlib.sha256(path.encode()).hexdigest(),
        format="jpeg",
        status="image",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    work = args.workdir / "hashsets"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    case = create_case(work / "case", number="BENCH", examiner="bench")
    started = time.monotonic()
    with case.engine.begin() as connection:
        now = utc_now()
        evidence_id = store.evidence_id_for(connection, "/bench", b"/bench", now)
        run_id = store.start_run(connection, evidence_id, [], now)
    for start in range(0, args.files, 1000):
        with case.engine.begin() as connection:
            rows = [file_row(n) for n in range(start, min(start + 1000, args.files))]
            store.write_files(connection, rows, evidence_id=evidence_id, run_id=run_id)
    print(f"case: {args.files:,} files written in {time.monotonic() - started:.1f} s")

    listing = work / "list.txt"
    with listing.open("w") as handle:
        for n in range(args.entries):
            if n % 100 == 0 and n // 100 < args.files:
                digest = hashlib.sha256(f"d{(n // 100) // 500:03d}/IMG_{n // 100:06d}.jpg".encode()).hexdigest()
            else:
                digest = hashlib.sha256(n.to_bytes(8, "little")).hexdigest()
            handle.write(digest + "\n")
    print(f"list: {args.entries:,} lines, {listing.stat().st_size / 1e6:.0f} MB")

    started = time.monotonic()
    result = hashsets.import_set(case, "bench", listing, kind="notable", format="list")
    total = time.monotonic() - started
    started = time.monotonic()
    again = hashsets.match_sets(case.engine)  # all files again: nothing new, the full lookup cost
    match_seconds = time.monotonic() - started
    print(
        f"import (read, write, index, match {args.files:,} files): {total:.1f} s, {result.entries / total:,.0f} "
        f"entries/s; {result.matches:,} matches"
    )
    print(
        f"match again (every file, idempotent: {again.total} new): {match_seconds:.2f} s, "
        f"{args.files / match_seconds:,.0f} files/s"
    )
    if args.entries < 10_000_000:
        factor = 10_000_000 / args.entries
        print(f"extrapolated to 10,000,000 entries: import about {total * factor:.0f} s (linear)")
    case.close()


if __name__ == "__main__":
    main()
