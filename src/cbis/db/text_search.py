"""Full-text search of the OCR analyzer's text, and the face and screenshot conditions, for `cbis search`, the
viewer and reports.

The query is what an examiner types into a search box: words (all must occur, in any order), "a phrase" in
quotes, OR between alternatives, and word* for a prefix; anything else is ignored rather than an error. On
both backends the query is parsed here (`parse`) and its terms folded as the indexed text is (`fold`): on
PostgreSQL it becomes a to_tsquery('simple', ...) over the GIN index the migration made, ranked by ts_rank; on
SQLite an FTS5 query of quoted terms over ocr_fts, ranked by bm25. The same query finds the same files on both.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Boolean, Connection, String, exists, func, literal, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from cbis.db.engine import streamed
from cbis.db.models import Evidence, FaceResult, File, OcrTextRow

# The FTS5 rowid of an ocr_texts row (m0009): file_id * 2^20 + analyzer_id.
FTS_ROWID_FACTOR = 1048576
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+\*?")


def parse(query: str) -> list[list[tuple[str, bool, bool]]]:
    """The query as alternatives (OR) of terms that must all occur: (text, is a phrase, is a prefix)."""
    alternatives: list[list[tuple[str, bool, bool]]] = [[]]
    for match in _TOKEN.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if word == "OR":
            if alternatives[-1]:
                alternatives.append([])
            continue
        if phrase is not None:
            words = [w.rstrip("*") for w in _WORD.findall(phrase)]
            if words:
                alternatives[-1].append((" ".join(words), True, False))
            continue
        for part in _WORD.findall(word or ""):
            if part.rstrip("*"):
                alternatives[-1].append((part.rstrip("*"), False, part.endswith("*")))
    return [terms for terms in alternatives if terms]


def fts5_query(query: str) -> str | None:
    """The FTS5 MATCH expression for a search-box query (terms folded); None when it has no word."""
    alternatives = parse(query)
    if not alternatives:
        return None
    rendered = []
    for terms in alternatives:
        parts = ['"' + fold(term).replace('"', '""') + '"' + ("*" if prefix else "") for term, _, prefix in terms]
        rendered.append("(" + " AND ".join(parts) + ")")
    return " OR ".join(rendered)


def tsquery(query: str) -> str | None:
    """The PostgreSQL tsquery text for a search-box query (terms folded; only word characters, so nothing to
    escape): words &, a phrase <->, OR |, prefix :*."""
    alternatives = parse(query)
    if not alternatives:
        return None
    rendered = []
    for terms in alternatives:
        parts = []
        for term, _, prefix in terms:
            words = [word for word in re.findall(r"\w+", fold(term))]
            part = " <-> ".join(f"'{word}'" for word in words)
            parts.append(f"({part}:*)" if prefix else f"({part})")
        rendered.append("(" + " & ".join(parts) + ")")
    return " | ".join(rendered)


def fold(word: str) -> str:
    """Case and diacritics folded ("Überweisung" -> "uberweisung", "Straße" -> "strasse"): what the index holds
    (ocr_texts.search_text) and what a query is turned into, the same on both backends."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matching_words(query: str, words: list[str]) -> list[str]:
    """The words of a text that a query's terms name (each once, in text order): what the examiner is shown."""
    wanted: list[tuple[str, bool]] = []
    for terms in parse(query):
        for term, _, prefix in terms:
            wanted.extend((fold(part), prefix) for part in term.split())
    found: dict[str, None] = {}
    for word in words:
        for token in re.findall(r"\w+", word):
            folded = fold(token)
            if any(folded.startswith(term) if prefix else folded == term for term, prefix in wanted):
                found.setdefault(token, None)
    return list(found)


class ocr_text_match(FunctionElement[bool]):
    """The ocr_texts row's text matches the query: FTS5 on SQLite, to_tsvector/to_tsquery on PostgreSQL.
    Built with two bound values, the FTS5 expression and the query as typed; each backend renders the one it
    reads, so filtered_query needs no connection."""

    name = "ocr_text_match"
    inherit_cache = True
    type = Boolean()


@compiles(ocr_text_match)
def _match_sqlite(element: ocr_text_match, compiler: SQLCompiler, **kw: Any) -> str:
    fts, _ = list(element.clauses)
    rowid = f"({compiler.process(OcrTextRow.file_id, **kw)} * {FTS_ROWID_FACTOR} + "
    rowid += f"{compiler.process(OcrTextRow.analyzer_id, **kw)})"
    return f"{rowid} IN (SELECT rowid FROM ocr_fts WHERE ocr_fts MATCH {compiler.process(fts, **kw)})"


@compiles(ocr_text_match, "postgresql")
def _match_postgresql(element: ocr_text_match, compiler: SQLCompiler, **kw: Any) -> str:
    _, typed = list(element.clauses)
    column = compiler.process(OcrTextRow.search_text, **kw)
    return f"to_tsvector('simple', {column}) @@ to_tsquery('simple', {compiler.process(typed, **kw)})"


