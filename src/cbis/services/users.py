"""Examiner accounts for the web viewer: add, list, disable, enable, new passwords (hashing: cbis.passwords).

Passwords are hashed with argon2id (argon2-cffi's `PasswordHasher`, RFC 9106's low-memory profile) and never
stored or logged in any other form. Accounts are never deleted, so every access log row keeps its examiner.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from cbis.db import access
from cbis.db.access import UserRecord
from cbis.errors import AccountError
from cbis.passwords import check_password, check_username, hash_password, verify_password
from cbis.services.cases import Case, utc_now

__all__ = ["AccountError", "add_user", "disable_user", "enable_user", "list_users", "set_password", "verify_password"]


def add_user(case: Case, username: str, password: str, *, display_name: str = "") -> UserRecord:
    """Create an enabled account. AccountError for a bad or taken name or a short password."""
    check_username(username)
    check_password(password)
    record = UserRecord(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        created_at=utc_now(),
        disabled=False,
    )
    try:
        with case.engine.begin() as connection:
            if access.find_user(connection, username) is not None:
                raise AccountError(f"the user {username!r} already exists")
            access.insert_user(connection, record)
    except IntegrityError:  # another `cbis user add` took the name between the check and the insert
        raise AccountError(f"the user {username!r} already exists") from None
    return record


def list_users(case: Case) -> list[UserRecord]:
    with case.engine.connect() as connection:
        return access.list_users(connection)


def disable_user(case: Case, username: str) -> UserRecord:
    """Disable the account and end its open web sessions. AccountError when there is no such account."""
    with case.engine.begin() as connection:
        if not access.disable_user(connection, username, utc_now()):
            raise AccountError(f"no user {username!r} in this case")
        user = access.find_user(connection, username)
    assert user is not None
    return user


def enable_user(case: Case, username: str) -> bool:
    """Let a disabled account log in again (with no session from before). True when it was disabled; False when it
    was enabled already, and nothing changes. AccountError when there is no such account."""
    with case.engine.begin() as connection:
        user = access.find_user(connection, username)
        if user is None:
            raise AccountError(f"no user {username!r} in this case")
        if not user.disabled:
            return False
        access.enable_user(connection, username, utc_now())
    return True


@dataclass(frozen=True)
class PasswordChange:
    user: UserRecord  # as it is now: the new hash, and still disabled if it was
    sessions_ended: int


def set_password(case: Case, username: str, password: str) -> PasswordChange:
    """Replace the account's password and end all its open web sessions. AccountError for a password `add_user`
    would refuse, or when there is no such account. A disabled account keeps its new password and stays disabled."""
    check_password(password)
    password_hash = hash_password(password)  # argon2 takes a while: not inside the transaction
    with case.engine.begin() as connection:
        sessions_ended = access.set_password(connection, username, password_hash, utc_now())
        if sessions_ended is None:
            raise AccountError(f"no user {username!r} in this case")
        user = access.find_user(connection, username)
    assert user is not None
    return PasswordChange(user, sessions_ended)
