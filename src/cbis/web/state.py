"""The view's state in the URL query string: filters (those of `cbis search`), sort, model and page (by number,
or right after/before a file for the gallery's next and previous links).

Everything a view shows follows from its query string, so a view can be bookmarked, shared and reloaded;
links (pages, image pages, previous/next, CSV export) carry the same parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import Connection
from werkzeug.datastructures import MultiDict

from cbis.db import anomalies as anomalies_db
from cbis.db import queries, text_search
from cbis.db import review as review_db
from cbis.db.queries import ModelRef, SearchFilters

TEXT_FIELDS = ("label", "make", "camera_model")
FLAG_FIELDS = (
    "has_gps", "ext_mismatch", "unprocessed", "metadata_conflict", "notable", "thumbnail_mismatch", "anomalies",
    "screenshot",
)  # fmt: skip
# Files in a known hash set (NSRL): hidden by default, shown on request, or alone.
KNOWN_CHOICES = ("hide", "show", "only")
SORTS = {"path": "path", "date": "date taken", "score": "score"}
PAGE_SIZES = (24, 60, 120, 240)
DEFAULT_PAGE_SIZE = 60
MAX_TEXT = 200
# The names of the query parameters, in the order links write them.
PARAMETERS = (
    "label", "text", "min_score", "make", "camera_model", "from", "to", "hash", *FLAG_FIELDS, "faces", "missing",
    "known", "stack", "category", "tag", "rollup", "stacks", "model", "sort",
    "per_page",
)  # fmt: skip
PARAM_TITLES = {
    "label": "label",
    "text": "text in the picture",
    "screenshot": "screenshots",
    "faces": "faces ≥",
    "min_score": "score ≥",
    "make": "make",
    "camera_model": "model",
    "from": "taken from",
    "to": "taken to",
    "hash": "hash",
    "has_gps": "with GPS",
    "ext_mismatch": "extension mismatch",
    "unprocessed": "unprocessed",
    "metadata_conflict": "metadata sources disagree",
    "thumbnail_mismatch": "EXIF thumbnail differs",
    "anomalies": "metadata worth a second look",
    "missing": "files no longer found",
    "notable": "in a notable hash set",
    "known": "files in known hash sets",
    "stack": "look-alikes of file",
    "category": "review category",
    "tag": "review tag",
    "rollup": "rollup",
}
# Visual stacks (the same picture resized, re-encoded, stripped, turned): one tile each, or every member.
STACK_CHOICES = ("collapse", "expand")
# Parameters that say how to show the results, not which: no chip, and "filtering" stays False.
DISPLAY_PARAMETERS = ("model", "sort", "per_page", "stacks")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?")
_HEX = re.compile(r"[0-9a-fA-F]+")
_TRUE = ("1", "on", "true", "yes")


@dataclass
class ViewState:
    filters: SearchFilters
    sort: str = "path"
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE
    model: ModelRef | None = None
    stacks: str = "collapse"
    stack: int | None = None  # show this file's visual stack, every member
    # The gallery's next and previous links: the page right after (before) this file in the list's order, read
    # by keyset (no rows skipped however deep the page); `page` still numbers it, and alone still finds it.
    after: int | None = None
    before: int | None = None
    params: dict[str, str] = field(default_factory=dict)  # the valid, non-empty parameters, page excluded
    errors: dict[str, str] = field(default_factory=dict)  # parameter -> message for the person

    @property
    def filtering(self) -> bool:
        return any(key not in DISPLAY_PARAMETERS for key in self.params)

    def query(self, **changes: str | int | None) -> str:
        """This view's query string with some parameters changed (None removes one); '' when empty."""
        params: dict[str, str] = dict(self.params)
        for key, value in changes.items():
            if value is None or value == "" or (key == "page" and value == 1):
                params.pop(key, None)
            else:
                params[key] = str(value)
        ordered = [(key, params[key]) for key in (*PARAMETERS, "page", "after", "before") if key in params]
        return "?" + urlencode(ordered) if ordered else ""


