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
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, exists, func, insert, select
from sqlalchemy.orm import aliased

from cbis import rollups as rollups_module
from cbis.db.engine import REVIEW_LOCK_KEY, lock_serialised, streamed
from cbis.db.models import Evidence, File, HashSet, HashSetMatch, Prediction, ReviewCategory, ReviewEvent, ReviewRollup
from cbis.rollups import Agreement, Rollup

GENESIS_HASH = "0" * 64
KINDS = ("category", "tag_add", "tag_remove", "note")
TAG_KINDS = ("tag_add", "tag_remove")
ORIGINS = ("cli", "viewer", "import")
UNCATEGORIZED = "CAT-0"
REVIEW_WRITES = frozenset({sqlite3.SQLITE_INSERT})  # what the viewer's review writer may do to review_events


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


def head_seen(connection: Connection, file_id: int, kind: str, tag: str | None, seen: int | None) -> int | None:
    """The id of the latest event on this field of the file among those up to `seen` (the review log's last
    event id when a page was made; None: the page saw none): the `based_on` of a change made on that page."""
    if seen is None:
        return None
    query = select(ReviewEvent.id).where(ReviewEvent.file_id == file_id, ReviewEvent.id <= seen)
    if kind in TAG_KINDS:
        query = query.where(ReviewEvent.kind.in_(TAG_KINDS), ReviewEvent.tag == tag)
    else:
        query = query.where(ReviewEvent.kind == kind)
    found = connection.execute(query.order_by(ReviewEvent.id.desc()).limit(1)).scalar()
    return None if found is None else int(found)


def last_session_batch(connection: Connection, session_id: str) -> list[StoredReviewEvent]:
    """The events of this session's latest change (one `at`: a bulk change appends its events with one time)."""
    last = connection.execute(
        select(ReviewEvent.at).where(ReviewEvent.session_id == session_id).order_by(ReviewEvent.id.desc()).limit(1)
    ).scalar()
    if last is None:
        return []
    rows = connection.execute(
        select(*_EVENT_COLUMNS)
        .where(ReviewEvent.session_id == session_id, ReviewEvent.at == last)
        .order_by(ReviewEvent.id)
    )
    return [_stored(row) for row in rows]


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


def open_review_engine(case_dir: Path) -> Engine:
    """The viewer's review writer: a read-write engine that can append to review_events and write nothing else
    (on SQLite an authorizer refuses every other write, DDL and ATTACH; on PostgreSQL the viewer role's grants:
    README, the viewer role). Only this module's `append_event` (through `services.review`) is given it; the
    viewer's pages read through their read-only connection."""
    from cbis.db.access import only_tables, open_writer_engine  # db.access loads the accounts' models

    return open_writer_engine(case_dir, only_tables({ReviewEvent.__tablename__: REVIEW_WRITES}))


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
    """Files per tag, in byte order of the tag: files whose latest event on the tag added it (as `fold` has it).
    One aggregate over the tag events (ix_review_events_file finds each one's later events), no fold."""
    later = aliased(ReviewEvent)
    rows = connection.execute(
        select(ReviewEvent.tag, func.count(func.distinct(ReviewEvent.file_id)))
        .where(
            ReviewEvent.kind == "tag_add",
            ReviewEvent.tag.is_not(None),
            ~exists(
                select(later.id).where(
                    later.file_id == ReviewEvent.file_id,
                    later.kind.in_(TAG_KINDS),
                    later.tag == ReviewEvent.tag,
                    later.id > ReviewEvent.id,
                )
            ),
        )
        .group_by(ReviewEvent.tag)
    )
    return dict(sorted(((tag, int(n)) for tag, n in rows), key=lambda item: item[0].encode()))


def latest_categories(connection: Connection) -> dict[int, str]:
    """Each categorised file's examiner category (its latest category event's, CAT-0 left out), by file id."""
    latest = _latest_category()
    rows = connection.execute(
        select(latest.c.file_id, latest.c.after_value).where(
            latest.c.after_value.is_not(None), latest.c.after_value != UNCATEGORIZED
        )
    )
    return {int(file_id): code for file_id, code in rows}


def reviewed_condition() -> Any:
    """The file has at least one review event."""
    return exists(select(ReviewEvent.id).where(ReviewEvent.file_id == File.id))


# --- rollups: the case's own, and how examiners' decisions bear them out ---


def case_rollups(connection: Connection) -> list[Rollup]:
    rows = connection.execute(
        select(ReviewRollup.name, ReviewRollup.title, ReviewRollup.synsets_json, ReviewRollup.source).order_by(
            ReviewRollup.name
        )
    )
    return [Rollup(name, title, tuple(json.loads(synsets)), source) for name, title, synsets, source in rows]


def rollups(connection: Connection) -> list[Rollup]:
    """The case's rollups: the shipped ones, each replaced by the case's version of that name, and the case's own."""
    return rollups_module.merged(case_rollups(connection))


