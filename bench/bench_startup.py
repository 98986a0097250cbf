"""Start-up of `cbis` commands, a base commit against the working tree, side by side in one run (issue 19: begin
work within 0.5 s).

Each side runs as `python -m cbis` with PYTHONPATH set to its own `src/` (the base checked out with `git worktree
add --detach` in a temporary directory, removed at the end), on the same small case (the bundled sample evidence,
indexed without the model). Every command is timed wall-clock, start-up included, REPEATS times per side with the
sides alternating; it prints the median and the best per command and side, and the ratio new/base.

Usage: python bench/bench_startup.py [--base 8ece863] [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BASE = "8ece863"  # the last commit before the CLI imported its services lazily


def commands(case: Path) -> dict[str, list[str]]:
    return {
        "cbis --help": ["--help"],
        "cbis index --help": ["index", "--help"],
        "cbis search": ["search", "--case", str(case), "--limit", "5"],
        "cbis case info": ["case", "info", "--case", str(case)],
        "cbis report refused": ["report", "--case", str(case)],  # exits at once: no format chosen
    }


def byte_compile(src: Path) -> None:
    """Compile `src`'s modules to bytecode, as `pip install` leaves an installed copy. Where PYTHONDONTWRITEBYTECODE
    is set (it is on the development machines) every run would otherwise compile cbis from source: about 0.1 s of
    each figure that no installed cbis pays. The __pycache__ folders it writes are ignored by git."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, capture_output=True)


def run(src: Path, args: list[str], home: Path, *, check: bool = False) -> float:
    """The wall time of `cbis ARGS` in a subprocess; with `check`, only once it has succeeded."""
    env = {**os.environ, "PYTHONPATH": str(src), "CBIS_HOME": str(home), "CBIS_CASE": ""}
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "cbis", *args], env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    assert not check or completed.returncode == 0, completed.stderr.decode(errors="replace")[-2000:]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=DEFAULT_BASE)
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cbis-bench-startup-"))
    base_tree = work / "base"
    try:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(base_tree), options.base],
            check=True,
            capture_output=True,
        )
        sides = {"base": base_tree / "src", "new": REPO / "src"}
        for src in sides.values():
            byte_compile(src)
        evidence, case, home = work / "evidence", work / "case", work / "home"
        shutil.copytree(REPO / "examples" / "evidence", evidence)
        env = {**os.environ, "PYTHONPATH": str(sides["new"]), "CBIS_HOME": str(home)}
        cbis = [sys.executable, "-m", "cbis"]
        subprocess.run(
            [*cbis, "case", "new", str(case), "--number", "BENCH", "--examiner", "bench"],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*cbis, "index", str(evidence), "--case", str(case), "--no-classify"],
            env=env,
            check=True,
            capture_output=True,
        )
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; base {options.base} against the working "
            f"tree; {options.repeats} runs per command and side, alternating"
        )
        print(f"{'command':24} {'base median':>12} {'new median':>11} {'new best':>9} {'ratio':>6}")
        for name, args in commands(case).items():
            times: dict[str, list[float]] = {"base": [], "new": []}
            for repeat in range(options.repeats):
                order = ("base", "new") if repeat % 2 == 0 else ("new", "base")
                for side in order:
                    times[side].append(run(sides[side], args, home))
            base, new = statistics.median(times["base"]), statistics.median(times["new"])
            print(f"{name:24} {base:11.3f}s {new:10.3f}s {min(times['new']):8.3f}s {new / base:6.2f}")
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(base_tree)], check=False, capture_output=True
        )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
