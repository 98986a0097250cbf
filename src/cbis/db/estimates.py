"""Counts within a time budget: exact when the database answers in time, else an estimate from a sample of the
case, labelled as one with its margin.

An exact count reads every file a filter keeps, so it grows with the case: a broad filter (label=dog, a minimum
score) costs half a second at 300,000 files on SQLite, and the viewer counts on every gallery and image page. The
viewer asks for the count within a budget (`count_within`); when the database does not answer in time, the
statement is stopped (SQLite's progress handler, PostgreSQL's statement_timeout) and the count is estimated from
evenly spread blocks of file ids, the filter tested file by file there as a page does. The estimate's margin comes
from how much the blocks disagree (files arrive in walk order, so one phone's pictures sit together: the blocks
are clusters, not independent files). The examiner sees "about", the margin, and a link to the exact count.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, case, func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased

from cbis.db import freshness, queries
from cbis.db.models import Exif, File
from cbis.db.queries import SearchFilters

# The viewer's budget for a page's exact counts: its other reads take tens of milliseconds and an estimate up to
# about 80 (a label probed on 10,000 files), which keeps a page under the 300 ms the scale issue asks for.
VIEWER_BUDGET_S = 0.1
SAMPLE_BLOCKS = 50
SAMPLE_FILES = 10_000  # in all, spread over SAMPLE_BLOCKS blocks of consecutive ids (about ±2% of a count)
_PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock (a call into Python each)

T = TypeVar("T")


class OverBudget(Exception):
    """A statement ran past its time budget and was stopped."""


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool = True
    margin: int = 0  # an estimate's 95% margin, in files (value ± margin)
    sampled: int = 0  # files an estimate looked at
    of: int = 0  # files in the case when it was estimated


@contextmanager
def time_limit(connection: Connection, seconds: float) -> Iterator[None]:
    """Statements run inside are stopped once `seconds` have passed, raising OverBudget; the connection and its
    transaction stay usable (on PostgreSQL the statements run in a savepoint, rolled back when stopped)."""
    if connection.dialect.name == "postgresql":
        with _postgresql_limit(connection, seconds):
            yield
        return
    raw = connection.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        yield  # a database cbis does not stop: the statement runs to its end
        return
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
    try:
        yield
    except OperationalError as error:
        if isinstance(error.orig, sqlite3.OperationalError) and "interrupted" in str(error.orig):
            raise OverBudget(f"stopped after {seconds:.3f} s") from error
        raise
    finally:
        raw.set_progress_handler(None, 0)


@contextmanager
def _postgresql_limit(connection: Connection, seconds: float) -> Iterator[None]:
    previous = connection.exec_driver_sql("SELECT current_setting('statement_timeout')").scalar_one()
    try:
        with connection.begin_nested():
            # SET LOCAL ends with the transaction, or with the savepoint when that is rolled back.
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, math.ceil(seconds * 1000))}")
            yield
            connection.execute(select(func.set_config("statement_timeout", previous, True)))
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == "57014":  # query_canceled
            raise OverBudget(f"stopped after {seconds:.3f} s") from error
        raise


def within(connection: Connection, seconds: float, call: Callable[[], T]) -> T | None:
    """`call()`'s result, or None when it ran past `seconds` (and was stopped)."""
    if seconds <= 0:
        return None
    try:
        with time_limit(connection, seconds):
            return call()
    except OverBudget:
        return None


def page_within(connection: Connection, key: Hashable, offset: int, seconds: float, call: Callable[[], T]) -> T | None:
    """`call()`, a page by number `offset` rows down the list `key` names, if it answers within `seconds`; else
    None. A list whose page ran past its time at some depth is not tried again at that depth or deeper while the
    case is unchanged (db/freshness.py): the page is found from the sample at once instead of after `seconds`
    more, on every request (PostgreSQL, 300k: a deep make=Canon page spent its 0.1 s on per-root counts each
    time before giving up)."""
    token = freshness.state_token(connection)
    over = freshness.peek(connection, ("page over", key), token)
    if over is not None and offset >= over:
        return None
    found = within(connection, seconds, call)
    if found is None:
        freshness.keep(connection, ("page over", key), offset, token)
    return found


