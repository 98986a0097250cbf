"""ORM models of schema version 2 (db/migrations/m0002_examiner_accounts.py): examiner accounts for
`cbis serve`, their web sessions, and the viewer's access log; and of version 4 (m0004_login_refusals.py): the
tally of refused logins.

Who saw which image, and when, is part of the chain of custody: `access_log` is append-only like `audit_log`
(triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL).

Passwords are stored only as argon2id hashes (`cbis.services.users`); a web session is stored only as the
SHA-256 of its random token, so a copy of the case cannot be used to log in as anyone.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbis.db.models import Base


class User(Base):
    """An examiner who may log in to the viewer. Never deleted: `disabled` ends their access (and sessions)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(Text, unique=True)
    display_name: Mapped[str] = mapped_column(Text, default="")
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    """A login. `id` is the SHA-256 (hex) of the random token held in the examiner's cookie, never the token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    username: Mapped[str] = mapped_column(Text, ForeignKey("users.username"))
    created_at: Mapped[str] = mapped_column(Text)
    last_seen_at: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[str | None] = mapped_column(Text, nullable=True)
    remote_addr: Mapped[str] = mapped_column(Text, default="")


class AccessEntry(Base):
    """One viewer event: a login (ok, failed, refused by the rate limit), a logout, an image shown or served, an
    export. Append-only. `username` is the examiner logged in, or for a failed login the name that was tried."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_utc: Mapped[str] = mapped_column(Text)
    username: Mapped[str | None] = mapped_column(Text, nullable=True)
    remote_addr: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no foreign key: the log stands alone
    status: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_access_log_file_id", "file_id"),
        Index("ix_access_log_username", "username"),
        Index("ix_access_log_event_time", "event", "time_utc"),  # version 4: the login limit's query
    )


class LoginRefusal(Base):
    """Logins refused by the rate limit from one address in one window (opened by its first refused attempt):
    a tally the viewer updates, one row where there used to be a row per refused request (version 4)."""

    __tablename__ = "login_refusals"

    remote_addr: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[str] = mapped_column(Text, primary_key=True)
    refused: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[str] = mapped_column(Text)
    last_username: Mapped[str] = mapped_column(Text)


AUTH_TABLES: list[Table] = [User.__table__, WebSession.__table__, AccessEntry.__table__, LoginRefusal.__table__]  # type: ignore[list-item]
AUTH_TABLE_NAMES = frozenset(table.name for table in AUTH_TABLES)
