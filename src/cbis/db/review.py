"""The SQL of examiner review: categories, the append-only hash-chained review event log, the state its events
add up to, the conditions search filters by, pre-categories from hash sets, and the case's rollups.

A file's review state is never stored: it is what the file's events say, folded in id order (`fold`). Each event
records the value of its field before and after, so the log replays (`replay_problems` checks that every event's
`before_value` is what the events before it left), and it is chained by SHA-256 like the audit log
(`chain_problems`). The fields of a file are its category, its note, and each of its tags (`field_key`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exists, func, insert, select
from sqlalchemy.orm import aliased

from cbis.db.engine import REVIEW_LOCK_KEY, lock_serialised
from cbis.db.models import File, HashSet, HashSetMatch, ReviewCategory, ReviewEvent, ReviewRollup

GENESIS_HASH = "0" * 64
KINDS = ("category", "tag_add", "tag_remove", "note")
TAG_KINDS = ("tag_add", "tag_remove")
ORIGINS = ("cli", "viewer", "import")
UNCATEGORIZED = "CAT-0"


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    description: str
    vics_category: int | None  # the VICS Category number it exports as (the Project VIC scheme's)
    pertinent: bool
    locked: bool  # part of the Project VIC scheme, seeded by the migration
    created_at: str
    created_by: str


@dataclass(frozen=True)
class NewReviewEvent:
    """What a writer (the CLI, the viewer, an import) asks to append.

    `based_on` is the id of the latest event on this field the writer had seen (ReviewState.heads), None when it
    saw none. When another event on the field came after it, the new event is still appended and applied, and
    marked as a conflict. `before_value` is not the writer's to give: it is read under the chain's lock."""

    file_id: int
    kind: str  # category | tag_add | tag_remove | note
    value: str | None  # category: a code; tag_add/tag_remove: the tag; note: the text ('' or None clears)
    examiner: str
    origin: str  # cli | viewer | import
    at: str
    based_on: int | None
    session_id: str | None = None
    file_sha256: str | None = None


@dataclass(frozen=True)
class StoredReviewEvent:
    id: int
    file_id: int
    file_sha256: str | None
    kind: str
    tag: str | None
    before_value: str | None
    after_value: str | None
    examiner: str
    at: str
    origin: str
    session_id: str | None
    based_on: int | None
    conflict: bool
    prev_hash: str
    row_hash: str


@dataclass(frozen=True)
class Precategory:
    """A notable hash set's category for a file (VICS, CAID): shown as the set's, never as the examiner's."""

    set_name: str
    category: str  # as the set states it
    code: str | None  # the review category it means, for a Project VIC (VICS) set; None for others (CAID)


@dataclass
class ReviewState:
    """A file's review as its events leave it. `category` None: uncategorised (never set, or set to CAT-0)."""

    category: str | None = None
    category_by: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    precategorized_from: tuple[Precategory, ...] = ()
    # field -> id of its latest event ("category", "note", "tag:NAME"): what a writer passes as `based_on`
    heads: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0  # events on this file recorded as made on a stale view
    events: int = 0

    @property
    def precategory(self) -> str | None:
        """The first pre-category that names a review category, where the examiner has decided nothing."""
        if self.category is not None:
            return None
        return next((p.code for p in self.precategorized_from if p.code), None)


def field_key(kind: str, tag: str | None) -> str:
    return f"tag:{tag}" if kind in TAG_KINDS else kind


# --- categories ---


def categories(connection: Connection) -> list[Category]:
    """The Project VIC scheme in code order, then the case's own in the order they were added."""
    rows = connection.execute(
        select(
            ReviewCategory.code,
            ReviewCategory.name,
            ReviewCategory.description,
            ReviewCategory.vics_category,
            ReviewCategory.pertinent,
            ReviewCategory.locked,
            ReviewCategory.created_at,
            ReviewCategory.created_by,
        ).order_by(ReviewCategory.locked.desc(), ReviewCategory.id)
    )
    return [Category(*row) for row in rows]