class Budget:
    """Time for exact counts, shared by the counts of one page: each gets what the ones before it left, and past
    it counts are estimated. `exact`: no limit (the examiner asked for exact counts)."""

    def __init__(self, seconds: float, *, exact: bool = False, sample_files: int = SAMPLE_FILES) -> None:
        self.exact, self.sample_files = exact, sample_files
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def count(self, connection: Connection, filters: SearchFilters, *extra: Any, at_least: float = 0.0) -> Count:
        """Exact within what is left of the budget, or `at_least` seconds (a count of few files that should not
        be estimated only because a broad count before it spent the budget).

        The filters' count is kept on the connection while the case is unchanged (db/freshness.py): paging
        through a list, or previous and next from its images, counts it once. An exact count once made is given
        from then on; an estimate is given again without trying the exact count first (it took too long)."""
        if extra:  # SQL terms have no stable key: counted each time
            return self._count(connection, filters, *extra, at_least=at_least)
        key = ("count", repr(filters), self.sample_files)
        before = freshness.state_token(connection)
        for kind in ("exact",) if self.exact else ("exact", "estimate"):
            if (kept := freshness.peek(connection, (*key, kind), before)) is not None:
                return kept
        found = self._count(connection, filters, at_least=at_least)
        freshness.keep(connection, (*key, "exact" if found.exact else "estimate"), found, before)
        return found

    def _count(self, connection: Connection, filters: SearchFilters, *extra: Any, at_least: float) -> Count:
        if self.exact:
            return Count(queries.count(connection, filters, *extra))
        seconds = max(self.left(), at_least)
        return count_within(connection, filters, seconds, *extra, sample_files=self.sample_files)

    def within(self, connection: Connection, call: Callable[[], T]) -> T | None:
        """`call()` if it answers within what is left, else None; always when exact, and in a case small enough
        to read whole (no sample of it: as an estimate would be exact there, so is this, however busy the
        machine)."""
        if self.exact or _sample(connection, self.sample_files) is None:
            return call()
        return within(connection, self.left(), call)


def count_within(
    connection: Connection, filters: SearchFilters, seconds: float, *extra: Any, sample_files: int = SAMPLE_FILES
) -> Count:
    """How many files the filters keep (and meet the `extra` terms, as `queries.count`): exact if the database
    counts them within `seconds`, else an estimate (`estimate`). A budget of 0 estimates straight away."""
    exact = within(connection, seconds, lambda: queries.count(connection, filters, *extra))
    return Count(exact) if exact is not None else estimate(connection, filters, *extra, sample_files=sample_files)


@dataclass(frozen=True)
class _Sample:
    low: int  # the lowest file id
    stride: int  # ids from one block's start to the next's
    block: int  # ids in each block
    starts: tuple[int, ...]

    @property
    def number(self) -> Any:
        """The block a file's id is in."""
        return (File.id - self.low) // self.stride

    @property
    def ranges(self) -> Any:
        return self.ranges_of(File.id)

    def ranges_of(self, column: Any) -> Any:
        return or_(*(column.between(start, start + self.block - 1) for start in self.starts))

    @property
    def members(self) -> Any:
        """The sample's files as a term that both databases read first (SQLite starts from any index on an equality
        rather than from ranges of ids; a file id IN a list it starts from)."""
        ids = aliased(File)
        return File.id.in_(select(ids.id).where(self.ranges_of(ids.id)))


