"""`cbis search`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cbis.cli._common import CaseOption, audited_case, stderr, stdout, user_errors
from cbis.cli._filters import (
    CameraModelOption,
    DateFromOption,
    DateToOption,
    ExtMismatchOption,
    HasGpsOption,
    HashOption,
    HashsetOption,
    KnownOption,
    LabelOption,
    MakeOption,
    MetadataConflictOption,
    MinScoreOption,
    MissingOption,
    NotableOption,
    ThumbnailMismatchOption,
    UnprocessedOption,
)


def search(
    ctx: typer.Context,
    case: CaseOption = None,
    label: LabelOption = None,
    min_score: MinScoreOption = None,
    make: MakeOption = None,
    camera_model: CameraModelOption = None,
    has_gps: HasGpsOption = False,
    hash_: HashOption = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    ext_mismatch: ExtMismatchOption = False,
    unprocessed: UnprocessedOption = False,
    metadata_conflict: MetadataConflictOption = False,
    thumbnail_mismatch: ThumbnailMismatchOption = False,
    missing: MissingOption = "include",
    known: KnownOption = False,
    notable: NotableOption = False,
    hashset: HashsetOption = None,
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
    sort: Annotated[str, typer.Option("--sort", help="path, date or score.")] = "path",
    limit: Annotated[int, typer.Option("--limit", help="At most this many results.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines on stdout, for scripts.")] = False,
) -> None:
    """Find files by label, score, EXIF fields, hash, dates, extension mismatch, failure, metadata that
    disagrees, or visual similarity."""
    from cbis.db.queries import SearchFilters
    from cbis.services.search import no_results_hint, search_case

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
