"""`cbis search`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from cbis import wordnet
from cbis.cli import _filters as f
from cbis.cli._common import CaseOption, audited_case, stderr, stdout, user_errors


def search(
    ctx: typer.Context,
    case: CaseOption = None,
    label: f.Label = None,
    min_score: f.MinScore = None,
    make: f.Make = None,
    camera_model: f.CameraModel = None,
    has_gps: f.HasGps = False,
    hash_: f.Hash = None,
    date_from: f.DateFrom = None,
    date_to: f.DateTo = None,
    ext_mismatch: f.ExtMismatch = False,
    unprocessed: f.Unprocessed = False,
    metadata_conflict: f.MetadataConflict = False,
    thumbnail_mismatch: f.ThumbnailMismatch = False,
    missing: f.Missing = "include",
    known: f.Known = False,
    notable: f.Notable = False,
    hashset: f.HashSetName = None,
    category: f.Category = None,
    tag: f.Tag = None,
    rollup: f.RollupName = None,
    text: f.Text = None,
    screenshot: f.Screenshot = False,
    faces: f.Faces = False,
    min_faces: f.MinFaces = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Whose predictions to use. Default: the most recent model.")
    ] = None,
    similar_to: Annotated[
        str | None,
        typer.Option(
            "--similar-to",
            help="Visually similar to this case file (its SHA-256, MD5, SHA-1 or path), or to an image file from"
            " outside the evidence (embedded for this query only, never stored).",
        ),
    ] = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort", help="path, date, score, or relevance (with --text). Default: path; relevance with --text."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many results.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines on stdout, for scripts.")] = False,
) -> None:
    """Find files by label, score, EXIF fields, hash, dates, extension mismatch, failure, metadata that
    disagrees, hash sets, review (category, tag), rollup, text in the picture, faces, screenshots, or visual
    similarity."""
    from cbis.services.search import no_results_hint, search_case

    filters = f.make_filters(**locals())
    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        hits, model_ref = search_case(
            opened, filters, model_name=model, limit=limit, sort=sort, similar_to=similar_to, on_note=_note
        )
    hint = None if hits else no_results_hint(filters, model_ref)
    if hint:
        stderr.print(f"Note: {hint}", highlight=False, markup=False)
    if as_json:
        for hit in hits:
            typer.echo(
                json.dumps({**asdict(hit), "classifier": model_ref.name if model_ref else None}, ensure_ascii=False)
            )
        return
    table = Table(title=f"{len(hits)} result(s)" + (f" - model {model_ref.name}" if model_ref else ""))
    table.add_column("path", overflow="fold", min_width=20)
    if unprocessed:
        table.add_column("reason", overflow="fold")
    else:
        if similar_to:
            table.add_column("similarity", justify="right")
        if label:
            table.add_column("matched (rank)")
        if text is not None:
            table.add_column("text matched", overflow="fold")
        if faces or min_faces is not None:
            table.add_column("faces", justify="right")
        table.add_column("top-1")
        table.add_column("score", justify="right")
        table.add_column("camera")
        table.add_column("taken", min_width=19)
        table.add_column("GPS")
        table.add_column("review")
    table.add_column("sha256 (start)", no_wrap=True)
    for hit in hits:
        path = hit.path if hit.missing_since_run is None else f"{hit.path} (missing since run {hit.missing_since_run})"
        if unprocessed:
            table.add_row(*_cells(path, hit.error or "", _short(hit.sha256)))
            continue
        camera = " ".join(part for part in (hit.make, hit.camera_model) if part)
        gps = f"{hit.gps_latitude:.5f}, {hit.gps_longitude:.5f}" if hit.gps_latitude is not None else ""
        score = f"{hit.score:.3f}" if hit.score is not None else ""
        taken = hit.date_taken or ""
        similar = [f"{hit.similarity:.3f}"] if similar_to else []
        if label:
            similar.append(
                f"{_named(hit.matched_wnid, hit.matched_label)} ({hit.matched_rank}, {hit.matched_score:.3f})"
                if hit.matched_label
                else ""
            )
        if text is not None:
            similar.append(", ".join(hit.text_matches))
        if faces or min_faces is not None:
            similar.append(str(hit.face_count or 0))
        if hit.screenshot and screenshot:
            path += " (screenshot)"
        if hit.hashsets:
            path += " (" + "; ".join(_hashset_hit(match) for match in hit.hashsets) + ")"
        reviewed = _review_cell(hit.review)
        table.add_row(
            *_cells(
                path, *similar, _named(hit.wnid, hit.label), score, camera, taken, gps, reviewed, _short(hit.sha256)
            )
        )
    stdout.print(table)


def _hashset_hit(match: dict[str, str | None]) -> str:
    category = f", category {match['category']}" if match["category"] else ""
    return f"{match['kind']}: {match['set_name']}{category}"


def _named(wnid: str | None, label: str | None) -> str:
    """The class as an examiner reads it, with its WordNet id beside it: "tiger cat (n02123159)"."""
    if not wnid:
        return label or ""
    return f"{wordnet.display_name(wnid, label)} ({wnid})"


def _review_cell(review: dict[str, Any]) -> str:
    """The examiner's category and tags; a hash set's category only as the set's ("pre: CAT-1 from SET")."""
    parts = [review["category"]] if review.get("category") else []
    parts += [f"#{tag}" for tag in review.get("tags", [])]
    if not review.get("category"):
        parts += [
            f"pre: {p['code'] or p['category']} from {p['set_name']}" for p in review.get("precategorized_from", [])
        ]
    if review.get("note"):
        parts.append("note")
    return " ".join(parts)


def _note(message: str) -> None:
    stderr.print(f"Note: {message}", highlight=False, markup=False)


def _cells(*values: str) -> list[Text]:
    """Cells as plain text: a file name or label such as "[red]x[/red].jpg" is shown as it is, never as markup."""
    return [Text(value) for value in values]


def _short(sha256: str | None) -> str:
    """The table shows a prefix to stay readable; --json and reports carry the whole digest."""
    return f"{sha256[:12]}…" if sha256 else ""
