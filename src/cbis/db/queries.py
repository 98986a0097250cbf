"""Read-only queries shared by `cbis search`, `cbis report` and the web viewer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import BindParameter, Connection, Select, and_, bindparam, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from cbis import wordnet
from cbis.db import hashsets, review, text_search
from cbis.db.models import Evidence, Exif, File, Model, PerceptualHash, Prediction, Run, Skipped, could_be_row_id

HASH_COLUMNS = {32: File.md5, 40: File.sha1, 64: File.sha256}

DATE_TAKEN = func.coalesce(Exif.datetime_original, Exif.datetime_digitized)
"""The date `--from`/`--to`, `--sort date` and the viewer's date filter use: DateTimeOriginal, else
DateTimeDigitized (exiftool's CreateDate), each from EXIF, else the maker note, else XMP (ingest.metadata). Compared
as text on the local time written (an offset, when there is one, follows it), like EXIF dates themselves."""


class byte_order(FunctionElement[Any]):
    """A text expression ordered by its UTF-8 bytes, as SQLite's BINARY collation orders it.

    PostgreSQL orders text by the database's collation (en_US puts "camera/" before "LICENSE", and ICU ignores
    punctuation at first), so lists and reports would depend on how the server was set up and differ from
    SQLite's. COLLATE "C" orders by bytes; on SQLite the expression renders unchanged.
    """

    name = "byte_order"
    inherit_cache = True


@compiles(byte_order)
def _byte_order(element: byte_order, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(byte_order, "postgresql")
def _byte_order_postgresql(element: byte_order, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'


@dataclass
class SearchFilters:
    """Filters that combine (AND). Text filters are case-insensitive substrings."""

    label: str | None = None
    min_score: float | None = None
    make: str | None = None
    camera_model: str | None = None
    has_gps: bool = False
    hash: str | None = None
    date_from: str | None = None  # ISO date or datetime prefix, compared with DATE_TAKEN
    date_to: str | None = None
    ext_mismatch: bool = False
    unprocessed: bool = False
    metadata_conflict: bool = False  # EXIF, maker note and XMP disagree on a summary field
    thumbnail_mismatch: bool = False  # the EXIF thumbnail is not the picture (perceptual analyzer)
    # Files with a `cbis anomalies` reason: the checks are Python (cbis/anomalies.py), so the caller resolves the
    # flag into anomaly_ids (db/anomalies.flagged_ids) before querying.
    anomalies: bool = False
    anomaly_ids: list[int] | None = None
    # Files a later walk no longer found: "include" them (flagged), "exclude" them, or "only" them.
    missing: str = "include"
    file_ids: list[int] | None = None  # only these files (a similarity search's nearest neighbours)
    exclude_file_ids: list[int] | None = None  # not these files (the viewer's collapsed look-alikes)
    # Hash sets (db/hashsets.py): files matching a known set, a notable set, the set of this name; the viewer hides
    # files matching a known set unless asked to show them.
    known: bool = False
    notable: bool = False
    hashset: str | None = None
    hide_known: bool = False
    model_id: int | None = None  # predictions of this model; None: the case's most recent model
    # Examiner review (db/review.py): the file's examiner category (CAT-0: none yet), a tag it has; a rollup's
    # ImageNet classes, resolved by the caller from the rollup's name (services/rollups.py): the top-1 is one.
    category: str | None = None
    tag: str | None = None
    rollup: str | None = None
    rollup_classes: list[str] | None = None
    text: str | None = None  # words in the OCR text (db/text_search.py: words, "a phrase", OR, prefix*)
    screenshot: bool = False  # the OCR analyzer flagged it a screenshot
    min_faces: int | None = None  # at least this many faces (face analyzer); --faces is 1


@dataclass
class ModelRef:
    id: int
    name: str
    backend: str
    weights_sha256: str


@dataclass
class SearchHit:
    id: int
    evidence: str
    path: str
    status: str
    format: str | None
    extension: str
    extension_mismatch: bool
    size: int
    md5: str | None
    sha1: str | None
    sha256: str | None
    width: int | None
    height: int | None
    error: str | None
    make: str | None
    camera_model: str | None
    datetime_original: str | None
    gps_latitude: float | None
    gps_longitude: float | None
    software: str | None = None
    orientation: int | None = None
    gps_altitude: float | None = None
    lens_model: str | None = None
    body_serial: str | None = None
    datetime_digitized: str | None = None
    modify_date: str | None = None
    date_taken: str | None = None  # DATE_TAKEN: what --from/--to and --sort date use
    display_width: int | None = None  # width/height are as stored, display_* as shown (after orientation)
    display_height: int | None = None
    metadata_conflict: bool = False
    sources: dict[str, str] = field(default_factory=dict)  # summary field -> EXIF, MakerNote (...) or XMP (...)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> {source: value} where they differ
    label: str | None = None  # top-1 of the selected model
    score: float | None = None
    similarity: float | None = None  # cosine similarity to the image of --similar-to
    predictions: list[dict[str, Any]] = field(default_factory=list)
    missing_since_run: int | None = None  # the run whose walk no longer found the file
    matched_label: str | None = None  # with --label: the best-ranked label that matched, its rank and score
    matched_rank: int | None = None
    matched_score: float | None = None
    hashsets: list[dict[str, Any]] = field(default_factory=list)  # the file's hash-set matches (set, kind, category)
    wnid: str | None = None  # the top-1's WordNet id (wordnet.display_name gives the name an examiner reads)
    matched_wnid: str | None = None
    # The examiner's review (db/review.py): category (None: uncategorised), tags, note, and the pre-category a
    # notable hash set gives (shown as the set's; never the examiner's)
    review: dict[str, Any] = field(default_factory=dict)
    face_count: int | None = None  # None: no face analysis of it
    screenshot: bool = False
    text_rank: float | None = None  # with --text: how well it matched (higher is better)
    text_matches: list[str] = field(default_factory=list)  # with --text: the words of its text that matched


def most_recent_model(connection: Connection) -> ModelRef | None:
    """The model of the latest run that classified; the case's default for search and report."""
    model_id = connection.execute(
        select(Run.model_id).where(Run.model_id.is_not(None)).order_by(Run.id.desc()).limit(1)
    ).scalar()
    if model_id is None:
        model_id = connection.execute(select(func.max(Model.id))).scalar()
    return None if model_id is None else model_by_id(connection, model_id)


