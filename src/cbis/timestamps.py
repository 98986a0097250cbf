"""The one form of a moment that a case stores: UTC, ISO 8601, to the microsecond, ending in Z.

One form, so that stored times sort and compare as text (the login limit compares them in SQL) and a report
quotes every time alike: 2026-12-03T09:15:02.123456Z. File times keep their nanoseconds in integer columns
beside (`mtime_ns`); the text is for people and reports.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime) -> str:
    """`moment` (aware; naive is taken as UTC) in the stored form."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def utc_now() -> str:
    return utc_text(datetime.now(UTC))


def from_ns(ns: int) -> str:
    """A file time in nanoseconds since the epoch (os.stat_result.st_*time_ns), in the stored form."""
    seconds, remainder = divmod(ns, 1_000_000_000)
    return utc_text(datetime.fromtimestamp(seconds, UTC).replace(microsecond=remainder // 1000))
