"""`cbis search`: filters over the case, through the db layer's shared query."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from cbis import rollups
from cbis.db import hashsets, queries, text_search
from cbis.db import review as review_db
from cbis.db.queries import ModelRef, SearchFilters, SearchHit, evidence_roots
from cbis.errors import UnknownModelError, UsageError
from cbis.ingest._text import escape_unprintable
from cbis.services import review
from cbis.services.cases import Case
from cbis.services.locations import identity

if TYPE_CHECKING:
    import numpy as np

    from cbis.services import similarity_index

# numpy, the model registry and the similarity index are imported where --similar-to or an unknown --model needs
# them: a plain search starts without them (tests/cli/test_startup.py).

HASH_LENGTHS = {32: "MD5", 40: "SHA-1", 64: "SHA-256"}
MAX_LIMIT = 2**63 - 1  # SQL LIMIT and OFFSET are signed 64-bit integers in SQLite and PostgreSQL


def select_model(connection: Connection, name: str | None) -> ModelRef | None:
    """The named model's most recent use in this case, or the case's most recent model."""
    if name is None:
        return queries.most_recent_model(connection)
    matches = queries.models_named(connection, name)
    if not matches:
        used = queries.model_names_used(connection)
        held = f"this case holds predictions from {', '.join(used)}" if used else "this case holds no predictions"
        from cbis.model.registry import model_names

        if name not in model_names():
            raise UnknownModelError(f"unknown model {name!r}; {held}; cbis knows {', '.join(model_names())}")
        raise UsageError(f"no predictions from model {name!r} in this case ({held}); index with `--model {name}` first")
    return matches[0]


def check_hashset(connection: Connection, name: str | None) -> None:
    """--hashset names a set this case holds."""
    if name is not None and hashsets.set_by_name(connection, name) is None:
        held = ", ".join(s.name for s in hashsets.list_sets(connection)) or "none (cbis hashset import)"
        raise UsageError(f"--hashset: this case has no hash set named {name!r}; its sets: {held}")


def resolve_review_filters(connection: Connection, filters: SearchFilters) -> None:
    """--category names one of the case's categories (its code as listed), --rollup one of its rollups (whose
    classes the query then looks for), --tag is a tag's text."""
    if filters.category is not None:
        filters.category = review.check_category(connection, filters.category).code
    if filters.tag is not None:
        filters.tag = filters.tag.strip()
        if not filters.tag:
            raise UsageError("--tag takes a tag's text")
    if filters.rollup is not None:
        rollup = rollups.find(review_db.rollups(connection), filters.rollup.strip())
        filters.rollup_classes = sorted(rollup.classes)


def validate_filters(filters: SearchFilters) -> None:
    if filters.hash is not None:
        digest = filters.hash.strip().lower()
        if len(digest) not in HASH_LENGTHS or any(c not in "0123456789abcdef" for c in digest):
            raise UsageError("--hash takes a hex MD5 (32 characters), SHA-1 (40) or SHA-256 (64) digest")
    if filters.min_score is not None and not 0.0 <= filters.min_score <= 1.0:
        raise UsageError("--min-score is a probability between 0 and 1")
    if filters.missing not in queries.MISSING_CHOICES:
        raise UsageError(f"--missing takes one of: {', '.join(queries.MISSING_CHOICES)}")
    if filters.text is not None and not text_search.parse(filters.text):
        raise UsageError('--text takes words to find in the pictures\' text, e.g. --text "bank transfer"')
    if filters.min_faces is not None and not 0 <= filters.min_faces <= 10_000:
        raise UsageError("--min-faces takes a number of faces between 0 and 10000")
    filters.date_from = date_bound("--from", filters.date_from)
    filters.date_to = date_bound("--to", filters.date_to)
    if filters.date_from and filters.date_to:
        common = min(len(filters.date_from), len(filters.date_to))
        if filters.date_from[:common] > filters.date_to[:common]:
            raise UsageError(f"--from {filters.date_from} is after --to {filters.date_to}: no date can be in between")


_DATE_BOUND = re.compile(
    r"""(?P<local>\d{4} (?:-\d{2} (?:-\d{2} (?:[T\ ]\d{2} (?::\d{2} (?::\d{2} (?:\.\d+)?)?)?)?)?)?)
        (?P<offset>Z|[+-](?P<hours>\d{2}):?(?P<minutes>\d{2}))?""",
    re.VERBOSE,
)
_DATE_FORMATS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d", 13: "%Y-%m-%dT%H", 16: "%Y-%m-%dT%H:%M", 19: "%Y-%m-%dT%H:%M:%S"}


