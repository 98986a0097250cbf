"""What every command shares: the --case option, turning CbisError into a message and exit code, consoles."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, ConsoleDimensions
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from cbis.errors import CbisError
from cbis.ingest._text import escape_unprintable
from cbis.status import ExitStatus

if TYPE_CHECKING:
    from cbis.services.cases import Case

# The CLI modules import what a command needs inside the command (SQLAlchemy, numpy, Pillow, the services): `cbis
# --help`, and each command's start-up, then load only their own part (tests/cli/test_startup.py checks it).

CaseOption = Annotated[
    Path | None,
    typer.Option(
        "--case",
        help="Case directory (holding case.sqlite or case.toml). Default: $CBIS_CASE, then the current directory.",
        show_default=False,
    ),
]


def _plain_parameters(params: list[Any]) -> None:
    """Help as a shell user reads it: a flag shows no `<bool>` (which invites `--has-gps true`, an error), and an
    argument is named EVIDENCE_DIR, as the command's own text names it, not `{evidence_dir}`."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
        elif isinstance(param, TyperArgument) and param.metavar is None and param.name:
            param.metavar = param.name.upper()


def _plain_help_option(option: Any) -> Any:
    if option is not None:
        _plain_parameters([option])
    return option


def _usage_pieces(command: TyperCommand | TyperGroup, ctx: Any) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument):
            name = param.metavar or (param.name or "").upper()
            name = name if param.required else f"[{name}]"
            pieces.append(f"{name}..." if param.nargs != 1 else name)
        else:
            pieces.extend(param.get_usage_pieces(ctx))
    return pieces


class _PlainHelp:
    """Flags and argument names in help and usage as a shell user reads them (see _plain_parameters)."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_parameters(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        return _plain_help_option(super().get_help_option(ctx))  # type: ignore[misc]


class CbisCommand(_PlainHelp, TyperCommand):
    """Every cbis command."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return _usage_pieces(self, ctx)


class CbisGroup(_PlainHelp, TyperGroup):
    """`cbis` and its command groups (`case`, `user`)."""


# Wide enough that no table cell is folded: a table piped into a file or another program keeps one row a line.
UNWRAPPED_WIDTH = 10_000


class _Console(Console):
    """A rich console that lays tables out for a terminal's width only when it writes to a terminal.

    Rich otherwise takes the width of whichever standard stream is a terminal, or 80 columns, and folds long paths
    over several lines of a file. $COLUMNS, when set, still decides.
    """

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or "COLUMNS" in self._environ:
            return size
        return ConsoleDimensions(UNWRAPPED_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


stdout = _Console(soft_wrap=True)
stderr = _Console(stderr=True, soft_wrap=True)
debug_mode = {"enabled": False}


def _announce_lock_waits() -> None:
    from cbis.db.engine import on_lock_wait

    on_lock_wait(lambda message: typer.echo(f"Waiting: {message}", err=True))


def resolve_case_dir(case_option: Path | None) -> Path:
    from cbis.services.cases import resolve_case_dir as resolve

    return resolve(case_option)


def fail(message: str, status: int = ExitStatus.ERROR) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(int(status))


@contextmanager
def user_errors() -> Iterator[None]:
    """Errors a user can cause become one line on stderr and a documented exit code; no traceback."""
    _announce_lock_waits()
    try:
        yield
    except CbisError as exc:
        if debug_mode["enabled"]:
            raise
        raise fail(str(exc), exc.status) from None
    except KeyboardInterrupt:
        typer.echo("Interrupted: work committed so far is kept; run the same command again to resume.", err=True)
        raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
    except Exception as exc:
        # A DBAPIError raised before a command's audit wrapper could name it: opening a damaged case, a lock held
        # too long. SQLAlchemy is looked up, not imported: a command that never loaded it cannot raise one.
        sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
        if sqlalchemy_errors is None or not isinstance(exc, sqlalchemy_errors.DBAPIError):
            raise
        from cbis.services.cases import known_database_error

        error = known_database_error(exc)
        if error is None or debug_mode["enabled"]:
            raise
        raise fail(str(error), error.status) from None


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
    # Quoted as a shell would (shlex.join), so a path with spaces or quotes can be replayed from the log. Arguments
    # may hold undecodable bytes (a non-UTF-8 evidence path): stored escaped, readable, never a crash.
    return escape_unprintable(shlex.join(parts))


@contextmanager
def audited_case(ctx: typer.Context, case_option: Path | None, *, readonly: bool = False) -> Iterator[Case]:
    """Open the case named by --case (or its defaults) and audit the command around the block.

    A command that only reads passes readonly=True: it reads through a connection that cannot write (and so
    never holds the write lock, nor migrates), and refuses a case of an older schema (`cbis case upgrade`)."""
    from cbis.services.cases import audited, open_case

    case = open_case(resolve_case_dir(case_option), readonly=readonly, current_schema=readonly)
    if case.audit_unavailable is not None:
        typer.echo(f"Note: {case.audit_unavailable}: this command is not recorded in its audit log.", err=True)
    try:
        with audited(case, command_text(ctx)):
            yield case
    finally:
        case.close()
