"""Stored embeddings, for `cbis search --similar-to` and the similarity index beside the case."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sqlalchemy import Connection, Select, func, or_, select

from cbis.db import freshness
from cbis.db.models import Embedding, Evidence, File, Model, Run


def unit(vectors: np.ndarray) -> np.ndarray:
    """Vectors scaled to length 1 (a zero vector stays zero): cosine similarity is then a dot product."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def unit_vectors(vectors: Sequence[bytes]) -> np.ndarray:
    """Stored embeddings (float16 little-endian) as a (N, D) float32 matrix of unit rows."""
    return unit(np.stack([np.frombuffer(vector, dtype="<f2").astype(np.float32) for vector in vectors]))


def find_file_ids(connection: Connection, reference: str) -> list[int]:
    """Files named by a SHA-256 / MD5 / SHA-1 digest or by their path relative to an evidence root."""
    text = reference.strip()
    lowered = text.lower()
    # Each by its own index (one OR of the four reads every file: 90 ms at 300,000): the digest of its length,
    # the path as its bytes under each evidence root; a path stored escaped (undecodable bytes) as written.
    found: set[int] = set()
    column = _DIGESTS.get(len(lowered))
    if column is not None:
        found.update(connection.execute(select(File.id).where(column == lowered)).scalars())
    as_bytes = text.encode("utf-8", "surrogateescape")
    found.update(
        connection.execute(
            select(File.id).where(File.evidence_id.in_(select(Evidence.id)), File.path_bytes == as_bytes)
        ).scalars()
    )
    if not found:
        found.update(connection.execute(select(File.id).where(File.path == text)).scalars())
    return sorted(found)


_DIGESTS = {32: File.md5, 40: File.sha1, 64: File.sha256}


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


def _image_embeddings(model_id: int) -> Select[tuple[int, bytes]]:
    """The embeddings search scores: the model's, of files that are images (as `embeddings` reads them)."""
    return (
        select(Embedding.file_id, Embedding.vector)
        .join(File, File.id == Embedding.file_id)
        .where(Embedding.model_id == model_id, File.status == "image")
    )


def embeddings_of(connection: Connection, model_id: int, file_ids: list[int]) -> list[tuple[int, bytes]]:
    """These files' embeddings from the model (those the case still holds), in file id order."""
    found: list[tuple[int, bytes]] = []
    for start in range(0, len(file_ids), 500):
        chunk = file_ids[start : start + 500]
        rows = connection.execute(_image_embeddings(model_id).where(Embedding.file_id.in_(chunk)))
        found.extend((file_id, vector) for file_id, vector in rows)
    found.sort()
    return found


def embedded_file_ids(connection: Connection, model_id: int) -> list[int]:
    """Every file id that search would score for the model, ascending."""
    return list(
        connection.execute(
            select(Embedding.file_id)
            .join(File, File.id == Embedding.file_id)
            .where(Embedding.model_id == model_id, File.status == "image")
            .order_by(Embedding.file_id)
        ).scalars()
    )


def embedding_stats(connection: Connection, model_id: int) -> tuple[int, int]:
    """How many embeddings search would score for the model, and the highest file id among them (0: none); kept on
    the connection while the case is unchanged (`freshness.cached`)."""

    def count() -> tuple[int, int]:
        # The model's embeddings less those of files that are not images (few, found by the status index), and
        # the highest from the top of the key: indexes alone, 52 ms at 1,000,000 where the join of every embedding
        # to its file was 0.24-0.29 s. Foreign keys keep every embedding's file in the case.
        of_model = Embedding.model_id == model_id
        every = connection.execute(select(func.count()).select_from(Embedding).where(of_model)).scalar_one()
        embedded = select(Embedding.file_id).where(Embedding.file_id == File.id, of_model).exists()
        not_images = connection.execute(
            select(func.count()).where(or_(File.status < "image", File.status > "image"), embedded)
        ).scalar_one()
        # The file's status as a subquery, not a join: a join is planned from the files by status, then sorted.
        status = select(File.status).where(File.id == Embedding.file_id).scalar_subquery()
        highest = connection.execute(
            select(Embedding.file_id).where(of_model, status == "image").order_by(Embedding.file_id.desc()).limit(1)
        ).scalar()
        return int(every) - int(not_images), int(highest or 0)

    return freshness.cached(connection, ("embedding_stats", model_id), count)


def files_first_seen_after(connection: Connection, model_id: int, run_id: int) -> list[int]:
    """Embedded files whose row a run after `run_id` created: a changed file's new row may reuse a deleted id."""
    return list(
        connection.execute(
            select(Embedding.file_id)
            .join(File, File.id == Embedding.file_id)
            .where(Embedding.model_id == model_id, File.first_run_id > run_id)
            .order_by(Embedding.file_id)
        ).scalars()
    )


def latest_run_id(connection: Connection) -> int:
    return int(connection.execute(select(func.max(Run.id))).scalar() or 0)


def embedded_models(connection: Connection) -> list[tuple[int, str, str, str]]:
    """(id, name, backend, weights SHA-256) of every model with stored embeddings."""
    used = select(Embedding.model_id).distinct()
    rows = connection.execute(
        select(Model.id, Model.name, Model.backend, Model.weights_sha256).where(Model.id.in_(used)).order_by(Model.id)
    )
    return [(int(i), name, backend, sha) for i, name, backend, sha in rows]