def date_bound(name: str, value: str | None) -> str | None:
    """A --from/--to bound as compared with the stored dates: a real date (or a prefix of one) in local time.

    Stored dates are the local time the camera wrote, "2024-05-31T13:45:00", followed by "+02:00" only when the
    file records an offset, which most do not. A bound's offset (or Z) is accepted, as exiftool and cbis's own
    output print one, and set aside: the bound is compared with the local time as written, the one reading that
    applies to every image alike (an instant cannot be compared with a local time whose zone is unknown).
    """
    if value is None:
        return None
    rule = (
        f"{name} takes a date, or a date and time, like 2024-05-31, 2024-05 or 2024-05-31T13:45:00"
        " (an offset such as +02:00 or Z is accepted and ignored: local times are compared)"
    )
    match = _DATE_BOUND.fullmatch(value.strip())
    if match is None or (match["offset"] and len(match["local"]) < 13):
        raise UsageError(rule)
    if match["hours"] and (int(match["hours"]) > 14 or int(match["minutes"]) > 59):
        raise UsageError(f"{name} {value}: no such offset from UTC ({rule})")
    # Stored dates stop at the second (EXIF's SubSecTime is not part of them): a fraction would only compare its
    # "." with the stored offset's sign, so the bound is taken to the second.
    local = match["local"].replace(" ", "T")[:19]
    try:
        datetime.strptime(local, _DATE_FORMATS[len(local)])
    except ValueError:
        raise UsageError(f"{name} {value}: no such date or time ({rule})") from None
    return local


def no_results_hint(filters: SearchFilters, model: ModelRef | None) -> str | None:
    """Why a search found nothing when the reason is the case, not the evidence: labels asked of a case that
    holds none (indexed with --no-classify) match nothing, whatever the images show."""
    if model is None and (filters.label is not None or filters.min_score is not None):
        option = "--label" if filters.label is not None else "--min-score"
        return (
            f"{option} matches nothing here: this case holds no labels (it was indexed with --no-classify); "
            "run `cbis index EVIDENCE_DIR` again without --no-classify to classify its images"
        )
    return None


def _files_at_typed_path(connection: Connection, reference: str) -> tuple[bool, list[int]]:
    """The case's file at a path as the examiner typed it (relative to the current directory, or absolute), and
    whether the path is below one of the case's evidence roots at all.

    The file's directory is matched to the evidence roots by device and inode, going up from it, so the path may
    reach the root through a link or a bind mount. Only stat() is called on the evidence: nothing is opened.
    """
    if not reference:
        return False, []
    typed = Path(os.path.abspath(reference))
    roots = {
        identity(Path(os.fsdecode(root_bytes))): evidence_id
        for evidence_id, _, root_bytes in evidence_roots(connection)
    }
    roots.pop(None, None)
    from cbis.db import similarity

    directory = Path(os.path.realpath(typed.parent))
    below: list[str] = [typed.name]
    for ancestor in (directory, *directory.parents):
        evidence_id = roots.get(identity(ancestor))
        if evidence_id is not None:
            file_id = similarity.find_file_id_at(connection, evidence_id, os.fsencode(os.path.join(*reversed(below))))
            return True, [file_id] if file_id is not None else []
        below.append(ancestor.name)
    return False, []


def _query_vector(
    connection: Connection, reference: str, model: ModelRef
) -> tuple[np.ndarray, similarity_index.OutsideImage | None]:
    """The unit vector to compare with: a case file's stored embedding, or that of an image from outside the
    case (a file below no evidence root), embedded now with the model the results come from."""
    import numpy as np

    from cbis.db import similarity
    from cbis.services import similarity_index

    candidates = similarity.find_file_ids(connection, reference)
    below_root = False
    if not candidates:
        below_root, candidates = _files_at_typed_path(connection, reference)
    outside = None
    if not candidates and not below_root and reference and os.path.isfile(reference):
        outside = similarity_index.embed_outside_image(Path(os.path.abspath(reference)), model)
        vectors = [outside.vector]
    else:
        vectors = [v for v in (similarity.embedding_of(connection, file_id, model.id) for file_id in candidates) if v]
    if not candidates and outside is None:
        raise UsageError(
            f"--similar-to: no file in this case has the hash or path {reference!r}; give a case file's SHA-256, MD5"
            " or SHA-1, its path relative to its evidence root (as search shows it), or its path on this machine"
            " (absolute, or relative to the current directory) below an indexed evidence root, or an image file"
            " outside the evidence"
        )
    if not vectors:
        raise UsageError(f"--similar-to: {reference!r} has no embedding from model {model.name} (not an image?)")
    return similarity.unit(np.frombuffer(vectors[0], dtype="<f2").astype(np.float32)), outside


