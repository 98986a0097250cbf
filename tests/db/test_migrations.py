"""Frozen migrations: a case made by each earlier cbis, migrated forward, is table by table a new case.

tests/data/cases/ holds real cases made with the code of each earlier schema version (scripts/make-old-case):
vN.sqlite, and vN-postgresql.sql, a plain pg_dump of the same case made on PostgreSQL. Each is migrated to the
current version by opening it as any command does, then compared with a case created now: every table, column,
type, nullability, default, key, index, unique constraint and trigger must be equal. The ORM models (what
queries use) must describe exactly that schema too, so a model changed without a migration fails here.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from cbis.db import migrations
from cbis.db.engine import record_database_url
from cbis.db.models import Base
from cbis.services.cases import create_case, open_case
from tests.conftest import EXAMPLES, libpq_url
from tests.helpers import cbis

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
OLD_SQLITE = sorted(CASES.glob("v*.sqlite"), key=lambda path: int(re.sub(r"\D", "", path.stem)))
OLD_POSTGRESQL = sorted(CASES.glob("v*-postgresql.sql"), key=lambda path: int(re.sub(r"\D", "", path.stem)))


def _version(path: Path) -> int:
    return int(re.match(r"v(\d+)", path.name).group(1))  # type: ignore[union-attr]


def schema_of(engine: Engine) -> dict[str, Any]:
    """Everything that makes up the schema, in a form that compares equal when two schemas are the same."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")), c.get("autoincrement"))
                for c in inspector.get_columns(name)
            ],
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign_keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    str(fk.get("options", {}).get("ondelete")),
                )
                for fk in inspector.get_foreign_keys(name)
            ),
            "unique": sorted(
                (str(u["name"]), tuple(u["column_names"])) for u in inspector.get_unique_constraints(name)
            ),
            "indexes": sorted(
                (str(i["name"]), tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(name)
            ),
        }
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            triggers = sorted(
                tuple(row)
                for row in connection.execute(
                    text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
                )
            )
            functions: list[tuple[Any, ...]] = []
        else:
            triggers = sorted(
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                        "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
                    )
                )
            )
            functions = sorted(
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                        "WHERE n.nspname = 'public'"
                    )
                )
            )
            functions += sorted(  # the planner's statistics objects (version 14), with their definitions
                ("statistics", *row)
                for row in connection.execute(
                    text("SELECT stxname, pg_get_statisticsobjdef(oid) FROM pg_statistic_ext")
                )
            )
    return {"tables": tables, "triggers": triggers, "functions": functions}


def seeded_since(version: int) -> dict[str, int]:
    """Rows the migrations after `version` put in themselves: version 9 seeds the Project VIC categories."""
    from cbis.db.migrations import m0009_review

    return {"review_categories": len(m0009_review.PROJECT_VIC)} if version < 9 else {}


def derived_since(version: int, engine: Engine) -> dict[str, int]:
    """Rows the migrations after `version` derive from the case's own: version 11 fills model_classes with each
    (model, class, label) its predictions hold."""
    if version >= 11:
        return {}
    with engine.connect() as connection:
        pairs = connection.exec_driver_sql(
            "SELECT count(*) FROM (SELECT DISTINCT model_id, wnid, label FROM predictions) AS pairs"
        ).scalar_one()
    return {"model_classes": pairs}


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in inspect(connection).get_table_names()
        }


def assert_same_schema(migrated: dict[str, Any], fresh: dict[str, Any]) -> None:
    assert sorted(migrated["tables"]) == sorted(fresh["tables"])
    for name, table in fresh["tables"].items():
        assert migrated["tables"][name] == table, f"table {name} differs after migration"
    assert migrated["triggers"] == fresh["triggers"]
    assert migrated["functions"] == fresh["functions"]


def repoint_evidence(case_dir: Path, root: Path) -> None:
    """The old case's evidence moved with it: record the copy's path as its root (the evidence table is not a log)."""
    case = open_case(case_dir)
    try:
        with case.engine.begin() as connection:
            connection.execute(
                text("UPDATE evidence SET root = :root, root_bytes = :root_bytes"),
                {"root": str(root), "root_bytes": os.fsencode(root)},
            )
    finally:
        case.close()


def test_there_is_a_case_file_for_every_earlier_version() -> None:
    """Every version before the current one, on both backends (the current one's may already be there too)."""
    earlier = [number for number, _, _ in migrations.MIGRATIONS[:-1]]  # numbers may skip (merged branches)
    for made in ([_version(path) for path in OLD_SQLITE], [_version(path) for path in OLD_POSTGRESQL]):
        assert made[: len(earlier)] == earlier
        assert made in (earlier, [*earlier, migrations.SCHEMA_VERSION])


