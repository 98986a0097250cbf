"""A bounded, ordered worker pool whose jobs have a time limit.

concurrent.futures can't give up on a job: a decoder stuck on a hostile file (or a read hanging on a failing
disk) would stall the run, and its thread would block interpreter exit. Here each job has a time limit on its
working time (cbis.ingest.jobclock: from when it starts, less its waits for shared resources); a job past it is
reported as timed out, what it holds that others need is released, its thread is abandoned (daemon: it can't
keep the process alive) and a fresh thread takes its place, so the run goes on at full width.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cbis.ingest.jobclock import JobClock, running

T = TypeVar("T")
POLL_SECONDS = 0.05


@dataclass
class Job(Generic[T]):
    function: Callable[..., T]
    args: tuple[Any, ...]
    future: Future[T] = field(default_factory=Future)
    clock: JobClock = field(default_factory=JobClock)


@dataclass(frozen=True)
class TimedOut:
    """Stands in for the result of a job that ran past its time limit."""

    args: tuple[Any, ...]
    seconds: float


class WorkerPool:
    def __init__(self, workers: int, name: str = "cbis-worker") -> None:
        self._jobs: queue.SimpleQueue[Job[Any] | None] = queue.SimpleQueue()
        self._name = name
        self._count = 0
        self._workers = workers
        for _ in range(workers):
            self._start_thread()

    def _start_thread(self) -> None:
        self._count += 1
        threading.Thread(target=self._work, name=f"{self._name}-{self._count}", daemon=True).start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if not job.future.set_running_or_notify_cancel():
                continue
            with running(job.clock):
                try:
                    job.future.set_result(job.function(*job.args))
                except BaseException as exc:  # handed to the consumer, who decides
                    job.future.set_exception(exc)

    def submit(self, function: Callable[..., T], *args: Any) -> Job[T]:
        job: Job[T] = Job(function, args)
        self._jobs.put(job)
        return job

    def shutdown(self) -> None:
        for _ in range(self._workers):
            self._jobs.put(None)

    def _result(self, job: Job[T], time_limit: float | None) -> T | TimedOut:
        while True:
            try:
                return job.future.result(timeout=POLL_SECONDS)
            except TimeoutError:
                if time_limit is None or not job.clock.started:
                    continue
                seconds = job.clock.elapsed()
                if seconds > time_limit:
                    job.clock.abandon()
                    self._start_thread()  # replaces the thread left behind on the stuck job
                    return TimedOut(job.args, seconds)

    def map_ordered(
        self, jobs: Iterable[tuple[Callable[..., T], tuple[Any, ...]]], *, window: int, time_limit: float | None
    ) -> Iterator[T | TimedOut]:
        """Results in submission order, never more than `window` jobs ahead of the consumer."""
        pending: deque[Job[T]] = deque()
        try:
            for function, args in jobs:
                pending.append(self.submit(function, *args))
                if len(pending) >= window:
                    yield self._result(pending.popleft(), time_limit)
            while pending:
                yield self._result(pending.popleft(), time_limit)
        finally:
            for job in pending:
                job.future.cancel()
