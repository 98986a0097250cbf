"""Examiner logins in the viewer: nothing of the case before a login, refused and rate-limited wrong passwords,
sessions that end for good on logout, CSRF on every form, and the access log of who saw which image when.

Real cases built by the services, accounts made by `services.users` (real argon2), the Flask test client over
https://localhost where the Secure cookie matters."""

from __future__ import annotations

import hashlib
import html
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from cbis.db.access import AccessEvent, access_entries
from cbis.services.cases import open_case
from cbis.services.users import add_user
from cbis.web import create_app
from cbis.web.auth import SESSION_COOKIE_NAME
from cbis.web.ratelimit import Attempt, FailedLoginLimiter, Refused
from tests.helpers import cbis
from tests.web.conftest import ViewerCase, build_case, reading

BASE = "https://localhost"
PASSWORDS = {"alice": "alice's long passphrase", "bob": "bob's long passphrase!", "oscar": "oscar is guessed at"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class AccountsCase:
    viewer: ViewerCase

    @property
    def case_dir(self) -> Path:
        return self.viewer.case_dir

    def add(self, username: str, password: str, display_name: str = "") -> None:
        case = open_case(self.case_dir)
        try:
            add_user(case, username, password, display_name=display_name)
        finally:
            case.close()

    def log(self) -> list[AccessEvent]:
        with reading(self.viewer) as connection:
            return access_entries(connection)

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.viewer.database) as connection:
            return connection.execute(statement, params).fetchall()


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> AccountsCase:
    """One case with two examiner accounts; tests that change accounts make their own."""
    made = AccountsCase(build_case(tmp_path_factory.mktemp("auth")))
    made.add("alice", PASSWORDS["alice"], "Alice Examiner")
    made.add("bob", PASSWORDS["bob"])
    made.add("oscar", PASSWORDS["oscar"])  # only the rate-limit test fails at oscar's password: failures are kept
    return made


class Browser:
    """A test client that speaks https://localhost (so Secure cookies go back) from one remote address."""

    def __init__(self, app: Flask, remote_addr: str = "192.0.2.10", *, use_cookies: bool = True) -> None:
        self.client: FlaskClient = app.test_client(use_cookies=use_cookies)
        self.remote_addr = remote_addr

    def open(self, url: str, method: str = "GET", **kwargs: Any) -> TestResponse:
        overrides = {"REMOTE_ADDR": self.remote_addr, **kwargs.pop("environ_overrides", {})}
        return self.client.open(url, method=method, base_url=BASE, environ_overrides=overrides, **kwargs)

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.open(url, "GET", **kwargs)

    def post(self, url: str, **kwargs: Any) -> TestResponse:
        return self.open(url, "POST", **kwargs)

    def csrf(self, url: str = "/login") -> str:
        page = self.get(url, follow_redirects=True)  # /login, logged in already, goes on to the gallery
        assert page.status_code == 200, (url, page.status)
        return html.unescape(CSRF.search(page.get_data(as_text=True)).group(1))  # type: ignore[union-attr]

    def login(self, username: str, password: str, next_url: str = "/") -> TestResponse:
        data = {"csrf_token": self.csrf(), "username": username, "password": password, "next": next_url}
        return self.post("/login", data=data)

    def logout(self) -> TestResponse:
        return self.post("/logout", data={"csrf_token": self.csrf("/")})

    def cookie(self) -> str:
        cookie = self.client.get_cookie(SESSION_COOKIE_NAME, domain="localhost")
        assert cookie is not None
        return cookie.value


def make_app(case_dir: Path, **config: Any) -> Flask:
    return create_app(case_dir, {"TESTING": True, "SESSION_COOKIE_SECURE": True, **config})


@pytest.fixture
def app(accounts: AccountsCase) -> Flask:
    """A fresh viewer process for each test: its own secret key. Failed logins are the case's (its access log),
    so they carry over from test to test, as they do across restarts."""
    return make_app(accounts.case_dir)


def logged_in(response: TestResponse) -> bool:
    return response.status_code == 200 and "Log out" in response.get_data(as_text=True)


def is_login_redirect(response: TestResponse) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def evidence_markers(viewer: ViewerCase) -> list[str]:
    """Strings that only the case's data could put in a response: file names, hashes, case details."""
    markers = ["WEB-1", "Web Examiner", "viewer tests"]
    for path in viewer.ids:
        name = path.rsplit("/", 1)[-1]
        markers += [name, html.escape(name)]
    with reading(viewer) as connection:
        for md5, sha256 in connection.exec_driver_sql("SELECT md5, sha256 FROM files WHERE sha256 IS NOT NULL"):
            markers += [md5, sha256]
    return markers


