"""`cbis anomalies`: the case's files ranked by how much their metadata deserves a second look (cbis/anomalies.py
has the checks and their weights)."""

from __future__ import annotations

from collections.abc import Iterator

from cbis.anomalies import Anomaly, ranked
from cbis.db import anomalies as db
from cbis.errors import UsageError
from cbis.services.cases import Case

MAX_LIMIT = 2**63 - 1


def find_anomalies(case: Case, *, limit: int | None = None, min_score: float = 0.0) -> Iterator[Anomaly]:
    """Files with at least one reason and a score of at least `min_score`, highest first, ties by path. A generator:
    it reads the case while it is consumed (one pass for the ranking, then the ranked files by id in chunks)."""
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be between 1 and {MAX_LIMIT} (2^63 - 1)")
    if not min_score >= 0:  # also refuses NaN
        raise UsageError("--min-score is a score of 0 or more (the sum of a file's reasons' weights)")
    return _ranked(case, limit, min_score)


def _ranked(case: Case, limit: int | None, min_score: float) -> Iterator[Anomaly]:
    with case.engine.connect() as connection:
        yield from ranked(
            db.all_facts(connection),
            lambda ids: db.facts_by_id(connection, ids),
            limit=limit,
            min_score=min_score,
        )
