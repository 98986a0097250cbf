"""Read-only queries shared by `cbis search`, `cbis report` and the web viewer."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import BindParameter, Connection, Select, and_, bindparam, exists, func, literal, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import FromClause, Join, Subquery

from cbis import wordnet
from cbis.db import hashsets, review, text_search
from cbis.db.engine import streamed
from cbis.db.models import (
    Evidence,
    Exif,
    File,
    Model,
    ModelClass,
    PerceptualHash,
    Prediction,
    Run,
    Skipped,
    could_be_row_id,
)

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


class _Leading(Join):
    """An inner join whose left table SQLite must read first (CROSS JOIN: SQLite's planner never reorders it).

    The date order's pages read exif by ix_exif_date_taken, oldest first, and stop after a page; without table
    statistics SQLite instead starts from files (by ix_files_status) and sorts the whole case for each page, two
    seconds at 300,000 files. PostgreSQL keeps a plain JOIN: its planner has statistics and chooses for itself.
    """

    inherit_cache = True


@compiles(_Leading, "sqlite")
def _leading_sqlite(element: _Leading, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("asfrom", None)
    from_linter = kw.get("from_linter")
    if from_linter:  # as SQLCompiler.visit_join: the tables count as joined, so no cartesian-product warning
        from_linter.edges.update(itertools.product(element.left._from_objects, element.right._from_objects))
    left = element.left._compiler_dispatch(compiler, asfrom=True, **kw)
    right = element.right._compiler_dispatch(compiler, asfrom=True, **kw)
    return f"{left} CROSS JOIN {right} ON {element.onclause._compiler_dispatch(compiler, **kw)}"


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
    # `label` resolved to the model's classes (queries.resolve, by the query functions themselves): the label
    # filter is then an index look-up by class instead of matching the words of every prediction's label.
    label_classes: LabelClasses | None = None


@dataclass(frozen=True)
class LabelClasses:
    """A label filter resolved against one model's classes (queries.label_classes)."""

    text: str
    model_id: int | None
    wnids: list[str]
    labels: list[str]
    by_class: bool = False  # the classes alone decide (each one's every label matched)


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
    evidence_id: int | None = None  # the evidence root's id (ties of the listing order)


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


def _label_query(text: str) -> str:
    query = text.lower()  # as SQL's lower() does the label (SQLite: ASCII letters only, as `_like` has always)
    for separator in _WORD_SEPARATORS:
        query = query.replace(separator, " ")
    return " ".join(query.split())


def _label_words(column: Any, query: str) -> Any:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _words(column).like(f"% {escaped} %", escape="\\")


def label_classes(connection: Connection, text: str, model_id: int | None) -> LabelClasses:
    """The model's classes whose label holds `text` as whole words (`label_matches`' words part), read from
    `model_classes` (a row per class the model has named) by the same SQL expression: a label filter then finds
    predictions by class through ix_predictions_model_wnid instead of matching the words of every label."""
    query = _label_query(text)
    if not query or model_id is None:
        return LabelClasses(text, model_id, [], [])
    rows = connection.execute(
        select(ModelClass.wnid, ModelClass.label).where(
            ModelClass.model_id == model_id, _label_words(ModelClass.label, query)
        )
    ).all()
    wnids, labels = sorted({wnid for wnid, _ in rows}), sorted({label for _, label in rows})
    # Every label the model gave these classes matched (one label a class, as a model names them): the class
    # alone then decides, and the look-up reads the index only.
    every_label = connection.execute(
        select(ModelClass.label).where(ModelClass.model_id == model_id, ModelClass.wnid.in_(wnids))
    ).scalars()
    return LabelClasses(text, model_id, wnids, labels, by_class=set(every_label) <= set(labels))


def label_matches(text: str, resolved: LabelClasses | None = None) -> Any:
    """A prediction whose label holds `text` as whole words, or whose class is under a WordNet synset of that
    name (`dog`: every breed). The query's own '%' and '_' are literal.

    With `resolved` (label_classes of the same text and model), the words part is "its class is one whose label
    matched and its label is one that matched": a prediction's match depends on its label alone, so this is
    exactly the words test, and the class makes it an index look-up."""
    query = _label_query(text)
    if not query:
        return literal(False)
    classes = wordnet.classes_meaning(text)
    if resolved is not None and resolved.text == text and resolved.by_class:
        return Prediction.wnid.in_(_literal_text("label_wnids", sorted({*resolved.wnids, *classes})))
    if resolved is not None and resolved.text == text:
        whole_words = (
            and_(
                Prediction.wnid.in_(_literal_text("label_wnids", resolved.wnids)),
                Prediction.label.in_(bindparam("label_names", resolved.labels, expanding=True)),
            )
            if resolved.wnids
            else literal(False)
        )
    else:
        whole_words = _label_words(Prediction.label, query)
    return or_(whole_words, Prediction.wnid.in_(sorted(classes))) if classes else whole_words


def _like(column: Any, text: str) -> Any:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def filtered_query(filters: SearchFilters, model_id: int | None) -> Select[Any]:
    """The rows `cbis search` and the viewer list, unordered: one definition so both always agree."""
    return _base_query(model_id).where(*conditions(filters, model_id))


def _top1(model_id: int | None) -> Subquery:
    """The model's best label for each file it classified."""
    return (
        select(Prediction.file_id, Prediction.label, Prediction.score, Prediction.wnid)
        .where(Prediction.model_id == (model_id if model_id is not None else -1), Prediction.rank == 1)
        .subquery("top1")
    )


def _base_query(model_id: int | None, *, order: _KeyedOrder | None = None) -> Select[Any]:
    """Every file with the columns a listing shows (EXIF, the model's top-1, faces, screenshot); with `order`,
    only the files of its first part, read from its index first."""
    top1 = order.top1 if order is not None else _top1(model_id)
    query = select(
        File.id,
        File.evidence_id,
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
    if order is not None:
        return query.select_from(order.source(exif=True)).where(*order.has())
    listed = File.__table__.join(Evidence, Evidence.id == File.evidence_id).outerjoin(Exif, Exif.file_id == File.id)
    return query.select_from(listed.outerjoin(top1, top1.c.file_id == File.id))


_LAST_CHARACTER = "\U0010ffff"  # the highest code point: its UTF-8 bytes sort after any other character's

# Filters whose conditions read EXIF columns: a count joins the EXIF table only for them.
_EXIF_FILTERS = ("make", "camera_model", "has_gps", "date_from", "date_to", "metadata_conflict")


def conditions(filters: SearchFilters, model_id: int | None, *, counting: bool = False) -> list[Any]:
    """`filtered_query`'s WHERE terms over files (and exif, joined by the caller when `needs_exif`)."""
    terms: list[Any] = []
    if filters.unprocessed:
        terms.append(File.status == "unprocessed")
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
        terms.append(File.status == "image")
    if filters.label or filters.min_score is not None:
        matching = select(Prediction.file_id).where(Prediction.model_id == (model_id if model_id is not None else -1))
        if filters.label:
            matching = matching.where(label_matches(filters.label, _resolved_for(filters, model_id)))
        else:
            matching = matching.where(Prediction.rank == 1)
        if filters.min_score is not None:
            matching = matching.where(Prediction.score >= filters.min_score)
        # A count reads the matching predictions once through the index (an IN list); a page in order probes each
        # file it passes (EXISTS), and stops when the page is full.
        terms.append(File.id.in_(matching) if counting else exists(matching.where(Prediction.file_id == File.id)))
    if filters.make:
        terms.append(_like(Exif.make, filters.make))
    if filters.camera_model:
        terms.append(_like(Exif.model, filters.camera_model))
    if filters.has_gps:
        terms.append(and_(Exif.gps_latitude.is_not(None), Exif.gps_longitude.is_not(None)))
    if filters.hash:
        digest = filters.hash.strip().lower()
        column = HASH_COLUMNS.get(len(digest))
        terms.append(column == digest if column is not None else File.id.is_(None))
    # Each date filter with its range in byte order, which the prefix test implies: the range reads
    # ix_exif_date_taken; the prefix test keeps the meaning exactly as it was.
    if filters.date_from:
        terms.append(func.substr(DATE_TAKEN, 1, len(filters.date_from)) >= filters.date_from)
        terms.append(byte_order(DATE_TAKEN) >= filters.date_from)
    if filters.date_to:
        terms.append(func.substr(DATE_TAKEN, 1, len(filters.date_to)) <= filters.date_to)
        terms.append(byte_order(DATE_TAKEN) <= filters.date_to + _LAST_CHARACTER)
    if filters.metadata_conflict:
        terms.append(Exif.has_conflict.is_(True))
    if filters.thumbnail_mismatch:
        terms.append(
            exists(
                select(PerceptualHash.file_id).where(
                    PerceptualHash.file_id == File.id, PerceptualHash.thumbnail_mismatch.is_(True)
                )
            )
        )
    if filters.ext_mismatch:
        terms.append(File.extension_mismatch.is_(True))
    if filters.text is not None:
        terms.append(text_search.text_condition(filters.text))
    if filters.screenshot:
        terms.append(text_search.screenshot_condition())
    if filters.min_faces is not None:
        terms.append(text_search.min_faces_condition(filters.min_faces))
    if filters.file_ids is not None:
        terms.append(File.id.in_(_literal_ids("only_ids", filters.file_ids)))
    if filters.exclude_file_ids:
        terms.append(File.id.not_in(_literal_ids("hidden_ids", filters.exclude_file_ids)))
    if filters.anomalies:
        terms.append(File.id.in_(_literal_ids("anomaly_ids", filters.anomaly_ids or [])))
    if filters.missing == "exclude":
        terms.append(File.missing_since_run_id.is_(None))
    elif filters.missing == "only":
        terms.append(File.missing_since_run_id.is_not(None))
    if filters.known:
        terms.append(hashsets.match_condition(kind="known"))
    elif filters.hide_known:
        terms.append(~hashsets.match_condition(kind="known"))
    if filters.notable:
        terms.append(hashsets.match_condition(kind="notable"))
    if filters.hashset:
        terms.append(hashsets.match_condition(set_name=filters.hashset))
    if filters.category:
        terms.append(review.category_condition(filters.category))
    if filters.tag:
        terms.append(review.tag_condition(filters.tag))
    if filters.rollup_classes is not None:
        terms.append(
            exists(
                select(Prediction.file_id).where(
                    Prediction.file_id == File.id,
                    Prediction.model_id == (model_id if model_id is not None else -1),
                    Prediction.rank == 1,
                    Prediction.wnid.in_(_literal_text("rollup_classes", filters.rollup_classes)),
                )
            )
        )
    return terms


def needs_exif(filters: SearchFilters) -> bool:
    return any(getattr(filters, name) for name in _EXIF_FILTERS)


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
    """ORDER BY keys for `filtered_query` used as a subquery, all ascending (so a row's keys compare as a tuple,
    for keyset pages): score best first or date taken oldest first, each with the files without one last; ties
    always end on evidence root, path, id."""
    if sort == "score":
        keys = [columns.score.is_(None), func.coalesce(-columns.score, 0.0)]
    elif sort == "date":
        keys = [columns.date_taken.is_(None), byte_order(func.coalesce(columns.date_taken, ""))]
    else:
        keys = []
    return [*keys, byte_order(columns.evidence), columns.evidence_id, byte_order(columns.path), columns.id]


def model_for(connection: Connection, filters: SearchFilters) -> int | None:
    """The model whose predictions the filters read: theirs, else the case's most recent."""
    if filters.model_id is not None:
        return filters.model_id
    recent = most_recent_model(connection)
    return recent.id if recent else None


def resolve(connection: Connection, filters: SearchFilters, model_id: int | None) -> SearchFilters:
    """The filters with their label resolved to the model's classes (one read of a small table), once."""
    if filters.label and _resolved_for(filters, model_id) is None:
        return replace(filters, label_classes=label_classes(connection, filters.label, model_id))
    return filters


def _resolved_for(filters: SearchFilters, model_id: int | None) -> LabelClasses | None:
    resolved = filters.label_classes
    if resolved is None or resolved.model_id != model_id or resolved.text != filters.label:
        return None
    return resolved


def _lean_count(
    connection: Connection, filters: SearchFilters, model_id: int | None, *extra: Any, exif: bool = False
) -> int:
    """How many files the filters keep: their conditions alone, no listing columns (and so no joins but EXIF's
    when a filter, or an `extra` term that says `exif`, reads it)."""
    query = select(func.count()).select_from(File)
    if exif or needs_exif(filters):
        query = query.outerjoin(Exif, Exif.file_id == File.id)
    return connection.execute(query.where(*conditions(filters, model_id, counting=True), *extra)).scalar_one()


def _roots_in_order(connection: Connection) -> list[int]:
    return list(connection.execute(select(Evidence.id).order_by(byte_order(Evidence.root), Evidence.id)).scalars())


def _path_key(file_id: int, path: str) -> tuple[Any, Any]:
    return tuple_(byte_order(File.path), File.id), tuple_(literal(path), literal(file_id))


def _path_listing(
    connection: Connection,
    filters: SearchFilters,
    model_id: int | None,
    *,
    limit: int | None,
    offset: int,
    after: int | None,
    before: int | None,
    only: Any = None,
    exif: bool = False,
) -> list[Any]:
    """The path order (evidence root, path, id) one evidence root at a time: each root's files are read in order
    from ix_files_listing, so a page costs its rows and a keyset page (after/before a file) costs no skipping.
    `only`: a term the files must meet as well (the end of the date or score order: no key), which reads EXIF when
    `exif` says so."""
    roots = _roots_in_order(connection)
    anchor_id = after if after is not None else before
    anchor = None
    if anchor_id is not None and could_be_row_id(connection.dialect.name, anchor_id):
        anchor = connection.execute(select(File.evidence_id, File.path).where(File.id == anchor_id)).one_or_none()
    if anchor_id is not None and anchor is None:
        return []  # nothing comes after (before) a file the case does not hold
    backwards = anchor is not None and after is None
    if backwards:
        roots.reverse()
    if anchor is not None and anchor.evidence_id in roots:
        roots = roots[roots.index(anchor.evidence_id) :]
    else:
        anchor = None
    query = filtered_query(filters, model_id)
    rows: list[Any] = []
    skip = offset if anchor is None else 0
    for number, evidence_id in enumerate(roots):
        terms: list[Any] = [File.evidence_id == evidence_id, *([only] if only is not None else [])]
        if number == 0 and anchor is not None:
            keys, anchor_keys = _path_key(anchor_id or 0, anchor.path)
            terms.append(keys < anchor_keys if backwards else keys > anchor_keys)
        if skip:
            in_root = _lean_count(connection, filters, model_id, *terms, exif=exif)
            if in_root <= skip:
                skip -= in_root
                continue
        order = [byte_order(File.path), File.id]
        arm = query.where(*terms).order_by(*(key.desc() for key in order) if backwards else order)
        if limit is not None:
            arm = arm.limit(limit - len(rows))
        if skip:
            arm, skip = arm.offset(skip), 0
        rows.extend(connection.execute(arm).mappings())
        if limit is not None and len(rows) >= limit:
            break
    if backwards:
        rows.reverse()
    return rows


def _anchor_keys(connection: Connection, model_id: int | None, sort: str, file_id: int) -> tuple[Any, ...] | None:
    """A file's ordering keys, whether or not the filters keep it (a keyset page may start at any file)."""
    if not could_be_row_id(connection.dialect.name, file_id):
        return None
    listed = _base_query(model_id).where(File.id == file_id).subquery("anchor")
    row = connection.execute(select(*ordering(listed.c, sort))).one_or_none()
    return None if row is None else tuple(row)


def listing(
    connection: Connection,
    filters: SearchFilters,
    model_id: int | None,
    *,
    sort: str = "path",
    limit: int | None = 50,
    offset: int = 0,
    after: int | None = None,
    before: int | None = None,
) -> list[Any]:
    """`filtered_query`'s rows in `sort` order: `limit` of them from `offset`, or (keyset) those right after or
    right before the file `after`/`before` in that order, without reading the rows in between (none when the
    case holds no such file)."""
    filters = resolve(connection, filters, model_id)
    if sort == "path" and not _picks_few_files(filters):
        return _path_listing(connection, filters, model_id, limit=limit, offset=offset, after=after, before=before)
    if (
        sort in ("date", "score")
        and not _picks_few_files(filters)
        and not _sorting_skips_less(filters, model_id, offset)
    ):
        order = _KeyedOrder(sort, model_id)
        return _keyed_listing(connection, filters, order, limit=limit, offset=offset, after=after, before=before)
    listed = filtered_query(filters, model_id).subquery("filtered")
    keys = ordering(listed.c, sort)
    query = select(listed)
    anchor_id = after if after is not None else before
    anchor = None if anchor_id is None else _anchor_keys(connection, model_id, sort, anchor_id)
    if anchor_id is not None and anchor is None:
        return []
    backwards = anchor is not None and after is None
    if anchor is not None:
        anchor_keys = tuple_(*(literal(value) for value in anchor))
        query = query.where(tuple_(*keys) < anchor_keys if backwards else tuple_(*keys) > anchor_keys)
    query = query.order_by(*(key.desc() for key in keys) if backwards else keys)
    if limit is not None:
        query = query.limit(limit)
    if offset and anchor is None:
        query = query.offset(offset)
    rows = list(connection.execute(query).mappings())
    if backwards:
        rows.reverse()
    return rows


def _sorting_skips_less(filters: SearchFilters, model_id: int | None, offset: int) -> bool:
    """A page by number (OFFSET) under a filter: the index path probes the filter for every file it passes in
    order, all of the case when the filter keeps fewer files than the offset; sorting the files the filter keeps
    costs less (300k case, offset 100k: make=Canon 3.0 s by the index, 0.4 s sorted; label=dog 2.4 s and 1.9 s).
    Unfiltered, the index path skips by keys alone and wins (1.1 s against 2.4 s)."""
    return offset > 0 and len(conditions(filters, model_id)) > 1


def _picks_few_files(filters: SearchFilters) -> bool:
    """Filters that keep a handful of files, found by their own index: reading the whole case in any order to
    find them (a root's files in path order, the dated files in date order) would cost more than sorting them."""
    return filters.file_ids is not None or bool(filters.hash)


class _KeyedOrder:
    """The date and score orders in their two parts: the files with the order's key (a date taken; a top-1 score
    of the model), read in order from the key's index (ix_exif_date_taken; ix_predictions_model_rank_score), so a
    page costs its rows and a keyset page starts at its anchor's key; then the files without one, in path order
    (`_path_listing`). The same list `ordering` gives, without sorting the case for each page."""

    def __init__(self, sort: str, model_id: int | None) -> None:
        self.sort, self.model_id = sort, model_id
        self.top1 = _top1(model_id)

    def source(self, *, exif: bool) -> FromClause:
        """Files by way of the key's table, read first (`_Leading`), with their evidence root (and EXIF)."""
        if self.sort == "date":
            dated = _Leading(Exif, File, Exif.file_id == File.id).join(Evidence, Evidence.id == File.evidence_id)
            return dated.outerjoin(self.top1, self.top1.c.file_id == File.id)
        scored = _Leading(self.top1, File, self.top1.c.file_id == File.id).join(
            Evidence, Evidence.id == File.evidence_id
        )
        return scored.outerjoin(Exif, Exif.file_id == File.id) if exif else scored

    def has(self) -> list[Any]:
        """The first part's condition beyond its join (a score's top-1 row is the join itself)."""
        return [DATE_TAKEN.is_not(None)] if self.sort == "date" else []

    def has_key(self) -> Any:
        """Whether a file has the key, as a term over files (and EXIF)."""
        return DATE_TAKEN.is_not(None) if self.sort == "date" else self._scored()

    def lacks_key(self) -> Any:
        return DATE_TAKEN.is_(None) if self.sort == "date" else ~self._scored()

    @property
    def key_reads_exif(self) -> bool:
        return self.sort == "date"

    def _scored(self) -> Any:
        return exists(
            select(Prediction.file_id).where(
                Prediction.file_id == File.id,
                Prediction.model_id == (self.model_id if self.model_id is not None else -1),
                Prediction.rank == 1,
            )
        )

    def _key(self) -> Any:
        return byte_order(DATE_TAKEN) if self.sort == "date" else self.top1.c.score

    def _ties(self) -> list[Any]:
        return [byte_order(Evidence.root), File.evidence_id, byte_order(File.path), File.id]

    def order(self, *, backwards: bool) -> list[Any]:
        """ORDER BY of the first part: date oldest first, score best first; ties on evidence root, path, id."""
        key_first = self._key().desc() if (self.sort == "score") != backwards else self._key()
        return [key_first, *(tie.desc() if backwards else tie for tie in self._ties())]

    def after(self, anchor: tuple[Any, ...], *, backwards: bool) -> list[Any]:
        """The first part's files after (before) an anchor of that part (`_anchor_keys`' values). The comparison of
        the ties alone is a full scan to both databases; the range on the key, which the whole comparison implies,
        is what reads the key's index from the anchor's key on."""
        key = self._key()
        value = literal(anchor[1]) if self.sort == "date" else literal(-anchor[1])
        ties, anchor_ties = tuple_(*self._ties()), tuple_(*(literal(v) for v in anchor[2:]))
        # Later in the order: a later date, a lower score.
        later_key = (self.sort == "date") != backwards
        beyond, reach = (key > value, key >= value) if later_key else (key < value, key <= value)
        return [reach, or_(beyond, and_(key == value, ties < anchor_ties if backwards else ties > anchor_ties))]

    def page(self, filters: SearchFilters) -> Select[Any]:
        return _base_query(self.model_id, order=self).where(*conditions(filters, self.model_id))

    def ids(self, filters: SearchFilters, *terms: Any, counting: bool = False) -> Select[Any]:
        """The first part's file ids the filters keep, without the listing's columns."""
        source = self.source(exif=needs_exif(filters))
        return (
            select(File.id)
            .select_from(source)
            .where(*self.has(), *conditions(filters, self.model_id, counting=counting), *terms)
        )


def _keyed_page(
    connection: Connection,
    filters: SearchFilters,
    order: _KeyedOrder,
    terms: list[Any],
    *,
    limit: int | None,
    offset: int,
    backwards: bool,
) -> list[Any]:
    keys = order.order(backwards=backwards)
    page = order.page(filters)
    if offset:
        # The rows skipped are found by their keys alone (no listing columns: no top-1 or face look-ups for each
        # of them), in order from the index (a label is probed per file, EXISTS, as a page does), then the page's
        # rows are read by id.
        skipped = order.ids(filters, *terms).order_by(*keys).offset(offset)
        if limit is not None:
            skipped = skipped.limit(limit)
        return list(connection.execute(page.where(File.id.in_(skipped.scalar_subquery())).order_by(*keys)).mappings())
    page = page.where(*terms).order_by(*keys)
    if limit is not None:
        page = page.limit(limit)
    return list(connection.execute(page).mappings())


def _keyed_listing(
    connection: Connection,
    filters: SearchFilters,
    order: _KeyedOrder,
    *,
    limit: int | None,
    offset: int,
    after: int | None,
    before: int | None,
) -> list[Any]:
    """A page of the date or score order (`_KeyedOrder`): from its first part, the second, or both."""
    model_id = order.model_id
    anchor_id = after if after is not None else before
    anchor = None if anchor_id is None else _anchor_keys(connection, model_id, order.sort, anchor_id)
    if anchor_id is not None and anchor is None:
        return []
    backwards = anchor is not None and after is None
    keyless_anchor = anchor is not None and anchor[0]

    def second_part(count: int | None, skip: int, keyset: bool) -> list[Any]:
        return _path_listing(
            connection,
            filters,
            model_id,
            limit=count,
            offset=skip,
            after=after if keyset and not backwards else None,
            before=before if keyset and backwards else None,
            only=order.lacks_key(),
            exif=order.key_reads_exif,
        )

    if anchor is None:
        rows = _keyed_page(connection, filters, order, [], limit=limit, offset=offset, backwards=False)
        if limit is not None and len(rows) >= limit:
            return rows
        skip = 0
        if offset and not rows:  # the offset is past every file of the first part: how far past
            first = _lean_count(connection, filters, model_id, order.has_key(), exif=order.key_reads_exif)
            skip = max(0, offset - first)
        return rows + second_part(None if limit is None else limit - len(rows), skip, keyset=False)
    if not backwards:
        if keyless_anchor:
            return second_part(limit, 0, keyset=True)
        terms = order.after(anchor, backwards=False)
        rows = _keyed_page(connection, filters, order, terms, limit=limit, offset=0, backwards=False)
        if limit is not None and len(rows) >= limit:
            return rows
        return rows + second_part(None if limit is None else limit - len(rows), 0, keyset=False)
    rows = second_part(limit, 0, keyset=True) if keyless_anchor else []
    if limit is not None and len(rows) >= limit:
        return rows
    terms = [] if keyless_anchor else order.after(anchor, backwards=True)
    remaining = None if limit is None else limit - len(rows)
    earlier = _keyed_page(connection, filters, order, terms, limit=remaining, offset=0, backwards=True)
    earlier.reverse()
    return earlier + rows


def count_before(connection: Connection, filters: SearchFilters, sort: str, file_id: int) -> int:
    """How many of the files the filters keep come before this file in `sort` order."""
    model_id = model_for(connection, filters)
    filters = resolve(connection, filters, model_id)
    if sort == "path":
        return _path_count_before(connection, filters, model_id, file_id)
    values = _anchor_keys(connection, model_id, sort, file_id)
    if values is None:
        return 0
    if sort in ("date", "score") and not _picks_few_files(filters):
        # The two parts of `_keyed_listing`: every file with the key comes before one without.
        order = _KeyedOrder(sort, model_id)
        if values[0]:
            first = _lean_count(connection, filters, model_id, order.has_key(), exif=order.key_reads_exif)
            return first + _path_count_before(
                connection, filters, model_id, file_id, only=order.lacks_key(), exif=order.key_reads_exif
            )
        earlier = order.ids(filters, *order.after(values, backwards=True), counting=True).subquery("earlier")
        return connection.execute(select(func.count()).select_from(earlier)).scalar_one()
    listed = filtered_query(filters, model_id).subquery("filtered")
    keys = tuple_(*ordering(listed.c, sort))
    return connection.execute(
        select(func.count()).select_from(listed).where(keys < tuple_(*(literal(value) for value in values)))
    ).scalar_one()


def _path_count_before(
    connection: Connection,
    filters: SearchFilters,
    model_id: int | None,
    file_id: int,
    *,
    only: Any = None,
    exif: bool = False,
) -> int:
    """How many files the filters keep come before this one in path order, a count per evidence root (each from
    ix_files_listing); `only`: of the files that meet that term too (reading EXIF when `exif` says so)."""
    anchor = connection.execute(select(File.evidence_id, File.path).where(File.id == file_id)).one_or_none()
    if anchor is None:
        return 0
    extra = [only] if only is not None else []
    total = 0
    for evidence_id in _roots_in_order(connection):
        in_root = [File.evidence_id == evidence_id, *extra]
        if evidence_id == anchor.evidence_id:
            keys, anchor_keys = _path_key(file_id, anchor.path)
            return total + _lean_count(connection, filters, model_id, *in_root, keys < anchor_keys, exif=exif)
        total += _lean_count(connection, filters, model_id, *in_root, exif=exif)
    return total


def search(
    connection: Connection,
    filters: SearchFilters,
    *,
    limit: int | None = 50,
    offset: int = 0,
    sort: str = "path",
    with_predictions: bool = False,
    after: int | None = None,
    before: int | None = None,
) -> list[SearchHit]:
    """The files the filters keep, in `sort` order; `after`/`before` a file id: the page right after or right
    before it in that order (keyset pages: the viewer's next and previous)."""
    model_id = model_for(connection, filters)
    filters = resolve(connection, filters, model_id)
    rows = listing(connection, filters, model_id, sort=sort, limit=limit, offset=offset, after=after, before=before)
    hits = [_hit(row) for row in rows]
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
                label_matches(filters.label, _resolved_for(filters, model_id)),
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


def count(connection: Connection, filters: SearchFilters, *extra: Any) -> int:
    """How many files the filters keep (and meet the `extra` terms over files, e.g. `known_condition`)."""
    model_id = model_for(connection, filters)
    return _lean_count(connection, resolve(connection, filters, model_id), model_id, *extra)


def ordered_ids(
    connection: Connection, filters: SearchFilters, model_id: int | None, sort: str, *terms: Any
) -> list[int]:
    """The ids of the files the filters keep that meet `terms` as well (over files), in the list's `sort` order,
    by their ordering keys alone (a similarity search narrows its thousand neighbours down to a page with it)."""
    listed = filtered_query(resolve(connection, filters, model_id), model_id).where(*terms).subquery("listed")
    return list(connection.execute(select(listed.c.id).order_by(*ordering(listed.c, sort))).scalars())


def known_condition() -> Any:
    """Files matching a known hash set, as a term over files that reads the matches first (an IN list: few of a
    case's files match, so a count starts from them rather than probing every file)."""
    return File.id.in_(hashsets.matching_ids(kind="known"))


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
    yield from streamed(connection, query)


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
    yield from streamed(connection, query)


# Files whose predictions one query reads by key, in the report's prediction rows.
_PREDICTIONS_PER_LOOKUP = 1_000


def prediction_rows(connection: Connection, model_id: int) -> Iterator[dict[str, Any]]:
    """The model's predictions, file by file in report order, ranks in order.

    The files are read in report order and their predictions looked up by key, a thousand files at a time: one
    query ordering every prediction sorted them all first (4.9 million rows of a million images on SQLite, half
    of a report's two minutes). Files the model has no prediction for give no row, as an inner join would."""
    model = connection.execute(select(Model.name).where(Model.id == model_id)).scalar_one_or_none()
    if model is None:
        return
    files = (
        select(File.id, File.path, File.sha256)
        .join(Evidence, Evidence.id == File.evidence_id)
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    listed = streamed(connection, files)
    while chunk := list(itertools.islice(listed, _PREDICTIONS_PER_LOOKUP)):
        found: dict[int, list[Any]] = {}
        for prediction in connection.execute(
            select(Prediction.file_id, Prediction.rank, Prediction.label, Prediction.wnid, Prediction.score)
            .where(Prediction.model_id == model_id, Prediction.file_id.in_([row["id"] for row in chunk]))
            .order_by(Prediction.file_id, Prediction.rank)
        ):
            found.setdefault(prediction.file_id, []).append(prediction)
        for row in chunk:
            for prediction in found.get(row["id"], ()):
                yield {
                    "path": row["path"],
                    "sha256": row["sha256"],
                    "rank": prediction.rank,
                    "label": prediction.label,
                    "wnid": prediction.wnid,
                    "score": prediction.score,
                    "model": model,
                }


def unprocessed_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    query = (
        select(File.path, File.error.label("reason"))
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(File.status == "unprocessed")
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id)
    )
    yield from streamed(connection, query)


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
    yield from streamed(connection, query)


def skips_under(connection: Connection, evidence_id: int) -> Iterator[dict[str, Any]]:
    """Recorded walk entries of one root that were not read (links, FIFOs, loops...), for `verify`."""
    query = (
        select(Skipped.path, Skipped.path_bytes, Skipped.reason, Skipped.missing_since_run_id)
        .where(Skipped.evidence_id == evidence_id)
        .order_by(Skipped.path_bytes)
    )
    yield from streamed(connection, query)
