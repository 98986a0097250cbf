"""`cbis search`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cbis.cli._common import CaseOption, audited_case, stderr, stdout, user_errors
from cbis.db.queries import SearchFilters
from cbis.services.search import no_results_hint, search_case


def search(
    ctx: typer.Context,
    case: CaseOption = None,
    label: Annotated[
        str | None,
        typer.Option(
            "--label",
            help="Label words (whole words, any of the top-k) or a WordNet name: 'dog' finds every breed.",
        ),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", help="Minimum score (of the matching label, else of top-1)."),
    ] = None,
    make: Annotated[str | None, typer.Option("--make", help="Camera make substring.")] = None,
    camera_model: Annotated[str | None, typer.Option("--camera-model", help="Camera model substring.")] = None,
    has_gps: Annotated[bool, typer.Option("--has-gps", help="Only images with GPS coordinates.")] = False,
    hash_: Annotated[str | None, typer.Option("--hash", help="MD5, SHA-1 or SHA-256 (by length), any file.")] = None,
    date_from: Annotated[
        str | None,
        typer.Option("--from", help="Taken on or after (2024-05-31): DateTimeOriginal, else CreateDate; EXIF or XMP."),
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Taken on or before (2024-05-31), as --from.")] = None,
    ext_mismatch: Annotated[
        bool, typer.Option("--ext-mismatch", help="Files whose name does not match their content.")
    ] = False,
    unprocessed: Annotated[
        bool, typer.Option("--unprocessed", help="Files that could not be read or decoded, with reasons.")
    ] = False,
    metadata_conflict: Annotated[
        bool,
        typer.Option("--metadata-conflict", help="Images whose EXIF, maker note and XMP disagree on a field."),
    ] = False,
    thumbnail_mismatch: Annotated[
        bool,
        typer.Option(
            "--thumbnail-mismatch",
            help="Images whose EXIF thumbnail is not the picture (edited after the camera wrote it?).",
        ),
    ] = False,
    missing: Annotated[
        str,
        typer.Option(
            "--missing",
            help="Files a later index no longer found: include (flagged), exclude, or only them.",
        ),
    ] = "include",
    known: Annotated[
        bool, typer.Option("--known", help="Files in a known hash set (NSRL): known, which is not the same as good.")
    ] = False,
    notable: Annotated[
        bool, typer.Option("--notable", help="Files in a notable hash set (Project VIC, CAID, a list).")
    ] = False,
    hashset: Annotated[str | None, typer.Option("--hashset", help="Files in the hash set of this name.")] = None,
    text: Annotated[
        str | None,
        typer.Option(
            "--text",
            help='Words in the pictures\' text (OCR): all of them, "a phrase", OR, prefix*. Ranked best first.',
        ),
    ] = None,
    screenshot: Annotated[
        bool, typer.Option("--screenshot", help="Screenshots (device screen size or proportions, no camera EXIF).")
    ] = False,
    faces: Annotated[bool, typer.Option("--faces", help="Images with at least one face.")] = False,
    min_faces: Annotated[int | None, typer.Option("--min-faces", help="Images with at least N faces.")] = None,
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
    disagrees, text in the picture, faces, screenshots, or visual similarity."""
    filters = SearchFilters(
        label=label,
        min_score=min_score,
        make=make,
        camera_model=camera_model,
        has_gps=has_gps,
        hash=hash_,
        date_from=date_from,
        date_to=date_to,
        ext_mismatch=ext_mismatch,
        unprocessed=unprocessed,
        metadata_conflict=metadata_conflict,
        thumbnail_mismatch=thumbnail_mismatch,
        missing=missing,
        known=known,
        notable=notable,
        hashset=hashset,
        text=text,
        screenshot=screenshot,
        min_faces=min_faces if min_faces is not None else (1 if faces else None),
    )
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
                f"{hit.matched_label} ({hit.matched_rank}, {hit.matched_score:.3f})" if hit.matched_label else ""
            )
        if text is not None:
            similar.append(", ".join(hit.text_matches))
        if faces or min_faces is not None:
            similar.append(str(hit.face_count or 0))
        if hit.screenshot and screenshot:
            path += " (screenshot)"
        if hit.hashsets:
            path += " (" + "; ".join(_hashset_hit(match) for match in hit.hashsets) + ")"
        table.add_row(*_cells(path, *similar, hit.label or "", score, camera, taken, gps, _short(hit.sha256)))
    stdout.print(table)


def _hashset_hit(match: dict[str, str | None]) -> str:
    category = f", category {match['category']}" if match["category"] else ""
    return f"{match['kind']}: {match['set_name']}{category}"


def _note(message: str) -> None:
    stderr.print(f"Note: {message}", highlight=False, markup=False)


def _cells(*values: str) -> list[Text]:
    """Cells as plain text: a file name or label such as "[red]x[/red].jpg" is shown as it is, never as markup."""
    return [Text(value) for value in values]


def _short(sha256: str | None) -> str:
    """The table shows a prefix to stay readable; --json and reports carry the whole digest."""
    return f"{sha256[:12]}…" if sha256 else ""
