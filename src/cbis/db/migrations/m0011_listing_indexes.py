"""Schema version 11: indexes and a class table so that a million-image case lists and searches like a small one.
Frozen: never edit these definitions (see _ddl.py).

- `model_classes`: each (model, WordNet id, label) pair the case's predictions hold, kept by triggers on
  `predictions` (so no writer can forget it) and filled here from the predictions already recorded. A label
  filter (`--label dog`) matches the label words against this small table (one row per class a model has named)
  and then finds the predictions by class through `ix_predictions_model_wnid`, instead of matching the words of
  every prediction's label. Rows are never removed: a pair no prediction holds any more only adds a class that
  matches nothing.
- `ix_predictions_model_wnid` (model_id, wnid, rank, score): predictions of a class, best first.
- `ix_evidence_root` (root, id) and `ix_files_listing` (evidence_id, status, path, id): the gallery's default
  order (evidence root, path) read from the indexes, so a page costs its own rows, not a sort of the case. On
  PostgreSQL the text columns are indexed COLLATE "C", the byte order listings use (db/queries.byte_order).
- `ix_exif_date_taken`: the date taken (DateTimeOriginal, else DateTimeDigitized), for `--from`/`--to`.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, ForeignKey, Integer, MetaData, Table, Text

from cbis.db.migrations._ddl import varchar

NAME = "class table and indexes for large cases"

metadata = MetaData()

Table("models", metadata, Column("id", Integer, primary_key=True))

Table(
    "model_classes",
    metadata,
    Column("model_id", Integer, ForeignKey("models.id"), primary_key=True, autoincrement=False),
    Column("wnid", varchar(16), primary_key=True),
    Column("label", Text, primary_key=True),
)

_SQLITE = (
    "CREATE INDEX ix_predictions_model_wnid ON predictions (model_id, wnid, rank, score)",
    "CREATE INDEX ix_evidence_root ON evidence (root, id)",
    "CREATE INDEX ix_files_listing ON files (evidence_id, status, path, id)",
    "CREATE INDEX ix_exif_date_taken ON exif (coalesce(datetime_original, datetime_digitized))",
    "CREATE TRIGGER predictions_classes_insert AFTER INSERT ON predictions BEGIN "
    "INSERT OR IGNORE INTO model_classes (model_id, wnid, label) VALUES (new.model_id, new.wnid, new.label); END",
    "CREATE TRIGGER predictions_classes_update AFTER UPDATE OF model_id, wnid, label ON predictions BEGIN "
    "INSERT OR IGNORE INTO model_classes (model_id, wnid, label) VALUES (new.model_id, new.wnid, new.label); END",
)
_POSTGRESQL = (
    "CREATE INDEX ix_predictions_model_wnid ON predictions (model_id, wnid, rank, score)",
    'CREATE INDEX ix_evidence_root ON evidence (root COLLATE "C", id)',
    'CREATE INDEX ix_files_listing ON files (evidence_id, status, path COLLATE "C", id)',
    'CREATE INDEX ix_exif_date_taken ON exif ((coalesce(datetime_original, datetime_digitized)) COLLATE "C")',
    "CREATE FUNCTION predictions_classes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO model_classes (model_id, wnid, label) VALUES (NEW.model_id, NEW.wnid, NEW.label) "
    "ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    "CREATE TRIGGER predictions_classes AFTER INSERT OR UPDATE OF model_id, wnid, label ON predictions "
    "FOR EACH ROW EXECUTE FUNCTION predictions_classes()",
)
_FILL = "INSERT INTO model_classes (model_id, wnid, label) SELECT DISTINCT model_id, wnid, label FROM predictions"


def migrate(connection: Connection) -> None:
    metadata.tables["model_classes"].create(connection)
    connection.exec_driver_sql(_FILL)
    for statement in _SQLITE if connection.dialect.name == "sqlite" else _POSTGRESQL:
        connection.exec_driver_sql(statement)