def insert_category(connection: Connection, category: Category) -> None:
    connection.execute(insert(ReviewCategory).values(**category.__dict__))


# --- the event log ---


def _hash_field(value: object) -> str:
    # None and '' differ: each present value is prefixed, so no value can stand for a missing one.
    return "-" if value is None else f"+{value}"


def event_row_hash(prev_hash: str, values: dict[str, Any]) -> str:
    fields = (
        values["file_id"],
        values["file_sha256"],
        values["kind"],
        values["tag"],
        values["before_value"],
        values["after_value"],
        values["examiner"],
        values["at"],
        values["origin"],
        values["session_id"],
        values["based_on"],
        "1" if values["conflict"] else "0",
    )
    payload = "\x1f".join((prev_hash, *map(_hash_field, fields))).encode("utf-8", "surrogateescape")
    return hashlib.sha256(payload).hexdigest()


def head(connection: Connection, file_id: int, kind: str, tag: str | None) -> tuple[int, str | None] | None:
    """The latest event on this field of the file: (id, value after), or None."""
    query = select(ReviewEvent.id, ReviewEvent.after_value).where(ReviewEvent.file_id == file_id)
    if kind in TAG_KINDS:
        query = query.where(ReviewEvent.kind.in_(TAG_KINDS), ReviewEvent.tag == tag)
    else:
        query = query.where(ReviewEvent.kind == kind)
    row = connection.execute(query.order_by(ReviewEvent.id.desc()).limit(1)).first()
    return None if row is None else (int(row[0]), row[1])


def append_event(connection: Connection, event: NewReviewEvent) -> tuple[int, bool]:
    """Append one event chained to the last one: its id, and whether it is a conflict. Call inside a write
    transaction.

    As for the audit log, reading the chain's last hash and the field's current value and inserting must not
    interleave with another writer's: SQLite's write transaction (BEGIN IMMEDIATE) excludes other writers, on
    PostgreSQL an advisory lock held until commit does. The writer needs INSERT and SELECT on review_events."""
    lock_serialised(connection, REVIEW_LOCK_KEY)
    tag = event.value if event.kind in TAG_KINDS else None
    current = head(connection, event.file_id, event.kind, tag)
    if event.kind == "tag_add":
        after: str | None = tag
    elif event.kind == "tag_remove":
        after = None
    elif event.kind == "note":
        after = event.value or None
    else:
        after = event.value
    values: dict[str, Any] = {
        "file_id": event.file_id,
        "file_sha256": event.file_sha256,
        "kind": event.kind,
        "tag": tag,
        "before_value": None if current is None else current[1],
        "after_value": after,
        "examiner": event.examiner,
        "at": event.at,
        "origin": event.origin,
        "session_id": event.session_id,
        "based_on": event.based_on,
        "conflict": event.based_on != (None if current is None else current[0]),
    }
    prev_hash = (
        connection.execute(select(ReviewEvent.row_hash).order_by(ReviewEvent.id.desc()).limit(1)).scalar()
        or GENESIS_HASH
    )
    values["prev_hash"] = prev_hash
    values["row_hash"] = event_row_hash(prev_hash, values)
    event_id = int(connection.execute(insert(ReviewEvent).values(**values)).inserted_primary_key[0])
    return event_id, bool(values["conflict"])


_EVENT_COLUMNS = [getattr(ReviewEvent, name) for name in StoredReviewEvent.__dataclass_fields__]


def events(
    connection: Connection, file_ids: Sequence[int] | None = None, *, conflicts_only: bool = False
) -> Iterator[StoredReviewEvent]:
    """The events in id order (the order they were appended): of these files, or all."""
    conditions: list[Any] = []
    if conflicts_only:
        conditions.append(ReviewEvent.conflict.is_(True))
    if file_ids is None:
        rows = connection.execute(select(*_EVENT_COLUMNS).where(*conditions).order_by(ReviewEvent.id))
        for row in rows:
            yield _stored(row)
        return
    ids = sorted(set(file_ids))
    found: list[StoredReviewEvent] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.extend(
            _stored(row)
            for row in connection.execute(
                select(*_EVENT_COLUMNS).where(ReviewEvent.file_id.in_(chunk), *conditions).order_by(ReviewEvent.id)
            )
        )
    yield from sorted(found, key=lambda event: event.id)