def model_by_id(connection: Connection, model_id: int) -> ModelRef | None:
    """None when there is no such model (an id out of the backend's range included)."""
    if not could_be_row_id(connection.dialect.name, model_id):
        return None
    row = connection.execute(
        select(Model.id, Model.name, Model.backend, Model.weights_sha256).where(Model.id == model_id)
    ).one_or_none()
    return None if row is None else ModelRef(*row)


def models_named(connection: Connection, name: str) -> list[ModelRef]:
    rows = connection.execute(
        select(Model.id, Model.name, Model.backend, Model.weights_sha256)
        .where(Model.name == name)
        .order_by(Model.id.desc())
    )
    return [ModelRef(*row) for row in rows]


def model_names_used(connection: Connection) -> list[str]:
    """The names of the models whose predictions this case holds, in the order they were first used."""
    rows = connection.execute(select(Model.name, func.min(Model.id)).group_by(Model.name).order_by(func.min(Model.id)))
    return [name for name, _ in rows]


def model_provenance(connection: Connection, model_id: int) -> dict[str, Any]:
    row = connection.execute(select(Model.__table__).where(Model.id == model_id)).mappings().one()
    return dict(row)


# What separates the words of a label ("golden retriever", "Shih-Tzu", "ram, tup"): white space and the
# punctuation labels and queries use; whole words match, so that `--label car` finds "sports car" and not
# "Carolina anole", "carved pumpkin" or "bullock cart", and '%' or '_' in a query are never wildcards.
_WORD_SEPARATORS = tuple(",-/()'.<>%_&:;\"!?")  # a chain of replace(): SQLite's parser allows about 20 deep


def _words(column: Any) -> Any:
    """lower(column) with every separator a space, between two spaces: ' sports car '."""
    text = func.lower(column)
    for separator in _WORD_SEPARATORS:
        text = func.replace(text, separator, " ")
    for _ in range(2):  # "100%_sure" -> "100  sure" -> "100 sure": runs of up to four separators are one space
        text = func.replace(text, "  ", " ")
    return literal(" ") + text + literal(" ")


def label_matches(text: str) -> Any:
    """A prediction whose label holds `text` as whole words, or whose class is under a WordNet synset of that
    name (`dog`: every breed). The query's own '%' and '_' are literal."""
    query = text.lower()  # as SQL's lower() does the label (SQLite: ASCII letters only, as `_like` has always)
    for separator in _WORD_SEPARATORS:
        query = query.replace(separator, " ")
    query = " ".join(query.split())
    if not query:
        return literal(False)
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    whole_words = _words(Prediction.label).like(f"% {escaped} %", escape="\\")
    classes = wordnet.classes_meaning(text)
    return or_(whole_words, Prediction.wnid.in_(sorted(classes))) if classes else whole_words


