"""The audit chain covers every column of every row: each one tampered in turn (behind a dropped append-only trigger)
is named by `cbis verify`, and the chain recomputed here from the formula the README states matches the one stored.

Both on SQLite and on a real PostgreSQL server. The recomputation is deliberately this test's own code, not
cbis.db.case: a field left out of the product's hash would otherwise be left out of the check as well.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from tests.db.support import engine_on, is_postgresql, rows, run_cbis

DIFFERS = 5
GENESIS = "0" * 64
# The README's formula, in its order: SHA-256 over the previous row's hash and the row's fields, joined by U+001F.
HASHED_FIELDS = ("time_utc", "examiner", "os_user", "host", "cbis_version", "command", "outcome")
COLUMNS = ("id", *HASHED_FIELDS, "prev_hash", "row_hash")


def recomputed_chain_problems(records: list[dict[str, Any]]) -> list[int]:
    """The ids of the rows where the chain, recomputed from the stated formula, does not hold."""
    bad: list[int] = []
    previous = GENESIS
    for record in records:
        payload = "\x1f".join([previous, *(record[name] for name in HASHED_FIELDS)])
        expected = hashlib.sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()
        if record["prev_hash"] != previous or record["row_hash"] != expected:
            bad.append(record["id"])
        previous = record["row_hash"]
    return bad


def audit_rows(case_dir: Path) -> list[dict[str, Any]]:
    listed = ", ".join(COLUMNS)
    return [
        dict(zip(COLUMNS, row, strict=True)) for row in rows(case_dir, f"SELECT {listed} FROM audit_log ORDER BY id")
    ]


def drop_append_only_triggers(connection: Connection, postgresql: bool) -> None:
    if postgresql:
        connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
    else:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))


def tampered(column: str, value: Any) -> Any:
    """A plausible forgery of `value`: same type, different content."""
    if column == "id":
        # The row moved to the front of the log (to the end, verify's own appended row would chain onto it).
        return value - 1000
    if column in ("prev_hash", "row_hash"):
        return ("f" if value[0] != "f" else "e") + value[1:]
    if column == "outcome":
        return "ok" if value != "ok" else "failed"  # the case: a failure rewritten as success
    if column == "time_utc":
        return value.replace(value[3], "9" if value[3] != "9" else "8", 1)  # another year
    return value + "x"


def test_every_audit_column_tampered_is_named_by_verify(backend: str, backend_case: Path) -> None:
    case_dir = backend_case
    for args in (("case", "info"), ("search", "--label", "ünïcode ✓"), ("case", "info")):
        assert run_cbis(*args, "--case", case_dir).returncode == 0
    records = audit_rows(case_dir)
    assert len(records) >= 4
    assert recomputed_chain_problems(records) == []
    assert run_cbis("verify", "--case", case_dir).returncode == 0
    target = records[1]  # a middle row: later rows follow it, so restoring it restores the whole chain
    postgresql = is_postgresql(case_dir)
    with engine_on(case_dir) as engine:
        with engine.begin() as connection:
            drop_append_only_triggers(connection, postgresql)
        for column in COLUMNS:
            forged = tampered(column, target[column])
            assert forged != target[column]
            where_id = forged if column == "id" else target["id"]
            with engine.begin() as connection:
                connection.execute(
                    text(f"UPDATE audit_log SET {column} = :forged WHERE id = :id"),
                    {"forged": forged, "id": target["id"]},
                )
            assert recomputed_chain_problems(audit_rows(case_dir)), f"the stated formula misses a forged {column}"
            result = run_cbis("verify", "--case", case_dir)
            assert result.returncode == DIFFERS, f"{column}: {result.stdout}"
            assert f"  AUDIT    audit row {where_id}: " in result.stdout, f"{column}: {result.stdout}"
            with engine.begin() as connection:
                connection.execute(
                    text(f"UPDATE audit_log SET {column} = :original WHERE id = :id"),
                    {"original": target[column], "id": where_id},
                )
            assert recomputed_chain_problems(audit_rows(case_dir)) == [], f"{column} was not restored"
    # Restored, the case verifies again: what verify named was the forgery, nothing else.
    assert run_cbis("verify", "--case", case_dir).returncode == 0


def test_the_stored_chain_is_the_stated_formula(backend: str, backend_case: Path) -> None:
    """Every row of a case that saw several kinds of command, recomputed independently of cbis."""
    case_dir = backend_case
    for args in (("case", "info"), ("search", "--label", "ünïcode ✓"), ("verify",), ("search", "--missing")):
        run_cbis(*args, "--case", case_dir)  # outcomes differ (ok, failed, differs): all are hashed
    records = audit_rows(case_dir)
    assert len(records) >= 5 and len({r["outcome"] for r in records}) >= 2
    assert records[0]["prev_hash"] == GENESIS
    assert recomputed_chain_problems(records) == []
