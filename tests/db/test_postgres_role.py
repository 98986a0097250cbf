"""The README's read-only PostgreSQL role: `cbis serve` works through it, and no session of it can write, even one
that turns its read-only transactions off (which the engine's READ ONLY session alone would allow), but for the
review writer's appending of review events (the README's review grants)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from cbis.db.review import NewReviewEvent, open_review_engine
from cbis.db.review import events as review_events
from cbis.services import review
from cbis.services.cases import create_case, open_case
from tests.conftest import libpq_url
from tests.helpers import cbis

# The statements the README gives (with the role and database names filled in).
GRANTS = (
    "CREATE ROLE {role} LOGIN",
    "GRANT CONNECT ON DATABASE {database} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}",
    "ALTER ROLE {role} SET default_transaction_read_only = on",
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",  # PostgreSQL 15's default; older servers need it said
)
# The README's grants for examiner review in the viewer: append review events, nothing else.
REVIEW_GRANTS = (
    "GRANT INSERT ON review_events TO {role}",
    "GRANT USAGE ON SEQUENCE review_events_id_seq TO {role}",
)


@pytest.mark.postgres
def test_viewer_role_reads_and_cannot_write(
    pg_server: str, pg_database: str, evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    case_dir = tmp_path / "case"
    create_case(case_dir, number="R-1", examiner="E", database=pg_database).close()
    assert cbis("index", evidence, "--case", case_dir, "--no-classify").exit_code == 0
    database = make_url(pg_database).database
    role = f"cbis_viewer_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(pg_database), autocommit=True) as owner:
        for statement in (*GRANTS, *REVIEW_GRANTS):
            owner.execute(statement.format(role=role, database=database))  # type: ignore[arg-type]
    try:
        monkeypatch.setenv("CBIS_DB_URL", make_url(pg_database).set(username=role).render_as_string(False))
        page = cbis("serve", "--case", case_dir, "--get", "/overview")
        assert page.exit_code == 0, page.output
        assert "camera" in page.stdout
        case = open_case(case_dir, readonly=True)
        try:
            with case.engine.connect() as connection:
                assert connection.execute(text("SELECT current_user")).scalar() == role
                assert connection.execute(text("SELECT count(*) FROM files")).scalar() == 15
                connection.rollback()
                connection.execute(text("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"))
                connection.execute(text("SET default_transaction_read_only = off"))
                connection.commit()
                for statement in (
                    "INSERT INTO audit_log (time_utc, examiner, os_user, host, cbis_version, command, outcome, "
                    "prev_hash, row_hash) VALUES ('t', 'e', 'o', 'h', 'v', 'c', 'x', 'p', 'r')",
                    "UPDATE files SET sha256 = NULL",
                    "DELETE FROM exif",
                    "CREATE TABLE public.intruder (id integer)",
                ):
                    with pytest.raises(DBAPIError, match="permission denied"):
                        connection.execute(text(statement))
                    connection.rollback()
        finally:
            case.close()
        # The viewer's review writer through the role: it appends a review event, and can write nothing else.
        writer = open_review_engine(case_dir)
        try:
            with writer.begin() as connection:
                assert connection.execute(text("SELECT current_user")).scalar() == role
                review.append_review_event(
                    connection, NewReviewEvent(1, "category", "CAT-5", "alice", "viewer", "2026-01-01T00:00:00Z", None)
                )
            for statement in (
                "UPDATE review_events SET examiner = 'mallory'",
                "DELETE FROM review_events",
                "INSERT INTO review_categories (code, name, description, pertinent, locked, created_at, created_by) "
                "VALUES ('X', 'x', '', true, false, 't', 'e')",
                "UPDATE files SET sha256 = NULL",
            ):
                with writer.begin() as connection, pytest.raises(DBAPIError, match="permission denied"):
                    connection.execute(text(statement))
            with writer.connect() as connection:
                assert [e.examiner for e in review_events(connection)] == ["alice"]
        finally:
            writer.dispose()
    finally:
        with psycopg.connect(libpq_url(pg_database), autocommit=True) as owner:
            owner.execute(f"DROP OWNED BY {role}")  # type: ignore[arg-type]
        with psycopg.connect(libpq_url(pg_server), autocommit=True) as admin:
            admin.execute(f"DROP ROLE {role}")  # type: ignore[arg-type]
