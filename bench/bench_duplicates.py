"""`make bench`: grouping perceptual hashes into visual stacks, at 10k, 100k and 1M synthetic pictures.

Each synthetic picture gets a random 64-bit pHash (and random turned variants); one in ten has 1-4 near copies
(a few bits flipped, as a resize or re-encode does), so there are real stacks to find. Prints, for each size, the
seconds to group (multi-index hashing, services/duplicates.visual_pairs), the links and stacks found, and the
share of the planted copies recovered (must be 100%: every planted copy is within the bound).

Usage: python bench/bench_duplicates.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import platform
import resource
import time

import numpy as np

from cbis.db.duplicates import HashRow
from cbis.services.duplicates import VISUAL_MAX_BITS, components, visual_pairs


def synthetic(count: int, seed: int = 7) -> tuple[list[HashRow], int]:
    rng = np.random.default_rng(seed)
    originals = count * 10 // 13
    hashes = rng.integers(0, 2**63, size=originals, dtype=np.int64).astype(np.uint64) * np.uint64(2) + (
        rng.integers(0, 2, size=originals, dtype=np.int64).astype(np.uint64)
    )
    values = [int(value) for value in hashes]
    planted = 0
    while len(values) < count:
        source = values[int(rng.integers(0, originals))]
        flips = rng.choice(64, size=int(rng.integers(0, VISUAL_MAX_BITS // 2 + 1)), replace=False)
        copy = source
        for bit in flips:
            copy ^= 1 << int(bit)
        values.append(copy)
        planted += 1
    variants = rng.integers(0, 2**63, size=(count, 7), dtype=np.int64)
    rows = [
        HashRow(n, f"{n:064x}", value, tuple(int(v) for v in variants[n]), value << 192, 100)
        for n, value in enumerate(values)
    ]
    return rows, planted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"visual stacks by pHash (at most {VISUAL_MAX_BITS} bits apart; turned variants at most 7)")
    for size in (int(part) for part in args.sizes.split(",")):
        rows, planted = synthetic(size)
        started = time.perf_counter()
        links = visual_pairs(rows)
        stacks = sum(1 for _ in components(links))
        seconds = time.perf_counter() - started
        sources = size * 10 // 13
        recovered = len({b for a, b, _ in links if b >= sources} | {a for a, b, _ in links if a >= sources})
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  {size:>9,} hashes: grouped in {seconds:6.1f} s, {len(links):,} links, {stacks:,} stacks, "
            f"{recovered / max(planted, 1):.1%} of {planted:,} planted copies linked (peak RSS {peak:.0f} MB)"
        )


if __name__ == "__main__":
    main()