def text_condition(query: str) -> ColumnElement[bool]:
    """Files whose OCR text matches the query (a condition on File)."""
    expression = fts5_query(query)
    if expression is None:
        return File.id.is_(None)
    match = ocr_text_match(literal(expression, String()), literal(tsquery(query), String()))
    return exists(select(OcrTextRow.file_id).where(OcrTextRow.file_id == File.id, match))


def ranks(connection: Connection, query: str, file_ids: list[int]) -> dict[int, float]:
    """Each file's best rank for the query (higher is better) among the given files."""
    if not file_ids:
        return {}
    if connection.dialect.name == "postgresql":
        rank = func.ts_rank(
            func.to_tsvector(text("'simple'"), OcrTextRow.search_text),
            func.to_tsquery(text("'simple'"), tsquery(query) or ""),
        )
        rows = connection.execute(
            select(OcrTextRow.file_id, func.max(rank))
            .where(OcrTextRow.file_id.in_(file_ids))
            .group_by(OcrTextRow.file_id)
        )
        return {file_id: float(value or 0.0) for file_id, value in rows}
    expression = fts5_query(query)
    if expression is None:
        return {}
    rows = connection.execute(
        text("SELECT rowid, bm25(ocr_fts) FROM ocr_fts WHERE ocr_fts MATCH :q"), {"q": expression}
    ).all()
    wanted = set(file_ids)
    best: dict[int, float] = {}
    for rowid, score in rows:
        file_id = rowid // FTS_ROWID_FACTOR
        if file_id in wanted:
            best[file_id] = max(best.get(file_id, float("-inf")), -float(score))  # bm25: lower is better
    return best


def texts_of(connection: Connection, file_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each file's latest OCR reading: text, words (with boxes), confidence, screenshot, whether it was read."""
    if not file_ids:
        return {}
    rows = connection.execute(
        select(
            OcrTextRow.file_id,
            OcrTextRow.read,
            OcrTextRow.reason,
            OcrTextRow.screenshot,
            OcrTextRow.text,
            OcrTextRow.confidence,
            OcrTextRow.words_json,
            OcrTextRow.languages,
            OcrTextRow.rotation,
        )
        .where(OcrTextRow.file_id.in_(file_ids))
        .order_by(OcrTextRow.file_id, OcrTextRow.read, OcrTextRow.analyzer_id)
    ).mappings()
    found: dict[int, dict[str, Any]] = {}
    for row in rows:  # a read row after an unread one, a later analyzer after an earlier one: the last wins
        values = dict(row)
        values["words"] = json.loads(values.pop("words_json"))
        found[row["file_id"]] = values
    return found


def faces_of(connection: Connection, file_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each file's faces from its latest face analysis."""
    if not file_ids:
        return {}
    rows = connection.execute(
        select(FaceResult.file_id, FaceResult.faces_json)
        .where(FaceResult.file_id.in_(file_ids))
        .order_by(FaceResult.file_id, FaceResult.analyzer_id)
    )
    return {file_id: json.loads(faces_json) for file_id, faces_json in rows}


def face_count() -> Any:
    """The file's face count (its largest over face analyses), a scalar subquery on File; None: not analysed."""
    return select(func.max(FaceResult.face_count)).where(FaceResult.file_id == File.id).scalar_subquery()


def min_faces_condition(minimum: int) -> ColumnElement[bool]:
    return exists(select(FaceResult.file_id).where(FaceResult.file_id == File.id, FaceResult.face_count >= minimum))


def screenshot_condition() -> ColumnElement[bool]:
    return exists(select(OcrTextRow.file_id).where(OcrTextRow.file_id == File.id, OcrTextRow.screenshot.is_(True)))


def ocr_report_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    """ocr.csv: every OCR reading, read or passed by, in the report's order (root, path); the text's lines joined
    by spaces (report cells hold no control characters, and words must not run together across lines)."""
    from cbis.db.queries import byte_order

    query = (
        select(
            Evidence.root.label("evidence"),
            File.path,
            File.sha256,
            OcrTextRow.screenshot,
            OcrTextRow.read,
            OcrTextRow.reason,
            OcrTextRow.languages,
            OcrTextRow.confidence,
            OcrTextRow.rotation,
            OcrTextRow.word_count,
            OcrTextRow.text,
        )
        .join(File, File.id == OcrTextRow.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id, OcrTextRow.analyzer_id)
    )
    for row in streamed(connection, query):
        yield {**row, "text": " ".join(row["text"].split())}


def face_report_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    """faces.csv: every image's face count, with each face's box, landmarks and score as JSON."""
    from cbis.db.queries import byte_order

    query = (
        select(
            Evidence.root.label("evidence"),
            File.path,
            File.sha256,
            FaceResult.face_count,
            FaceResult.faces_json,
        )
        .join(File, File.id == FaceResult.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .order_by(byte_order(Evidence.root), byte_order(File.path), File.id, FaceResult.analyzer_id)
    )
    yield from streamed(connection, query)