# --- nothing of the case before a login ---


def data_urls(viewer: ViewerCase) -> list[str]:
    file_id = viewer.ids["camera/Canon_40D.jpg"]
    return [
        "/",
        "/?label=tabby&per_page=96",
        "/overview",
        f"/image/{file_id}",
        "/image/999999",
        "/export/files.csv",
        f"/file/{file_id}/thumb.jpg",
        f"/file/{file_id}/display.jpg",
        f"/file/{file_id}/original",
        "/no/such/page",
    ]


def test_unauthenticated_requests_get_the_login_page_or_401_and_never_data(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app)
    markers = evidence_markers(accounts.viewer)
    for url in data_urls(accounts.viewer):
        for method in ("GET", "HEAD"):
            response = browser.open(url, method)
            if "/file/" in url or url.startswith("/export/"):
                assert response.status_code == 401, (method, url)
            else:
                assert is_login_redirect(response), (method, url, response.status)
            body = response.get_data(as_text=True)
            leaked = [marker for marker in markers if marker in body]
            assert leaked == [], (method, url, leaked)
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        followed = browser.get(url, follow_redirects=True)
        assert followed.status_code in (200, 401)
        assert [marker for marker in markers if marker in followed.get_data(as_text=True)] == []
    assert browser.get("/static/style.css").status_code == 200
    assert browser.get("/static/auth.css").status_code == 200
    page = browser.get("/login")
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)
    assert [marker for marker in markers if marker in page.get_data(as_text=True)] == []


def test_the_login_redirect_comes_back_to_the_page_asked_for(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app)
    image = f"/image/{accounts.viewer.ids['camera/Canon_40D.jpg']}?label=tabby"
    redirect = browser.get(image)
    location = urlsplit(redirect.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query) == {"next": [image]}
    form = browser.get(redirect.headers["Location"]).get_data(as_text=True)
    assert f'name="next" value="{html.escape(image)}"' in form
    response = browser.login("alice", PASSWORDS["alice"], next_url=image)
    assert response.status_code == 303 and response.headers["Location"] == image
    assert logged_in(browser.get(image))


@pytest.mark.parametrize(
    "target", ["https://attacker.example/", "//attacker.example/x", "/\\attacker.example", "javascript:alert(1)"]
)
def test_after_login_only_local_paths_are_followed(app: Flask, target: str) -> None:
    response = Browser(app).login("alice", PASSWORDS["alice"], next_url=target)
    assert response.status_code == 303 and response.headers["Location"] == "/"


# --- wrong passwords ---


def test_a_wrong_password_is_refused_and_logged(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app, "192.0.2.21")
    before = len(accounts.log())
    response = browser.login("alice", "not alice's password")
    assert response.status_code == 401
    assert "Wrong user name or password." in response.get_data(as_text=True)
    assert is_login_redirect(browser.get("/"))
    unknown = browser.login("mallory", "any password at all")
    assert unknown.status_code == 401 and "Wrong user name or password." in unknown.get_data(as_text=True)
    empty = browser.login("", "")
    assert empty.status_code == 401
    entries = accounts.log()[before:]
    assert [(e.event, e.username, e.status, e.remote_addr, e.method, e.path) for e in entries] == [
        ("login_failed", "alice", 401, "192.0.2.21", "POST", "/login"),
        ("login_failed", "mallory", 401, "192.0.2.21", "POST", "/login"),
        ("login_failed", "", 401, "192.0.2.21", "POST", "/login"),
    ]
    assert all(e.time_utc.endswith("Z") and e.file_id is None for e in entries)
    assert not any(
        "not alice's password" in str(value) for row in accounts.sql("SELECT * FROM access_log") for value in row
    )


def test_the_sixth_failure_in_five_minutes_is_refused_with_429(app: Flask, accounts: AccountsCase) -> None:
    attacker = Browser(app, "198.51.100.7")
    before = len(accounts.log())
    for _ in range(5):
        assert attacker.login("oscar", "guess guess guess").status_code == 401
    limited = attacker.login("oscar", PASSWORDS["oscar"])  # even the right password: not checked while limited
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 300
    assert "Too many failed logins" in limited.get_data(as_text=True)
    assert is_login_redirect(attacker.get("/"))
    # Per user name: another address cannot go on guessing oscar's password...
    assert Browser(app, "198.51.100.8").login("oscar", "guess again please").status_code == 429
    # ...and per address: this one cannot turn to another account.
    assert attacker.login("alice", "guess guess guess").status_code == 429
    # Others are not affected.
    assert Browser(app, "198.51.100.9").login("alice", PASSWORDS["alice"]).status_code == 303
    events = [(e.event, e.username, e.status) for e in accounts.log()[before:]]
    assert events == [
        *[("login_failed", "oscar", 401)] * 5,
        ("login_limited", "oscar", 429),  # each address's first refused attempt in five minutes, not the others
        ("login_limited", "oscar", 429),
        ("login_ok", "alice", 303),
    ]


