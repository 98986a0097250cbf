"""`make bench`: `cbis index` throughput with and without the ocr and faces analyzers, side by side, on one corpus.

The corpus is bench_index's distinct full-size camera JPEGs plus, by default, one rendered phone screenshot in
ten (a chat with a few messages, 1080x2340 PNG: what the OCR default reads), so the OCR figure is that of a phone's
pictures rather than of a camera card. Each configuration indexes the corpus into a fresh case as a subprocess
(start-up included); rounds alternate the order. Printed: the median img/s and peak RSS of each, the throughput
ratio to the base (imagenet + perceptual, the default before issue 18) and the issue's targets (faces cost at most
25% of throughput, OCR's default mode at most 50%). `--ocr all` is timed too, for scale; it has no target.

Usage: python bench/bench_analyzers.py [--count 300] [--screenshots 0.1] [--rounds 3] [--workdir bench/out]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_index import FULL_SIZE, SAMPLES, build_corpus, cbis_index

REPO = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"indexed (\d+) images")
BASE = "imagenet,perceptual"
CONFIGURATIONS = {
    "base (imagenet,perceptual)": ["--analyze", BASE],
    "+ faces": ["--analyze", f"{BASE},faces"],
    "+ ocr (auto)": ["--analyze", f"{BASE},ocr"],
    "+ ocr, faces (the default)": ["--analyze", f"{BASE},ocr,faces"],
    "+ ocr --ocr all": ["--analyze", f"{BASE},ocr", "--ocr", "all"],
}
TARGETS = {"+ faces": 0.75, "+ ocr (auto)": 0.5}


def add_screenshots(root: Path, count: int) -> None:
    from tests.analyzers.rendered import chat_screenshot

    folder = root / "Screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for n in range(count):
        chat_screenshot([f"Transfer {n} confirmed", "See you at the station", f"Order {4711 + n} shipped"]).save(
            folder / f"Screenshot_{n:05d}.png"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="camera JPEGs in the corpus")
    parser.add_argument("--screenshots", type=float, default=0.1, help="screenshots per camera JPEG")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    if not SAMPLES.is_dir():
        raise SystemExit(f"the bench builds its corpus from {SAMPLES}, which is missing")
    workdir = args.workdir.resolve()
    corpus = workdir / "corpus-analyzers"
    build_corpus(corpus / "camera", args.count)
    shots = round(args.count * args.screenshots)
    add_screenshots(corpus, shots)
    print(f"python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"corpus: {args.count} full-size camera JPEGs ({len(FULL_SIZE)} samples made distinct) + {shots} screenshots")
    cases = workdir / "cases-analyzers"
    warm = workdir / "warm-up"
    build_corpus(warm, 4)
    shutil.rmtree(cases / "warm", ignore_errors=True)
    cbis_index(warm, cases / "warm", "--analyze", f"{BASE},ocr,faces")  # model conversion, caches
    speeds: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
    memory: dict[str, list[int]] = {name: [] for name in CONFIGURATIONS}
    names = list(CONFIGURATIONS)
    for round_number in range(args.rounds):
        order = names if round_number % 2 == 0 else list(reversed(names))
        for name in order:
            case_dir = cases / re.sub(r"\W+", "-", name)
            shutil.rmtree(case_dir, ignore_errors=True)
            seconds, rss, out = cbis_index(corpus, case_dir, *CONFIGURATIONS[name])
            match = SUMMARY.search(out)
            if not match:
                raise SystemExit(f"{name}: no summary line in {out[-500:]}")
            images = int(match.group(1))
            speeds[name].append(images / seconds)
            memory[name].append(rss)
            print(f"round {round_number + 1}: {name:28} {images / seconds:7.1f} img/s  peak RSS {rss >> 20} MiB")
    base = statistics.median(speeds[names[0]])
    print()
    print(f"{'configuration':30} {'img/s':>8} {'ratio':>7} {'peak RSS':>9}  target")
    for name in names:
        median = statistics.median(speeds[name])
        target = TARGETS.get(name)
        verdict = "" if target is None else (f">= {target:.2f}: " + ("met" if median / base >= target else "MISSED"))
        print(f"{name:30} {median:8.1f} {median / base:7.2f} {max(memory[name]) >> 20:6} MiB  {verdict}")


if __name__ == "__main__":
    main()
