"""The `cbis` command: a thin Typer layer; every command calls one function of cbis.services."""

from __future__ import annotations

from typing import Annotated

import typer

from cbis import __version__
from cbis.cli import (
    analyzers,
    anomalies,
    case,
    duplicates,
    hashset,
    index,
    models,
    report,
    review,
    search,
    serve,
    similarity,
    user,
    verify,
)
from cbis.cli._common import CbisCommand, CbisGroup, debug_mode

app = typer.Typer(
    cls=CbisGroup,
    name="cbis",
    help="Image triage for digital forensics: hashes, EXIF and ImageNet labels in a case database.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.add_typer(case.app, name="case", help="Create a case or show what it holds.")
app.command("index", cls=CbisCommand)(index.index)
app.command("search", cls=CbisCommand)(search.search)
app.command("report", cls=CbisCommand)(report.report)
app.command("models", cls=CbisCommand)(models.models)
app.command("analyzers", cls=CbisCommand)(analyzers.analyzers)
app.command("duplicates", cls=CbisCommand)(duplicates.duplicates)
app.command("anomalies", cls=CbisCommand)(anomalies.anomalies)
app.command("verify", cls=CbisCommand)(verify.verify)
app.command("serve", cls=CbisCommand)(serve.serve)
app.add_typer(
    hashset.app,
    name="hashset",
    help="Known and notable hash sets (NSRL, Project VIC, CAID, lists): import, list, match.",
)
app.add_typer(
    review.app,
    name="review",
    help="Examiner review: categories (Project VIC and the case's), tags and notes, rollups, VICS import.",
)
app.add_typer(similarity.app, name="similarity", help="The similarity index for `cbis search --similar-to`: rebuild.")
app.add_typer(user.app, name="user", help="Examiner accounts for the web viewer: add, list, disable, enable, passwd.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cbis {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    debug_mode["enabled"] = debug


def main() -> None:
    app()
