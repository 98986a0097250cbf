"""`cbis report --html DIR`: a self-contained report for a reader without cbis (a prosecutor, a defence expert, a
court): index.html with the case, the tool and model (weights SHA-256), the `cbis verify` result, summary charts,
a map and the selected files, each with its hashes, labels, EXIF and anomalies.

Self-contained: the CSS is inline, thumbnails are JPEG data: URIs (at most THUMBNAIL_SIZE px, the viewer's own
renditions, made only of a file that still hashes to its recorded SHA-256), charts and the map are inline SVG over
the vendored Natural Earth outline, and a Content-Security-Policy meta tag lets the page load nothing from
anywhere (no JavaScript, no request). The selection is `cbis search`'s filters; a large one is paged,
FILES_PER_PAGE files a page (index.html, then files-0002.html...), so no page grows without bound.

The same case gives the same bytes: files in the reports' order, fixed number formats, no time of the report's
own. The audit log's head hash changes with every command, this report's included, so it is not on the page:
it is in manifest.json (`audit_head`), the report's one file that differs between runs.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, fields
from functools import cache
from importlib import resources
from typing import Any, BinaryIO

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cbis import __version__
from cbis.anomalies import Reason, reasons_of
from cbis.db import anomalies as db_anomalies
from cbis.db import documents, queries
from cbis.db.queries import SearchFilters, SearchHit
from cbis.ingest.renditions import NoRendition, read_recorded, render_jpeg
from cbis.reports import DocumentContext, PartWriter, register_document
from cbis.web import charts

THUMBNAIL_SIZE = 256  # px, the longer side: a JPEG of about 10-20 kB
FILES_PER_PAGE = 500  # about 10 MB a page at most, thumbnails included
CHART_ITEMS = 15  # bars per chart; the rest counted as "other"
MAP_POINTS = 5000  # points drawn on the map (the viewer's limit); all are listed with their coordinates


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("cbis.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


@cache
def _world_map() -> str:
    """The viewer's offline world outline (public domain), as a data: URI the map's SVG draws under the points."""
    data = resources.files("cbis.web").joinpath("static/map/world-110m.svg").read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def describe_filters(filters: SearchFilters) -> list[str]:
    """The filters as the command line spells them ("--label dog"), in SearchFilters' order; empty: every file."""
    default = SearchFilters()
    words = []
    for field in fields(SearchFilters):
        value = getattr(filters, field.name)
        if field.name in ("model_id", "file_ids", "exclude_file_ids", "anomaly_ids", "hide_known"):
            continue
        if value == getattr(default, field.name):
            continue
        option = {"date_from": "--from", "date_to": "--to", "hash": "--hash", "camera_model": "--camera-model"}.get(
            field.name, "--" + field.name.replace("_", "-")
        )
        words.append(option if value is True else f"{option} {value}")
    return words


def selected(context: DocumentContext, page_size: int | None, pages: int | None = None) -> Iterator[list[SearchHit]]:
    """The selected files, a page at a time (all of them at once when page_size is None), in path order; with
    `pages`, exactly that many pages (the count the report was planned with, whatever is indexed meanwhile)."""
    filters = context.filters or SearchFilters()
    if page_size is None:
        yield queries.search(context.connection, filters, limit=None, with_predictions=True)
        return
    number = 0
    while pages is None or number < pages:
        hits = queries.search(
            context.connection, filters, limit=page_size, offset=number * page_size, with_predictions=True
        )
        if pages is None and not hits and number > 0:
            return
        yield hits
        number += 1
        if pages is None and len(hits) < page_size:
            return


def thumbnail(hit: SearchHit, location: tuple[bytes, bytes] | None) -> tuple[str | None, str | None]:
    """The file's preview as a data: URI, or why there is none."""
    if hit.status != "image":
        return None, None
    if hit.sha256 is None or location is None:
        return None, "no SHA-256 was recorded"
    try:
        jpeg = render_jpeg(read_recorded(location[0], location[1], hit.size, hit.sha256), THUMBNAIL_SIZE)
    except NoRendition as exc:
        return None, str(exc)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii"), None


def _number(value: float | None, places: int) -> str | None:
    return None if value is None else f"{value:.{places}f}"


