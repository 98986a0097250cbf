"""`cbis duplicates`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cbis.cli._common import CaseOption, audited_case, stderr, stdout, user_errors

ALL_KINDS = "exact,visual,similar"  # services.duplicates.KINDS, named here so `cbis --help` need not import numpy


def duplicates(
    ctx: typer.Context,
    case: CaseOption = None,
    kind: Annotated[
        str,
        typer.Option("--kind", metavar="exact,visual,similar", help="Which groups, comma-separated. Default: all."),
    ] = ALL_KINDS,
    model: Annotated[
        str | None, typer.Option("--model", help="Whose CNN features the similar groups use. Default: the latest.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object a line per group: members, kind, every link's reason.")
    ] = False,
) -> None:
    """Copies (one SHA-256 at several paths), visual stacks (the same picture resized, re-encoded, stripped,
    turned or cropped) and similar groups (CNN features), each link with its reason."""
    from cbis.services.duplicates import find_duplicates

    kinds = [part.strip() for part in kind.split(",") if part.strip()]
    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        report = find_duplicates(opened, kinds, model)  # type: ignore[arg-type]
    for note in report.notes:
        stderr.print(f"Note: {note}", highlight=False, markup=False)
    if as_json:
        for line in report.json_lines():
            typer.echo(line)
        return
    table = Table(title=f"{len(report.groups)} group(s)")
    for column in ("group", "kind", "members (evidence root: path)", "why"):
        table.add_column(column, overflow="fold")
    for number, group in enumerate(report.groups, 1):
        paths = {m.file_id: m.path for m in group.members}
        members = "\n".join(f"{m.root}: {m.path}" for m in group.members)
        why = "\n".join(f"{paths[link.a]} ~ {paths[link.b]}: {link.reason}" for link in group.links)
        table.add_row(*(Text(cell) for cell in (str(number), group.kind, members, why)))  # names are no markup
    stdout.print(table)
