"""`cbis hashset import|list|match`: known (NSRL) and notable (Project VIC, CAID, lists) hash sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cbis.cli._common import CaseOption, CbisCommand, CbisGroup, audited_case, stderr, stdout, user_errors

app = typer.Typer(cls=CbisGroup, no_args_is_help=True, help="Known and notable hash sets: import, list, match.")


@app.command("import", cls=CbisCommand)
def import_(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="A name for the set in this case (unique), e.g. NSRL-2024.12.", show_default=False)
    ],
    file: Annotated[
        Path, typer.Argument(help="The set file: an NSRL RDSv3 .db, NSRLFile.txt, a list, VICS/CAID JSON.")
    ],
    kind: Annotated[str, typer.Option("--kind", help="known (NSRL-style, hidden by default) or notable (alerted).")],
    format: Annotated[
        str, typer.Option("--format", help="auto, nsrl-rds, nsrl-csv, list or vics (VICS 1.x/2.0 and CAID JSON).")
    ] = "auto",
    case: CaseOption = None,
) -> None:
    """Import a hash set into the case (an NSRL RDSv3 database is queried where it lies, never copied), then match
    the case's files against it."""
    from cbis.services import hashsets

    with user_errors(), audited_case(ctx, case) as opened:
        done = hashsets.import_set(opened, name, file, kind=kind, format=format)
    version = f", version {done.version}" if done.version else ""
    stdout.print(
        f"imported {done.kind} hash set {done.name} ({done.format}{version}): {done.entries} entries, "
        f"file SHA-256 {done.file_sha256}; {done.matches} files in the case match it",
        highlight=False,
        markup=False,
    )


@app.command("list", cls=CbisCommand)
def list_(ctx: typer.Context, case: CaseOption = None) -> None:
    """List the case's hash sets with their kind, format, entries and matching files."""
    from cbis.services import hashsets

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        sets = hashsets.list_sets(opened)
    if not sets:
        stdout.print("no hash sets: import one with `cbis hashset import NAME FILE --kind known|notable`", markup=False)
        return
    # One line per set, not a table: a full SHA-256 and a path do not fit nine columns of a terminal.
    for row in sets:
        version = f", version {row.version}" if row.version else ""
        stdout.print(
            f"{row.name} ({row.kind}, {row.format}{version}): {row.entry_count} entries, {row.matches} files match;"
            f" imported {row.imported_at}; file SHA-256 {row.file_sha256}; {row.path}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@app.command("match", cls=CbisCommand)
def match(ctx: typer.Context, case: CaseOption = None) -> None:
    """Match every file in the case against every hash set (for sets imported after the files; idempotent)."""
    from cbis.services import hashsets

    with user_errors(), audited_case(ctx, case) as opened:
        result = hashsets.match_case(opened)
    for problem in result.problems:
        stderr.print(f"Warning: {problem}", highlight=False, markup=False)
    per_set = ", ".join(f"{name}: {count}" for name, count in result.added.items())
    stdout.print(f"{result.total} new matches ({per_set or 'no set could be matched'})", highlight=False, markup=False)
    if result.problems:
        raise typer.Exit(1)