def put_rollup(connection: Connection, rollup: Rollup, *, updated_at: str, updated_by: str) -> None:
    """Add the case's rollup of this name, or replace it."""
    connection.execute(ReviewRollup.__table__.delete().where(ReviewRollup.name == rollup.name))
    connection.execute(
        insert(ReviewRollup).values(
            name=rollup.name,
            title=rollup.title,
            synsets_json=json.dumps(list(rollup.synsets)),
            source=rollup.source,
            updated_at=updated_at,
            updated_by=updated_by,
        )
    )


def rollup_agreement(
    connection: Connection, model_id: int | None, top1_classes: dict[str, int] | None = None
) -> list[Agreement]:
    """Per rollup of the case, how often examiners found its files pertinent (for `cbis review rollups` and the
    viewer's overview): files in it by the model's top-1 class, categorised, pertinent.

    `top1_classes`: the model's files per top-1 class when the caller has them (the overview's kept counts),
    else counted. Only the categorised files' own top-1 classes are read, not every file's."""
    listed = rollups(connection)
    if model_id is None:
        return rollups_module.agreement(listed, {}, {})
    if top1_classes is None:
        top1_classes = dict(
            connection.execute(
                select(Prediction.wnid, func.count())
                .where(Prediction.model_id == model_id, Prediction.rank == 1)
                .group_by(Prediction.wnid)
            ).all()
        )
    pertinent = {category.code: category.pertinent for category in categories(connection)}
    decided = latest_categories(connection)
    ids = sorted(decided)
    decided_classes: list[tuple[str, bool]] = []
    for start in range(0, len(ids), 500):
        decided_classes.extend(
            (wnid, pertinent.get(decided[file_id], False))
            for file_id, wnid in connection.execute(
                select(Prediction.file_id, Prediction.wnid).where(
                    Prediction.model_id == model_id,
                    Prediction.rank == 1,
                    Prediction.file_id.in_(ids[start : start + 500]),
                )
            )
        )
    return rollups_module.agreement_from_counts(listed, top1_classes, decided_classes)


def file_sha256(connection: Connection, file_ids: Sequence[int]) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    ids = sorted(set(file_ids))
    for start in range(0, len(ids), 500):
        found.update(
            connection.execute(select(File.id, File.sha256).where(File.id.in_(ids[start : start + 500]))).all()
        )
    return found


# --- what reports carry: every reviewed file, and the VICS export's media ---


def reviewed_files(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every file with a review event or a hash-set pre-category, in the reports' order, with its state."""
    states = fold(events(connection))
    matched = set(
        connection.execute(
            select(HashSetMatch.file_id)
            .join(HashSet, HashSet.id == HashSetMatch.set_id)
            .where(HashSet.kind == "notable", HashSetMatch.category.is_not(None))
        ).scalars()
    )
    wanted = sorted(set(states) | matched)
    pre = precategories(connection, wanted)
    rows = []
    for start in range(0, len(wanted), 500):
        rows.extend(
            connection.execute(
                select(Evidence.root.label("evidence"), File.id, File.path, File.sha256)
                .join(Evidence, Evidence.id == File.evidence_id)
                .where(File.id.in_(wanted[start : start + 500]))
            ).mappings()
        )
    rows.sort(key=lambda row: (row["evidence"].encode(), row["path"].encode(), row["id"]))  # as byte_order sorts
    for row in rows:
        state = states.get(row["id"], ReviewState())
        state.precategorized_from = tuple(pre.get(row["id"], ()))
        yield {**row, "state": state}


def media_files(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every image the case holds with a hash, in the reports' order: what the VICS export lists."""
    from cbis.db.queries import byte_order  # db.queries imports this module

    query = (
        select(
            File.id,
            Evidence.root.label("evidence"),
            File.path,
            File.md5,
            File.sha1,
            File.sha256,
            File.size,
            File.format,
            File.mtime,
            File.ctime,
            File.atime,
            File.missing_since_run_id,
        )
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(File.status == "image", File.md5.is_not(None), File.sha1.is_not(None))
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    yield from streamed(connection, query)


def files_with_digests(connection: Connection, algorithm: str, digests: Sequence[str]) -> dict[str, list[int]]:
    """digest -> the ids of the case's files with it (algorithm md5, sha1 or sha256)."""
    column = {"md5": File.md5, "sha1": File.sha1, "sha256": File.sha256}[algorithm]
    found: dict[str, list[int]] = {}
    wanted = sorted({digest.lower() for digest in digests if digest})
    for start in range(0, len(wanted), 500):
        for file_id, digest in connection.execute(
            select(File.id, column).where(column.in_(wanted[start : start + 500])).order_by(File.id)
        ):
            found.setdefault(digest, []).append(int(file_id))
    return found