def _like(column: Any, text: str) -> Any:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def filtered_query(filters: SearchFilters, model_id: int | None) -> Select[Any]:
    """The rows `cbis search` and the viewer list, unordered: one definition so both always agree."""
    top1 = (
        select(Prediction.file_id, Prediction.label, Prediction.score, Prediction.wnid)
        .where(Prediction.model_id == (model_id if model_id is not None else -1), Prediction.rank == 1)
        .subquery("top1")
    )
    query = (
        select(
            File.id,
            Evidence.root.label("evidence"),
            File.path,
            File.status,
            File.format,
            File.extension,
            File.extension_mismatch,
            File.size,
            File.md5,
            File.sha1,
            File.sha256,
            File.width,
            File.height,
            File.error,
            Exif.make,
            Exif.model.label("camera_model"),
            Exif.datetime_original,
            Exif.gps_latitude,
            Exif.gps_longitude,
            Exif.software,
            Exif.orientation,
            Exif.gps_altitude,
            Exif.lens_model,
            Exif.body_serial,
            Exif.datetime_digitized,
            Exif.modify_date,
            DATE_TAKEN.label("date_taken"),
            File.display_width,
            File.display_height,
            func.coalesce(Exif.has_conflict, False).label("metadata_conflict"),
            Exif.sources_json,
            Exif.conflicts_json,
            top1.c.label,
            top1.c.score,
            top1.c.wnid,
            File.missing_since_run_id.label("missing_since_run"),
            text_search.face_count().label("face_count"),
            text_search.screenshot_condition().label("screenshot"),
        )
        .join(Evidence, Evidence.id == File.evidence_id)
        .outerjoin(Exif, Exif.file_id == File.id)
        .outerjoin(top1, top1.c.file_id == File.id)
    )
    conditions: list[Any] = []
    if filters.unprocessed:
        conditions.append(File.status == "unprocessed")
    elif not (
        filters.hash
        or filters.ext_mismatch
        or filters.known
        or filters.notable
        or filters.hashset
        or filters.anomalies
        or filters.tag
        or (filters.category and filters.category != review.UNCATEGORIZED)
    ):
        # Hash and mismatch searches look at every file (a renamed document matters); the rest are about images.
        conditions.append(File.status == "image")
    if filters.label or filters.min_score is not None:
        matching = select(Prediction.file_id).where(
            Prediction.file_id == File.id, Prediction.model_id == (model_id if model_id is not None else -1)
        )
        if filters.label:
            matching = matching.where(label_matches(filters.label))
        else:
            matching = matching.where(Prediction.rank == 1)
        if filters.min_score is not None:
            matching = matching.where(Prediction.score >= filters.min_score)
        conditions.append(exists(matching))
    if filters.make:
        conditions.append(_like(Exif.make, filters.make))
    if filters.camera_model:
        conditions.append(_like(Exif.model, filters.camera_model))
    if filters.has_gps:
        conditions.append(and_(Exif.gps_latitude.is_not(None), Exif.gps_longitude.is_not(None)))
    if filters.hash:
        digest = filters.hash.strip().lower()
        column = HASH_COLUMNS.get(len(digest))
        conditions.append(column == digest if column is not None else File.id.is_(None))
    if filters.date_from:
        conditions.append(func.substr(DATE_TAKEN, 1, len(filters.date_from)) >= filters.date_from)
    if filters.date_to:
        conditions.append(func.substr(DATE_TAKEN, 1, len(filters.date_to)) <= filters.date_to)
    if filters.metadata_conflict:
        conditions.append(Exif.has_conflict.is_(True))
    if filters.thumbnail_mismatch:
        conditions.append(
            exists(
                select(PerceptualHash.file_id).where(
                    PerceptualHash.file_id == File.id, PerceptualHash.thumbnail_mismatch.is_(True)
                )
            )
        )
    if filters.ext_mismatch:
        conditions.append(File.extension_mismatch.is_(True))
    if filters.text is not None:
        conditions.append(text_search.text_condition(filters.text))
    if filters.screenshot:
        conditions.append(text_search.screenshot_condition())
    if filters.min_faces is not None:
        conditions.append(text_search.min_faces_condition(filters.min_faces))
    if filters.file_ids is not None:
        conditions.append(File.id.in_(_literal_ids("only_ids", filters.file_ids)))
    if filters.exclude_file_ids:
        conditions.append(File.id.not_in(_literal_ids("hidden_ids", filters.exclude_file_ids)))
    if filters.anomalies:
        conditions.append(File.id.in_(_literal_ids("anomaly_ids", filters.anomaly_ids or [])))
    if filters.missing == "exclude":
        conditions.append(File.missing_since_run_id.is_(None))
    elif filters.missing == "only":
        conditions.append(File.missing_since_run_id.is_not(None))
    if filters.known:
        conditions.append(hashsets.match_condition(kind="known"))
    elif filters.hide_known:
        conditions.append(~hashsets.match_condition(kind="known"))
    if filters.notable:
        conditions.append(hashsets.match_condition(kind="notable"))
    if filters.hashset:
        conditions.append(hashsets.match_condition(set_name=filters.hashset))
    if filters.category:
        conditions.append(review.category_condition(filters.category))
    if filters.tag:
        conditions.append(review.tag_condition(filters.tag))
    if filters.rollup_classes is not None:
        conditions.append(
            exists(
                select(Prediction.file_id).where(
                    Prediction.file_id == File.id,
                    Prediction.model_id == (model_id if model_id is not None else -1),
                    Prediction.rank == 1,
                    Prediction.wnid.in_(_literal_text("rollup_classes", filters.rollup_classes)),
                )
            )
        )
    return query.where(*conditions)