def _stored(row: Any) -> StoredReviewEvent:
    values = list(row)
    values[12] = bool(values[12])
    return StoredReviewEvent(*values)


def event_count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(ReviewEvent)).scalar_one()


def fold(stream: Iterable[StoredReviewEvent]) -> dict[int, ReviewState]:
    """Each file's state after these events, applied in the order given (id order)."""
    states: dict[int, ReviewState] = {}
    tags: dict[int, set[str]] = {}
    for event in stream:
        state = states.setdefault(event.file_id, ReviewState())
        state.events += 1
        state.conflicts += event.conflict
        state.heads[field_key(event.kind, event.tag)] = event.id
        if event.kind == "category":
            state.category = None if event.after_value in (None, UNCATEGORIZED) else event.after_value
            state.category_by = event.examiner if state.category is not None else None
        elif event.kind == "note":
            state.note = event.after_value
        elif event.tag is not None:
            present = tags.setdefault(event.file_id, set())
            if event.kind == "tag_add":
                present.add(event.tag)
            else:
                present.discard(event.tag)
    for file_id, present in tags.items():
        states[file_id].tags = tuple(sorted(present, key=str.encode))
    return states


def replay_problems(stream: Iterable[StoredReviewEvent]) -> list[str]:
    """Every event whose recorded `before_value` is not what the events before it left on its field."""
    values: dict[tuple[int, str], str | None] = {}
    problems: list[str] = []
    for event in stream:
        key = (event.file_id, field_key(event.kind, event.tag))
        if values.get(key) != event.before_value:
            problems.append(
                f"review event {event.id}: its 'before' value does not follow from the events before it "
                "(an event was removed or changed)"
            )
        values[key] = event.after_value
    return problems


def chain_problems(stream: Iterable[StoredReviewEvent]) -> list[str]:
    """Every place where the review events' hash chain does not hold, described for a person."""
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    for event in stream:
        if event.prev_hash != expected_prev:
            problems.append(f"review event {event.id}: previous-event hash does not match (an event was removed)")
        if event_row_hash(event.prev_hash, event.__dict__) != event.row_hash:
            problems.append(f"review event {event.id}: content does not match its hash (the event was altered)")
        expected_prev = event.row_hash
    return problems


def chain_head(connection: Connection) -> tuple[int, str] | None:
    row = connection.execute(select(ReviewEvent.id, ReviewEvent.row_hash).order_by(ReviewEvent.id.desc()).limit(1))
    first = row.first()
    return None if first is None else (int(first[0]), str(first[1]))


# --- pre-categories from hash sets ---


def precategories(connection: Connection, file_ids: Sequence[int]) -> dict[int, list[Precategory]]:
    """Each file's categories from notable hash sets that state one, by set name in byte order. A VICS set's
    Category number names the Project VIC category of that number; a CAID set's numbers are CAID's own."""
    by_number = {
        number: code
        for code, number in connection.execute(
            select(ReviewCategory.code, ReviewCategory.vics_category).where(
                ReviewCategory.locked.is_(True), ReviewCategory.vics_category.is_not(None)
            )
        )
    }
    found: dict[int, list[Precategory]] = {}
    ids = sorted(set(file_ids))
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(HashSetMatch.file_id, HashSet.name, HashSet.format, HashSet.version, HashSetMatch.category)
            .join(HashSet, HashSet.id == HashSetMatch.set_id)
            .where(
                HashSetMatch.file_id.in_(ids[start : start + 500]),
                HashSet.kind == "notable",
                HashSetMatch.category.is_not(None),
            )
        )
        for file_id, name, format_, version, category in sorted(rows, key=lambda r: (r[0], r[1].encode())):
            code = None
            if format_ == "vics" and not (version or "").startswith("CAID") and str(category).strip().isdigit():
                code = by_number.get(int(str(category).strip()))
            found.setdefault(file_id, []).append(Precategory(name, str(category), code))
    return found


