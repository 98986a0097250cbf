"""`cbis report --csv OUT_DIR [--logs] [--overwrite]`, and the whole-document reports: `--geojson FILE`,
`--kmz FILE`, `--dfxml FILE`, `--timeline DIR`, `--vics FILE`, `--hash-lists DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cbis.cli._common import CaseOption, audited_case, command_text, fail, stdout, user_errors
from cbis.services.report import write_csv_report, write_document_report
from cbis.status import ExitStatus


def report(
    ctx: typer.Context,
    case: CaseOption = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option("--csv", help="Write files, exif, prediction, unprocessed, summary CSVs here."),
    ] = None,
    geojson: Annotated[
        Path | None,
        typer.Option("--geojson", help="Write an RFC 7946 GeoJSON FeatureCollection of every image with GPS here."),
    ] = None,
    kmz: Annotated[
        Path | None,
        typer.Option("--kmz", help="Write a KMZ (placemarks with thumbnails and times; opens offline) here."),
    ] = None,
    timeline: Annotated[
        Path | None,
        typer.Option("--timeline", help="Write timeline.csv and timeline.html (every stored time, flagged) here."),
    ] = None,
    dfxml: Annotated[
        Path | None,
        typer.Option("--dfxml", help="Write DFXML 1.2.0 (every file with its size, hashes and times) here."),
    ] = None,
    vics: Annotated[
        Path | None,
        typer.Option(
            "--vics", help="Write the review as Project VIC VICS 2.0 JSON (cbis review import reads it back)."
        ),
    ] = None,
    hash_lists: Annotated[
        Path | None,
        typer.Option("--hash-lists", help="Write MD5 and SHA-1 lists of each review category's files here."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Whose predictions to export. Default: the most recent model."),
    ] = None,
    logs: Annotated[
        bool,
        typer.Option(
            "--logs",
            help="Also write audit_log.csv and access_log.csv, the chain-of-custody logs, and login_refusals.csv "
            "(the viewer's count of refused logins). These are NOT "
            "byte-identical between runs: every command adds to the audit log, this report included (its "
            "'started' row is in the file, its outcome is not).",
        ),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Write into a directory that holds files cbis did not write, or another case's report: cbis's "
            "report files there are replaced, other files are left alone. Never allowed inside the evidence.",
        ),
    ] = False,
) -> None:
    """Export the case as CSV files, GeoJSON, KMZ, a timeline, DFXML, Project VIC VICS JSON or hash lists per review
    category (byte-identical when run twice on the same case, except the --logs files; DFXML quotes the command
    line)."""
    documents = {
        "geojson": geojson,
        "kmz": kmz,
        "timeline": timeline,
        "dfxml": dfxml,
        "vics": vics,
        "hash-lists": hash_lists,
    }
    chosen = {name: target for name, target in documents.items() if target is not None}
    if csv_dir is None and not chosen:
        raise fail(
            "choose a report format: --csv OUT_DIR, --geojson FILE, --kmz FILE, --timeline DIR, --dfxml FILE, "
            "--vics FILE or --hash-lists DIR",
            ExitStatus.USAGE,
        )
    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        if csv_dir is not None:
            written = write_csv_report(opened, csv_dir, model_name=model, include_logs=logs, overwrite=overwrite)
            for name, rows in written.files.items():
                stdout.print(f"{written.directory / name}: {rows} rows", highlight=False)
            stdout.print(f"{written.manifest}: {len(written.files)} files with their SHA-256", highlight=False)
        for name, target in chosen.items():
            document = write_document_report(
                opened, target, name, model_name=model, overwrite=overwrite, command_line=command_text(ctx)
            )
            for path, items in document.files.items():
                unit = {"timeline": "rows", "vics": "media", "hash-lists": "digests"}.get(name, "entries")
                stdout.print(f"{path}: {items} {unit}", highlight=False)
            one = len(document.files) == 1
            files = "1 file with its" if one else f"{len(document.files)} files with their"
            stdout.print(f"{document.manifest}: {files} SHA-256", highlight=False)
