"""`make bench`: `cbis index` throughput of a base commit against the working tree, side by side in one run.

The base commit is checked out with `git worktree add --detach` in a temporary directory (removed at the end);
each side runs as `python -m cbis` with PYTHONPATH set to its own `src/`. Both index the same corpus (bench_index's
distinct full-size camera JPEGs), each run into a fresh case made by that side's `cbis case new`, sharing one
CBIS_HOME so that a warm-up index of a tiny corpus per side pays for any model conversion before timing starts.
Rounds alternate the order (base first in odd rounds, new first in even ones) to cancel drift. For every run it
times the `cbis index` subprocess (start-up included) and reads the images indexed from its summary line; it prints
each round, the median img/s per side, the ratio new/base and whether that is within 5% (issue 14). A failed run
exits non-zero; the ratio never does.

Usage: python bench/bench_compare.py [--base 6b1feb4] [--count 400] [--rounds 3] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_index import FULL_SIZE, SAMPLES, build_corpus

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BASE = "6b1feb4"  # the last commit before the analyzer-seam refactor
WARM_UP_COUNT = 4
SUMMARY = re.compile(r"indexed (\d+) images")


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True).stdout.strip()


def run_checked(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(
            f"{what} failed ({result.returncode}): {' '.join(command)}\n"
            f"--- stderr ---\n{result.stderr[-4000:]}\n--- stdout ---\n{result.stdout[-2000:]}"
        )
    return result


class Side:
    """One version of cbis: its `src/`, and an environment that imports it and shares the model cache."""

    def __init__(self, name: str, src: Path, cbis_home: Path) -> None:
        self.name = name
        self.src = src
        self.env = {**os.environ, "PYTHONPATH": str(src), "CBIS_HOME": str(cbis_home)}
        self.cbis = [sys.executable, "-m", "cbis"]

    def check_import(self) -> None:
        """Make sure PYTHONPATH wins over the venv's editable install of cbis."""
        probe = [sys.executable, "-c", "import cbis; print(cbis.__file__)"]
        found = run_checked(probe, self.env, f"{self.name}: import")
        if not Path(found.stdout.strip()).resolve().is_relative_to(self.src.resolve()):
            raise SystemExit(f"{self.name}: imported cbis from {found.stdout.strip()}, not from {self.src}")

    def index(self, corpus: Path, case_dir: Path) -> tuple[float, int, str]:
        """A fresh case, then `cbis index` into it; (wall seconds of the index subprocess, images indexed, line)."""
        shutil.rmtree(case_dir, ignore_errors=True)
        new_case = [*self.cbis, "case", "new", str(case_dir), "--number", "BENCH-COMPARE", "--examiner", "bench"]
        run_checked(new_case, self.env, f"{self.name}: cbis case new")
        command = [*self.cbis, "index", str(corpus), "--case", str(case_dir)]
        started = time.perf_counter()
        result = run_checked(command, self.env, f"{self.name}: cbis index")
        seconds = time.perf_counter() - started
        line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        match = SUMMARY.search(result.stdout)
        if not match:
            raise SystemExit(f"{self.name}: no 'indexed N images' in cbis index's output:\n{result.stdout[-2000:]}")
        return seconds, int(match.group(1)), line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=DEFAULT_BASE, help="commit-ish to compare the working tree with")
    parser.add_argument("--count", type=int, default=400, help="images in the corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    if not SAMPLES.is_dir():
        raise SystemExit(f"the bench builds its corpus from {SAMPLES}, which is missing")
    if args.count < 1 or args.rounds < 1:
        raise SystemExit("--count and --rounds must be at least 1")
    try:
        base_commit = git("rev-parse", "--verify", f"{args.base}^{{commit}}")
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"--base {args.base}: not a commit ({error.stderr.strip()})") from None
    head = git("rev-parse", "--short", "HEAD")
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"python {platform.python_version()} ({sys.executable}), {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"base: {args.base} = {base_commit[:12]}; new: working tree at {head}{dirty}")
    corpus = workdir / "corpus-compare"
    build_corpus(corpus, args.count)
    warm_up_corpus = workdir / "corpus-compare-warm-up"
    build_corpus(warm_up_corpus, WARM_UP_COUNT)
    print(f"corpus: {args.count} full-size camera JPEGs made distinct from {len(FULL_SIZE)} samples")
    cbis_home = Path(os.environ.get("CBIS_HOME") or workdir / "cbis-home")
    cases = workdir / "cases-compare"

    scratch = Path(tempfile.mkdtemp(prefix="base-", dir=workdir))
    tree = scratch / "tree"
    try:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), base_commit], check=True
        )
        sides = [Side("base", tree / "src", cbis_home), Side("new", REPO / "src", cbis_home)]
        for side in sides:
            side.check_import()
            seconds, _, _ = side.index(warm_up_corpus, cases / f"warm-up-{side.name}")
            print(f"warm-up {side.name}: {WARM_UP_COUNT} images in {seconds:.1f} s (CBIS_HOME={cbis_home})")

        rates: dict[str, list[float]] = {side.name: [] for side in sides}
        for round_number in range(1, args.rounds + 1):
            order = sides if round_number % 2 else sides[::-1]
            figures = []
            for side in order:
                seconds, images, line = side.index(corpus, cases / f"{side.name}-{round_number}")
                if images != args.count:
                    print(f"  note: {side.name} indexed {images} of {args.count} images ({line})")
                rate = images / seconds
                rates[side.name].append(rate)
                figures.append(f"{side.name} {rate:6.1f} img/s ({images} in {seconds:5.1f} s)")
            print(f"round {round_number}: " + ", ".join(figures))
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)

    base_rate, new_rate = statistics.median(rates["base"]), statistics.median(rates["new"])
    ratio = new_rate / base_rate
    print(f"median over {args.rounds} round(s): base {base_rate:.1f} img/s, new {new_rate:.1f} img/s")
    print(f"ratio new/base: {ratio:.3f}; within 5% (new at least 0.95 x base): {'yes' if ratio >= 0.95 else 'no'}")


if __name__ == "__main__":
    main()
