"""Stored embeddings, for `cbis search --similar-to`."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, or_, select

from cbis.db.models import Embedding, Evidence, File


def find_file_ids(connection: Connection, reference: str) -> list[int]:
    """Files named by a SHA-256 / MD5 / SHA-1 digest or by their path relative to an evidence root."""
    text = reference.strip()
    lowered = text.lower()
    return list(
        connection.execute(
            select(File.id)
            .where(or_(File.sha256 == lowered, File.md5 == lowered, File.sha1 == lowered, File.path == text))
            .order_by(File.id)
        ).scalars()
    )


def find_file_id_at(connection: Connection, evidence_id: int, path_bytes: bytes) -> int | None:
    """The file at this exact path (as on disk) below this evidence root, if the case holds it."""
    return connection.execute(
        select(File.id).where(File.evidence_id == evidence_id, File.path_bytes == path_bytes)
    ).scalar()


def embedding_of(connection: Connection, file_id: int, model_id: int) -> bytes | None:
    return connection.execute(
        select(Embedding.vector).where(Embedding.file_id == file_id, Embedding.model_id == model_id)
    ).scalar()


def embeddings(connection: Connection, model_id: int, chunk_size: int = 2048) -> Iterator[list[tuple[int, bytes]]]:
    """All of a model's embeddings, in chunks, so a large case is scored without holding every vector."""
    result = connection.execute(
        select(Embedding.file_id, Embedding.vector)
        .join(File, File.id == Embedding.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(Embedding.model_id == model_id, File.status == "image")
        .execution_options(yield_per=chunk_size)
    )
    for partition in result.partitions(chunk_size):
        yield [(file_id, vector) for file_id, vector in partition]
