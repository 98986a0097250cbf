"""The clock behind --file-time-limit, and what a file's work holds when the run gives up on it.

A file's time limit is for its own reading and decoding. Time spent waiting its turn (for the truncation switch,
for a share of the decode memory budget) is the other files' work and is not counted: on a busy run good files
were recorded as timed out only because they queued behind one slow decode.

The worker pool gives each job a clock and makes it this thread's current one; code deep in the decoder marks
its waits with `waiting()` and registers what must be let go if the job is abandoned with `release_on_abandon`,
so an abandoned decode can never keep the rest of the run blocked behind it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_current = threading.local()


class JobClock:
    """Counts a job's working time: from its start, less the time it spent waiting for shared resources."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: float | None = None
        self._waited = 0.0
        self._waiting_since: float | None = None
        self._waits = 0  # nested waits count once
        self._on_abandon: dict[int, Callable[[], None]] = {}
        self._keys = 0
        self.abandoned = False

    def start(self) -> None:
        with self._lock:
            self._started = time.monotonic()

    @property
    def started(self) -> bool:
        return self._started is not None

    def elapsed(self) -> float:
        """Working seconds so far (0 before the job starts)."""
        with self._lock:
            if self._started is None:
                return 0.0
            now = time.monotonic()
            waiting = now - self._waiting_since if self._waiting_since is not None else 0.0
            return now - self._started - self._waited - waiting

    def begin_wait(self) -> None:
        with self._lock:
            self._waits += 1
            if self._waits == 1:
                self._waiting_since = time.monotonic()

    def end_wait(self) -> None:
        with self._lock:
            self._waits -= 1
            if self._waits == 0 and self._waiting_since is not None:
                self._waited += time.monotonic() - self._waiting_since
                self._waiting_since = None

    def add_release(self, release: Callable[[], None]) -> int:
        with self._lock:
            self._keys += 1
            self._on_abandon[self._keys] = release
            return self._keys

    def remove_release(self, key: int) -> None:
        with self._lock:
            self._on_abandon.pop(key, None)

    def abandon(self) -> None:
        """Called by the pool when it gives up on the job: lets go of whatever the job holds that others need."""
        with self._lock:
            self.abandoned = True
            releases = list(self._on_abandon.values())
            self._on_abandon.clear()
        for release in releases:
            release()


def current() -> JobClock | None:
    return getattr(_current, "clock", None)


@contextmanager
def running(clock: JobClock) -> Iterator[JobClock]:
    """Makes `clock` this thread's job clock and starts it, for the length of one job."""
    _current.clock = clock
    clock.start()
    try:
        yield clock
    finally:
        _current.clock = None


@contextmanager
def waiting() -> Iterator[None]:
    """Time inside is not counted against this thread's job (a no-op outside a timed job)."""
    clock = current()
    if clock is None:
        yield
        return
    clock.begin_wait()
    try:
        yield
    finally:
        clock.end_wait()


@contextmanager
def release_on_abandon(release: Callable[[], None]) -> Iterator[None]:
    """While inside, `release` is called if the pool abandons this thread's job (at most once, from the pool's
    thread). Outside a timed job it is never called."""
    clock = current()
    if clock is None:
        yield
        return
    key = clock.add_release(release)
    try:
        yield
    finally:
        clock.remove_release(key)


@contextmanager
def holding(release: Callable[[], None]) -> Iterator[None]:
    """Inside, this thread holds something other jobs wait for: `release` (which must be safe to call twice) runs
    when the block ends, or as soon as the pool abandons this thread's job, whichever comes first."""
    with release_on_abandon(release):
        try:
            yield
        finally:
            release()
