"""The defaults `cbis index` shows in its --help, in a module that imports nothing heavy: the CLI reads them at
start-up, before it knows whether the command will index anything (the indexer itself loads numpy, Pillow and
SQLAlchemy)."""

from __future__ import annotations

from cbis.cpus import usable_cpu_count

DEFAULT_MAX_PIXELS = 178_956_970  # Pillow's own bomb threshold: about 13,000 x 13,000
MAX_TOP_K = 20

# On CPU a LiteRT batch of 8-16 runs as fast per image as 32 or 64 (measured: 317-335 img/s at 8-16, 298-308
# at 32), while the interpreter's buffers grow with the batch: peak RSS of a 500-image index was 250 MB at 8,
# 360 MB at 16 and 585 MB at 32, all at the same speed. 16 keeps a many-core CPU's threads busy within a batch;
# a GPU wants larger batches (--batch-size).
DEFAULT_BATCH_SIZE = 16


def default_workers() -> int:
    # The CPUs this process may use (a container's or taskset's share), not the host's: more reading threads than
    # CPUs only take turns.
    return max(1, min(8, usable_cpu_count()))