def parse(args: MultiDict[str, str], connection: Connection) -> ViewState:
    """Read the view's state from query parameters; invalid values are left out and explained in `errors`."""
    errors: dict[str, str] = {}
    params: dict[str, str] = {}

    def text(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if len(value) > MAX_TEXT:
            errors[name] = f"at most {MAX_TEXT} characters"
            return None
        if not value.isprintable():  # the case stores text escaped (no controls), and PostgreSQL refuses a NUL
            errors[name] = "printable characters only"
            return None
        params[name] = value
        return value

    filters = SearchFilters()
    filters.label = text("label")
    filters.make = text("make")
    filters.camera_model = text("camera_model")
    filters.text = text("text")
    if filters.text is not None and not text_search.parse(filters.text):
        errors["text"] = 'words to find, e.g. bank transfer, "a phrase", OR, prefix*'
        filters.text = None
        params.pop("text")
    faces = text("faces")
    if faces is not None:
        filters.min_faces = _integer(faces, -1)
        if not 1 <= filters.min_faces <= 10_000:
            errors["faces"] = "a number of faces, 1 or more"
            filters.min_faces = None
            params.pop("faces")

    min_score = text("min_score")
    if min_score is not None:
        try:
            filters.min_score = float(min_score)
        except ValueError:
            filters.min_score = -1.0
        if not 0.0 <= filters.min_score <= 1.0:
            errors["min_score"] = "a score between 0 and 1, e.g. 0.5"
            filters.min_score = None
            params.pop("min_score")

    for name, attribute in (("from", "date_from"), ("to", "date_to")):
        value = text(name)
        if value is not None and not _DATE.fullmatch(value):
            errors[name] = "a date like 2024, 2024-05 or 2024-05-31"
            params.pop(name)
            value = None
        setattr(filters, attribute, value.replace(" ", "T") if value else None)

    digest = text("hash")
    if digest is not None:
        if len(digest) not in queries.HASH_COLUMNS or not _HEX.fullmatch(digest):
            errors["hash"] = "a hex MD5 (32 characters), SHA-1 (40) or SHA-256 (64)"
            params.pop("hash")
        else:
            filters.hash = digest.lower()
            params["hash"] = filters.hash

    for name in FLAG_FIELDS:
        if (args.get(name) or "").strip().lower() in _TRUE:
            setattr(filters, name, True)
            params[name] = "1"
    if filters.anomalies:
        filters.anomaly_ids = anomalies_db.flagged_ids(connection)  # a pass over the case: see db/anomalies.py

    missing = (args.get("missing") or "include").strip().lower()
    if missing not in queries.MISSING_CHOICES:
        errors["missing"] = "one of " + ", ".join(queries.MISSING_CHOICES)
    elif missing != "include":
        filters.missing = missing
        params["missing"] = missing

    known = (args.get("known") or "hide").strip().lower()
    if known not in KNOWN_CHOICES:
        errors["known"] = "one of " + ", ".join(KNOWN_CHOICES)
        known = "hide"
    filters.hide_known = known == "hide"
    filters.known = known == "only"
    if known != "hide":
        params["known"] = known

    # Examiner review (db/review.py), the same filters as `cbis search --category/--tag/--rollup`.
    category = text("category")
    if category is not None:
        codes = {c.code.upper(): c.code for c in review_db.categories(connection)}
        if category.upper() not in codes:
            errors["category"] = "one of " + ", ".join(codes.values())
            params.pop("category")
        else:
            filters.category = params["category"] = codes[category.upper()]
    filters.tag = text("tag")
    rollup_name = text("rollup")
    if rollup_name is not None:
        known_rollups = {r.name: r for r in review_db.rollups(connection)}
        if rollup_name not in known_rollups:
            errors["rollup"] = "one of " + ", ".join(known_rollups)
            params.pop("rollup")
        else:
            filters.rollup = rollup_name
            filters.rollup_classes = sorted(known_rollups[rollup_name].classes)

    stacks = (args.get("stacks") or "collapse").strip().lower()
    if stacks not in STACK_CHOICES:
        errors["stacks"] = "one of " + ", ".join(STACK_CHOICES)
        stacks = "collapse"
    elif stacks != "collapse":
        params["stacks"] = stacks
    stack: int | None = None
    if args.get("stack"):
        stack = _integer(args.get("stack"), -1)
        if stack < 1:
            errors["stack"] = "a file's record id"
            stack = None
        else:
            params["stack"] = str(stack)

    sort = args.get("sort") or "path"
    if sort not in SORTS:
        errors["sort"] = "one of " + ", ".join(SORTS)
        sort = "path"
    elif sort != "path":
        params["sort"] = sort

    per_page = _integer(args.get("per_page"), DEFAULT_PAGE_SIZE)
    if per_page not in PAGE_SIZES:
        errors["per_page"] = "one of " + ", ".join(map(str, PAGE_SIZES))
        per_page = DEFAULT_PAGE_SIZE
    elif per_page != DEFAULT_PAGE_SIZE:
        params["per_page"] = str(per_page)

    model: ModelRef | None = None
    if args.get("model"):
        model_id = _integer(args.get("model"), -1)
        model = queries.model_by_id(connection, model_id) if model_id > 0 else None
        if model is None:
            errors["model"] = "no such model in this case"
        else:
            params["model"] = str(model.id)
    if model is None:
        model = queries.most_recent_model(connection)
    filters.model_id = model.id if model else None

    page = max(1, _integer(args.get("page"), 1))
    # Not kept in `params`: a link to another view (a filter, a sort, an image) starts that list afresh. A value
    # that is no file's id is ignored, and the page is found by its number.
    after, before = (_integer(args.get(name), 0) for name in ("after", "before"))
    return ViewState(
        filters, sort, page, per_page, model, stacks, stack, after or None, before or None, params, errors
    )  # fmt: skip


def _integer(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default