def file_row(
    hit: SearchHit,
    reasons: tuple[Reason, ...],
    preview: tuple[str | None, str | None],
    model_name: str | None,
) -> dict[str, Any]:
    """One file of the report, as the page shows it: a title, its thumbnail (or why none) and groups of named
    values (file, hashes, labels, EXIF, hash sets, anomalies), each shown only where it has a value.

    The one place that decides a file's fields: a new group (the review decisions of issue #16, say) is one more
    entry in `groups`, drawn like the others."""
    camera = " ".join(part for part in (hit.make, hit.camera_model) if part) or None
    dimensions = f"{hit.display_width} x {hit.display_height}" if hit.display_width and hit.display_height else None
    groups: list[tuple[str, list[tuple[str, str | None]]]] = [
        (
            "File",
            [
                ("evidence", hit.evidence),
                ("status", hit.status),
                ("format", hit.format),
                ("size", f"{hit.size} bytes"),
                ("dimensions", dimensions),
                ("extension", f"{hit.extension} (does not match the content)" if hit.extension_mismatch else None),
                ("missing", f"not found by index run {hit.missing_since_run}" if hit.missing_since_run else None),
                ("error", hit.error),
            ],
        ),
        ("Hashes", [("MD5", hit.md5), ("SHA-1", hit.sha1), ("SHA-256", hit.sha256)]),
        (
            f"Labels ({model_name})" if model_name else "Labels",
            [(f"{p['rank']}. {p['label']}", f"{p['score']:.4f}") for p in hit.predictions],
        ),
        (
            "EXIF",
            [
                ("camera", camera),
                ("lens", hit.lens_model),
                ("body serial", hit.body_serial),
                ("software", hit.software),
                ("DateTimeOriginal", hit.datetime_original),
                ("DateTimeDigitized", hit.datetime_digitized),
                ("ModifyDate", hit.modify_date),
                ("orientation", str(hit.orientation) if hit.orientation is not None else None),
                ("GPS latitude", _number(hit.gps_latitude, 6)),
                ("GPS longitude", _number(hit.gps_longitude, 6)),
                ("GPS altitude", f"{hit.gps_altitude:.1f} m" if hit.gps_altitude is not None else None),
            ]
            + [
                (f"{name} (sources disagree)", "; ".join(f"{source}: {value}" for source, value in values.items()))
                for name, values in sorted(hit.conflicts.items())
            ],
        ),
        (
            "Hash sets",
            [
                (match["set_name"], match["kind"] + (f", category {match['category']}" if match["category"] else ""))
                for match in hit.hashsets
            ],
        ),
        ("Anomalies", [(f"{reason.code} ({reason.weight:g})", reason.detail) for reason in reasons]),
        ("Review", review_items(hit.review)),
    ]
    shown = [(title, [(name, value) for name, value in items if value]) for title, items in groups]
    return {
        "id": f"file-{hit.id}",
        "title": hit.path,
        "thumbnail": preview[0],
        "why_not": preview[1],
        "anomalous": bool(reasons),
        "groups": [(title, items) for title, items in shown if items],
    }


