"""The viewer's pages: gallery, image page, overview, faces; image bytes by database id; the CSV export."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from sqlalchemy import Connection
from werkzeug.wsgi import wrap_file

from cbis.anomalies import Reason, reasons_of
from cbis.db import anomalies as anomalies_db
from cbis.db import case as case_db
from cbis.db import duplicates, estimates, hashsets, queries, text_search, viewer
from cbis.db import overview as overview_db
from cbis.db import review as review_db
from cbis.db import review_changes as review
from cbis.db.viewer import FileLocation
from cbis.reports.csv_format import CSV
from cbis.reports.tables import FILES
from cbis.web import charts, evidence, exif, lookalikes
from cbis.web.db import connection, engine
from cbis.web.review import NO_ACCOUNT
from cbis.web.state import PAGE_SIZES, PARAM_TITLES, SORTS, ViewState, parse

bp = Blueprint("viewer", __name__)

TOP_LABELS = 25
TOP_CAMERAS = 20
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/]')


def _state() -> ViewState:
    conn = connection()
    state = parse(request.args, conn)
    if state.filters.hide_known and not hashsets.any_match(conn, "known"):
        # Nothing to hide: without the term, no query tests every file against the hash-set matches.
        state.filters.hide_known = False
    return state


def _page_context() -> dict[str, Any]:
    conn = connection()
    notable = hashsets.matched_files(conn, "notable")  # an alert on the overview and the gallery
    return {"case": case_db.case_details(conn), "models": viewer.models(conn), "notable": notable}


def _review_context(conn: Connection) -> dict[str, Any]:
    """What every review control needs: the case's categories (number keys 0-9 in this order) and the review
    log's last event id, `seen`: a change posted from the page is based on what it showed (web/review.py)."""
    categories = review.categories(conn)
    return {
        "categories": categories,
        "category_names": {category.code: category.name for category in categories},
        "review_seen": review.seen_now(conn).last_event,
        "no_account": NO_ACCOUNT,
        "review_here": request.full_path.removesuffix("?"),  # where a review form sends the browser back to
    }


REVIEW_COUNTS_KEY = "cbis.review_counts"


def _review_counts(conn: Connection, images: int | None = None) -> dict[str, Any]:
    """Files per examiner category (CAT-0: images nobody categorised) and per tag, for the gallery and overview.

    Counted once per state of the review log: its events are only ever appended, so its last event (id and
    hash) names what they add up to, and the counts are kept on the app until another event comes. `images`:
    the case's image count when the caller has it; else the overview's kept counts give it, or a count."""
    head = review_db.chain_head(conn)
    cached = current_app.extensions.get(REVIEW_COUNTS_KEY)
    if cached is None or cached[0] != head:
        cached = (head, review_db.category_counts(conn), review_db.tag_counts(conn))
        current_app.extensions[REVIEW_COUNTS_KEY] = cached
    counts = dict(cached[1])
    if images is None:
        kept = overview_db.kept(conn)
        images = kept.files.images if kept is not None else queries.count(conn, queries.SearchFilters())
    counts[review_db.UNCATEGORIZED] = max(images - sum(counts.values()), 0)
    return {"category_counts": counts, "tag_counts": dict(cached[2])}


HIDDEN_COUNT_S = 0.05  # the count of hidden known files, even when the gallery's count spent the budget


def _budget() -> estimates.Budget:
    """The time a page may spend on exact counts (the app's COUNT_BUDGET_S), past which they are estimated; no
    limit when the page's link asks for exact counts (count=exact: the examiner's "count exactly")."""
    return estimates.Budget(
        float(current_app.config["COUNT_BUDGET_S"]),
        exact=request.args.get("count") == "exact",
        sample_files=int(current_app.config["COUNT_SAMPLE_FILES"]),
    )


def _exact_count_url() -> str:
    """This page's own URL, asking for exact counts."""
    args = request.args.to_dict(flat=False)
    args["count"] = ["exact"]
    return request.path + "?" + urlencode(args, doseq=True)