def _sample(connection: Connection, sample_files: int) -> _Sample | None:
    """SAMPLE_BLOCKS blocks of consecutive ids, `sample_files` ids in all, spread evenly over the case's ids;
    None when they would be the whole case."""
    # Two statements: SQLite reads a lone min() or max() off the index's end, but scans the table for both at once.
    low = connection.execute(select(func.min(File.id))).scalar_one()
    high = connection.execute(select(func.max(File.id))).scalar_one()
    if low is None:
        return None
    span = high - low + 1
    block = max(1, sample_files // SAMPLE_BLOCKS)
    stride = max(block, span // SAMPLE_BLOCKS)
    if SAMPLE_BLOCKS * block >= span:
        return None
    return _Sample(low, stride, block, tuple(low + number * stride for number in range(SAMPLE_BLOCKS)))


def estimate(connection: Connection, filters: SearchFilters, *extra: Any, sample_files: int = SAMPLE_FILES) -> Count:
    """The count estimated from `sample_files` files, in SAMPLE_BLOCKS blocks of consecutive ids spread evenly
    over the case, the filters tested on each (a ratio estimate per block, its margin from the blocks' spread);
    exact when the sample would be the whole case."""
    model_id = queries.model_for(connection, filters)
    filters = queries.resolve(connection, filters, model_id)
    sample = _sample(connection, sample_files)
    if sample is None:  # a small case: count it
        return Count(queries.count(connection, filters, *extra))
    files = connection.execute(select(func.count()).select_from(File)).scalar_one()  # what the share is of
    number = sample.number.label("block")
    exif = queries.needs_exif(filters)
    terms = [*queries.conditions(filters, model_id), *extra]
    if connection.dialect.name != "postgresql":
        kept = select(func.count(), func.sum(case((and_(*terms), 1), else_=0))).select_from(File)
        kept = kept.outerjoin(Exif, Exif.file_id == File.id) if exif else kept
        rows = connection.execute(kept.where(sample.ranges).group_by(number)).all()
        return _ratio([(total, int(matched or 0)) for total, matched in rows], files)
    # PostgreSQL makes a filter's EXISTS inside a CASE a hashed subplan, reading every prediction the filter
    # matches (label=dog: 250 ms at 300k); in WHERE it probes the sampled files' own (90 ms). SQLite is the
    # other way round (the CASE: 37 ms, WHERE: 66 ms).
    totals = dict(connection.execute(select(number, func.count()).where(sample.ranges).group_by(number)).all())
    matching = select(number, func.count()).select_from(File)
    matching = matching.outerjoin(Exif, Exif.file_id == File.id) if exif else matching
    with _probing(connection):
        matched = dict(connection.execute(matching.where(sample.members, *terms).group_by(number)).all())
    return _ratio([(total, matched.get(block, 0)) for block, total in totals.items()], files)


def sampled_anchor(
    connection: Connection, filters: SearchFilters, sort: str, share: float, *, sample_files: int = SAMPLE_FILES
) -> int | None:
    """A file about `share` of the way down the filtered list in `sort` order, found from the sample: the files
    of the sample the filters keep, in the list's order, and the one at that share of them. A page listed right
    after it is about where the page at that share would be, without reading the files before it (a page by
    number deep in a large list: OFFSET reads every row it skips). None: the list's start, or no sample (a case
    small enough to read whole)."""
    model_id = queries.model_for(connection, filters)
    filters = queries.resolve(connection, filters, model_id)
    sample = _sample(connection, sample_files)
    if sample is None:
        return None
    with _probing(connection):
        ordered = queries.ordered_ids(connection, filters, model_id, sort, sample.members)
    place = math.floor(share * len(ordered))
    return ordered[place - 1] if place >= 1 else None


@contextmanager
def _probing(connection: Connection) -> Iterator[None]:
    """PostgreSQL plans the sample's ten thousand files as if each index probe read the disk (random_page_cost 4)
    and reads whole tables into hash joins instead (has_gps: 220 ms at 300k; 2019..2020: 420 ms). For the
    sample's statements, a probe costs about what a sequential read does (1.1: the case's pages cached, or an
    SSD): 75 and 100 ms. Restored after; SQLite plans without costs of this kind."""
    if connection.dialect.name != "postgresql":
        yield
        return
    previous = connection.exec_driver_sql("SELECT current_setting('random_page_cost')").scalar_one()
    connection.execute(select(func.set_config("random_page_cost", "1.1", True)))  # until the transaction ends
    yield
    # Not after an error: the transaction is then rolled back, and the setting with it.
    connection.execute(select(func.set_config("random_page_cost", previous, True)))


def _ratio(rows: list[Any], files: int) -> Count:
    sampled = sum(n for n, _ in rows)
    matched = sum(int(m or 0) for _, m in rows)
    if sampled == 0:
        return Count(0, exact=False, of=files)
    share = matched / sampled
    blocks = len(rows)
    spread = sum((int(m or 0) - share * n) ** 2 for n, m in rows)
    error = math.sqrt(blocks / (blocks - 1) * spread) / sampled if blocks > 1 else 1.0
    if matched == 0:
        error = max(error, 3.0 / sampled)  # none seen: up to 3 in `sampled` is as likely (the rule of three)
    return Count(round(share * files), exact=False, margin=math.ceil(1.96 * error * files), sampled=sampled, of=files)
