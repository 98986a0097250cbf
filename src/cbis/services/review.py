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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from cbis import rollups as rollups_module
from cbis.db import queries
from cbis.db import review as db
from cbis.db.models import File, could_be_row_id
from cbis.db.queries import SearchFilters
from cbis.db.review import Category, NewReviewEvent, Precategory, ReviewState, StoredReviewEvent
from cbis.db.review_changes import (  # the connection-level API, shared with the viewer
    MAX_EXAMINER,
    MAX_NOTE,
    MAX_TAG,
    ChangeResult,
    Replay,
    Seen,
    _check_examiner,
    add_category,
    append_review_event,
    categories,
    category_codes,
    change,
    check_category,
    check_note,
    check_tag,
    conflicts,
    replay,
    review_state,
    seen_now,
    undo_last,
)
from cbis.errors import ReviewError
from cbis.ingest._text import escape_unprintable
from cbis.rollups import Agreement, Rollup
from cbis.services.cases import Case, examiner_for
from cbis.timestamps import utc_now

__all__ = [
    "MAX_EXAMINER",
    "MAX_NOTE",
    "MAX_TAG",
    "Category",
    "ChangeResult",
    "NewReviewEvent",
    "Precategory",
    "Replay",
    "ReviewState",
    "Seen",
    "StoredReviewEvent",
    "add_category",
    "append_review_event",
    "categories",
    "category_codes",
    "change",
    "check_category",
    "check_note",
    "check_tag",
    "conflicts",
    "replay",
    "review_state",
    "seen_now",
    "undo_last",
]

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