def _pages(current: int, last: int) -> list[int | None]:
    """Page numbers to link, None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    pages: list[int | None] = []
    for number in shown:
        if pages and number - (pages[-1] or 0) > 1:
            pages.append(None)
        pages.append(number)
    return pages


@bp.get("/")
def gallery() -> tuple[str, int]:
    state = _state()
    conn = connection()
    hits: list[queries.SearchHit] = []
    jumped = False  # the page was found from the sample, about where its number says (`_page_of`)
    found = estimates.Count(0)
    collapsed: dict[int, int] = {}  # a stack's tile -> how many of its look-alikes it stands for
    stack_sizes: dict[int, int] = {}
    stacks_grouping = False
    if not state.errors:
        collapsed, stack_sizes, stacks_grouping = _collapse(state, conn)
    budget = _budget()  # from here: the stacks are grouped once per case state, not per page
    if not state.errors:
        found = budget.count(conn, state.filters)
    total = found.value
    last_page = max(1, math.ceil(total / state.per_page))
    if found.exact:  # an estimate may be short: a page past it is still asked for
        state.page = min(state.page, last_page)
    if total or not found.exact:
        hits, jumped = _page_of(conn, state, state.filters, state.per_page, state.page, budget, found)
    hidden_known = estimates.Count(0)
    if state.filters.hide_known and not state.errors:
        # The files the filters keep that match a known set (those the page hides; none is a collapsed look-alike,
        # which are chosen among the files shown): counted from the matches, few as a rule.
        unhidden = dataclasses.replace(state.filters, hide_known=False, exclude_file_ids=None)
        hidden_known = budget.count(conn, unhidden, queries.known_condition(), at_least=HIDDEN_COUNT_S)
    return render_template(
        "gallery.html",
        found=found,
        jumped=jumped,
        exact_count_url=None if found.exact and hidden_known.exact and not jumped else _exact_count_url(),
        hidden_known=hidden_known,
        collapsed=collapsed,
        stack_sizes=stack_sizes,
        stacks_grouping=stacks_grouping,
        state=state,
        hits=hits,
        total=total,
        last_page=last_page,
        pages=_pages(state.page, last_page),
        sorts=SORTS,
        page_sizes=PAGE_SIZES,
        param_titles=PARAM_TITLES,
        **_review_context(conn),
        **_review_counts(conn),
        **_page_context(),
    ), (400 if state.errors else 200)


def _page_of(
    conn: Connection,
    state: ViewState,
    filters: queries.SearchFilters,
    per_page: int,
    page: int,
    budget: estimates.Budget,
    found: estimates.Count,
) -> tuple[list[queries.SearchHit], bool]:
    """The page the links name, and whether it was found from the sample. Right after or before a file (next and
    previous: a keyset page, as fast at page 10,000 as at page 2), else by its number (page links and bookmarks):
    exactly near the start, and deeper while that takes less than PAGE_BUDGET_S; past it (or at once when the
    list's length is an estimate, and with it the page count), the page that starts after the sample's file at
    that share of the list (`estimates.sampled_anchor`), said to be about there. Exact pages on request
    (count=exact)."""
    if state.after is not None or state.before is not None:
        hits = queries.search(conn, filters, limit=per_page, sort=state.sort, after=state.after, before=state.before)
        if hits:
            return hits, False
        # Nothing after (before) that file: it is the list's last (first), or no file of this case.
    offset = (page - 1) * per_page

    def by_number() -> list[queries.SearchHit]:
        return queries.search(conn, filters, limit=per_page, offset=offset, sort=state.sort)

    if budget.exact or offset < int(current_app.config["JUMP_FROM_ROWS"]):
        return by_number(), False
    if not found.exact and offset >= found.value + found.margin:
        return [], False  # past the list's end, by the estimate's margin too
    if found.exact:
        seconds = float(current_app.config["PAGE_BUDGET_S"])
        hits = estimates.page_within(conn, (repr(filters), state.sort), offset, seconds, by_number)
        if hits is not None:
            return hits, False
    share = min(1.0, offset / found.value) if found.value else 1.0
    anchor = estimates.sampled_anchor(conn, filters, state.sort, share, sample_files=budget.sample_files)
    if anchor is None:  # the start of the list, or no sample: nothing to jump by
        return by_number(), False
    return queries.search(conn, filters, limit=per_page, sort=state.sort, after=anchor), True


def _collapse(state: ViewState, conn: Connection) -> tuple[dict[int, int], dict[int, int], bool]:
    """Narrow the filters to one stack (`stack=ID`), or leave out every stack's look-alikes but one tile
    (`stacks=collapse`): the likelier original among the stack's members that the filters keep. Returns the tiles
    with how many members each stands for, every stacked file's stack size (for the expanded view), and whether
    the stacks are still being grouped (then nothing is collapsed)."""
    found = lookalikes.stacks(conn)
    if found is None:  # being grouped (a large case, just indexed): every file shown meanwhile
        if state.stack is not None:
            state.filters.file_ids = [state.stack]
        return {}, {}, True
    if state.stack is not None:
        number = found.stack_of.get(state.stack)
        state.filters.file_ids = found.members[number] if number is not None else [state.stack]
        return {}, {i: len(found.members[number]) for i in state.filters.file_ids} if number is not None else {}, False
    if state.stacks != "collapse":
        return {}, {i: len(stack) for stack in found.members for i in stack}, False
    kept = viewer.matching_ids(conn, state.filters, list(found.stack_of))
    tiles: dict[int, int] = {}
    hidden: list[int] = []
    for stack in found.members:
        shown = [i for i in stack if i in kept]
        if len(shown) > 1:
            tiles[shown[0]] = len(shown) - 1
            hidden.extend(shown[1:])
    state.filters.exclude_file_ids = hidden or None
    return tiles, {}, False


@bp.get("/image/<int:file_id>")
def image(file_id: int) -> str:
    conn = connection()
    detail = viewer.file_detail(conn, file_id)
    if detail is None:
        abort(404, description=f"No file with id {file_id} in this case.")
    state = _state()
    place = None if state.errors else viewer.position(conn, state.filters, state.sort, file_id, _budget())
    back_page = 1 if place is None or place.index is None else (place.index - 1) // state.per_page + 1
    predictions: list[dict[str, Any]] = []
    provenance: dict[str, Any] | None = None
    chart = None
    if state.model is not None:
        predictions = viewer.predictions(conn, file_id, state.model.id)
        provenance = queries.model_provenance(conn, state.model.id)
        chart = charts.bar_chart(
            [(p["label"], p["score"], f"{p['score']:.1%}", _gallery_url(state, label=p["label"])) for p in predictions],
            max_value=1.0,
            width=520,
            label_width=200,
        )
    ocr = text_search.texts_of(conn, [file_id]).get(file_id)
    found_faces = text_search.faces_of(conn, [file_id]).get(file_id)
    latitude, longitude = detail["exif_gps_latitude"], detail["exif_gps_longitude"]
    maps = None
    if latitude is not None and longitude is not None:
        point = [(latitude, longitude, detail["path"], None)]
        maps = {
            "world": charts.map_view(point, shown_px=240),
            "region": charts.map_view(point, min_width=24.0, shown_px=360),
            "osm": f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=15/{latitude:.6f}/{longitude:.6f}",
        }
    here = url_for("viewer.image", file_id=file_id) + state.query(page=None)
    return render_template(
        "image.html",
        state=state,
        file=detail,
        review_state=review.review_state(conn, [file_id])[file_id],
        review_conflicts=list(review_db.events(conn, [file_id], conflicts_only=True)),
        # Setting a category moves on to the next image (the keyboard loop's auto-advance).
        advance=url_for("viewer.image", file_id=place.next_id) + state.query(page=None)
        if place is not None and place.next_id
        else here,
        **_review_context(conn),
        related=lookalikes.of_file(conn, file_id, detail["sha256"], state.model.id if state.model else None),
        perceptual=duplicates.perceptual_of(conn, file_id),
        hashset_hits=hashsets.matches_of(conn, [file_id]).get(file_id, []),
        anomaly_reasons=_anomaly_reasons(conn, file_id),
        place=place,
        back_page=back_page,
        predictions=predictions,
        provenance=provenance,
        chart=chart,
        maps=maps,
        ocr=ocr,
        faces=found_faces,
        overlay=_overlay(detail, ocr, found_faces),
        exif_groups=exif.groups(detail["exif_tags_json"]),
        exif_sources=exif.sources(detail["exif_sources_json"]),
        exif_conflicts=exif.conflicts(detail["exif_conflicts_json"]),
        warnings=_json_list(detail["warnings_json"]),
        mimetype=evidence.mimetype_for(detail["format"]),
        **_page_context(),
    )


FACE_FILES_PER_PAGE = 60


@bp.get("/faces")
def faces_page() -> str:
    """Every face found, as crops, file by file: the gallery's filters, narrowed to images with faces."""
    conn = connection()
    state = _state()
    filters = dataclasses.replace(state.filters, min_faces=max(1, state.filters.min_faces or 1))
    budget = _budget()
    found = budget.count(conn, filters)
    total = found.value
    last_page = max(1, -(-total // FACE_FILES_PER_PAGE))
    page_number = min(state.page, last_page) if found.exact else state.page
    # As the gallery pages: next and previous by keyset, a deep page by number from the sample past the budget.
    hits, jumped = _page_of(conn, state, filters, FACE_FILES_PER_PAGE, page_number, budget, found)
    faces = text_search.faces_of(conn, [hit.id for hit in hits])
    return render_template(
        "faces.html",
        state=state,
        files=[(hit, faces.get(hit.id, [])) for hit in hits],
        found=found,
        jumped=jumped,
        exact_count_url=_exact_count_url(),
        total=total,
        page_number=page_number,
        last_page=last_page,
        more=page_number < last_page if found.exact else len(hits) == FACE_FILES_PER_PAGE,
        pages=_pages(page_number, last_page),
        **_page_context(),
    )


@bp.get("/overview")
def overview() -> str:
    conn = connection()
    state = _state()
    found = overview_db.counts(conn)  # kept by the latest index run, or counted now
    counts = case_db.case_counts(conn, found.files)
    labels_chart = None
    if state.model is not None:
        labels = found.labels.get(state.model.id, [])
        shown = labels[:TOP_LABELS]
        rest = sum(n for _, n in labels[TOP_LABELS:])
        items = [(label, n, str(n), _gallery_url(state, label=label)) for label, n in shown]
        if rest:
            items.append((f"{len(labels) - TOP_LABELS} other labels", rest, str(rest), None))
        labels_chart = charts.bar_chart(items) if items else None
    cameras = found.cameras
    camera_items = [
        (
            _camera_name(make, model),
            n,
            str(n),
            _gallery_url(
                state,
                make=make if make != viewer.NO_VALUE else None,
                camera_model=model if model != viewer.NO_VALUE else None,
            )
            if make != viewer.NO_VALUE
            else None,
        )
        for make, model, n in cameras[:TOP_CAMERAS]
    ]
    type_items = [
        (f"{fmt or 'unknown content'} ({status})", n, str(n), _status_url(state, status))
        for status, fmt, n in found.types
    ]
    links = {}
    for month, _ in found.months:
        links[month] = _gallery_url(state, **{"from": month, "to": month})
        links[month[:4]] = _gallery_url(state, **{"from": month[:4], "to": month[:4]})
    gps_map = charts.cluster_map(
        [
            (
                cluster.latitude,
                cluster.longitude,
                cluster.count,
                cluster.path
                if cluster.path is not None
                else f"{cluster.count:,} images around {cluster.latitude:.4f}, {cluster.longitude:.4f}",
                url_for("viewer.image", file_id=cluster.file_id) if cluster.file_id is not None else None,
            )
            for cluster in found.gps_clusters
        ],
        min_width=90.0,
        shown_px=1100,
    )
    unprocessed = viewer.first_unprocessed(conn)
    return render_template(
        "overview.html",
        state=state,
        counts=counts,
        labels_chart=labels_chart,
        cameras_chart=charts.bar_chart(camera_items) if camera_items else None,
        camera_kinds=len(cameras),
        types_chart=charts.bar_chart(type_items) if type_items else None,
        extensions=found.extensions,
        timeline=charts.timeline(found.months, links),
        undated=found.undated,
        gps_map=gps_map,
        gps_drawn=sum(cluster.count for cluster in found.gps_clusters),
        gps_clusters=len(found.gps_clusters),
        gps_total=found.located,
        unprocessed=unprocessed,
        unprocessed_total=counts.unprocessed,
        categories=review.categories(conn),
        agreement=review_db.rollup_agreement(
            conn,
            state.model.id if state.model else None,
            found.top1_classes.get(state.model.id, {}) if state.model else None,
        ),
        **_review_counts(conn, counts.images),
        **_page_context(),
    )


@bp.get("/export/files.csv")
def export_csv() -> Response:
    """The current filter's files as `cbis report --csv`'s files.csv: same columns, same cell rules."""
    state = _state()
    if state.errors:
        abort(400, description="Invalid filter: " + "; ".join(f"{k}: {v}" for k, v in state.errors.items()))
    database = engine()

    def rows() -> Iterator[str]:
        # Streamed after the view returns (and its request connection is closed): a connection of its own. The
        # writer is `cbis report`'s own, so the export is files.csv of the filtered list, cell for cell.
        buffer = io.StringIO()

        def flush() -> str:
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        write = CSV.writer(buffer, FILES.columns)
        with database.connect() as conn:
            for number, row in enumerate(viewer.file_report_rows(conn, state.filters, state.sort), 1):
                write(row)
                if number % 500 == 0:
                    yield flush()
        yield flush()

    response = Response(rows(), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename="cbis-files.csv")
    return response


@bp.get("/file/<int:file_id>/thumb.jpg")
def thumbnail(file_id: int) -> Response:
    return _rendition(file_id, "thumb")


@bp.get("/file/<int:file_id>/display.jpg")
def display(file_id: int) -> Response:
    return _rendition(file_id, "display")


@bp.get("/file/<int:file_id>/exif-thumbnail.jpg")
def exif_thumbnail(file_id: int) -> Response:
    """The JPEG thumbnail the EXIF block carries, as stored in the evidence file (checked by its SHA-256)."""
    location = _location(file_id)
    try:
        data = evidence.exif_thumbnail(location)
    except evidence.EvidenceChanged as exc:
        abort(409, description=f"{exc}.")
    except evidence.NotServable as exc:
        abort(404, description=f"No EXIF thumbnail: {exc}.")
    response = Response(data, mimetype="image/jpeg")
    if location.sha256:
        response.set_etag(f"{location.sha256}_exif_thumbnail")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response.make_conditional(request)


@bp.get("/file/<int:file_id>/face/<int:number>.jpg")
def face_crop(file_id: int, number: int) -> Response:
    """One face the face analyzer found, cropped from the evidence on demand (cached in the case directory)."""
    location = _location(file_id)
    found = text_search.faces_of(connection(), [file_id]).get(file_id, [])
    if not 0 <= number < len(found):
        abort(404, description=f"File {file_id} has no face number {number}.")
    try:
        made = evidence.face_crop(location, found[number], Path(current_app.config["THUMBNAIL_DIR"]))
    except evidence.EvidenceChanged as exc:
        abort(409, description=f"{exc}.")
    except evidence.NotServable as exc:
        abort(404, description=f"No face crop: {exc}.")
    response = Response(made.data, mimetype="image/jpeg")
    response.set_etag(made.etag)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response.make_conditional(request)


@bp.get("/file/<int:file_id>/original")
def original(file_id: int) -> Response:
    """The evidence file's bytes as a download, after checking they still hash to the recorded SHA-256."""
    location = _location(file_id)
    try:
        stream = evidence.open_evidence(location)
    except evidence.NotServable as exc:
        abort(404, description=f"The file cannot be served: {exc}.")
    try:
        evidence.verify(stream, location)
    except evidence.EvidenceChanged as exc:
        stream.close()
        abort(409, description=f"{exc}. Re-index the evidence or examine the file directly.")
    except (evidence.NotServable, OSError) as exc:
        stream.close()
        abort(404, description=f"The file cannot be served: {exc}.")
    response = Response(
        wrap_file(request.environ, stream), mimetype=evidence.mimetype_for(location.format), direct_passthrough=True
    )
    response.content_length = location.size
    response.headers.set("Content-Disposition", "attachment", **_download_names(location.path))
    response.headers["Cache-Control"] = "no-store"
    if location.sha256:
        response.set_etag(location.sha256)
    return response


def _rendition(file_id: int, kind: str) -> Response:
    location = _location(file_id)
    try:
        made = evidence.rendition(location, kind, Path(current_app.config["THUMBNAIL_DIR"]))
    except evidence.EvidenceChanged as exc:
        abort(409, description=f"{exc}.")
    except evidence.NotServable as exc:
        abort(404, description=f"No preview: {exc}.")
    response = Response(made.data, mimetype="image/jpeg")
    response.set_etag(made.etag)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response.make_conditional(request)


def _overlay(
    detail: dict[str, Any], ocr: dict[str, Any] | None, found_faces: list[dict[str, Any]] | None
) -> dict[str, Any] | None:
    """What the image page draws over the picture: word boxes (pixels of the picture as shown, full size) and
    face boxes (fractions of it), in a viewBox of the picture's shown size."""
    words = (ocr or {}).get("words") or []
    if not words and not found_faces:
        return None
    width = detail.get("display_width") or detail.get("width")
    height = detail.get("display_height") or detail.get("height")
    if not width or not height:
        return None
    return {"width": width, "height": height, "words": words, "faces": found_faces or []}


def _location(file_id: int) -> FileLocation:
    location = viewer.file_location(connection(), file_id)
    if location is None:
        abort(404, description=f"No file with id {file_id} in this case.")
    return location


def _download_names(path: str) -> dict[str, str]:
    """Content-Disposition names for a hostile file name: controls, quotes and slashes replaced; RFC 5987 for
    non-ASCII names, with an ASCII fallback."""
    name = _UNSAFE_NAME.sub("_", path.rsplit("/", 1)[-1]) or "file"
    if name.isascii():
        return {"filename": name}
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii") or "file"
    return {"filename": fallback, "filename*": "UTF-8''" + quote(name, safe="")}


def _camera_name(make: str, model: str) -> str:
    return camera_name(None if make == viewer.NO_VALUE else make, None if model == viewer.NO_VALUE else model)


@bp.app_template_global()
def camera_name(make: str | None, model: str | None) -> str:
    """Make and model for people: many cameras repeat the make in the model ("Canon" + "Canon EOS 40D")."""
    make, model = (make or "").strip(), (model or "").strip()
    if not make and not model:
        return "(no camera in EXIF)"
    if make and model.lower().startswith(make.lower()):
        return model
    return f"{make} {model}".strip()


def _anomaly_reasons(conn: Connection, file_id: int) -> tuple[Reason, ...]:
    facts = anomalies_db.facts_of(conn, file_id)
    return reasons_of(facts) if facts is not None else ()


def _gallery_url(state: ViewState, **changes: str | None) -> str:
    return url_for("viewer.gallery") + state.query(page=None, **changes)


def _status_url(state: ViewState, status: str) -> str | None:
    if status == "unprocessed":
        return url_for("viewer.gallery") + state.query(page=None, unprocessed="1")
    if status == "image":
        return url_for("viewer.gallery") + state.query(page=None)
    return None


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return [str(text)]
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]