RELEVANCE = "relevance"  # --sort with --text: best full-text match first


def _add_text_matches(connection: Connection, query: str, hits: list[SearchHit]) -> None:
    """Each hit's full-text rank and the words of its text that matched."""
    ids = [hit.id for hit in hits]
    ranks = text_search.ranks(connection, query, ids)
    texts = text_search.texts_of(connection, ids)
    for hit in hits:
        hit.text_rank = ranks.get(hit.id)
        words = [word["text"] for word in texts.get(hit.id, {}).get("words", [])]
        hit.text_matches = text_search.matching_words(query, words)


def search_case(
    case: Case,
    filters: SearchFilters,
    *,
    model_name: str | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: str | None = None,
    similar_to: str | None = None,
    on_note: Callable[[str], None] | None = None,
) -> tuple[list[SearchHit], ModelRef | None]:
    validate_filters(filters)
    # Beyond MAX_LIMIT the database driver raised OverflowError: a traceback.
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be between 1 and {MAX_LIMIT} (2^63 - 1)")
    if not 0 <= offset <= MAX_LIMIT:
        raise UsageError(f"offset must be between 0 and {MAX_LIMIT} (2^63 - 1)")
    if sort is None:
        sort = RELEVANCE if filters.text is not None and similar_to is None else "path"
    if sort not in (*queries.SORTS, RELEVANCE) or (sort == RELEVANCE and filters.text is None):
        raise UsageError(f"--sort takes one of: {', '.join(queries.SORTS)}, or {RELEVANCE} with --text")
    with case.engine.connect() as connection:
        check_hashset(connection, filters.hashset)
        resolve_review_filters(connection, filters)
        model = select_model(connection, model_name)
        filters.model_id = model.id if model else None
        if similar_to is None and sort == RELEVANCE:
            # Every match, ranked here: the rank is the full-text index's, not a column of the listing.
            hits = queries.search(connection, filters, limit=None, with_predictions=True)
            _add_text_matches(connection, filters.text or "", hits)
            hits.sort(key=lambda hit: -(hit.text_rank or 0.0))
            return hits[offset : offset + limit], model
        if similar_to is None:
            hits = queries.search(connection, filters, limit=limit, offset=offset, sort=sort, with_predictions=True)
            if filters.text is not None:
                _add_text_matches(connection, filters.text, hits)
            return hits, model
        # Nearest first; the other filters then narrow those neighbours down.
        if model is None:
            raise UsageError("--similar-to needs a classified case: index with a model first")
        query, outside = _query_vector(connection, similar_to, model)
        if outside is not None:  # the audit log says which picture was compared, and that it stayed outside
            case.audit_outcome = (
                f"ok: --similar-to an image outside the case, {escape_unprintable(str(outside.path))}, "
                f"SHA-256 {outside.sha256}; embedded with {model.name} for this query only, not stored"
            )
        count = max(1000, 20 * (limit + offset))
        from cbis.services import similarity_index

        def keep(candidates: list[int]) -> list[int]:
            """The neighbours the filters keep, in path order, found by the filters' conditions alone."""
            return queries.ordered_ids(connection, replace(filters, file_ids=candidates), model.id, "path")

        # Nearest first, ties in path order; only the page's files are then listed with columns and predictions.
        nearest = similarity_index.nearest(
            connection, case.directory, model, query, count, on_note, keep=keep, wanted=offset + limit
        )
        filters.file_ids = list(nearest)[offset : offset + limit]
        hits = queries.search(connection, filters, limit=None, with_predictions=True)
        if filters.text is not None:
            _add_text_matches(connection, filters.text, hits)
    for hit in hits:
        hit.similarity = nearest[hit.id]
    place = {file_id: number for number, file_id in enumerate(filters.file_ids)}
    hits.sort(key=lambda hit: place[hit.id])
    return hits, model
