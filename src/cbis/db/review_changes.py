"""Review changes on an open connection, checked: what the CLI (through `services.review`, which re-exports all
of this) and the viewer (web/review.py, which may not import the services) call. No SQL here: it is db/review.py's.

- `categories(connection)`, `check_category`, `add_category`: the Project VIC scheme, then the case's own.
- `append_review_event(connection, event)`: validate and append one event; its id.
- `review_state(connection, file_ids)`: each file's state, with its pre-categories from notable hash sets.
- `change(connection, file_ids, kind, value, ...)`: one event per file whose value changes; `seen=Seen(n)` bases
  each on what a viewer page showed (the log up to event n), so a change on a stale page is a recorded conflict.
- `undo_last(connection, session_id, ...)`: undo a session's latest change.
- `replay(connection)`, `conflicts(connection)`: the whole log rebuilt and checked; the events marked conflicts.

A writer's connection must be inside a write transaction (`with engine.begin() as connection`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from cbis.db import review as db
from cbis.db.models import could_be_row_id
from cbis.db.review import Category, NewReviewEvent, ReviewState, StoredReviewEvent
from cbis.errors import ReviewError
from cbis.timestamps import utc_now

MAX_TAG = 100
MAX_NOTE = 10_000
MAX_EXAMINER = 200
_CASE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


def categories(connection: Connection) -> list[Category]:
    return db.categories(connection)


def category_codes(connection: Connection) -> dict[str, Category]:
    return {category.code: category for category in db.categories(connection)}


def check_category(connection: Connection, code: str) -> Category:
    """The category of this code (case-insensitive for the Project VIC scheme's CAT-n)."""
    known = category_codes(connection)
    found = known.get(code) or known.get(code.upper())
    if found is None:
        raise ReviewError(
            f"no review category {code!r} in this case; its categories: {', '.join(known)} "
            "(`cbis review categories`; add one with `cbis review add-category`)"
        )
    return found


def add_category(
    connection: Connection, code: str, name: str, *, examiner: str, description: str = "", pertinent: bool = True
) -> Category:
    """A category the case defines. Codes are 1-40 letters, digits, '.', '_' or '-'; CAT-n is Project VIC's."""
    code = code.strip()
    if not _CASE_CODE.fullmatch(code) or code.upper().startswith("CAT-"):
        raise ReviewError(
            "a case category's code is 1 to 40 letters, digits, '.', '_' or '-', and does not start with CAT- "
            "(the Project VIC scheme's)"
        )
    name = name.strip()
    if not name or not name.isprintable() or len(name) > 200:
        raise ReviewError("a category's name is 1 to 200 printable characters")
    if code in category_codes(connection):
        raise ReviewError(f"the case already has a category {code!r}; a code keeps its meaning once given")
    category = Category(code, name, description.strip(), None, pertinent, False, utc_now(), examiner)
    db.insert_category(connection, category)
    return category


def _check_examiner(examiner: str) -> str:
    examiner = examiner.strip()
    if not examiner or len(examiner) > MAX_EXAMINER or not examiner.isprintable():
        raise ReviewError("a review names its examiner: 1 to 200 printable characters")
    return examiner


def check_tag(tag: str) -> str:
    tag = tag.strip()
    if not tag or len(tag) > MAX_TAG or not tag.isprintable():
        raise ReviewError(f"a tag is 1 to {MAX_TAG} printable characters")
    return tag


def check_note(note: str) -> str:
    """A note keeps its lines and tabs; NUL and other control characters are refused (PostgreSQL stores no NUL)."""
    if len(note) > MAX_NOTE:
        raise ReviewError(f"a note is at most {MAX_NOTE} characters")
    if any(not (c.isprintable() or c in "\n\t") for c in note):
        raise ReviewError("a note holds printable characters, new lines and tabs only")
    return note


def append_review_event(connection: Connection, event: NewReviewEvent) -> int:
    """Check and append one review event (inside a write transaction); its id."""
    return _append(connection, event)[0]


def _append(connection: Connection, event: NewReviewEvent) -> tuple[int, bool]:
    if event.kind not in db.KINDS:
        raise ReviewError(f"a review event's kind is one of: {', '.join(db.KINDS)}")
    if event.origin not in db.ORIGINS:
        raise ReviewError(f"a review event's origin is one of: {', '.join(db.ORIGINS)}")
    if not could_be_row_id(connection.dialect.name, event.file_id):
        raise ReviewError(f"no file with id {event.file_id} in this case")
    sha256 = db.file_sha256(connection, [event.file_id])
    if event.file_id not in sha256:
        raise ReviewError(f"no file with id {event.file_id} in this case")
    value = event.value
    if event.kind == "category":
        value = check_category(connection, value or "").code
    elif event.kind in db.TAG_KINDS:
        value = check_tag(value or "")
    elif value is not None:
        value = check_note(value)
    checked = NewReviewEvent(
        file_id=event.file_id,
        kind=event.kind,
        value=value,
        examiner=_check_examiner(event.examiner),
        origin=event.origin,
        at=event.at,
        based_on=event.based_on,
        session_id=event.session_id,
        file_sha256=event.file_sha256 or sha256[event.file_id],
    )
    return db.append_event(connection, checked)


def review_state(connection: Connection, file_ids: Sequence[int]) -> dict[int, ReviewState]:
    """Every one of these files' review state (a file nobody reviewed: an empty state), with its pre-categories."""
    ids = [file_id for file_id in file_ids if could_be_row_id(connection.dialect.name, file_id)]
    states = db.fold(db.events(connection, ids))
    for file_id, found in db.precategories(connection, ids).items():
        states.setdefault(file_id, ReviewState()).precategorized_from = tuple(found)
    return {file_id: states.get(file_id, ReviewState()) for file_id in file_ids}


@dataclass
class Replay:
    states: dict[int, ReviewState]
    events: int
    problems: list[str] = field(default_factory=list)
    head: tuple[int, str] | None = None


def replay(connection: Connection) -> Replay:
    """The whole log read from the first event: each file's state, and whatever does not hold (a broken hash
    chain, an event whose 'before' does not follow from the events before it, an unknown category)."""
    stream = list(db.events(connection))
    known = set(category_codes(connection))
    problems = db.chain_problems(stream) + db.replay_problems(stream)
    problems += [
        f"review event {event.id}: category {event.after_value!r} is not one of the case's categories"
        for event in stream
        if event.kind == "category" and event.after_value is not None and event.after_value not in known
    ]
    head = (stream[-1].id, stream[-1].row_hash) if stream else None
    return Replay(db.fold(stream), len(stream), problems, head)


def conflicts(connection: Connection) -> list[StoredReviewEvent]:
    return list(db.events(connection, conflicts_only=True))


@dataclass(frozen=True)
class Seen:
    """What a viewer page showed: the review log up to this event id (None: the log was empty). A change made on
    the page is based on the field's latest event up to it, so a change on a stale page is a recorded conflict."""

    last_event: int | None


def seen_now(connection: Connection) -> Seen:
    found = db.chain_head(connection)
    return Seen(None if found is None else found[0])


@dataclass
class ChangeResult:
    matched: int  # files named or found by the filter
    changed: int  # files whose value changes (or would, in a dry run)
    conflicts: int = 0
    dry_run: bool = False
    value: str | None = None  # as recorded: a category's code as the case spells it


def change(
    connection: Connection,
    file_ids: Sequence[int],
    kind: str,
    value: str | None,
    *,
    examiner: str,
    dry_run: bool = False,
    origin: str = "cli",
    session_id: str | None = None,
    seen: Seen | None = None,
) -> ChangeResult:
    """Set a category, add or remove a tag, or set a note on these files: one event per file whose value
    changes; a file already so is left as it is. A dry run appends nothing and says how many would change.

    Each event is based on the field's latest event (the CLI sees the case as it is), or on the latest up to
    `seen` for a change made on a viewer page."""
    if kind == "category":
        value = check_category(connection, value or "").code
    elif kind in db.TAG_KINDS:
        value = check_tag(value or "")
    elif value:
        value = check_note(value)
    examiner = _check_examiner(examiner)
    states = review_state(connection, file_ids)
    now = utc_now()
    changed = 0
    conflicted = 0
    for file_id in file_ids:
        state = states[file_id]
        if not _changes(state, kind, value):
            continue
        changed += 1
        if dry_run:
            continue
        tag = value if kind in db.TAG_KINDS else None
        if seen is None:
            based_on = state.heads.get(db.field_key(kind, tag))
        else:
            based_on = db.head_seen(connection, file_id, kind, tag, seen.last_event)
        _, conflict = _append(
            connection,
            NewReviewEvent(
                file_id=file_id,
                kind=kind,
                value=value,
                examiner=examiner,
                origin=origin,
                at=now,
                based_on=based_on,
                session_id=session_id,
            ),
        )
        conflicted += conflict
    return ChangeResult(len(file_ids), changed, conflicted, dry_run, value)


def undo_last(connection: Connection, session_id: str, *, examiner: str, origin: str = "viewer") -> ChangeResult:
    """Undo this session's latest change (every event of it: a bulk change is one): one more event per field
    setting it back to its value before, based on the event undone (so a change someone made since is a
    recorded conflict, never lost). Undoing again undoes the undo."""
    batch = db.last_session_batch(connection, session_id)
    if not batch:
        raise ReviewError("nothing to undo: this session has changed no review yet")
    examiner = _check_examiner(examiner)
    states = review_state(connection, sorted({event.file_id for event in batch}))
    now = utc_now()
    changed = conflicted = 0
    for event in batch:
        kind, value = _inverse(event)
        if not _changes(states[event.file_id], kind, value):
            continue
        _, conflict = _append(
            connection,
            NewReviewEvent(
                file_id=event.file_id,
                kind=kind,
                value=value,
                examiner=examiner,
                origin=origin,
                at=now,
                based_on=event.id,
                session_id=session_id,
            ),
        )
        changed += 1
        conflicted += conflict
    return ChangeResult(len(batch), changed, conflicted)


def _inverse(event: StoredReviewEvent) -> tuple[str, str | None]:
    """The change that sets the event's field back to its value before it."""
    if event.kind == "category":
        return "category", event.before_value or db.UNCATEGORIZED
    if event.kind == "note":
        return "note", event.before_value
    return ("tag_remove" if event.before_value is None else "tag_add"), event.tag


def _changes(state: ReviewState, kind: str, value: str | None) -> bool:
    if kind == "category":
        return (state.category or db.UNCATEGORIZED) != value
    if kind == "tag_add":
        return value not in state.tags
    if kind == "tag_remove":
        return value in state.tags
    return (state.note or None) != (value or None)
