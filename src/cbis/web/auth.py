"""Examiner logins for the viewer, CSRF tokens on its forms, and the access log of who saw which image when.

While the case has no accounts the viewer stays open, as before, and `cbis serve` refuses to listen anywhere but
on a loopback address. Once it has one (`cbis user add`; disabled accounts count, so disabling the last one
locks the viewer rather than opening it), or when `LOGIN_REQUIRED` is set (`cbis serve` sets it for any other
address), every route but /login and /static needs a login: pages redirect to /login?next=..., image bytes and
the CSV export answer 401. Nothing of the case is shown before.

- A login creates a random token (`secrets.token_urlsafe(32)`) kept in Flask's signed session cookie (HttpOnly,
  SameSite=Strict, Secure when `cbis serve` runs with TLS); the case keeps only its SHA-256 in `web_sessions`.
  Each request looks it up: unknown, revoked, idle too long or of a disabled account means not logged in.
  Logging out revokes it in the case, so a copy of the cookie is worthless afterwards.
- Every POST form carries a CSRF token from the signed session cookie (the login form too: the token is set when
  the form is shown); a POST without the right one is refused with 400. GET never changes state, except that
  the access log records it.
- Failed logins are limited per remote address and per user name (`ratelimit`): each attempt is reserved
  before its password is checked, and the failures counted are the access log's, from every viewer process.
  Every attempt whose password was checked is logged (`login_ok`, `login_failed`); refused ones (429) get
  one `login_limited` row per address and window, so people without an account cannot grow the case. A tried
  user name is logged cut to 64 characters and escaped, the path of a login attempt cut to 256.
- Every request of a logged-in examiner that shows or serves an image, and every CSV export, adds an
  `access_log` row before its response leaves: if the row cannot be written, the response is withheld (503).

Review changes (`POST /review`, web/review.py) are the one other POST: CSRF-checked like these forms, for a
logged-in examiner only, written through a writer of their own that can only append review events.

Reads (accounts, sessions) go through the viewer's read-only request connection; writes (sessions, access log)
through the separate engine of `db.access.open_access_engine`, used only by `db.access`'s functions.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable

from cbis.db import access
from cbis.db.access import AccessEvent, UserRecord
from cbis.ingest._text import escape_unprintable
from cbis.passwords import check_login, could_be_username
from cbis.timestamps import utc_now, utc_text
from cbis.web.db import connection
from cbis.web.ratelimit import FailedLoginLimiter, RecordedFailures, Refused

AUTH_KEY = "cbis.auth"
SESSION_COOKIE_NAME = "cbis_session"
CSRF_FIELD = "csrf_token"
FORM_MAX_BYTES = 8192  # the login and logout forms
REVIEW_FORM_MAX_BYTES = 128 * 1024  # a review change (web/review.py): a note of 10,000 characters, 240 file ids
TRIED_NAME_MAX_CHARS = 64  # the longest user name an account can have (passwords.USERNAME)
LOGIN_PATH_MAX_CHARS = 256  # the logged path of a login attempt: "/login?next=..." cut here
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute per session
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})
POST_ENDPOINTS = frozenset({"auth.login", "auth.logout", "review.change"})
# Evidence bytes and bulk data answer 401 when not logged in; pages redirect to the login form.
DATA_ENDPOINTS = frozenset({"viewer.thumbnail", "viewer.display", "viewer.original", "viewer.export_csv"})
# What the access log records, by route: who saw or took which file (or which filtered list) and when.
LOGGED_ENDPOINTS = {
    "viewer.image": "view",
    "viewer.thumbnail": "thumbnail",
    "viewer.display": "display",
    "viewer.original": "download",
    "viewer.export_csv": "export",
}
DEFAULTS = {
    "LOGIN_REQUIRED": False,
    "LOGIN_IDLE_TIMEOUT_S": 8 * 3600,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_FAILURE_WINDOW_S": 300,
}

LOG_UNAVAILABLE = (
    "The access log could not be written, so nothing is served. Try again, or ask the case's administrator."
)

bp = Blueprint("auth", __name__)


@dataclass
class AuthState:
    engine: Engine  # read-write, for db.access only (see db/access.py)
    limiter: FailedLoginLimiter
    accounts_seen: bool = False  # once the case has accounts it keeps them (they are never deleted)


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.urandom(32)  # per process: restarting `cbis serve` logs everyone out
    if app.config.get("SESSION_COOKIE_NAME") in (None, "session"):
        app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_NAME
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    # SESSION_COOKIE_SECURE is set by `cbis serve --certfile/--keyfile`: over plain HTTP on localhost a
    # browser would never send a Secure cookie back.
    access_engine = access.open_access_engine(Path(app.config["CASE_DIR"]))
    limit, window_s = app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_FAILURE_WINDOW_S"]
    app.extensions[AUTH_KEY] = AuthState(
        engine=access_engine,
        limiter=FailedLoginLimiter(limit, window_s, _recorded_failures(access_engine, limit)),
    )
    app.register_blueprint(bp)
    app.before_request(_check_csrf)
    app.before_request(_require_login)
    app.after_request(_log_access)
    app.context_processor(lambda: {"current_examiner": g.get("cbis_examiner"), "csrf_token": csrf_token})


def _recorded_failures(engine: Engine, limit: int) -> RecordedFailures:
    """The limiter's view of the case: failed logins logged by any viewer process, read on a connection of their
    own (the request's connection holds a snapshot from before the request's wait for the limiter's lock)."""

    def recorded(remote_addr: str, username_key: str, since: float) -> tuple[list[float], list[float]]:
        with engine.connect() as conn:
            by_address, by_name = access.recorded_login_failures(
                conn, remote_addr, username_key, utc_text(datetime.fromtimestamp(since, UTC)), limit
            )
        return _seconds(by_address), _seconds(by_name)

    return recorded


def _state() -> AuthState:
    return current_app.extensions[AUTH_KEY]


def enabled_accounts(app: Flask) -> int:
    """How many accounts could log in to this app's case now (`cbis serve` refuses other addresses without one)."""
    from cbis.web.db import engine

    with app.app_context(), engine().connect() as conn:
        return access.enabled_account_count(conn)


def login_required() -> bool:
    state = _state()
    if not state.accounts_seen and access.has_accounts(connection()):
        state.accounts_seen = True
    return state.accounts_seen or bool(current_app.config["LOGIN_REQUIRED"])


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _seconds(times: list[str]) -> list[float]:
    return [datetime.fromisoformat(text).timestamp() for text in times]


def _log_time() -> str:
    return utc_text(_now())


def tried_name(username: str) -> str:
    """A user name as typed into the login form, as the access log and the limiter keep it: cut to the longest
    an account can have (marked with '…' when cut), unprintable characters escaped (`escape_unprintable`)."""
    if len(username) > TRIED_NAME_MAX_CHARS:
        username = username[:TRIED_NAME_MAX_CHARS] + "…"
    return escape_unprintable(username)


def _event(name: str, status: int, username: str | None, file_id: int | None = None) -> AccessEvent:
    path = escape_unprintable(_here())
    if name.startswith("login"):  # anyone can post the login form: its rows stay small whatever ?next= holds
        path = path[:LOGIN_PATH_MAX_CHARS]
    return AccessEvent(
        time_utc=_log_time(),
        username=username,
        remote_addr=request.remote_addr or "",
        method=request.method,
        path=path,
        status=status,
        event=name,
        file_id=file_id,
    )


def _write(
    *events: AccessEvent,
    revoke: str | None = None,
    create: tuple[str, str] | None = None,
    touch: str | None = None,
    refusal: tuple[AccessEvent, str] | None = None,
) -> None:
    """One transaction on the access engine. ServiceUnavailable (503) when the case refuses it (disk full, a
    PostgreSQL viewer role without the grants the README lists): no login, logout or view goes unrecorded.

    `refusal`: a refused login's event, counted in its address's window opened after the given time; logged
    too when it opens the window."""
    try:
        with _state().engine.begin() as conn:
            if refusal is not None:
                refused, opened_after = refusal
                if access.count_refusal(
                    conn, refused.remote_addr, refused.username or "", refused.time_utc, opened_after
                ):
                    access.log_access(conn, refused)
            if revoke is not None:
                access.revoke_session(conn, revoke, utc_now())
            if touch is not None:
                access.touch_session(conn, touch, utc_now())
            if create is not None:
                session_id, username = create
                access.create_session(conn, session_id, username, utc_now(), request.remote_addr or "")
            for event in events:
                access.log_access(conn, event)
    except SQLAlchemyError as exc:
        current_app.logger.exception("cannot write the access log for %s %s", request.method, request.path)
        raise ServiceUnavailable(LOG_UNAVAILABLE) from exc


# --- who is asking ---


def _current_examiner() -> UserRecord | None:
    token = session.get("token")
    if not isinstance(token, str) or not token:
        return None
    session_id = _digest(token)
    record = access.find_session(connection(), session_id)
    if record is None or record.revoked_at is not None or record.user_disabled:
        return None
    now = _now()
    idle = now - datetime.fromisoformat(record.last_seen_at)
    if idle > timedelta(seconds=current_app.config["LOGIN_IDLE_TIMEOUT_S"]):
        _write(revoke=session_id)
        return None
    if idle > TOUCH_EVERY:
        _write(touch=session_id)
    user = access.find_user(connection(), record.username)
    if user is None or user.disabled:
        return None
    g.cbis_session_id = session_id
    return user


def _require_login() -> Response | None:
    g.cbis_examiner = None
    if not login_required():
        return None
    g.cbis_login_required = True
    g.cbis_examiner = _current_examiner()
    if g.cbis_examiner is not None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint == "auth.logout":
        return redirect(url_for("auth.login"), 303)
    if request.endpoint in DATA_ENDPOINTS:
        abort(401, description="Log in to the viewer first.")
    return redirect(url_for("auth.login", next=_here()))


def _here() -> str:
    return request.full_path.removesuffix("?")


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path on this viewer only, never another site."""
    fallback = url_for("viewer.gallery")
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return fallback
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in value):
        return fallback
    parts = urlsplit(value)
    return fallback if parts.scheme or parts.netloc else value


# --- CSRF ---


def csrf_token() -> str:
    """This browser's CSRF token (made on first use and kept in the signed session cookie), for every POST form."""
    token = session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _check_csrf() -> None:
    if request.method != "POST":
        return
    # The viewer takes no uploads; a login form is small, a review change (a note) not much larger.
    request.max_content_length = REVIEW_FORM_MAX_BYTES if request.endpoint == "review.change" else FORM_MAX_BYTES
    expected = session.get("csrf")
    given = request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(400, description="This form has expired or did not come from this viewer: reload the page and retry.")


# --- the access log ---


def _log_access(response: Response) -> Response:
    if g.get("cbis_login_required") and request.endpoint != "static":
        response.headers["Cache-Control"] = "private, no-store"  # no evidence left in a shared browser's cache
    event = LOGGED_ENDPOINTS.get(request.endpoint or "")
    examiner: UserRecord | None = g.get("cbis_examiner")
    if event is None or examiner is None:
        return response
    file_id = (request.view_args or {}).get("file_id")
    try:
        _write(_event(event, response.status_code, examiner.username, file_id))
    except ServiceUnavailable:
        response.close()  # the evidence stream (or CSV generator) is dropped unread
        withheld = Response(LOG_UNAVAILABLE, 503, mimetype="text/plain")
        withheld.headers["Cache-Control"] = "no-store"
        return withheld
    return response


# --- the login and logout routes ---


def _refused(event: AccessEvent) -> None:
    """Count a login refused by the rate limit, and log it (`login_limited`) when it is its address's first in
    a window: hundreds of refused requests are one access log row and one tally row, not hundreds of rows."""
    opened_after = utc_text(_now() - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_S"]))
    _write(refusal=(event, opened_after))


def _login_page(target: str, *, error: str | None = None, username: str = "") -> str:
    return render_template("login.html", next_url=target, error=error, username=username)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if not login_required():
        return redirect(url_for("viewer.gallery"))
    target = safe_next(request.values.get("next"))
    if request.method != "POST":
        if g.cbis_examiner is not None:
            return redirect(target)
        return _login_page(target)
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    tried = tried_name(username)
    state = _state()
    remote = request.remote_addr or ""
    attempt = state.limiter.reserve(remote, tried)  # before the hash is checked: concurrent guesses count too
    if isinstance(attempt, Refused):
        _refused(_event("login_limited", 429, tried))
        response = make_response(
            _login_page(
                target, error=f"Too many failed logins: try again in {attempt.retry_after} seconds.", username=username
            ),
            429,
        )
        response.headers["Retry-After"] = str(attempt.retry_after)
        return response
    try:
        user = access.find_user(connection(), username) if could_be_username(username) else None
        if not check_login(user, password) or user is None:  # no account hashes a decoy: the time taken is the same
            attempt.failed(lambda: _write(_event(access.LOGIN_FAILED, 401, tried)))
            return _login_page(target, error="Wrong user name or password.", username=username), 401
    finally:
        attempt.release()
    token = secrets.token_urlsafe(32)
    previous = g.get("cbis_session_id")  # logging in again, perhaps as someone else: end the old session
    _write(_event("login_ok", 303, user.username), revoke=previous, create=(_digest(token), user.username))
    session.clear()
    session["token"] = token
    session["csrf"] = secrets.token_urlsafe(32)  # a new CSRF token with the new session
    return redirect(target, 303)


@bp.post("/logout")
def logout() -> Response:
    session_id = g.get("cbis_session_id")
    examiner: UserRecord | None = g.get("cbis_examiner")
    if session_id is not None and examiner is not None:
        _write(_event("logout", 303, examiner.username), revoke=session_id)
    session.clear()
    return redirect(url_for("auth.login"), 303)
