"""`cbis report --csv OUT_DIR [--logs] [--overwrite]`, and the whole-document reports: `--geojson FILE`,
`--kmz FILE`, `--dfxml FILE`, `--timeline DIR`, `--vics FILE`, `--hash-lists DIR`, and the ones that take `cbis
search`'s filters: `--html DIR`, `--pdf FILE`, `--case-uco FILE`."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from cbis.cli import _filters as f
from cbis.cli._common import CaseOption, audited_case, command_text, fail, stdout, user_errors
from cbis.status import ExitStatus

SELECTING = {"html", "pdf", "case-uco"}  # the reports that take the search filters


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
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Write a self-contained HTML report here (index.html: case, tools, cbis verify, charts, map and the "
            "selected files with thumbnails, hashes, labels, EXIF and anomalies).",
        ),
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf",
            help="Print the HTML report to this PDF (headless chromium; each page has the case number and page x of "
            "y). Not byte-identical between runs: chromium writes the time into it.",
        ),
    ] = None,
    case_uco: Annotated[
        Path | None,
        typer.Option(
            "--case-uco",
            help="Write CASE 1.4 JSON-LD (files with their hashes, EXIF and positions, the classifier's labels) here.",
        ),
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
    """Export the case as CSV files, GeoJSON, KMZ, a timeline, DFXML, an HTML or PDF report, CASE/UCO JSON-LD,
    Project VIC VICS JSON or hash lists per review category (byte-identical when run twice on the same case, except
    the --logs files and the PDF; DFXML quotes the command line). The search filters (--label, --make,
    --category...) select the files of --html, --pdf and --case-uco."""
    documents = {
        "geojson": geojson, "kmz": kmz, "timeline": timeline, "dfxml": dfxml, "html": html, "pdf": pdf,
        "case-uco": case_uco, "vics": vics, "hash-lists": hash_lists,
    }  # fmt: skip
    chosen = {name: target for name, target in documents.items() if target is not None}
    if csv_dir is None and not chosen:
        raise fail(
            "choose a report format: --csv OUT_DIR, --geojson FILE, --kmz FILE, --timeline DIR, --dfxml FILE, "
            "--html DIR, --pdf FILE, --case-uco FILE, --vics FILE or --hash-lists DIR",
            ExitStatus.USAGE,
        )
    from cbis.services.report import write_csv_report, write_document_report

    filters = f.make_filters(
        label=label, min_score=min_score, make=make, camera_model=camera_model, has_gps=has_gps, hash_=hash_,
        date_from=date_from, date_to=date_to, ext_mismatch=ext_mismatch, unprocessed=unprocessed,
        metadata_conflict=metadata_conflict, thumbnail_mismatch=thumbnail_mismatch, missing=missing, known=known,
        notable=notable, hashset=hashset, category=category, tag=tag, rollup=rollup, text=text, screenshot=screenshot,
        faces=faces, min_faces=min_faces,
    )  # fmt: skip
    if f.any_filter(filters) and not chosen.keys() & SELECTING:
        raise fail(
            "the search filters select the files of --html, --pdf and --case-uco; the other reports list every file",
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
                opened, target, name, model_name=model, overwrite=overwrite, command_line=command_text(ctx),
                filters=dataclasses.replace(filters) if name in SELECTING else None,
            )  # fmt: skip
            for path, items in document.files.items():
                units = {"timeline": "rows", "html": "files", "pdf": "files", "case-uco": "files", "vics": "media"}
                unit = {**units, "hash-lists": "digests"}.get(name, "entries")
                stdout.print(f"{path}: {items} {unit}", highlight=False)
            one = len(document.files) == 1
            files = "1 file with its" if one else f"{len(document.files)} files with their"
            stdout.print(f"{document.manifest}: {files} SHA-256", highlight=False)
