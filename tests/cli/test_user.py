"""`cbis user add|list|disable|enable|passwd` on both backends: argon2 hashes only, names and passwords checked,
every command audited (never a password); disabling, enabling and new passwords as the real viewer sees them; and
`cbis serve` refusing any address but loopback without accounts and TLS."""

from __future__ import annotations

import html
import os
import re
import select
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from cbis.db.case import audit_records
from cbis.services.users import verify_password
from cbis.web import create_app
from cbis.web.auth import AUTH_KEY
from cbis.web.db import ENGINE_KEY
from tests.db.support import engine_on, rows
from tests.helpers import cbis

PASSWORD = "a long enough passphrase"
NEW_PASSWORD = "another long enough passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add(case_dir: Path, username: str, password: str = PASSWORD, *extra: str):  # type: ignore[no-untyped-def]
    return cbis("user", "add", username, "--case", case_dir, "--password-stdin", *extra, input=password + "\n")


def audit(case_dir: Path) -> list[tuple[str, str]]:
    with engine_on(case_dir, readonly=True) as engine, engine.connect() as connection:
        return [(record.command, record.outcome) for record in audit_records(connection)]


def test_user_add_stores_an_argon2_hash_and_is_audited(backend_case: Path) -> None:
    result = add(backend_case, "alice", PASSWORD, "--display-name", "Alice Examiner")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "added user alice"
    [(username, display_name, password_hash, created_at, disabled)] = rows(
        backend_case, "SELECT username, display_name, password_hash, created_at, disabled FROM users"
    )
    assert (username, display_name, bool(disabled)) == ("alice", "Alice Examiner", False)
    assert password_hash.startswith("$argon2id$") and PasswordHasher().verify(password_hash, PASSWORD)
    assert created_at.endswith("Z")
    command = f"cbis user add alice --case {backend_case} --display-name 'Alice Examiner' --password-stdin"
    assert audit(backend_case)[-2:] == [(command, "started"), (command, "ok")]
    assert not any(PASSWORD in text for pair in audit(backend_case) for text in pair)
    listed = cbis("user", "list", "--case", backend_case)
    assert listed.exit_code == 0
    assert "alice" in listed.stdout and "Alice Examiner" in listed.stdout and "enabled" in listed.stdout


def on_a_terminal(*args: str | Path, answers: list[str]) -> tuple[int, str]:
    """Run `cbis ARGS` on a pseudo-terminal, typing each answer once its prompt (a line ending in ": ") shows;
    the exit status and everything the terminal showed (echoed keystrokes included)."""
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cbis", *map(str, args)], stdin=slave, stdout=slave, stderr=slave, start_new_session=True
    )
    os.close(slave)
    shown, pending, deadline = b"", list(answers), time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        # Type only once the prompt shows and echo is off: getpass turns echo off (flushing input) after the
        # prompt is printed, and anything typed before would be echoed, then discarded.
        if pending and shown.rstrip(b" ").endswith(b":") and not termios.tcgetattr(master)[3] & termios.ECHO:
            os.write(master, pending.pop(0).encode() + b"\n")
            shown += b"\n"
        elif process.poll() is not None:
            break
    os.close(master)
    return process.wait(timeout=60), shown.decode(errors="replace")


def test_user_add_prompts_twice_for_a_hidden_password(case_dir: Path) -> None:
    status, shown = on_a_terminal("user", "add", "bob", "--case", case_dir, answers=[PASSWORD, PASSWORD])
    assert status == 0, shown
    assert "Password:" in shown and "Repeat for confirmation:" in shown
    assert PASSWORD not in shown  # hidden input is not echoed
    [(password_hash,)] = rows(case_dir, "SELECT password_hash FROM users WHERE username = 'bob'")
    assert verify_password(password_hash, PASSWORD) and not verify_password(password_hash, PASSWORD + "x")


