"""`cbis hashset import|list|match`, and the matching each index run does for the files it wrote.

A set is "known" (NSRL-style: operating-system and application files nobody needs to look at) or "notable"
(Project VIC, CAID or a list of material to look at first). A known file is known, never "good": it is hidden
from the gallery by default, not cleared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from cbis import hashsets as readers
from cbis.db import hashsets as db
from cbis.errors import HashSetError, UsageError
from cbis.hashsets import KINDS, SetInfo
from cbis.hashsets.nsrl_rds import RdsLookup, describe
from cbis.ingest._text import escape_unprintable
from cbis.services.cases import Case, utc_now

BATCH = 10_000  # entries written per executemany / COPY: memory stays flat whatever the set's size
MAX_NAME = 200


@dataclass
class ImportResult:
    name: str
    kind: str
    format: str
    entries: int
    file_sha256: str
    version: str | None
    matches: int


@dataclass
class MatchResult:
    added: dict[str, int] = field(default_factory=dict)  # set name -> new matches
    problems: list[str] = field(default_factory=list)  # sets that could not be matched, and why

    @property
    def total(self) -> int:
        return sum(self.added.values())


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise UsageError(f"a hash set's name is 1 to {MAX_NAME} printable characters")
    return name


def import_set(case: Case, name: str, path: Path, *, kind: str, format: str = "auto") -> ImportResult:
    """Read a set file into the case (an NSRL RDSv3 database: only its path, size and SHA-256), in one transaction
    so that a refused line leaves no half set, then match every file the case holds against it."""
    name = _check_name(name)
    if kind not in KINDS:
        raise UsageError(f"--kind takes one of: {', '.join(KINDS)}")
    if format not in readers.FORMATS:
        raise UsageError(f"--format takes one of: {', '.join(readers.FORMATS)}")
    if not path.is_file():
        raise HashSetError(f"hash set file not found (or not a file): {escape_unprintable(str(path))}")
    path = path.resolve()
    with case.engine.connect() as connection:
        existing = db.set_by_name(connection, name)
    if existing is not None:
        raise HashSetError(
            f"a hash set named {name!r} was imported at {existing.imported_at} (SHA-256 {existing.file_sha256}); "
            "choose another name"
        )
    reader = readers.detect(path, format)
    digest, size = readers.file_sha256(path)
    info = SetInfo()
    count = 0
    if reader.name == "nsrl-rds":
        info.version, count = describe(path)
    with case.engine.begin() as connection:
        set_id = db.create_set(
            connection,
            name=name,
            kind=kind,
            format=reader.name,
            path=escape_unprintable(str(path)),
            file_size=size,
            file_sha256=digest,
            version=None,
            imported_at=utc_now(),
            entry_count=count,
        )
        batch: list[dict[str, object]] = []
        for entry in reader.entries(path, info):
            batch.append(
                {
                    "set_id": set_id,
                    "algorithm": entry.algorithm,
                    "digest": entry.digest,
                    "file_name": _text(entry.file_name),
                    "category": _text(entry.category),
                    "source": _text(entry.source),
                }
            )
            if len(batch) >= BATCH:
                db.insert_entries(connection, batch)
                count += len(batch)
                batch = []
        db.insert_entries(connection, batch)
        count += len(batch)
        db.finish_set(connection, set_id, count, info.version)
    matched = match_sets(case.engine, names=[name])
    case.audit_outcome = (
        f"ok: imported hash set {name!r} ({kind}, {reader.name}{', ' + info.version if info.version else ''}): "
        f"{count} entries, file SHA-256 {digest}, {matched.total} files matched"
    )
    return ImportResult(name, kind, reader.name, count, digest, info.version, matched.total)


def _text(value: str | None) -> str | None:
    return None if value is None else escape_unprintable(value)


def match_sets(engine: Engine, *, run_id: int | None = None, names: list[str] | None = None) -> MatchResult:
    """Match files against every imported set (or the named ones): those run `run_id` wrote, else every file in the
    case. Idempotent: a file already matched to a set gains no second row. A set that cannot be searched (its NSRL
    database moved) is reported in `problems` and the others are still matched."""
    result = MatchResult()
    with engine.connect() as connection:
        sets = [s for s in db.list_sets(connection) if names is None or s.name in names]
    now = utc_now()
    for hash_set in sets:
        try:
            if hash_set.format == "nsrl-rds":
                added = _match_rds(engine, hash_set, run_id, now)
            else:
                with engine.begin() as connection:
                    added = db.match_entries(connection, hash_set.id, scope_run_id=run_id, run_id=run_id, now=now)
        except HashSetError as exc:
            result.problems.append(str(exc))
            continue
        result.added[hash_set.name] = added
    return result


def _match_rds(engine: Engine, hash_set: db.HashSetRow, run_id: int | None, now: str) -> int:
    path = Path(hash_set.path)
    where = f"hash set {hash_set.name!r}: its NSRL RDSv3 database"
    again = "move it back, or import it again from where it is now under another name"
    if not path.is_file():
        raise HashSetError(
            f"{where} is no longer at {hash_set.path} (imported {hash_set.imported_at}, SHA-256 "
            f"{hash_set.file_sha256}): {again}; its files were not matched"
        )
    if path.stat().st_size != hash_set.file_size:
        raise HashSetError(
            f"{where} at {hash_set.path} has changed since it was imported ({path.stat().st_size} bytes, then "
            f"{hash_set.file_size}; SHA-256 then {hash_set.file_sha256}): {again}; its files were not matched"
        )
    lookup = RdsLookup(path)
    added = 0
    try:
        with engine.connect() as reading:
            chunks = list(db.file_hashes(reading, run_id))
        for chunk in chunks:
            found: dict[int, dict[str, object]] = {}
            for position, algorithm in enumerate(("sha256", "sha1", "md5")):
                if algorithm not in lookup.algorithms:
                    continue
                wanted = [row for row in chunk if row[0] not in found and row[position + 1]]
                hits = lookup.find(algorithm, [row[position + 1] for row in wanted])
                for row in wanted:
                    hit = hits.get(row[position + 1])
                    if hit is not None:
                        found[row[0]] = {
                            "file_id": row[0],
                            "algorithm": algorithm,
                            "category": _text(hit[1]),
                            "run_id": run_id,
                            "matched_at": now,
                        }
            with engine.begin() as connection:
                added += db.insert_matches(connection, hash_set.id, list(found.values()))
    finally:
        lookup.close()
    return added


def list_sets(case: Case) -> list[db.HashSetRow]:
    with case.engine.connect() as connection:
        return db.list_sets(connection)


def match_case(case: Case) -> MatchResult:
    """`cbis hashset match`: every file against every set; refuses when there is no set at all."""
    with case.engine.connect() as connection:
        if not db.list_sets(connection):
            raise UsageError("this case has no hash sets: import one with `cbis hashset import NAME FILE --kind ...`")
    result = match_sets(case.engine)
    outcome = f"ok: {result.total} new matches ({', '.join(f'{k}: {v}' for k, v in result.added.items())})"
    if result.problems:
        outcome += "; not matched: " + "; ".join(result.problems)
    case.audit_outcome = outcome[:2000]
    return result
