"""`cbis report --csv OUT_DIR [--logs] [--overwrite]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cbis.cli._common import CaseOption, audited_case, fail, stdout, user_errors
from cbis.services.report import write_csv_report
from cbis.status import ExitStatus


def report(
    ctx: typer.Context,
    case: CaseOption = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option("--csv", help="Write files, exif, prediction, unprocessed, summary CSVs here."),
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
    """Export the case as CSV files (byte-identical when run twice on the same case, except the --logs files)."""
    if csv_dir is None:
        raise fail("choose a report format: --csv OUT_DIR", ExitStatus.USAGE)
    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        written = write_csv_report(opened, csv_dir, model_name=model, include_logs=logs, overwrite=overwrite)
    for name, rows in written.files.items():
        stdout.print(f"{written.directory / name}: {rows} rows", highlight=False)
    stdout.print(f"{written.manifest}: {len(written.files)} files with their SHA-256", highlight=False)
