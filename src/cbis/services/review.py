"""Examiner review: categories, tags and notes on files, as append-only review events.

The API the CLI and the viewer call (every function takes an open SQLAlchemy connection; a writer's must be
inside a write transaction, `with engine.begin() as connection`):

- `categories(connection) -> list[Category]`: the Project VIC scheme (CAT-0..CAT-5, locked), then the case's own.
- `add_category(connection, code, name, ...)`: a case-defined category (codes never start with CAT-).
- `append_review_event(connection, event: NewReviewEvent) -> int`: validate and append one event; its id. The
  event's `based_on` is the id the writer saw as the field's latest (`ReviewState.heads`, None for none): a later
  event on the field makes the new one a recorded conflict, applied and never lost.
- `review_state(connection, file_ids) -> {file_id: ReviewState}`: category, tags, note, pre-categories from
  notable hash sets (shown as the set's, never overriding the examiner's category), heads, conflicts.
- `replay(connection) -> Replay`: every file's state rebuilt from the whole log, with what does not hold.
- `conflicts(connection)`: the events recorded as made on a stale view.

The CLI's bulk changes (`change`) resolve files by reference or by a search filter and append one event per file
whose value changes (a dry run only counts them).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from cbis import rollups as rollups_module
from cbis.db import queries
from cbis.db import review as db
from cbis.db.models import File, could_be_row_id
from cbis.db.queries import SearchFilters
from cbis.db.review import Category, NewReviewEvent, Precategory, ReviewState, StoredReviewEvent
from cbis.errors import ReviewError
from cbis.ingest._text import escape_unprintable
from cbis.rollups import Agreement, Rollup
from cbis.services.cases import Case, examiner_for
from cbis.timestamps import utc_now

__all__ = [
    "Category",
    "NewReviewEvent",
    "Precategory",
    "ReviewState",
    "StoredReviewEvent",
    "add_category",
    "append_review_event",
    "categories",
    "conflicts",
    "replay",
    "review_state",
]

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


# --- what the CLI does: changes to files named one by one, or by a search filter ---


def resolve_files(connection: Connection, references: Sequence[str]) -> list[int]:
    """File ids for references: a file id, a SHA-256 / SHA-1 / MD5, or a path relative to its evidence root."""
    from cbis.db.similarity import find_file_ids  # here: db.similarity loads numpy, which a review never needs

    found: list[int] = []
    for reference in references:
        ids = find_file_ids(connection, reference)
        if not ids and reference.strip().isdigit():
            number = int(reference.strip())
            if could_be_row_id(connection.dialect.name, number):
                ids = list(connection.execute(select(File.id).where(File.id == number)).scalars())
        if not ids:
            raise ReviewError(
                f"no file in this case is {escape_unprintable(reference)!r}: give a path relative to its evidence "
                "root (as `cbis search` shows it), a SHA-256, SHA-1 or MD5, or a file id"
            )
        found.extend(ids)
    return sorted(set(found))


def files_matching(connection: Connection, filters: SearchFilters) -> list[int]:
    """Every file a `cbis search` with these filters would list (no limit)."""
    return [hit.id for hit in queries.search(connection, filters, limit=None)]


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


def review_cells(state: ReviewState) -> dict[str, Any]:
    return {
        "category": state.category or "",
        "tags": "; ".join(state.tags),
        "note": state.note or "",
        "precategorized": "; ".join(f"{p.code or p.category} ({p.set_name})" for p in state.precategorized_from),
    }


# --- the commands: `cbis review ...` ---


def examiner_of(case: Case, given: str | None) -> str:
    """--examiner, else $CBIS_EXAMINER, else the case's examiner: every event names a person."""
    return _check_examiner(given) if given is not None else _check_examiner(examiner_for(case))


def target_files(connection: Connection, references: Sequence[str], filters: SearchFilters) -> list[int]:
    """The files a bulk change is about: those named, and those a `cbis search` with these filters lists."""
    chosen = resolve_files(connection, references) if references else []
    if filters != SearchFilters():
        from cbis.services import search  # search imports this module

        search.validate_filters(filters)
        search.check_hashset(connection, filters.hashset)
        search.resolve_review_filters(connection, filters)
        chosen = sorted(set(chosen) | set(files_matching(connection, filters)))
    elif not references:
        raise ReviewError(
            "name the files (a path relative to the evidence root, a hash, or a file id) or select them with any "
            "`cbis search` filter (--label, --hashset, --category ...)"
        )
    return chosen