def test_a_taken_user_name_is_refused(backend_case: Path) -> None:
    assert add(backend_case, "alice").exit_code == 0
    again = add(backend_case, "alice", "another long passphrase")
    assert again.exit_code == 2 and "the user 'alice' already exists" in again.stderr
    assert rows(backend_case, "SELECT count(*) FROM users") == [(1,)]
    assert audit(backend_case)[-1][1] == "failed: AccountError: the user 'alice' already exists"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("alice", "short pass", "the password is too short: at least 12 characters"),
        ("alice", " " * 12, "the password must not be blank"),
        ("alice", "", "no password given"),
        ("al ice", PASSWORD, "invalid user name 'al ice'"),
        ("_alice", PASSWORD, "invalid user name"),
        ("alice/../x", PASSWORD, "invalid user name"),
        ("a" * 65, PASSWORD, "invalid user name"),
    ],
)
def test_bad_names_and_short_passwords_are_refused(case_dir: Path, username: str, password: str, message: str) -> None:
    result = add(case_dir, username, password)
    assert result.exit_code == 2 and message in result.stderr
    assert rows(case_dir, "SELECT count(*) FROM users") == [(0,)]


def test_user_disable(backend_case: Path) -> None:
    assert add(backend_case, "alice").exit_code == 0
    result = cbis("user", "disable", "alice", "--case", backend_case)
    assert result.exit_code == 0 and result.stdout.strip() == "disabled user alice"
    assert "disabled" in cbis("user", "list", "--case", backend_case).stdout
    missing = cbis("user", "disable", "nobody", "--case", backend_case)
    assert missing.exit_code == 2 and "no user 'nobody' in this case" in missing.stderr
    assert [outcome for _, outcome in audit(backend_case)][-4:] == [
        "started",
        "ok",
        "started",
        "failed: AccountError: no user 'nobody' in this case",
    ]


# --- enable and passwd, as the viewer sees them ---


class Browser:
    """One browser on the real viewer (Flask's test client): its own cookie jar, logins through the form."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()

    def login(self, username: str, password: str) -> int:
        page = self.client.get("/login").get_data(as_text=True)
        token = html.unescape(CSRF.search(page).group(1))  # type: ignore[union-attr]
        form = {"csrf_token": token, "username": username, "password": password, "next": "/"}
        return self.client.post("/login", data=form).status_code

    def logged_in(self) -> bool:
        page = self.client.get("/")
        if page.status_code == 302:
            assert page.headers["Location"].startswith("/login?next=")  # what the viewer does without a session
            return False
        assert page.status_code == 200, page.status
        return "Log out" in page.get_data(as_text=True)


@pytest.fixture
def viewer(backend_case: Path) -> Iterator[Flask]:
    """The viewer on the test's case, its engines closed after (a PostgreSQL test database is dropped then)."""
    app = create_app(backend_case, {"TESTING": True})
    yield app
    app.extensions[ENGINE_KEY].dispose()
    app.extensions[AUTH_KEY].engine.dispose()


