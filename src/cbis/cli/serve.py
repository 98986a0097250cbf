"""`cbis serve`: the examiner's web viewer over a case, read-only."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from cbis.cli._common import CaseOption, fail, user_errors
from cbis.services.cases import resolve_case_dir
from cbis.status import ExitStatus

LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    case: CaseOption = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on. Anything but localhost exposes the case to the network."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    get: Annotated[
        str | None,
        typer.Option(
            "--get",
            metavar="PATH",
            help="Render one page (e.g. /overview) without a server, print it and exit; non-zero unless 200.",
        ),
    ] = None,
) -> None:
    """Browse the case in a web browser, read-only: gallery, image pages, overview, CSV export."""
    from cbis.web import LOOPBACK_HOSTS, create_app

    with user_errors():
        case_dir = resolve_case_dir(case)
        app = create_app(case_dir)
    if get is not None:
        if not get.startswith("/"):
            raise fail("--get takes a path starting with /, e.g. --get /overview", ExitStatus.USAGE)
        response = app.test_client().get(get)
        if response.mimetype.startswith("text/"):
            typer.echo(response.get_data(as_text=True))
        else:
            typer.echo(response.get_data(), nl=False)
        if response.status_code != 200:
            raise fail(f"GET {get} answered {response.status}", ExitStatus.ERROR)
        return
    if _is_loopback(host):
        # Only these Host headers are answered: a web page cannot reach the viewer by DNS rebinding.
        app.config["TRUSTED_HOSTS"] = LOOPBACK_HOSTS
    else:
        typer.echo(
            f"Warning: listening on {host}: anyone who can reach this address can browse the case and download "
            "the evidence. The viewer has no login yet; prefer the default 127.0.0.1 (or an SSH tunnel).",
            err=True,
        )
    from werkzeug.serving import make_server

    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", ExitStatus.ERROR) from None
    except SystemExit:  # werkzeug has printed why (e.g. the port is in use) and exits
        raise fail(f"cannot listen on {host}:{port}", ExitStatus.ERROR) from None
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"http://{shown}:{server.server_port}/")
    typer.echo(f"Serving case {case_dir} read-only; press Ctrl-C to stop.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("Stopped.", err=True)
    finally:
        server.server_close()
