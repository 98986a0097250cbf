"""Schema version 10: text read in images (OCR) with a full-text index, and faces found in them.
Frozen: never edit these definitions (see _ddl.py).

`ocr_texts`: one row per file and OCR analyzer (cbis.analyzers.ocr), deleted with the file; a picture the selection
passed by has a row too (`read` false, `reason` says why). `words_json` holds each word's text, confidence and box.
`search_text` is the text
case- and diacritics-folded by cbis (db/text_search.fold: "Überweisung" and "uberweisung" are one word, "Straße"
is "strasse"), so both backends match alike. The full-text index of it: on SQLite the FTS5 table `ocr_fts`, kept
by triggers, its rowid file_id * 2^20 + analyzer_id so a deleted row's entry is found by key; on PostgreSQL a GIN
index on to_tsvector('simple', search_text) (no stemming: the languages of a case are mixed).

`face_results`: one row per file and face analyzer (cbis.analyzers.faces), `face_count` indexed for --min-faces,
each face's box, landmarks, score and roll in `faces_json`.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Connection, Float, ForeignKey, Index, Integer, MetaData, Table, Text

from cbis.db.migrations._ddl import varchar

NAME = "OCR text with a full-text index, and faces"

metadata = MetaData()

# Stand-ins for the tables the foreign keys point at (created by earlier versions; not created here).
Table("files", metadata, Column("id", Integer, primary_key=True))
Table("runs", metadata, Column("id", Integer, primary_key=True))
Table("analyzers", metadata, Column("id", Integer, primary_key=True))

Table(
    "ocr_texts",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("analyzer_id", Integer, ForeignKey("analyzers.id"), primary_key=True, autoincrement=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("read", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("screenshot", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("confidence", Float, nullable=True),
    Column("word_count", Integer, nullable=False),
    Column("words_json", Text, nullable=False),
    Column("languages", varchar(200), nullable=False),
    Column("rotation", Integer, nullable=False),
    Index("ix_ocr_texts_screenshot", "screenshot"),
)

Table(
    "face_results",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("analyzer_id", Integer, ForeignKey("analyzers.id"), primary_key=True, autoincrement=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("face_count", Integer, nullable=False),
    Column("faces_json", Text, nullable=False),
    Index("ix_face_results_face_count", "face_count"),
)

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE ocr_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER ocr_texts_fts_insert AFTER INSERT ON ocr_texts BEGIN "
    "INSERT INTO ocr_fts (rowid, text) VALUES (new.file_id * 1048576 + new.analyzer_id, new.search_text); END",
    "CREATE TRIGGER ocr_texts_fts_delete AFTER DELETE ON ocr_texts BEGIN "
    "DELETE FROM ocr_fts WHERE rowid = old.file_id * 1048576 + old.analyzer_id; END",
)
_POSTGRESQL_FTS = ("CREATE INDEX ix_ocr_texts_fts ON ocr_texts USING gin (to_tsvector('simple', search_text))",)


def migrate(connection: Connection) -> None:
    metadata.tables["ocr_texts"].create(connection)
    metadata.tables["face_results"].create(connection)
    for statement in _SQLITE_FTS if connection.dialect.name == "sqlite" else _POSTGRESQL_FTS:
        connection.exec_driver_sql(statement)
