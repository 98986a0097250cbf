"""`cbis user add|list|disable|enable|passwd`: examiner accounts for the web viewer."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cbis.cli._common import CaseOption, CbisCommand, CbisGroup, audited_case, fail, stdout, user_errors
from cbis.status import ExitStatus

app = typer.Typer(cls=CbisGroup, no_args_is_help=True, help="Examiner accounts for the web viewer (`cbis serve`).")

UsernameArgument = Annotated[
    str, typer.Argument(help="The examiner's user name: letters, digits and . _ @ - (at most 64).", show_default=False)
]


PasswordStdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin instead of prompting twice."),
]


def _read_password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")  # the first line, as typed
    elif not sys.stdin.isatty():
        # getpass would warn that it cannot hide the echo and then meet end of input ("Aborted."): say what works.
        raise fail("no terminal to ask for the password: pipe it in with --password-stdin", ExitStatus.USAGE)
    else:
        password = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    if not password:
        raise fail("no password given", ExitStatus.USAGE)
    return password


@app.command("add", cls=CbisCommand)
def add(
    ctx: typer.Context,
    username: UsernameArgument,
    case: CaseOption = None,
    display_name: Annotated[
        str, typer.Option("--display-name", help="The examiner's full name, shown in the viewer.")
    ] = "",
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Create an examiner account for the web viewer (a password of 12 or more characters, kept as an argon2 hash)."""
    from cbis.services import users

    password = _read_password(password_stdin)
    with user_errors(), audited_case(ctx, case) as opened:
        user = users.add_user(opened, username, password, display_name=display_name)
    stdout.print(f"added user {user.username}", highlight=False, markup=False)


@app.command("list", cls=CbisCommand)
def list_(ctx: typer.Context, case: CaseOption = None) -> None:
    """List the case's examiner accounts: user name, display name, when created, enabled or disabled."""
    from cbis.services import users

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        accounts = users.list_users(opened)
    table = Table(box=None, pad_edge=False)
    for column in ("user", "display name", "created", "status"):
        table.add_column(column)
    for account in accounts:
        status = "disabled" if account.disabled else "enabled"
        # Text cells: a display name is printed as written, never read as rich markup.
        table.add_row(*(Text(cell) for cell in (account.username, account.display_name, account.created_at, status)))
    stdout.print(table)


@app.command("disable", cls=CbisCommand)
def disable(ctx: typer.Context, username: UsernameArgument, case: CaseOption = None) -> None:
    """Disable an examiner account: it can no longer log in and its open viewer sessions end at once."""
    from cbis.services import users

    with user_errors(), audited_case(ctx, case) as opened:
        user = users.disable_user(opened, username)
    stdout.print(f"disabled user {user.username}", highlight=False, markup=False)


@app.command("enable", cls=CbisCommand)
def enable(ctx: typer.Context, username: UsernameArgument, case: CaseOption = None) -> None:
    """Enable a disabled examiner account again: it can log in, with none of its sessions from before."""
    from cbis.services import users

    with user_errors(), audited_case(ctx, case) as opened:
        enabled = users.enable_user(opened, username)
        if not enabled:
            opened.audit_outcome = "ok: already enabled, nothing changed"
    message = f"enabled user {username}" if enabled else f"user {username} is already enabled: nothing changed"
    stdout.print(message, highlight=False, markup=False)


@app.command("passwd", cls=CbisCommand)
def passwd(
    ctx: typer.Context,
    username: UsernameArgument,
    case: CaseOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Set a new password for an examiner account (12 or more characters) and end all its open viewer sessions."""
    from cbis.services import users

    password = _read_password(password_stdin, "New password")
    with user_errors(), audited_case(ctx, case) as opened:
        change = users.set_password(opened, username, password)
    ended = change.sessions_ended
    message = f"changed the password of user {change.user.username}; {ended} open viewer session"
    message += " ended" if ended == 1 else "s ended"
    if change.user.disabled:
        message += f"; the account is still disabled (cbis user enable {change.user.username})"
    stdout.print(message, highlight=False, markup=False)