# --- search conditions: the latest event of a field decides ---


def _latest_category() -> Any:
    """(file_id, after_value) of each file's latest category event."""
    later = aliased(ReviewEvent)
    return (
        select(ReviewEvent.file_id, ReviewEvent.after_value)
        .where(
            ReviewEvent.kind == "category",
            ~exists(
                select(later.id).where(
                    later.file_id == ReviewEvent.file_id, later.kind == "category", later.id > ReviewEvent.id
                )
            ),
        )
        .subquery("latest_category")
    )


def category_condition(code: str) -> Any:
    """The file's examiner category is `code` (CAT-0: no category yet, or set back to CAT-0)."""
    latest = _latest_category()
    if code == UNCATEGORIZED:
        decided = select(latest.c.file_id).where(latest.c.file_id == File.id, latest.c.after_value != UNCATEGORIZED)
        return ~exists(decided)
    return exists(select(latest.c.file_id).where(latest.c.file_id == File.id, latest.c.after_value == code))


def tag_condition(tag: str) -> Any:
    """The file has this tag: its latest event on the tag added it."""
    later = aliased(ReviewEvent)
    return exists(
        select(ReviewEvent.id).where(
            ReviewEvent.file_id == File.id,
            ReviewEvent.kind == "tag_add",
            ReviewEvent.tag == tag,
            ~exists(
                select(later.id).where(
                    later.file_id == ReviewEvent.file_id,
                    later.kind.in_(TAG_KINDS),
                    later.tag == tag,
                    later.id > ReviewEvent.id,
                )
            ),
        )
    )


def category_counts(connection: Connection) -> dict[str, int]:
    """Files per examiner category (CAT-0 left out: every file without one is uncategorised)."""
    latest = _latest_category()
    rows = connection.execute(
        select(latest.c.after_value, func.count())
        .where(latest.c.after_value != UNCATEGORIZED)
        .group_by(latest.c.after_value)
    )
    return {code: n for code, n in rows}


def tag_counts(connection: Connection) -> dict[str, int]:
    states = fold(events(connection))
    counts: dict[str, int] = {}
    for state in states.values():
        for tag in state.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: item[0].encode()))


def reviewed_condition() -> Any:
    """The file has at least one review event."""
    return exists(select(ReviewEvent.id).where(ReviewEvent.file_id == File.id))


# --- rollups a case has imported ---


@dataclass(frozen=True)
class RollupRow:
    name: str
    title: str
    synsets: tuple[str, ...]
    source: str
    updated_at: str
    updated_by: str


def case_rollups(connection: Connection) -> list[RollupRow]:
    rows = connection.execute(select(ReviewRollup.__table__).order_by(ReviewRollup.name)).mappings()
    return [
        RollupRow(
            row["name"],
            row["title"],
            tuple(json.loads(row["synsets_json"])),
            row["source"],
            row["updated_at"],
            row["updated_by"],
        )
        for row in rows
    ]


def put_rollup(connection: Connection, rollup: RollupRow) -> None:
    """Add the case's rollup of this name, or replace it."""
    connection.execute(ReviewRollup.__table__.delete().where(ReviewRollup.name == rollup.name))
    connection.execute(
        insert(ReviewRollup).values(
            name=rollup.name,
            title=rollup.title,
            synsets_json=json.dumps(list(rollup.synsets)),
            source=rollup.source,
            updated_at=rollup.updated_at,
            updated_by=rollup.updated_by,
        )
    )


def file_sha256(connection: Connection, file_ids: Sequence[int]) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    ids = sorted(set(file_ids))
    for start in range(0, len(ids), 500):
        found.update(
            connection.execute(select(File.id, File.sha256).where(File.id.in_(ids[start : start + 500]))).all()
        )
    return found
