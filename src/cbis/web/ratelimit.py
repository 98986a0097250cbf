"""Failed-login limits for the viewer: at most `limit` failures in `window_s` seconds per remote address and per
user name tried; the next attempt is refused (429, Retry-After) without checking the password until the oldest
of those failures leaves the window.

What counts, for each key:
- the failures recorded in the case (`recorded`: the access log's `login_failed` rows, written by every viewer
  process on the case, and kept across restarts), and
- the attempts of this process whose password is being checked right now. An attempt is reserved before its
  hash is verified, under one lock with the count, so twenty simultaneous wrong passwords get five checks, not
  twenty. Its failure is written to the case under the same lock, before the reservation is let go: no moment
  where it is counted twice or not at all.

Another process's attempts are seen once their failure is written: attempts checked at the same instant in two
`cbis serve` on one case can together exceed the limit, by at most the limit for each further process.

Successful logins do not clear failures: an attacker who holds one account cannot use it to keep guessing others.
A key found at the limit stays refused, without asking the case again, until its oldest counted failure leaves
the window (failures are never removed from the log before), so a flood of refused attempts costs no queries.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

Key = tuple[str, str]
# (remote address, user-name key, since) -> times (epoch seconds) of the failures recorded since then, for the
# address and for the user name, newest first; at most `limit` of each are needed.
RecordedFailures = Callable[[str, str, float], tuple[list[float], list[float]]]


def user_key(username: str) -> str:
    """User names are compared without case (ASCII letters only: account names are ASCII, and the case's
    database lowers only those the same way on every backend)."""
    return username.lower() if username.isascii() else username


@dataclass(frozen=True)
class Refused:
    retry_after: int  # seconds, at least 1


class Attempt:
    """A reserved attempt: it counts against its address and user name until `failed` records it as a failure
    or `release` lets it go (a successful login, or an error before the outcome was known)."""

    def __init__(self, limiter: FailedLoginLimiter, keys: tuple[Key, Key]) -> None:
        self._limiter = limiter
        self._keys = keys
        self._held = True

    def failed(self, record: Callable[[], None]) -> None:
        """Run `record` (write the failure to the case) under the limiter's lock, then release the reservation."""
        with self._limiter._lock:
            try:
                record()
            finally:
                self._release_locked()

    def release(self) -> None:
        with self._limiter._lock:
            self._release_locked()

    def _release_locked(self) -> None:
        if self._held:
            self._held = False
            self._limiter._in_flight.subtract(self._keys)
            for key in self._keys:
                if self._limiter._in_flight[key] <= 0:
                    del self._limiter._in_flight[key]


class FailedLoginLimiter:
    def __init__(
        self, limit: int, window_s: float, recorded: RecordedFailures, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._recorded = recorded
        self._clock = clock  # wall-clock seconds: the recorded failures carry UTC times
        self._lock = threading.Lock()
        self._in_flight: Counter[Key] = Counter()
        self._refused_until: dict[Key, float] = {}

    @staticmethod
    def keys(remote_addr: str, username: str) -> tuple[Key, Key]:
        return ("addr", remote_addr), ("user", user_key(username))

    def reserve(self, remote_addr: str, username: str) -> Attempt | Refused:
        """Reserve an attempt for this address and user name, or say how long to wait."""
        keys = self.keys(remote_addr, username)
        with self._lock:
            now = self._clock()
            for key, until in list(self._refused_until.items()):
                if until <= now:
                    del self._refused_until[key]
            known = max((self._refused_until.get(key, 0.0) for key in keys), default=0.0)
            if known > now:
                return Refused(max(1, math.ceil(known - now)))
            by_address, by_name = self._recorded(remote_addr, keys[1][1], now - self.window_s)
            wait = 0.0
            for key, times in zip(keys, (by_address, by_name), strict=True):
                if len(times) >= self.limit:  # refused on the case's record alone: remember until when
                    until = sorted(times)[-self.limit] + self.window_s
                    self._refused_until[key] = until
                    wait = max(wait, until - now)
                elif len(times) + self._in_flight[key] >= self.limit:
                    # Held by attempts being checked now: if they fail, they count from now.
                    counted = sorted(times) + [now] * self._in_flight[key]
                    wait = max(wait, counted[-self.limit] + self.window_s - now)
            if wait > 0:
                return Refused(max(1, math.ceil(wait)))
            self._in_flight.update(keys)
            return Attempt(self, keys)
