"""`cbis search`: filters over the case, through the db layer's shared query."""

from __future__ import annotations

from sqlalchemy import Connection

from cbis.db import queries
from cbis.db.queries import ModelRef, SearchFilters, SearchHit
from cbis.errors import UsageError
from cbis.services.cases import Case

HASH_LENGTHS = {32: "MD5", 40: "SHA-1", 64: "SHA-256"}


def select_model(connection: Connection, name: str | None) -> ModelRef | None:
    """The named model's most recent use in this case, or the case's most recent model."""
    if name is None:
        return queries.most_recent_model(connection)
    matches = queries.models_named(connection, name)
    if not matches:
        raise UsageError(f"no predictions from model {name!r} in this case; index with `--model {name}` first")
    return matches[0]


def validate_filters(filters: SearchFilters) -> None:
    if filters.hash is not None:
        digest = filters.hash.strip().lower()
        if len(digest) not in HASH_LENGTHS or any(c not in "0123456789abcdef" for c in digest):
            raise UsageError("--hash takes a hex MD5 (32 characters), SHA-1 (40) or SHA-256 (64) digest")
    if filters.min_score is not None and not 0.0 <= filters.min_score <= 1.0:
        raise UsageError("--min-score is a probability between 0 and 1")
    for name, value in (("--from", filters.date_from), ("--to", filters.date_to)):
        if value is not None and not _looks_like_iso_prefix(value):
            raise UsageError(f"{name} takes a date like 2024-05-31 or 2024-05-31T13:45")


def _looks_like_iso_prefix(value: str) -> bool:
    template = "0000-00-00T00:00:00"
    if not 4 <= len(value) <= len(template):
        return False
    return all((t == "0" and c.isdigit()) or (t != "0" and c == t) for c, t in zip(value, template, strict=False))


def search_case(
    case: Case,
    filters: SearchFilters,
    *,
    model_name: str | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: str = "path",
) -> tuple[list[SearchHit], ModelRef | None]:
    validate_filters(filters)
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    if sort not in queries.SORTS:
        raise UsageError(f"--sort takes one of: {', '.join(queries.SORTS)}")
    with case.engine.connect() as connection:
        model = select_model(connection, model_name)
        filters.model_id = model.id if model else None
        hits = queries.search(connection, filters, limit=limit, offset=offset, sort=sort, with_predictions=True)
    return hits, model
