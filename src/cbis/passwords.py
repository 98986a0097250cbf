"""Examiners' passwords and user names: argon2id hashing, checking a login, and the rules for both.

Passwords are hashed with argon2id (argon2-cffi's `PasswordHasher`, RFC 9106's low-memory profile) and never
stored or logged in any other form. Used by services.users (accounts) and the viewer (logins), so it belongs to
neither.
"""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cbis.db.access import UserRecord
from cbis.errors import AccountError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # longer input is refused before hashing: a login form cannot be made to hash megabytes
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


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
