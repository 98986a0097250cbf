"""The SQL of hash sets: imported sets and their entries (writes), matches of the case's files (idempotent: one
row per file and set, whoever finds it), and the reads that list them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, and_, cast, exists, func, insert, literal, select, update

from cbis.db import store
from cbis.db.engine import streamed
from cbis.db.models import File, HashSet, HashSetEntry, HashSetMatch

DIGEST_COLUMNS = {"sha256": File.sha256, "sha1": File.sha1, "md5": File.md5}  # most specific first


@dataclass(frozen=True)
class HashSetRow:
    id: int
    name: str
    kind: str
    format: str
    path: str
    file_size: int
    file_sha256: str
    version: str | None
    imported_at: str
    entry_count: int
    matches: int = 0


@dataclass(frozen=True)
class FileHashSetHit:
    """A file's match in one set, as search, the viewer and reports show it."""

    set_name: str
    kind: str
    category: str | None
    algorithm: str


def set_by_name(connection: Connection, name: str) -> HashSetRow | None:
    row = connection.execute(select(HashSet.__table__).where(HashSet.name == name)).mappings().one_or_none()
    return None if row is None else HashSetRow(**row)


def create_set(connection: Connection, **values: Any) -> int:
    return int(connection.execute(insert(HashSet).values(**values)).inserted_primary_key[0])