def passwd(case_dir: Path, username: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return cbis("user", "passwd", username, "--case", case_dir, "--password-stdin", input=password + "\n")


def password_hash_of(case_dir: Path, username: str) -> str:
    [(password_hash,)] = rows(case_dir, "SELECT password_hash FROM users WHERE username = :name", name=username)
    return password_hash


def open_sessions(case_dir: Path, username: str) -> int:
    [(count,)] = rows(
        case_dir, "SELECT count(*) FROM web_sessions WHERE username = :name AND revoked_at IS NULL", name=username
    )
    return count


def test_user_enable_lets_a_disabled_examiner_log_in_again(backend_case: Path, viewer: Flask) -> None:
    assert add(backend_case, "alice").exit_code == 0
    assert cbis("user", "disable", "alice", "--case", backend_case).exit_code == 0
    browser = Browser(viewer)
    assert browser.login("alice", PASSWORD) == 401 and not browser.logged_in()

    result = cbis("user", "enable", "alice", "--case", backend_case)
    assert result.exit_code == 0 and result.stdout.strip() == "enabled user alice"
    assert "enabled" in cbis("user", "list", "--case", backend_case).stdout
    assert browser.login("alice", PASSWORD) == 303 and browser.logged_in()
    command = f"cbis user enable alice --case {backend_case}"
    assert audit(backend_case)[-4:-2] == [(command, "started"), (command, "ok")]  # then `user list`


def test_enabling_an_enabled_account_changes_nothing_and_says_so(backend_case: Path, viewer: Flask) -> None:
    assert add(backend_case, "alice").exit_code == 0
    browser = Browser(viewer)
    assert browser.login("alice", PASSWORD) == 303
    result = cbis("user", "enable", "alice", "--case", backend_case)
    assert result.exit_code == 0 and result.stdout.strip() == "user alice is already enabled: nothing changed"
    command = f"cbis user enable alice --case {backend_case}"
    assert audit(backend_case)[-2:] == [(command, "started"), (command, "ok: already enabled, nothing changed")]
    assert browser.logged_in() and open_sessions(backend_case, "alice") == 1  # its session was left alone


def test_enabling_ends_a_session_left_over_from_before_the_account_was_disabled(backend_case: Path) -> None:
    """A login checked just before `disable` may create its session just after: enabling must not revive it."""
    from cbis.db import access
    from cbis.services.cases import open_case, utc_now

    assert add(backend_case, "alice").exit_code == 0
    assert cbis("user", "disable", "alice", "--case", backend_case).exit_code == 0
    case = open_case(backend_case)
    try:
        with case.engine.begin() as connection:
            access.create_session(connection, "f" * 64, "alice", utc_now(), "192.0.2.10")
    finally:
        case.close()
    assert cbis("user", "enable", "alice", "--case", backend_case).exit_code == 0
    assert open_sessions(backend_case, "alice") == 0


def test_user_passwd_replaces_the_password_and_ends_every_session_of_that_user(
    backend_case: Path, viewer: Flask
) -> None:
    assert add(backend_case, "alice").exit_code == 0
    assert add(backend_case, "bob", "bob's long passphrase").exit_code == 0
    before, elsewhere, bob = Browser(viewer), Browser(viewer), Browser(viewer)
    assert before.login("alice", PASSWORD) == 303 and elsewhere.login("alice", PASSWORD) == 303
    assert bob.login("bob", "bob's long passphrase") == 303
    assert before.logged_in() and elsewhere.logged_in()

    result = passwd(backend_case, "alice")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "changed the password of user alice; 2 open viewer sessions ended"
    assert not before.logged_in() and not elsewhere.logged_in()  # the old session cookies are worthless now
    assert open_sessions(backend_case, "alice") == 0
    assert bob.logged_in()  # another examiner's session is not touched

    password_hash = password_hash_of(backend_case, "alice")
    assert password_hash.startswith("$argon2id$") and verify_password(password_hash, NEW_PASSWORD)
    fresh = Browser(viewer)
    assert fresh.login("alice", PASSWORD) == 401 and not fresh.logged_in()
    assert fresh.login("alice", NEW_PASSWORD) == 303 and fresh.logged_in()

    command = f"cbis user passwd alice --case {backend_case} --password-stdin"
    assert audit(backend_case)[-2:] == [(command, "started"), (command, "ok")]
    for secret in (PASSWORD, NEW_PASSWORD):
        assert secret not in result.output and secret not in result.stderr
        assert not any(secret in text for pair in audit(backend_case) for text in pair)


def test_a_disabled_account_gets_a_new_password_and_stays_disabled(backend_case: Path, viewer: Flask) -> None:
    """After a suspected compromise: disable, set a new password, enable; only the new password works."""
    assert add(backend_case, "alice").exit_code == 0
    assert cbis("user", "disable", "alice", "--case", backend_case).exit_code == 0
    result = passwd(backend_case, "alice")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "changed the password of user alice; 0 open viewer sessions ended; "
        "the account is still disabled (cbis user enable alice)"
    )
    browser = Browser(viewer)
    assert browser.login("alice", NEW_PASSWORD) == 401
    assert cbis("user", "enable", "alice", "--case", backend_case).exit_code == 0
    assert browser.login("alice", PASSWORD) == 401
    assert browser.login("alice", NEW_PASSWORD) == 303 and browser.logged_in()