def test_the_limiter_forgets_failures_after_the_window() -> None:
    now = [1000.0]
    log: list[tuple[float, str, str]] = []  # (time, address, user name key): what the access log would hold

    def recorded(address: str, name: str, since: float) -> tuple[list[float], list[float]]:
        return [t for t, a, _ in log if a == address and t > since], [t for t, _, n in log if n == name and t > since]

    limiter = FailedLoginLimiter(limit=5, window_s=300, recorded=recorded, clock=lambda: now[0])
    for step in range(5):
        attempt = limiter.reserve("10.0.0.1", "carol")
        assert isinstance(attempt, Attempt)
        attempt.failed(lambda: log.append((now[0], "10.0.0.1", "carol")))
        now[0] += 10 * (step + 1)  # failures at 1000, 1010, 1030, 1060, 1100
    refused = limiter.reserve("10.0.0.1", "carol")
    assert refused == Refused(int(1000 + 300 - now[0]))  # when the first one leaves the window
    assert isinstance(limiter.reserve("10.0.0.2", "CAROL"), Refused)  # user names are compared without case
    other = limiter.reserve("10.0.0.2", "dave")
    assert isinstance(other, Attempt)
    other.release()
    now[0] = 1300.5
    assert isinstance(limiter.reserve("10.0.0.1", "carol"), Attempt)


def test_attempts_being_checked_count_against_the_limit() -> None:
    limiter = FailedLoginLimiter(limit=2, window_s=300, recorded=lambda *_: ([], []))
    first, second = limiter.reserve("10.0.0.1", "erin"), limiter.reserve("10.0.0.2", "erin")
    assert isinstance(first, Attempt) and isinstance(second, Attempt)
    assert limiter.reserve("10.0.0.3", "erin") == Refused(300)  # two in flight for erin: a third waits
    first.release()  # a success frees its place; releasing twice changes nothing
    first.release()
    third = limiter.reserve("10.0.0.3", "erin")
    assert isinstance(third, Attempt)


# --- logged in ---


def test_a_login_opens_a_session_with_strict_cookies_and_the_access_log_records_what_is_seen(
    app: Flask, accounts: AccountsCase
) -> None:
    viewer = accounts.viewer
    browser = Browser(app, "192.0.2.30")
    login_page = browser.get("/login")
    assert "SameSite=Strict" in login_page.headers["Set-Cookie"]  # the pre-session cookie holding the CSRF token
    response = browser.login("alice", PASSWORDS["alice"])
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE_NAME}=")
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite"} <= set(flags) and flags["samesite"] == "SameSite=Strict"
    assert "expires" not in flags and "max-age" not in flags  # a browser-session cookie
    gallery = browser.get("/")
    assert logged_in(gallery) and "Alice Examiner" in gallery.get_data(as_text=True)
    assert gallery.headers["Cache-Control"] == "private, no-store"

    before = len(accounts.log())
    canon = viewer.ids["camera/Canon_40D.jpg"]
    assert browser.get(f"/image/{canon}").status_code == 200
    assert browser.get(f"/file/{canon}/thumb.jpg").status_code == 200
    assert browser.get(f"/file/{canon}/display.jpg").status_code == 200
    original = browser.get(f"/file/{canon}/original")
    assert original.status_code == 200 and original.data == (viewer.evidence / "camera/Canon_40D.jpg").read_bytes()
    export = browser.get("/export/files.csv?label=tabby")
    assert export.status_code == 200 and "camera/" in export.get_data(as_text=True)
    assert browser.get("/image/999999").status_code == 404
    assert browser.get("/overview").status_code == 200  # no image of its own: not an access log row
    entries = accounts.log()[before:]
    assert [(e.event, e.username, e.file_id, e.status, e.method, e.path, e.remote_addr) for e in entries] == [
        ("view", "alice", canon, 200, "GET", f"/image/{canon}", "192.0.2.30"),
        ("thumbnail", "alice", canon, 200, "GET", f"/file/{canon}/thumb.jpg", "192.0.2.30"),
        ("display", "alice", canon, 200, "GET", f"/file/{canon}/display.jpg", "192.0.2.30"),
        ("download", "alice", canon, 200, "GET", f"/file/{canon}/original", "192.0.2.30"),
        ("export", "alice", None, 200, "GET", "/export/files.csv?label=tabby", "192.0.2.30"),
        ("view", "alice", 999999, 404, "GET", "/image/999999", "192.0.2.30"),
    ]
    times = [datetime.fromisoformat(e.time_utc) for e in entries]
    assert times == sorted(times) and abs(datetime.now(UTC) - times[-1]) < timedelta(minutes=1)