def apply_change(
    case: Case,
    references: Sequence[str],
    filters: SearchFilters,
    kind: str,
    value: str | None,
    *,
    examiner: str | None = None,
    dry_run: bool = False,
) -> ChangeResult:
    """`cbis review set|tag|untag|note`: one transaction, one event per file whose value changes."""
    who = examiner_of(case, examiner)
    with case.engine.begin() as connection:
        files = target_files(connection, references, filters)
        result = change(connection, files, kind, value, examiner=who, dry_run=dry_run)
    if not dry_run:
        case.audit_outcome = f"ok: {result.changed} of {result.matched} files changed ({kind} {value!r})"
    return result


def create_category(
    case: Case, code: str, name: str, *, description: str, pertinent: bool, examiner: str | None
) -> Category:
    who = examiner_of(case, examiner)
    with case.engine.begin() as connection:
        return add_category(connection, code, name, examiner=who, description=description, pertinent=pertinent)


def category_listing(case: Case) -> list[tuple[Category, int]]:
    """Each category with how many files an examiner gave it (CAT-0: every file without a category)."""
    with case.engine.connect() as connection:
        listed = db.categories(connection)
        counts = db.category_counts(connection)
        images = queries.count(connection, SearchFilters())
    decided = sum(counts.values())
    return [
        (category, max(images - decided, 0) if category.code == db.UNCATEGORIZED else counts.get(category.code, 0))
        for category in listed
    ]


@dataclass
class FileReview:
    file_id: int
    path: str
    state: ReviewState
    history: list[StoredReviewEvent]


def show(case: Case, reference: str) -> list[FileReview]:
    with case.engine.connect() as connection:
        ids = resolve_files(connection, [reference])
        states = review_state(connection, ids)
        history = list(db.events(connection, ids))
        paths = dict(connection.execute(select(File.id, File.path).where(File.id.in_(ids))).all())
    return [
        FileReview(file_id, paths[file_id], states[file_id], [e for e in history if e.file_id == file_id])
        for file_id in ids
    ]


def conflict_listing(case: Case) -> list[StoredReviewEvent]:
    with case.engine.connect() as connection:
        return conflicts(connection)


def rollup_listing(case: Case) -> list[tuple[Rollup, Agreement]]:
    """The case's rollups, each with how the examiners' decisions bear it out (most recent model's top-1)."""
    with case.engine.connect() as connection:
        model = queries.most_recent_model(connection)
        listed = db.rollups(connection)
        agreed = db.rollup_agreement(connection, model.id if model else None)
    return list(zip(listed, agreed, strict=True))