def test_user_passwd_prompts_twice_for_a_hidden_password(case_dir: Path) -> None:
    assert add(case_dir, "alice").exit_code == 0
    status, shown = on_a_terminal("user", "passwd", "alice", "--case", case_dir, answers=[NEW_PASSWORD, NEW_PASSWORD])
    assert status == 0, shown
    assert "New password:" in shown and "Repeat for confirmation:" in shown
    assert NEW_PASSWORD not in shown  # hidden input is not echoed
    assert verify_password(password_hash_of(case_dir, "alice"), NEW_PASSWORD)


@pytest.mark.parametrize("command", ["add", "passwd"])
def test_without_a_terminal_the_password_is_asked_for_on_stdin(case_dir: Path, command: str) -> None:
    assert add(case_dir, "alice").exit_code == 0
    for stdin in (subprocess.DEVNULL, None):
        result = subprocess.run(
            [sys.executable, "-m", "cbis", "user", command, "alice", "--case", str(case_dir)],
            stdin=stdin,
            input=None if stdin is not None else f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr == "Error: no terminal to ask for the password: pipe it in with --password-stdin\n"
    assert verify_password(password_hash_of(case_dir, "alice"), PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "the password is too short: at least 12 characters"),
        ("x" * 1025, "the password is too long: at most 1024 characters"),
        (" " * 12, "the password must not be blank"),
        ("", "no password given"),
    ],
)
def test_user_passwd_refuses_what_user_add_refuses(case_dir: Path, password: str, message: str) -> None:
    assert add(case_dir, "alice").exit_code == 0
    before = password_hash_of(case_dir, "alice")
    result = passwd(case_dir, "alice", password)
    assert result.exit_code == 2 and result.stderr.strip() == f"Error: {message}"  # one line, no traceback
    assert password_hash_of(case_dir, "alice") == before
    assert not any(password.strip() and password in text for pair in audit(case_dir) for text in pair)


@pytest.mark.parametrize("command", ["enable", "passwd"])
def test_enable_and_passwd_of_an_unknown_user_are_refused(backend_case: Path, command: str) -> None:
    assert add(backend_case, "alice").exit_code == 0
    options = ["--password-stdin"] if command == "passwd" else []
    result = cbis("user", command, "nobody", "--case", backend_case, *options, input=NEW_PASSWORD + "\n")
    assert result.exit_code == 2 and result.stderr.strip() == "Error: no user 'nobody' in this case"
    assert audit(backend_case)[-1][1] == "failed: AccountError: no user 'nobody' in this case"
    assert verify_password(password_hash_of(backend_case, "alice"), PASSWORD)
    assert NEW_PASSWORD not in result.output


def test_user_commands_need_a_case(tmp_path: Path) -> None:
    result = cbis("user", "list", "--case", tmp_path)
    assert result.exit_code == 2 and "is not a cbis case" in result.stderr


# --- cbis serve: who may listen where ---


def test_serve_refuses_a_network_address_without_accounts(case_dir: Path) -> None:
    result = cbis("serve", "--case", case_dir, "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0: this case has no examiner accounts" in result.stderr
    assert "cbis user add" in result.stderr
    assert add(case_dir, "alice").exit_code == 0
    assert cbis("user", "disable", "alice", "--case", case_dir).exit_code == 0
    disabled = cbis("serve", "--case", case_dir, "--host", "192.0.2.1")  # only disabled accounts: none can log in
    assert disabled.exit_code == 2 and "no examiner accounts" in disabled.stderr


def test_serve_refuses_a_network_address_without_tls(case_dir: Path, tmp_path: Path) -> None:
    assert add(case_dir, "alice").exit_code == 0
    result = cbis("serve", "--case", case_dir, "--host", "0.0.0.0")
    assert result.exit_code == 2 and "refusing to listen on 0.0.0.0 without TLS" in result.stderr
    pem = tmp_path / "cert.pem"
    pem.write_text("not a certificate\n")
    alone = cbis("serve", "--case", case_dir, "--host", "0.0.0.0", "--certfile", pem)
    assert alone.exit_code == 2 and "--certfile and --keyfile go together" in alone.stderr
    bad = cbis("serve", "--case", case_dir, "--host", "0.0.0.0", "--certfile", pem, "--keyfile", pem)
    assert bad.exit_code == 2 and f"cannot use {pem} and {pem} for TLS" in bad.stderr