def review_items(review: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The examiner's decisions (cbis review, the viewer), and a hash set's category as that set's, never as one."""
    return [
        ("category", review.get("category")),
        ("tags", ", ".join(review.get("tags") or ()) or None),
        ("note", review.get("note")),
        *(
            (f"pre-categorised by {pre['set_name']}", pre.get("code") or pre.get("category"))
            for pre in review.get("precategorized_from") or ()
        ),
        ("conflicting changes", str(review["conflicts"]) if review.get("conflicts") else None),
    ]


def _rows(context: DocumentContext, hits: list[SearchHit]) -> list[dict[str, Any]]:
    ids = [hit.id for hit in hits]
    facts = db_anomalies.facts_by_id(context.connection, ids)
    where = documents.locations(context.connection, ids)
    model_name = context.model.name if context.model else None
    return [
        file_row(
            hit,
            reasons_of(facts[hit.id]) if hit.id in facts else (),
            thumbnail(hit, where.get(hit.id)),
            model_name,
        )
        for hit in hits
    ]


def _bars(counts: Counter[str], empty: str) -> charts.BarChart | None:
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    items = [(name or empty, float(n), str(n), None) for name, n in ranked[:CHART_ITEMS]]
    rest = sum(n for _, n in ranked[CHART_ITEMS:])
    if rest:
        items.append((f"{len(ranked) - CHART_ITEMS} other", float(rest), str(rest), None))
    return charts.bar_chart(items)


def summary(context: DocumentContext, page_size: int | None, page_count: int | None = None) -> dict[str, Any]:
    """One pass over the selection: the counts the charts draw, the map's points, how many files and pages."""
    labels: Counter[str] = Counter()
    cameras: Counter[str] = Counter()
    months: Counter[str] = Counter()
    points: list[tuple[float, float, str, str | None]] = []
    total = images = located = undated = pages = 0
    for hits in selected(context, page_size, page_count):
        pages += 1
        for hit in hits:
            total += 1
            if hit.status != "image":
                continue
            images += 1
            labels[hit.label or ""] += 1
            cameras[" ".join(part for part in (hit.make, hit.camera_model) if part)] += 1
            if hit.date_taken:
                months[hit.date_taken[:7]] += 1
            else:
                undated += 1
            if hit.gps_latitude is not None and hit.gps_longitude is not None:
                located += 1
                if len(points) < MAP_POINTS:
                    title = f"{hit.path} ({hit.gps_latitude:.6f}, {hit.gps_longitude:.6f})"
                    points.append((hit.gps_latitude, hit.gps_longitude, title, f"#file-{hit.id}"))
    gps_map = charts.map_view(points)
    return {
        "total": total,
        "images": images,
        "pages": pages,
        "located": located,
        "undated": undated,
        "labels_chart": _bars(labels, "(no label)") if context.model else None,
        "cameras_chart": _bars(cameras, "(no camera make or model)"),
        "dates_chart": charts.timeline(sorted(months.items()), {}),
        "gps_map": gps_map if points else None,
        "map_points_shown": len(gps_map.points),
    }


def _custody(context: DocumentContext) -> dict[str, Any] | None:
    if context.verify is None:
        return None
    result = context.verify()
    listed = {name: getattr(result, name) for name in ("missing_roots", "changed", "missing", "added", "unreadable")}
    return {
        "ok": result.ok,
        "damaged": result.damaged,
        "summary": result.summary(),
        "integrity_checked": result.integrity_checked,
        "integrity_problems": result.integrity_problems,
        "audit_problems": result.audit_problems,
        "files_checked": result.files_checked,
        "recorded_missing": result.recorded_missing,
        "listed": {name: values for name, values in listed.items() if values},
    }


def page_name(number: int) -> str:
    return "index.html" if number == 1 else f"files-{number:04d}.html"


_STYLE_NAME = "report.css"


@cache
def _style() -> tuple[str, str]:
    """The page's CSS and its CSP hash: the policy allows this one stylesheet and nothing else."""
    css = _environment().loader.get_source(_environment(), _STYLE_NAME)[0]  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"'sha256-{digest}'"


def render_pages(
    context: DocumentContext,
    page_size: int | None,
    page_count: int | None = None,
    *,
    audit_head: tuple[int, str] | None = None,
) -> Iterator[tuple[str, str, int]]:
    """Each page of the report: its file name, its HTML and how many files it lists. page_size None: one page
    that lists every file (what --pdf prints); page_count: exactly that many pages. `audit_head` puts the audit
    log's head on the page: the PDF's (never byte-identical anyway), not the HTML's (see the module docstring)."""
    totals = summary(context, page_size, page_count)
    custody = _custody(context)
    css, style_hash = _style()
    model = asdict(context.model) if context.model else None
    common = {
        "case": context.details,
        "case_number": context.case_number,
        "cbis_version": __version__,
        "model": model,
        "selection": describe_filters(context.filters or SearchFilters()),
        "css": css,
        "style_hash": style_hash,
        "thumbnail_size": THUMBNAIL_SIZE,
        "pages": totals["pages"],
        "page_name": page_name,
        "page_size": page_size,
        "audit_head": audit_head,
    }
    template = _environment().get_template("report.html")
    first = 1
    for number, hits in enumerate(selected(context, page_size, page_count), start=1):
        rows = _rows(context, hits)
        text = template.render(
            **common,
            number=number,
            first=first,
            rows=rows,
            totals=totals,
            custody=custody if number == 1 else None,
            world_map=_world_map() if number == 1 and totals["gps_map"] else None,
        )
        first += len(rows)
        yield page_name(number), text, len(rows)


class HtmlDocument:
    name = "html"
    description = "a self-contained HTML report (index.html): case, custody, charts, map and the selected files"
    directory = True

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        # Rendered once, in order, as the writer asks for each part: the pages share one pass over the selection.
        count = summary_pages(context)
        pages = render_pages(context, FILES_PER_PAGE, count)

        def part(expected: str) -> PartWriter:
            def fill(raw: BinaryIO) -> int:
                name, text, files = next(pages)
                assert name == expected
                raw.write(text.encode("utf-8"))
                return files

            return fill

        return [(page_name(number), part(page_name(number))) for number in range(1, count + 1)]


def summary_pages(context: DocumentContext) -> int:
    """How many pages the selection fills (at least one: a selection of nothing still has its index page)."""
    total = queries.count(context.connection, context.filters or SearchFilters())
    return max(1, -(-total // FILES_PER_PAGE))


HTML = register_document(HtmlDocument())