def test_without_tls_the_cookie_is_not_secure_but_still_httponly_and_strict(accounts: AccountsCase) -> None:
    app = create_app(accounts.case_dir, {"TESTING": True})
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"csrf_token": token, "username": "bob", "password": PASSWORDS["bob"]})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    assert logged_in(client.get("/"))


def test_a_logged_out_session_cannot_be_replayed(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app, "192.0.2.40")
    assert browser.login("bob", PASSWORDS["bob"]).status_code == 303
    stolen = browser.cookie()
    file_id = accounts.viewer.ids["camera/Canon_40D.jpg"]
    replayer = Browser(app, "203.0.113.66", use_cookies=False)
    headers = {"Cookie": f"{SESSION_COOKIE_NAME}={stolen}"}
    assert logged_in(replayer.get("/", headers=headers))  # the copy works while the session is open...
    assert replayer.get(f"/file/{file_id}/original", headers=headers).status_code == 200
    before = len(accounts.log())
    response = browser.logout()
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert is_login_redirect(browser.get("/"))
    # ...and not after the logout, although the cookie is still validly signed.
    assert is_login_redirect(replayer.get("/", headers=headers))
    assert replayer.get(f"/file/{file_id}/original", headers=headers).status_code == 401
    assert [(e.event, e.username, e.status) for e in accounts.log()[before:]] == [("logout", "bob", 303)]
    [(username, revoked_at)] = accounts.sql(
        "SELECT username, revoked_at FROM web_sessions WHERE id = ?", session_id_of(app, stolen)
    )
    assert username == "bob" and revoked_at is not None


def test_restarting_the_viewer_ends_every_session(app: Flask, accounts: AccountsCase) -> None:
    """README: sessions end when `cbis serve` restarts (each viewer process signs with its own random key)."""
    browser = Browser(app, "192.0.2.41")
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    headers = {"Cookie": f"{SESSION_COOKIE_NAME}={browser.cookie()}"}
    file_id = accounts.viewer.ids["camera/Canon_40D.jpg"]
    assert logged_in(Browser(app, use_cookies=False).get("/", headers=headers))  # the same viewer: still in
    restarted = Browser(make_app(accounts.case_dir), "192.0.2.41", use_cookies=False)
    assert is_login_redirect(restarted.get("/", headers=headers))
    assert restarted.get(f"/file/{file_id}/original", headers=headers).status_code == 401


