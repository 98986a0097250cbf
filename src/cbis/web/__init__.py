"""`cbis serve`'s web viewer: a read-only Flask app over one case.

`create_app(case_dir)` builds it (pallets/flask's factory pattern); `cbis.cli.serve` runs it. The viewer reads
the case only through `cbis.db` (a `mode=ro` engine), never imports TensorFlow, and answers GET and HEAD only, but
for logging in and out and examiner review (POST, CSRF-checked, each through a writer held to its own tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from jinja2 import StrictUndefined
from werkzeug.exceptions import HTTPException, MethodNotAllowed, SecurityError, ServiceUnavailable

from cbis import __version__
from cbis.db.engine import is_case_dir
from cbis.errors import NoCaseError

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "img-src 'self' data:; style-src 'self'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
ALLOWED_METHODS = ("GET", "HEAD")
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
DATABASE_UNAVAILABLE = (
    "The case database is not answering (its server restarting, or the connection lost). Nothing is shown rather "
    "than part of the case; try again in a moment."
)


def create_app(case_dir: Path | str, test_config: Mapping[str, Any] | None = None) -> Flask:
    """The viewer for the case in `case_dir`, opened read-only.

    Raises NoCaseError, NewerSchemaError, or OlderSchemaError for a case an older cbis made (never migrated here).
    """
    # here, not at the top: `import cbis.web` stays light (no Pillow, no SQL)
    from cbis.db import estimates
    from cbis.web import auth, db, lookalikes, review, views

    directory = Path(case_dir).resolve()
    if not is_case_dir(directory):
        raise NoCaseError(f"{directory} is not a cbis case (no case.sqlite or case.toml)")
    app = Flask(__name__)
    app.config.from_mapping(
        CASE_DIR=str(directory),
        # Renditions are cached here, in the case directory: never beside the evidence.
        THUMBNAIL_DIR=str(directory / "thumbnails"),
        MAX_CONTENT_LENGTH=0,  # nothing is ever uploaded
        # Seconds a page may spend on exact counts before it shows estimates (db/estimates.py); 0: estimate always.
        COUNT_BUDGET_S=estimates.VIEWER_BUDGET_S,
        COUNT_SAMPLE_FILES=estimates.SAMPLE_FILES,  # files an estimate reads
        # A gallery page by number this deep (rows before it) is found from the sample when reading up to it takes
        # longer than PAGE_BUDGET_S, or at once when the list's length is estimated (web/views._page_of).
        JUMP_FROM_ROWS=10_000,
        PAGE_BUDGET_S=0.1,
        # Beyond this many perceptual rows the visual stacks are grouped on a thread, no page waiting for them.
        STACKS_GROUP_NOW_ROWS=lookalikes.STACKS_GROUP_NOW_ROWS,
    )
    if test_config:
        app.config.update(test_config)
    app.url_map.merge_slashes = False  # "//x" is not "/x": no redirects made up from odd paths
    app.jinja_env.autoescape = True  # every template, whatever its name: EXIF and file names are hostile
    app.jinja_env.undefined = StrictUndefined  # a misspelt field fails loudly instead of showing nothing
    app.jinja_env.globals["cbis_version"] = __version__
    db.init_app(app, directory)
    app.register_blueprint(views.bp)
    _secure(app)
    auth.init_app(app)  # logins, CSRF and the access log (web/auth.py); after _secure: odd methods are refused first
    review.init_app(app)  # examiner review: POST /review, through a writer that can only append review events
    return app


def _secure(app: Flask) -> None:
    from cbis.web.auth import POST_ENDPOINTS

    @app.before_request
    def _known_host() -> None:
        # A Host header outside TRUSTED_HOSTS (`cbis serve` on localhost) leaves Flask without a URL adapter and
        # the request with a SecurityError to raise when it is routed; raised here, before any hook that builds
        # a URL (the login redirect) could fail on the missing adapter with a 500.
        if isinstance(request.routing_exception, SecurityError):
            raise request.routing_exception

    @app.before_request
    def _only_reads() -> None:
        # The exceptions: logging in and out, and review changes (POST with a CSRF token: web/auth.py, web/review.py).
        login_form = request.method == "POST" and request.endpoint in POST_ENDPOINTS
        if request.method not in ALLOWED_METHODS and not login_form:
            raise MethodNotAllowed(valid_methods=list(ALLOWED_METHODS))

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        response.headers.setdefault("Cache-Control", "no-cache")
        return response

    from sqlalchemy.exc import InterfaceError, OperationalError  # here: `import cbis.web` loads no SQL

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error: Exception) -> Response | tuple[str, int]:
        # A lost server is the environment's doing, not a bug: 503 and a reason, never a 500. The next request
        # gets a fresh connection (pool_pre_ping), so the viewer recovers by itself once the server is back.
        app.logger.error("the case database did not answer %s %s: %s", request.method, request.path, error)
        return _http_error(ServiceUnavailable(DATABASE_UNAVAILABLE, retry_after=5))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | tuple[str, int]:
        response = error.get_response()
        if request.method == "HEAD" or error.code is None:
            return response
        try:
            body = render_template("error.html", code=error.code, name=error.name, description=error.description)
        except Exception:  # e.g. no URL adapter for a refused Host header: werkzeug's plain page will do
            app.logger.debug("plain error page for %s", request.path, exc_info=True)
            return response
        response.set_data(body)
        response.mimetype = "text/html"
        return response