SORTS = ("path", "date", "score")
MISSING_CHOICES = ("include", "exclude", "only")


def _literal_ids(name: str, ids: list[int]) -> BindParameter[Any]:
    # Written into the statement as integers, not one bound parameter each: a case's stacks can hold more files
    # than SQLite (32,766) or PostgreSQL (65,535) take parameters. Only ints, so nothing to escape.
    return bindparam(name, [int(i) for i in ids], expanding=True, literal_execute=True)


def _literal_text(name: str, values: list[str]) -> BindParameter[Any]:
    # WordNet ids only (n01234567): checked here, since they are written into the statement.
    checked = [value for value in values if len(value) == 9 and value[0] == "n" and value[1:].isdigit()]
    return bindparam(name, checked or [""], expanding=True, literal_execute=True)


def ordering(columns: Any, sort: str) -> list[Any]:
    """ORDER BY keys for `filtered_query` used as a subquery; ties always end on root, path, id."""
    if sort == "score":
        keys = [columns.score.is_(None), columns.score.desc()]
    elif sort == "date":
        keys = [columns.date_taken.is_(None), byte_order(columns.date_taken)]
    else:
        keys = []
    return [*keys, byte_order(columns.evidence), byte_order(columns.path), columns.id]


def search(
    connection: Connection,
    filters: SearchFilters,
    *,
    limit: int | None = 50,
    offset: int = 0,
    sort: str = "path",
    with_predictions: bool = False,
) -> list[SearchHit]:
    model_id = filters.model_id
    if model_id is None:
        recent = most_recent_model(connection)
        model_id = recent.id if recent else None
    listed = filtered_query(filters, model_id).subquery("filtered")
    query = select(listed).order_by(*ordering(listed.c, sort))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    hits = [_hit(row) for row in connection.execute(query).mappings()]
    if hits:
        by_id = {hit.id: hit for hit in hits}
        for file_id, matches in hashsets.matches_of(connection, list(by_id)).items():
            by_id[file_id].hashsets = [asdict(match) for match in matches]
        _add_review(connection, by_id)
    if with_predictions and model_id is not None and hits:
        by_id = {hit.id: hit for hit in hits}
        rows = connection.execute(
            select(Prediction.file_id, Prediction.rank, Prediction.wnid, Prediction.label, Prediction.score)
            .where(Prediction.model_id == model_id, Prediction.file_id.in_(list(by_id)))
            .order_by(Prediction.file_id, Prediction.rank)
        )
        for file_id, rank, wnid, label, score in rows:
            by_id[file_id].predictions.append({"rank": rank, "wnid": wnid, "label": label, "score": score})
    if filters.label and model_id is not None and hits:
        by_id = {hit.id: hit for hit in hits}
        rows = connection.execute(
            select(Prediction.file_id, Prediction.rank, Prediction.label, Prediction.score, Prediction.wnid)
            .where(
                Prediction.model_id == model_id,
                Prediction.file_id.in_(list(by_id)),
                label_matches(filters.label),
            )
            .order_by(Prediction.file_id, Prediction.rank)
        )
        for file_id, rank, label, score, wnid in rows:
            hit = by_id[file_id]
            if hit.matched_rank is None:  # the best-ranked of the labels that matched
                hit.matched_rank, hit.matched_label, hit.matched_score, hit.matched_wnid = rank, label, score, wnid
    return hits


