"""Failed-login limits for the viewer, in this process: no extra dependency, no state in the case.

At most `limit` failures per `window_s` seconds for each remote address and for each user name tried; the next
attempt is refused (429, Retry-After) without checking the password until the oldest failure leaves the window.
Successful logins do not clear failures: an attacker who holds one account cannot use it to keep guessing others.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

KEY_MAX_CHARS = 128


class FailedLoginLimiter:
    def __init__(self, limit: int = 5, window_s: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], deque[float]] = {}

    @staticmethod
    def _keys(remote_addr: str, username: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("addr", remote_addr[:KEY_MAX_CHARS]), ("user", username.casefold()[:KEY_MAX_CHARS])

    def _prune(self, now: float) -> None:
        horizon = now - self.window_s
        for key in list(self._failures):
            times = self._failures[key]
            while times and times[0] <= horizon:
                times.popleft()
            if not times:
                del self._failures[key]

    def retry_after(self, remote_addr: str, username: str) -> int:
        """Seconds to wait before this address may try this user name again; 0 when it may try now."""
        with self._lock:
            now = self._clock()
            self._prune(now)
            wait = 0.0
            for key in self._keys(remote_addr, username):
                times = self._failures.get(key)
                if times and len(times) >= self.limit:
                    wait = max(wait, times[-self.limit] + self.window_s - now)
            return max(1, math.ceil(wait)) if wait > 0 else 0

    def failed(self, remote_addr: str, username: str) -> None:
        with self._lock:
            now = self._clock()
            for key in self._keys(remote_addr, username):
                self._failures.setdefault(key, deque()).append(now)