@pytest.mark.parametrize("old_case", OLD_SQLITE, ids=lambda path: path.name)
def test_an_old_sqlite_case_migrates_to_what_a_new_case_is(old_case: Path, tmp_path: Path) -> None:
    case_dir = tmp_path / "old"
    case_dir.mkdir()
    shutil.copyfile(old_case, case_dir / "case.sqlite")
    old = open_case(case_dir, readonly=True)
    try:
        counts_before = row_counts(old.engine)
        derived = derived_since(_version(old_case), old.engine)
    finally:
        old.close()
    fresh = create_case(tmp_path / "fresh", number="NEW", examiner="New Examiner")
    migrated = open_case(case_dir)
    try:
        assert_same_schema(schema_of(migrated.engine), schema_of(fresh.engine))
        counts_after = row_counts(migrated.engine)
    finally:
        migrated.close()
        fresh.close()
    assert counts_before["files"] == 15  # the old case is a real one: every sample file indexed
    new_version_rows = sum(1 for number, _, _ in migrations.MIGRATIONS if number > _version(old_case))
    # An empty FTS5 index (schema version 10, ocr_fts) keeps its configuration and root in shadow tables of its own.
    fts_bookkeeping = {"ocr_fts_config": 1, "ocr_fts_data": 2} if _version(old_case) < 10 else {}
    assert counts_after == {
        **{name: 0 for name in counts_after},
        **seeded_since(_version(old_case)),
        **fts_bookkeeping,
        **counts_before,
        **derived,
        "schema_version": counts_before["schema_version"] + new_version_rows,
    }


@pytest.mark.parametrize("old_case", OLD_SQLITE, ids=lambda path: path.name)
def test_a_migrated_sqlite_case_still_verifies(old_case: Path, tmp_path: Path) -> None:
    """Its audit chain and its evidence hashes, recorded by the old cbis, check out with this one."""
    case_dir = tmp_path / "old"
    case_dir.mkdir()
    shutil.copyfile(old_case, case_dir / "case.sqlite")
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    repoint_evidence(case_dir, evidence)
    result = cbis("verify", "--case", case_dir)
    assert result.exit_code == 0, result.output
    assert "15 recorded files checked" in result.output
    assert "chain intact" in result.output


def load_dump(url: str, dump: Path) -> None:
    """Restore a plain pg_dump into the empty database at `url` (psql's meta-commands left out)."""
    import psycopg

    script = "\n".join(line for line in dump.read_text(encoding="utf-8").splitlines() if not line.startswith("\\"))
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute(script)  # type: ignore[arg-type]


@pytest.mark.postgres
@pytest.mark.parametrize("dump", OLD_POSTGRESQL, ids=lambda path: path.name)
def test_an_old_postgresql_case_migrates_to_what_a_new_case_is(dump: Path, tmp_path: Path, pg_databases) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import make_url

    old_url = pg_databases()
    load_dump(old_url, dump)
    case_dir = tmp_path / "old"
    case_dir.mkdir()
    record_database_url(case_dir, make_url(old_url))
    old = open_case(case_dir, readonly=True)
    try:
        counts_before = row_counts(old.engine)
        derived = derived_since(_version(dump), old.engine)
    finally:
        old.close()
    fresh = create_case(tmp_path / "fresh", number="NEW", examiner="New Examiner", database=pg_databases())
    migrated = open_case(case_dir)
    try:
        assert_same_schema(schema_of(migrated.engine), schema_of(fresh.engine))
        counts_after = row_counts(migrated.engine)
    finally:
        migrated.close()
        fresh.close()
    assert counts_before["files"] == 15
    new_version_rows = sum(1 for number, _, _ in migrations.MIGRATIONS if number > _version(dump))
    assert counts_after == {
        **{name: 0 for name in counts_after},
        **seeded_since(_version(dump)),
        **counts_before,
        **derived,
        "schema_version": counts_before["schema_version"] + new_version_rows,
    }
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    repoint_evidence(case_dir, evidence)
    result = cbis("verify", "--case", case_dir)
    assert result.exit_code == 0, result.output
    assert "15 recorded files checked" in result.output


def test_the_orm_models_describe_the_migrated_schema(case_dir: Path) -> None:
    """Queries use the models; the schema comes from the migrations. They must not drift apart."""
    case = open_case(case_dir, readonly=True)
    try:
        live = schema_of(case.engine)["tables"]
    finally:
        case.close()
    import cbis.db.auth_models  # noqa: F401  (registers the accounts tables on Base.metadata)

    # SQLite's full-text index of OCR text (an FTS5 virtual table and its shadow tables) is made by the migration
    # and queried with SQL of its own (db/text_search.py): no model describes it.
    live = {name: table for name, table in live.items() if not name.startswith("ocr_fts")}
    assert sorted(Base.metadata.tables) == sorted(live)
    for name, table in Base.metadata.tables.items():
        live_columns = [column[0] for column in live[name]["columns"]]
        assert [column.name for column in table.columns] == live_columns, f"model of {name} differs"
        assert [c.name for c in table.primary_key.columns] == live[name]["primary_key"]
        live_indexes = {index[0] for index in live[name]["indexes"]}
        assert {str(index.name) for index in table.indexes} <= live_indexes