def _add_review(connection: Connection, by_id: dict[int, SearchHit]) -> None:
    ids = list(by_id)
    states = review.fold(review.events(connection, ids))
    pre = review.precategories(connection, ids)
    for file_id, hit in by_id.items():
        state = states.get(file_id, review.ReviewState())
        found = pre.get(file_id, [])
        hit.review = {
            "category": state.category,
            "tags": list(state.tags),
            "note": state.note,
            "precategorized_from": [asdict(p) for p in found],
            "conflicts": state.conflicts,
        }


def _hit(row: Any) -> SearchHit:
    values = dict(row)
    sources_json, conflicts_json = values.pop("sources_json"), values.pop("conflicts_json")
    values["metadata_conflict"] = bool(values["metadata_conflict"])
    values["screenshot"] = bool(values["screenshot"])
    return SearchHit(**values, sources=_json_map(sources_json), conflicts=_json_map(conflicts_json))


def _json_map(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def count(connection: Connection, filters: SearchFilters) -> int:
    model_id = filters.model_id
    if model_id is None:
        recent = most_recent_model(connection)
        model_id = recent.id if recent else None
    subquery = filtered_query(filters, model_id).subquery()
    return connection.execute(select(func.count()).select_from(subquery)).scalar_one()


# --- report rows, in deterministic order (evidence root, path, rank) ---


def file_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    query = (
        select(
            Evidence.root.label("evidence"),
            File.path,
            File.size,
            File.md5,
            File.sha1,
            File.sha256,
            File.format,
            File.extension,
            File.extension_mismatch,
            File.mtime,
            File.status,
            File.error,
            File.missing_since_run_id.label("missing_since_run"),
        )
        .join(Evidence, Evidence.id == File.evidence_id)
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    yield from connection.execute(query).mappings()


def exif_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    query = (
        select(
            File.path,
            File.sha256,
            Exif.make,
            Exif.model,
            Exif.software,
            Exif.datetime_original,
            Exif.gps_latitude,
            Exif.gps_longitude,
            Exif.gps_altitude,
            Exif.orientation,
            File.width,
            File.height,
            Exif.tags_json,
            Exif.lens_model,
            Exif.body_serial,
            Exif.datetime_digitized,
            Exif.modify_date,
            File.display_width.label("displayed_width"),
            File.display_height.label("displayed_height"),
            Exif.sources_json,
            Exif.has_conflict.label("metadata_conflict"),
            Exif.conflicts_json,
        )
        .join(Exif, Exif.file_id == File.id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(File.status == "image")
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    yield from connection.execute(query).mappings()


def prediction_rows(connection: Connection, model_id: int) -> Iterator[dict[str, Any]]:
    query = (
        select(
            File.path,
            File.sha256,
            Prediction.rank,
            Prediction.label,
            Prediction.wnid,
            Prediction.score,
            Model.name.label("model"),
        )
        .join(Prediction, Prediction.file_id == File.id)
        .join(Model, Model.id == Prediction.model_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(Prediction.model_id == model_id)
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id, Prediction.rank)
    )
    yield from connection.execute(query).mappings()


def unprocessed_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    query = (
        select(File.path, File.error.label("reason"))
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(File.status == "unprocessed")
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    yield from connection.execute(query).mappings()


def top1_label_counts(connection: Connection, model_id: int) -> list[tuple[str, int]]:
    number = func.count().label("count")
    rows = connection.execute(
        select(Prediction.label, number)
        .where(Prediction.model_id == model_id, Prediction.rank == 1)
        .group_by(Prediction.label)
        .order_by(number.desc(), byte_order(Prediction.label))
    )
    return [(label, n) for label, n in rows]


def evidence_roots(connection: Connection) -> list[tuple[int, str, bytes]]:
    """(id, root as shown, root's exact bytes) of every evidence root indexed into the case."""
    return [
        tuple(row)
        for row in connection.execute(select(Evidence.id, Evidence.root, Evidence.root_bytes).order_by(Evidence.id))
    ]


def files_under(connection: Connection, evidence_id: int) -> Iterator[dict[str, Any]]:
    """Recorded files of one root, for `verify`."""
    query = (
        select(File.id, File.path, File.path_bytes, File.size, File.sha256, File.status, File.missing_since_run_id)
        .where(File.evidence_id == evidence_id)
        .order_by(File.path_bytes)
    )
    yield from connection.execute(query).mappings()


def skips_under(connection: Connection, evidence_id: int) -> Iterator[dict[str, Any]]:
    """Recorded walk entries of one root that were not read (links, FIFOs, loops...), for `verify`."""
    query = (
        select(Skipped.path, Skipped.path_bytes, Skipped.reason, Skipped.missing_since_run_id)
        .where(Skipped.evidence_id == evidence_id)
        .order_by(Skipped.path_bytes)
    )
    yield from connection.execute(query).mappings()
