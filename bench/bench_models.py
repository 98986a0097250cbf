"""Images per second of each available classifier on each backend, side by side in one run.

    .venv/bin/python bench/bench_models.py [--batch-size 32] [--seconds 8] [--models NAME ...] [--backends NAME ...]

Inputs are pre-decoded random batches, so only the network is timed (no decode, no preprocessing); two warm-up
batches per model and backend are excluded. Figures vary 10-30% run to run on a shared machine: compare the ratios
within one run. Converted weights and compiled models go to the usual cache (``$CBIS_HOME/models`` if set), so the
first run also pays for conversion, outside the timed part.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from cbis.errors import CbisError
from cbis.model.backends import BACKENDS, tensorflow_sees_gpu, usable_cpu_count
from cbis.model.registry import list_models, load_classifier

_WARM_UP_BATCHES = 2


def images_per_second(name: str, backend: str, batch_size: int, seconds: float) -> tuple[float, str]:
    classifier = load_classifier(name, backend=backend)
    rng = np.random.default_rng(0)
    size = classifier.input_size
    batch = rng.uniform(-1.0, 1.0, (batch_size, size, size, 3)).astype(np.float32)
    for _ in range(_WARM_UP_BATCHES):
        classifier.classify_and_embed(batch)
    batches = 0
    started = time.perf_counter()
    while True:
        classifier.classify_and_embed(batch)
        batches += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and batches >= 3:
            return batches * batch_size / elapsed, classifier.provenance.backend


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0, help="timed seconds per model and backend")
    parser.add_argument("--models", nargs="*", help="default: every available model")
    parser.add_argument("--backends", nargs="*", default=list(BACKENDS), choices=BACKENDS)
    args = parser.parse_args()

    statuses = {status.name: status for status in list_models()}
    names = args.models or [name for name, status in statuses.items() if status.available]
    for name, status in statuses.items():
        if not status.available:
            print(f"skipping {name}: {status.reason}", file=sys.stderr)
    print(
        f"{usable_cpu_count()} usable CPUs (os.cpu_count() = {os.cpu_count()}), GPU seen by TensorFlow: "
        f"{tensorflow_sees_gpu()}, batch {args.batch_size}, {args.seconds:g} s per cell"
    )
    results: dict[tuple[str, str], str] = {}
    for name in names:
        for backend in args.backends:
            try:
                rate, ran_on = images_per_second(name, backend, args.batch_size, args.seconds)
                results[(name, backend)] = f"{rate:.1f}"
                print(f"  {name:<20} {ran_on:<12} {rate:7.1f} img/s", file=sys.stderr)
            except CbisError as exc:
                results[(name, backend)] = "n/a"
                print(f"  {name:<20} {backend:<12} unavailable: {exc}", file=sys.stderr)

    header = f"{'model':<20}" + "".join(f"{backend:>14}" for backend in args.backends)
    print(header)
    print("-" * len(header))
    for name in names:
        print(f"{name:<20}" + "".join(f"{results[(name, backend)]:>14}" for backend in args.backends))
    print("(img/s, model only, pre-decoded batches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