def insert_entries(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """One batch of a set's entries (executemany on SQLite, COPY on PostgreSQL)."""
    if rows:
        store._insert_many(connection, HashSetEntry.__table__, rows)


def finish_set(connection: Connection, set_id: int, count: int, version: str | None) -> None:
    """What is known of a set once its file has been read: its entries (or RDS rows), the version it states."""
    connection.execute(update(HashSet).where(HashSet.id == set_id).values(entry_count=count, version=version))


def list_sets(connection: Connection) -> list[HashSetRow]:
    counts = select(HashSetMatch.set_id, func.count().label("matches")).group_by(HashSetMatch.set_id).subquery("counts")
    rows = connection.execute(
        select(HashSet.__table__, func.coalesce(counts.c.matches, 0).label("matches"))
        .outerjoin(counts, counts.c.set_id == HashSet.id)
        .order_by(HashSet.id)
    ).mappings()
    return [HashSetRow(**row) for row in rows]


def _scope(run_id: int | None) -> list[Any]:
    """The files a match looks at: those a run wrote (first recorded by it), or every file."""
    return [] if run_id is None else [File.first_run_id == run_id]


def match_entries(
    connection: Connection, set_id: int, *, scope_run_id: int | None, run_id: int | None, now: str
) -> int:
    """Match files against a set stored in the case, by SHA-256, then SHA-1, then MD5; rows already there stay as
    they are. How many rows were added."""
    # Counted, not taken from rowcount: an INSERT ... SELECT's rowcount is not reliable through every driver.
    held = select(func.count()).select_from(HashSetMatch).where(HashSetMatch.set_id == set_id)
    before = connection.execute(held).scalar_one()
    for algorithm, column in DIGEST_COLUMNS.items():
        already = exists(
            select(HashSetMatch.file_id).where(HashSetMatch.file_id == File.id, HashSetMatch.set_id == set_id)
        )
        found = (
            select(
                File.id,
                cast(literal(set_id, Integer), Integer),
                literal(algorithm),
                func.min(HashSetEntry.category),
                cast(literal(run_id, Integer), Integer),
                literal(now),
            )
            .join(
                HashSetEntry,
                and_(HashSetEntry.algorithm == algorithm, HashSetEntry.digest == column, HashSetEntry.set_id == set_id),
            )
            .where(*_scope(scope_run_id), ~already)
            .group_by(File.id)
        )
        connection.execute(
            insert(HashSetMatch).from_select(
                ["file_id", "set_id", "algorithm", "category", "run_id", "matched_at"], found
            )
        )
    return connection.execute(held).scalar_one() - before


def file_hashes(connection: Connection, scope_run_id: int | None, chunk: int = 2000) -> Iterator[list[Any]]:
    """(id, sha256, sha1, md5) of the files in scope, in chunks by id: a set queried outside the case (NSRL RDS)
    is given the case's digests a chunk at a time."""
    after = 0
    while True:
        rows = connection.execute(
            select(File.id, File.sha256, File.sha1, File.md5)
            .where(*_scope(scope_run_id), File.id > after, File.sha256.is_not(None))
            .order_by(File.id)
            .limit(chunk)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def insert_matches(connection: Connection, set_id: int, found: Sequence[dict[str, Any]]) -> int:
    """Add matches found outside the case's own tables, leaving those already recorded; how many were added."""
    if not found:
        return 0
    held = set(
        connection.execute(
            select(HashSetMatch.file_id).where(
                HashSetMatch.set_id == set_id, HashSetMatch.file_id.in_([row["file_id"] for row in found])
            )
        ).scalars()
    )
    new = [{"set_id": set_id, **row} for row in found if row["file_id"] not in held]
    if new:
        connection.execute(insert(HashSetMatch), new)
    return len(new)


def matches_of(connection: Connection, file_ids: Sequence[int]) -> dict[int, list[FileHashSetHit]]:
    """Each file's hash-set matches, notable sets first."""
    hits: dict[int, list[FileHashSetHit]] = {}
    for start in range(0, len(file_ids), 500):
        rows = connection.execute(
            select(HashSetMatch.file_id, HashSet.name, HashSet.kind, HashSetMatch.category, HashSetMatch.algorithm)
            .join(HashSet, HashSet.id == HashSetMatch.set_id)
            .where(HashSetMatch.file_id.in_(list(file_ids[start : start + 500])))
        )
        # Notable first, then by name in byte order (as on SQLite, whatever PostgreSQL's collation).
        for file_id, name, kind, category, algorithm in sorted(
            rows, key=lambda r: (r[0], r[2] != "notable", r[1].encode())
        ):
            hits.setdefault(file_id, []).append(FileHashSetHit(name, kind, category, algorithm))
    return hits


def matched_files(connection: Connection, kind: str) -> list[tuple[str, int]]:
    """(set name, files matched) for each set of this kind with matches, and the distinct files over all of them
    as the last pair ("", n)."""
    per_set = connection.execute(
        select(HashSet.name, func.count(HashSetMatch.file_id))
        .join(HashSetMatch, HashSetMatch.set_id == HashSet.id)
        .where(HashSet.kind == kind)
        .group_by(HashSet.id, HashSet.name)
    ).all()
    per_set = sorted(per_set, key=lambda pair: pair[0].encode())  # byte order, as on SQLite, whatever the collation
    distinct = connection.execute(
        select(func.count(func.distinct(HashSetMatch.file_id)))
        .join(HashSet, HashSet.id == HashSetMatch.set_id)
        .where(HashSet.kind == kind)
    ).scalar_one()
    return [*((name, count) for name, count in per_set), ("", distinct)]


def matching_ids(*, kind: str) -> Any:
    """The ids of the files matching a set of this kind (a subquery)."""
    return select(HashSetMatch.file_id).join(HashSet, HashSet.id == HashSetMatch.set_id).where(HashSet.kind == kind)


def any_match(connection: Connection, kind: str) -> bool:
    """Whether any file matches a set of this kind."""
    return bool(connection.execute(select(exists(matching_ids(kind=kind)))).scalar())


def match_condition(*, kind: str | None = None, set_name: str | None = None) -> Any:
    """EXISTS: the file matches a set of this kind, or the set of this name (for search filters)."""
    query = select(HashSetMatch.file_id).join(HashSet, HashSet.id == HashSetMatch.set_id)
    query = query.where(HashSetMatch.file_id == File.id)
    if kind is not None:
        query = query.where(HashSet.kind == kind)
    if set_name is not None:
        query = query.where(HashSet.name == set_name)
    return exists(query)


def report_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    from cbis.db.models import Evidence
    from cbis.db.queries import byte_order

    query = (
        select(
            Evidence.root.label("evidence"),
            File.path,
            File.sha256,
            HashSet.name.label("hash_set"),
            HashSet.kind,
            HashSetMatch.algorithm,
            HashSetMatch.category,
            HashSet.file_sha256.label("hash_set_sha256"),
            HashSetMatch.run_id.label("matched_by_run"),
            HashSetMatch.matched_at,
        )
        .join(File, File.id == HashSetMatch.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .join(HashSet, HashSet.id == HashSetMatch.set_id)
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id, byte_order(HashSet.name))
    )
    yield from streamed(connection, query)
