"""What every command shares: the --case option, turning CbisError into a message and exit code, consoles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError

from cbis.db.engine import on_lock_wait
from cbis.errors import CbisError
from cbis.ingest._text import escape_unprintable
from cbis.services.cases import Case, audited, known_database_error, open_case, resolve_case_dir
from cbis.status import ExitStatus

CaseOption = Annotated[
    Path | None,
    typer.Option(
        "--case",
        help="Case directory (holding case.sqlite or case.toml). Default: $CBIS_CASE, then the current directory.",
        show_default=False,
    ),
]

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)
debug_mode = {"enabled": False}
on_lock_wait(lambda message: typer.echo(f"Waiting: {message}", err=True))


def fail(message: str, status: int = ExitStatus.ERROR) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(int(status))


@contextmanager
def user_errors() -> Iterator[None]:
    """Errors a user can cause become one line on stderr and a documented exit code; no traceback."""
    try:
        yield
    except CbisError as exc:
        if debug_mode["enabled"]:
            raise
        raise fail(str(exc), exc.status) from None
    except DBAPIError as exc:
        # Raised before a command's audit wrapper could name it: opening a damaged case, a lock held too long.
        error = known_database_error(exc)
        if error is None or debug_mode["enabled"]:
            raise
        raise fail(str(error), error.status) from None
    except KeyboardInterrupt:
        typer.echo("Interrupted: work committed so far is kept; run the same command again to resume.", err=True)
        raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None


def command_text(ctx: typer.Context) -> str:
    """The command as the audit log records it: its name and every option given a non-default value."""
    names: list[str] = []
    level: typer.Context | None = ctx
    while level is not None and level.parent is not None:  # the root's name is "python -m cbis" or a path
        names.insert(0, level.info_name or "")
        level = level.parent
    parts = ["cbis", *names]
    for parameter in ctx.command.params:
        value = ctx.params.get(parameter.name or "")
        if value is None or value == parameter.default or value is False:
            continue
        if parameter.param_type_name == "argument":
            parts.append(str(value))
        elif value is True:
            parts.append(parameter.opts[0])
        else:
            parts.extend([parameter.opts[0], str(value)])
    # Arguments may hold undecodable bytes (a non-UTF-8 evidence path): stored escaped, readable, never a crash.
    return escape_unprintable(" ".join(parts))


@contextmanager
def audited_case(ctx: typer.Context, case_option: Path | None, *, readonly: bool = False) -> Iterator[Case]:
    """Open the case named by --case (or its defaults) and audit the command around the block.

    A command that only reads passes readonly=True: it reads through a connection that cannot write (and so
    never holds the write lock, nor migrates), and refuses a case of an older schema (`cbis case upgrade`)."""
    case = open_case(resolve_case_dir(case_option), readonly=readonly, current_schema=readonly)
    if case.audit_unavailable is not None:
        typer.echo(f"Note: {case.audit_unavailable}: this command is not recorded in its audit log.", err=True)
    try:
        with audited(case, command_text(ctx)):
            yield case
    finally:
        case.close()
