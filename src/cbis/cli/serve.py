"""`cbis serve`: the examiner's web viewer over a case, read-only."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path
from typing import Annotated

import typer

from cbis.cli._common import CaseOption, fail, user_errors
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
    certfile: Annotated[
        Path | None,
        typer.Option(
            "--certfile",
            exists=True,
            dir_okay=False,
            help="TLS certificate (PEM) to serve HTTPS with; needed for any address but localhost.",
        ),
    ] = None,
    keyfile: Annotated[
        Path | None,
        typer.Option("--keyfile", exists=True, dir_okay=False, help="The TLS certificate's private key (PEM)."),
    ] = None,
) -> None:
    """Browse the case in a web browser, read-only: gallery, image pages, overview, CSV export."""
    from cbis.services.cases import resolve_case_dir
    from cbis.web import LOOPBACK_HOSTS, create_app
    from cbis.web.auth import enabled_accounts

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
    if (certfile is None) != (keyfile is None):
        raise fail("--certfile and --keyfile go together", ExitStatus.USAGE)
    if _is_loopback(host):
        # Only these Host headers are answered: a web page cannot reach the viewer by DNS rebinding.
        app.config["TRUSTED_HOSTS"] = LOOPBACK_HOSTS
    else:
        if not enabled_accounts(app):
            raise fail(
                f"refusing to listen on {host}: this case has no examiner accounts, so anyone who can reach the "
                f"address could browse the case and download the evidence. Create an account with "
                f"`cbis user add USERNAME --case {case_dir}`, or serve on 127.0.0.1 (the default).",
                ExitStatus.USAGE,
            )
        if certfile is None:
            raise fail(
                f"refusing to listen on {host} without TLS: passwords and session cookies would cross the network "
                "in clear. Give --certfile and --keyfile (PEM), or serve on 127.0.0.1 (the default).",
                ExitStatus.USAGE,
            )
        app.config["LOGIN_REQUIRED"] = True  # even if every account is disabled while serving
    ssl_context = None
    if certfile is not None and keyfile is not None:
        ssl_context = _tls_context(certfile, keyfile)
        app.config["SESSION_COOKIE_SECURE"] = True
    from werkzeug.serving import make_server

    try:
        server = make_server(host, port, app, threaded=True, ssl_context=ssl_context)
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", ExitStatus.ERROR) from None
    except SystemExit:  # werkzeug has printed why (e.g. the port is in use) and exits
        raise fail(f"cannot listen on {host}:{port}", ExitStatus.ERROR) from None
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"{'https' if ssl_context else 'http'}://{shown}:{server.server_port}/")
    typer.echo(f"Serving case {case_dir} read-only; press Ctrl-C to stop.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("Stopped.", err=True)
    finally:
        server.server_close()


def _tls_context(certfile: Path, keyfile: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as exc:
        raise fail(f"cannot use {certfile} and {keyfile} for TLS: {exc}", ExitStatus.USAGE) from None
    return context