def session_token(app: Flask, cookie: str) -> str:
    """The random token inside a session cookie (signed, not encrypted: whoever holds the cookie can read it)."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return serializer.loads(cookie)["token"]


def session_id_of(app: Flask, cookie: str) -> str:
    return hashlib.sha256(session_token(app, cookie).encode()).hexdigest()


def test_the_session_token_is_stored_only_as_a_hash(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app)
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    token = session_token(app, browser.cookie())
    stored = [row[0] for row in accounts.sql("SELECT id FROM web_sessions")]
    assert token not in stored and session_id_of(app, browser.cookie()) in stored
    assert all(re.fullmatch(r"[0-9a-f]{64}", session_id) for session_id in stored)


def test_a_disabled_examiners_live_session_stops_working(app: Flask, accounts: AccountsCase) -> None:
    accounts.add("carol", "carol's long passphrase")
    browser = Browser(app)
    assert browser.login("carol", "carol's long passphrase").status_code == 303
    assert logged_in(browser.get("/"))
    result = cbis("user", "disable", "carol", "--case", accounts.case_dir)
    assert result.exit_code == 0, result.output
    assert is_login_redirect(browser.get("/"))
    assert browser.login("carol", "carol's long passphrase").status_code == 401  # and cannot log in again


def test_an_idle_session_expires(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app)
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    assert logged_in(browser.get("/"))
    long_ago = (datetime.now(UTC) - timedelta(hours=8, minutes=1)).isoformat(timespec="seconds").replace("+00:00", "Z")
    session_id = session_id_of(app, browser.cookie())
    accounts.sql("UPDATE web_sessions SET last_seen_at = ? WHERE id = ?", long_ago, session_id)
    assert is_login_redirect(browser.get("/"))
    [(revoked_at,)] = accounts.sql("SELECT revoked_at FROM web_sessions WHERE id = ?", session_id)
    assert revoked_at is not None


def test_logging_in_again_ends_the_previous_session(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app)
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    first = browser.cookie()
    assert browser.login("bob", PASSWORDS["bob"]).status_code == 303
    assert "bob" in browser.get("/").get_data(as_text=True)
    old = Browser(app, use_cookies=False).get("/", headers={"Cookie": f"{SESSION_COOKIE_NAME}={first}"})
    assert is_login_redirect(old)


# --- CSRF ---


def test_posts_without_the_right_csrf_token_are_refused(app: Flask, accounts: AccountsCase) -> None:
    browser = Browser(app)
    browser.get("/login")  # holds a pre-session token now, but does not send it
    credentials = {"username": "alice", "password": PASSWORDS["alice"]}
    assert browser.post("/login", data=credentials).status_code == 400
    assert browser.post("/login", data={**credentials, "csrf_token": "x" * 43}).status_code == 400
    other = Browser(app).csrf()  # another browser's token
    assert browser.post("/login", data={**credentials, "csrf_token": other}).status_code == 400
    assert browser.post("/login", data={**credentials, "csrf_token": "é"}).status_code == 400
    assert Browser(app).post("/login", data={**credentials, "csrf_token": other}).status_code == 400  # no cookie
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    assert browser.post("/logout").status_code == 400
    assert browser.post("/logout", data={"csrf_token": other}).status_code == 400
    assert logged_in(browser.get("/"))  # still logged in: the forged logouts did nothing
    assert browser.logout().status_code == 303


def test_a_large_login_post_is_refused(app: Flask) -> None:
    browser = Browser(app)
    token = browser.csrf()
    response = browser.post("/login", data={"csrf_token": token, "username": "alice", "password": "x" * 20_000})
    assert response.status_code == 413


def test_only_the_login_forms_take_posts(app: Flask) -> None:
    browser = Browser(app)
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    token = browser.csrf("/")
    for url in ("/", "/overview", "/export/files.csv"):
        assert browser.post(url, data={"csrf_token": token}).status_code == 405
    assert browser.open("/login", "PUT", data={"csrf_token": token}).status_code == 405


# --- no accounts, forced login, failures of the log ---


def test_without_accounts_the_viewer_stays_open_and_sets_no_cookie(fresh_case: ViewerCase) -> None:
    app = create_app(fresh_case.case_dir, {"TESTING": True})
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers and "Log out" not in response.text
    assert client.get("/login").headers["Location"] == "/"


def test_login_required_without_accounts_lets_nobody_in(fresh_case: ViewerCase) -> None:
    """What `cbis serve` sets for a network address: even if every account is disabled, nothing is shown."""
    app = make_app(fresh_case.case_dir, LOGIN_REQUIRED=True)
    browser = Browser(app)
    assert is_login_redirect(browser.get("/"))
    assert browser.get(f"/file/{fresh_case.ids['camera/Canon_40D.jpg']}/original").status_code == 401
    assert browser.login("anyone", "any password at all").status_code == 401


def test_a_view_whose_access_log_row_cannot_be_written_is_withheld(fresh_case: ViewerCase) -> None:
    made = AccountsCase(fresh_case)
    made.add("alice", PASSWORDS["alice"])
    app = make_app(fresh_case.case_dir)
    browser = Browser(app)
    assert browser.login("alice", PASSWORDS["alice"]).status_code == 303
    # As if the disk were full: SQLite refuses every new access_log row.
    with sqlite3.connect(fresh_case.database) as connection:
        connection.execute(
            "CREATE TRIGGER test_log_full BEFORE INSERT ON access_log BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    file_id = fresh_case.ids["camera/Canon_40D.jpg"]
    for url in (f"/file/{file_id}/original", f"/image/{file_id}", "/export/files.csv"):
        response = browser.get(url)
        assert response.status_code == 503, url
        assert b"access log could not be written" in response.data
        assert b"Canon" not in response.data and b"\xff\xd8" not in response.data
    assert logged_in(browser.get("/"))  # the gallery itself is not an access log event