def import_rollups(case: Case, path: Path, *, examiner: str | None = None) -> list[Rollup]:
    """Read a rollups file (data/rollups.json's shape) into the case: each replaces the rollup of its name."""
    who = examiner_of(case, examiner)
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise ReviewError(f"cannot read {escape_unprintable(str(path))}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ReviewError(f"{escape_unprintable(path.name)}: not valid JSON ({exc})") from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    where = f"{escape_unprintable(path.name)} (SHA-256 {digest})"
    found = rollups_module.parse(document, where=where)
    now = utc_now()
    with case.engine.begin() as connection:
        for rollup in found:
            db.put_rollup(connection, rollup, updated_at=now, updated_by=who)
    case.audit_outcome = f"ok: {len(found)} rollups from {where}"
    return found


@dataclass
class VicsImport:
    media: int = 0
    matched_files: int = 0
    unmatched_media: int = 0
    changed: int = 0  # events appended
    skipped_precategorized: int = 0  # Media whose category was a hash set's, not an examiner's: not imported


def import_vics(case: Case, path: Path, *, examiner: str | None = None) -> VicsImport:
    """`cbis review import FILE`: the review in a VICS JSON export (cbis's own, exactly, through its cbis.Review
    fields; another tool's through Category, Tags and Comments) applied to the case's files with the same hashes.

    Additive: a category, tag or note is set where the file's differs; nothing is removed. A Media whose category
    only a hash set gave (IsPrecategorized) brings no decision. Every change is a review event from "import"."""
    import ijson

    who = examiner_of(case, examiner)
    result = VicsImport()
    wanted: dict[tuple[str, str], set[int]] = {}
    try:
        with path.open("rb") as handle:
            records = list(ijson.items(handle, "value.item.Media.item"))
    except OSError as exc:
        raise ReviewError(f"cannot read {escape_unprintable(str(path))}: {exc.strerror or exc}") from None
    except ijson.JSONError as exc:
        raise ReviewError(f"{escape_unprintable(path.name)}: not valid JSON ({exc})") from None
    if not records:
        raise ReviewError(f"{escape_unprintable(path.name)}: no VICS Case with Media (value[].Media[])")
    with case.engine.begin() as connection:
        known = category_codes(connection)
        by_number = {c.vics_category: c.code for c in known.values() if c.locked and c.vics_category}
        md5s = db.files_with_digests(connection, "md5", [str(m.get("MD5") or "") for m in records])
        sha1s = db.files_with_digests(connection, "sha1", [str(m.get("SHA1") or "") for m in records])
        paths = dict(connection.execute(select(File.id, File.path)).all())
        for media in records:
            result.media += 1
            files = sorted(
                set(md5s.get(str(media.get("MD5") or "").lower(), []))
                | set(sha1s.get(str(media.get("SHA1") or "").lower(), []))
            )
            if not files:
                result.unmatched_media += 1
                continue
            result.matched_files += len(files)
            for file_ids, decision in _decisions(media, files, paths, by_number, result):
                for kind, value in decision:
                    if kind == "category" and value not in known:
                        raise ReviewError(
                            f"{escape_unprintable(path.name)}: category {value!r} is not one of this case's; add it "
                            "first with `cbis review add-category`"
                        )
                    wanted.setdefault((kind, value), set()).update(file_ids)
        for (kind, value), file_ids in sorted(wanted.items()):
            done = change(connection, sorted(file_ids), kind, value, examiner=who, origin="import")
            result.changed += done.changed
    case.audit_outcome = (
        f"ok: {result.changed} review changes from {escape_unprintable(path.name)} ({result.media} media, "
        f"{result.unmatched_media} matching no file)"
    )
    return result


def _decisions(
    media: dict[str, Any],
    files: list[int],
    paths: dict[int, str],
    by_number: dict[int, str],
    result: VicsImport,
) -> list[tuple[list[int], list[tuple[str, str]]]]:
    """(files, [(kind, value)]) a Media asks for: per MediaFile from cbis's own fields, else from VICS's."""
    own = [item for item in media.get("MediaFiles") or [] if isinstance(item, dict) and "cbis.Review" in item]
    if own:
        found = []
        for item in own:
            extension = item["cbis.Review"]
            same_path = [file_id for file_id in files if paths.get(file_id) == extension.get("Path")]
            found.append((same_path or files, _wanted(extension.get("Category"), extension.get("Tags") or [],
                                                      extension.get("Note"))))  # fmt: skip
        return found
    precategorized = str(media.get("IsPrecategorized", "")).lower() == "true"
    category = None
    number = media.get("Category")
    if precategorized:
        result.skipped_precategorized += 1
    elif isinstance(number, int) and number > 0:
        category = by_number.get(number)
    tags = [tag.strip() for tag in str(media.get("Tags") or "").split(",") if tag.strip()]
    return [(files, _wanted(category, tags, media.get("Comments")))]


def _wanted(category: Any, tags: Any, note: Any) -> list[tuple[str, str]]:
    wanted: list[tuple[str, str]] = []
    if isinstance(category, str) and category and category != db.UNCATEGORIZED:
        wanted.append(("category", category))
    wanted += [("tag_add", str(tag)) for tag in tags if str(tag).strip()]
    if isinstance(note, str) and note:
        wanted.append(("note", note))
    return wanted
