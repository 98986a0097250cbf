"""How many CPUs cbis may use: a leaf module (the CLI's --help defaults and the inference back ends ask it)."""

from __future__ import annotations

import os


def usable_cpu_count() -> int:
    """CPUs this process may run on (a container's or taskset's limit, not the host's core count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
