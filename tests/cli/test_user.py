"""`cbis user add|list|disable` on both backends: argon2 hashes only, names and passwords checked, every command
audited; and `cbis serve` refusing any address but loopback without accounts and TLS."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from cbis.db.case import audit_records
from cbis.services.users import verify_password
from tests.db.support import engine_on, rows
from tests.helpers import cbis

PASSWORD = "a long enough passphrase"


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
    command = f"cbis user add alice --case {backend_case} --display-name Alice Examiner --password-stdin"
    assert audit(backend_case)[-2:] == [(command, "started"), (command, "ok")]
    assert not any(PASSWORD in text for pair in audit(backend_case) for text in pair)
    listed = cbis("user", "list", "--case", backend_case)
    assert listed.exit_code == 0
    assert "alice" in listed.stdout and "Alice Examiner" in listed.stdout and "enabled" in listed.stdout


def test_user_add_prompts_twice_for_a_hidden_password(case_dir: Path) -> None:
    result = cbis("user", "add", "bob", "--case", case_dir, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
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
