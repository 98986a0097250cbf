"""Examiner accounts for the web viewer: add, list, disable, enable, new passwords; password hashing and checking.

Passwords are hashed with argon2id (argon2-cffi's `PasswordHasher`, RFC 9106's low-memory profile) and never
stored or logged in any other form. Accounts are never deleted, so every access log row keeps its examiner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from cbis.db import access
from cbis.db.access import UserRecord
from cbis.errors import UsageError
from cbis.services.cases import Case, utc_now

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # longer input is refused before hashing: a login form cannot be made to hash megabytes
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class AccountError(UsageError):
    """A user name or password that cannot be used, or an account that does not exist."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True only when `password` matches; a malformed stored hash or an over-long password is a mismatch."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy_hash() -> str:
    return hash_password("cbis: no such account, checked anyway so the answer takes as long")


def check_login(user: UserRecord | None, password: str) -> bool:
    """Whether `password` logs `user` in. An unknown or disabled account costs the same hashing as a real one,
    so the time taken does not tell which user names exist."""
    if user is None or user.disabled:
        verify_password(_decoy_hash(), password)
        return False
    return verify_password(user.password_hash, password)


def could_be_username(username: str) -> bool:
    """Whether an account could have this name (every account's name passed `check_username`). Anything else
    is no account, without asking the database: PostgreSQL refuses a text with NUL in it, even to compare."""
    return USERNAME.fullmatch(username) is not None


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise AccountError(
            f"invalid user name {username!r}: 1 to 64 letters, digits and . _ @ -, starting with a letter or digit"
        )
    return username


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password is too short: at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password is too long: at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise AccountError("the password must not be blank")


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
