"""`cbis case new|info`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cbis.cli._common import CaseOption, CbisCommand, CbisGroup, audited_case, command_text, stdout, user_errors

app = typer.Typer(cls=CbisGroup, no_args_is_help=True, help="Create a case or show what it holds.")


@app.command("new", cls=CbisCommand)
def new(
    ctx: typer.Context,
    case_dir: Annotated[
        Path,
        typer.Argument(help="Directory to create the case in (case.sqlite, or case.toml naming the --db database)."),
    ],
    number: Annotated[str, typer.Option("--number", help="Case number, e.g. 2026-0042.")],
    examiner: Annotated[str, typer.Option("--examiner", help="Examiner responsible for the case.")],
    description: Annotated[str, typer.Option("--description", help="Free text about the case.")] = "",
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Keep the case in this empty PostgreSQL database, postgresql+psycopg://USER@HOST:PORT/DB, instead of "
            "CASE_DIR/case.sqlite. No password in the URL: use PGPASSWORD or ~/.pgpass. Default: $CBIS_DB_URL.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a new case directory holding an empty case database."""
    from cbis.services.cases import create_case, database_of

    with user_errors():
        case = create_case(
            case_dir, number=number, examiner=examiner, description=description, database=db, command=command_text(ctx)
        )
        try:
            where = "" if case.engine.dialect.name == "sqlite" else f" (database {database_of(case)})"
        finally:
            case.close()
    stdout.print(f"created case {number} in {case.directory}{where}")


@app.command("info", cls=CbisCommand)
def info(ctx: typer.Context, case: CaseOption = None) -> None:
    """Print the case's details and counts."""
    from cbis.services.cases import case_summary

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        summary = case_summary(opened)
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in summary.items():
        table.add_row(Text(key), Text(value))  # an evidence path or description is never markup
    stdout.print(table)


@app.command("upgrade", cls=CbisCommand)
def upgrade(
    ctx: typer.Context,
    case_dir: Annotated[
        Path | None,
        typer.Argument(help="The case directory. Default: --case, $CBIS_CASE, then the current directory."),
    ] = None,
    case: CaseOption = None,
) -> None:
    """Bring a case made by an older cbis up to this version's schema (recorded in its audit log).

    Commands that only read (case info, search, report, verify, serve) never change a case and refuse an older
    one; `cbis index` and the `cbis user` commands that write upgrade it themselves."""
    from cbis.services.cases import audited, open_case_for_upgrade, resolve_case_dir, upgrade_case

    with user_errors():
        opened = open_case_for_upgrade(resolve_case_dir(case_dir or case))
        try:
            with audited(opened, command_text(ctx)):
                done = upgrade_case(opened)
                if done.applied:
                    opened.audit_outcome = (
                        f"ok: schema {done.from_version} -> {done.to_version} ({', '.join(done.applied)})"
                    )
                else:
                    opened.audit_outcome = f"ok: already at schema {done.to_version}, nothing changed"
        finally:
            opened.close()
    if done.applied:
        stdout.print(
            f"upgraded {opened.directory} from schema {done.from_version} to {done.to_version}: "
            + ", ".join(done.applied),
            highlight=False,
            markup=False,
        )
    else:
        stdout.print(f"{opened.directory} is already at schema {done.to_version}: nothing changed", highlight=False)
