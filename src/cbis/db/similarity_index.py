"""Searching the nearest-neighbour index kept beside the case (one per model): the read side, which the viewer uses
too; services/similarity_index.py builds and updates it (see there for the files and why they can be trusted).

A search is answered from the index only while its manifest matches the case and its file its recorded SHA-256;
otherwise by exact search over every stored embedding, with a note saying why. The index's candidates are always
scored exactly from the case's own vectors, so it decides only which images are candidates.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Connection

from cbis.db import similarity as db
from cbis.db.queries import ModelRef
from cbis.model.cache import file_sha256

if TYPE_CHECKING:
    from usearch.index import Index

INDEX_DIR_NAME = "similarity"
FORMAT = 1
# Below this many embeddings exact search answers: under about 0.25 s here, and the index path (open and check
# the file, 1,000 candidates scored from the database) saves little (bench/bench_similarity.py --crossover:
# 222 ms exact against 119 ms at 10,000 on SQLite, 2 CPUs).
EXACT_BELOW = 10_000
# HNSW parameters: neighbours per node, and the candidate lists kept while adding and searching. A search for
# `count` results looks at max(count, EXPANSION_SEARCH) candidates.
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128
SCALAR = "f16"  # the stored embeddings are float16: the index holds them as they are
METRIC = "cos"

Notes = Callable[[str], None]


@dataclass
class Manifest:
    format: int
    model_id: int
    model_name: str
    backend: str
    weights_sha256: str
    dim: int
    count: int
    max_file_id: int
    last_run_id: int
    library: str
    library_version: str
    scalar: str
    metric: str
    index_file: str
    index_bytes: int
    index_sha256: str
    built_at: str
    # The index file's inode and modification time when it was written and hashed: a search that finds the file
    # as it was then (size, inode, mtime) need not hash gigabytes again; any rewrite of it changes them.
    index_inode: int = 0
    index_mtime_ns: int = 0


def index_dir(case_dir: Path) -> Path:
    return case_dir / INDEX_DIR_NAME


def manifest_path(case_dir: Path, model_id: int) -> Path:
    return index_dir(case_dir) / f"model-{model_id}.json"


def read_manifest(case_dir: Path, model_id: int) -> Manifest | None:
    """The model's manifest; None when there is none or it cannot be read as one (then the index is rebuilt)."""
    try:
        data = json.loads(manifest_path(case_dir, model_id).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    if manifest.format != FORMAT or manifest.model_id != model_id or "/" in manifest.index_file:
        return None
    return manifest


def _scores(rows: list[tuple[int, bytes]], query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """File ids and exact cosine similarities, each the same whichever rows it is scored with: a matrix product
    rounds a row's sum differently with the number of rows (BLAS picks its kernel by shape), so a search that
    scores 50 candidates would print other last digits than one that scores 1,000; a row's own sum does not."""
    ids = np.fromiter((file_id for file_id, _ in rows), dtype=np.int64, count=len(rows))
    matrix = np.frombuffer(b"".join(vector for _, vector in rows), dtype="<f2").astype(np.float32)
    return ids, (db.unit(matrix.reshape(len(rows), -1)) * query).sum(axis=1)


def exact_nearest(connection: Connection, model_id: int, query: np.ndarray, count: int) -> dict[int, float]:
    """Every stored embedding of the model scored against `query` (a unit float32 vector): the `count` nearest."""
    best_ids: list[np.ndarray] = []
    best_scores: list[np.ndarray] = []
    for chunk in db.embeddings(connection, model_id):
        ids, scores = _scores(chunk, query)
        keep = np.argsort(-scores, kind="stable")[:count]
        best_ids.append(ids[keep])
        best_scores.append(scores[keep])
    if not best_ids:
        return {}
    ids, scores = np.concatenate(best_ids), np.concatenate(best_scores)
    order = np.argsort(-scores, kind="stable")[:count]
    return {int(ids[i]): float(scores[i]) for i in order}


# The candidates a search keeps: given their file ids ascending, those kept, in the order ties are to be listed in.
Keep = Callable[[list[int]], list[int]]


def _kept(candidates: list[int], keep: Keep | None) -> list[int]:
    """The candidates `keep` keeps, in its order; all of them, by file id, without it."""
    return keep(sorted(candidates)) if keep is not None else sorted(candidates)


def _nearest_first(scores: dict[int, float], kept: list[int], wanted: int | None) -> dict[int, float]:
    """The scored files of `kept`, nearest first, ties in kept's order: the first `wanted` (all without it)."""
    listed = sorted((file_id for file_id in kept if file_id in scores), key=lambda file_id: -scores[file_id])
    return {file_id: scores[file_id] for file_id in listed[:wanted]}


def nearest(
    connection: Connection,
    case_dir: Path,
    model: ModelRef,
    query: np.ndarray,
    count: int,
    on_note: Notes | None = None,
    *,
    keep: Keep | None = None,
    wanted: int | None = None,
) -> dict[int, float]:
    """Of the `count` embeddings nearest to `query` (a unit float32 vector), the `wanted` nearest (all without it)
    of those `keep` keeps (all without it), by exact cosine, nearest first, ties in keep's order (else file id).

    From the index when the case holds EXACT_BELOW embeddings or more and the index is sound and current;
    otherwise by exact search, with a note saying why when an index was expected."""
    stored, highest = db.embedding_stats(connection, model.id)
    if stored >= EXACT_BELOW:
        index, why = open_for_search(connection, case_dir, model, stored, highest, query.shape[-1])
        if index is not None:
            return index_nearest(connection, index, model.id, query, count, keep=keep, wanted=wanted)
        if on_note is not None:
            on_note(
                f"{why}: exact search was used (slower, same answer); `cbis similarity rebuild` or the next "
                "`cbis index` rebuilds the index"
            )
    scores = exact_nearest(connection, model.id, query, count)
    return _nearest_first(scores, _kept(list(scores), keep), wanted)


# The index's cosines are of the same float16 vectors as the case's, but with the query rounded to float16: each
# is within 2^-11 of the exact cosine (the rounding's relative error, summed over unit vectors; 2e-5 was the
# largest seen at 300,000). A candidate whose index cosine is more than twice that below another's cannot score
# above it exactly, so only the candidates the index cannot tell from the wanted ones are scored.
INDEX_COSINE_ERROR = 2.0**-11


def index_nearest(
    connection: Connection,
    index: Index,
    model_id: int,
    query: np.ndarray,
    count: int,
    *,
    keep: Keep | None = None,
    wanted: int | None = None,
) -> dict[int, float]:
    """The index's `count` candidates, those `keep` keeps, and of them the `wanted` nearest by exact cosine from the
    case's own vectors (files gone since are not returned), as `nearest` gives them.

    Only the candidates that could be among the wanted are scored: in the index's order, until `wanted` of them
    are still in the case and none unscored is within the index's error of the wanted-th (reading a thousand
    vectors from PostgreSQL was 60 of a search's 110 ms at 300,000; the answer is the same)."""
    with _SEARCH:
        matches = index.search(query, min(count, len(index)))
    keys = np.atleast_1d(matches.keys).astype(np.int64).tolist()
    index_cosines = dict(zip(keys, (1.0 - np.atleast_1d(matches.distances).astype(np.float64)).tolist(), strict=True))
    kept = _kept(list(index_cosines), keep)
    ranked = sorted(kept, key=lambda file_id: -index_cosines[file_id])
    wanted = len(ranked) if wanted is None else wanted
    scores: dict[int, float] = {}
    fetched = 0
    while wanted:
        present = [file_id for file_id in ranked[:fetched] if file_id in scores]
        end = fetched
        if len(present) >= wanted:
            floor = index_cosines[present[wanted - 1]] - 2 * INDEX_COSINE_ERROR
            while end < len(ranked) and index_cosines[ranked[end]] >= floor:
                end += 1
        else:
            end = min(len(ranked), fetched + wanted - len(present))
        if end == fetched:
            break
        rows = db.embeddings_of(connection, model_id, sorted(ranked[fetched:end]))
        if rows:
            ids, exact = _scores(rows, query)
            scores.update(zip(ids.tolist(), exact.tolist(), strict=True))
        fetched = end
    return _nearest_first(scores, kept, wanted)


def open_for_search(
    connection: Connection, case_dir: Path, model: ModelRef, stored: int, highest: int, dim: int
) -> tuple[Index | None, str]:
    """The model's index, memory-mapped, when it can be trusted for this case as it is now; else None and why."""
    manifest = read_manifest(case_dir, model.id)
    if manifest is None:
        exists = manifest_path(case_dir, model.id).exists()
        return None, "the similarity index's manifest cannot be read" if exists else "there is no similarity index"
    why = mismatch(manifest, model, dim)
    if why is None and (manifest.count, manifest.max_file_id) != (stored, highest):
        why = f"the similarity index holds {manifest.count} vectors and the case {stored}"
    if why is None and manifest.last_run_id != db.latest_run_id(connection):
        why = "the similarity index predates the case's latest index run"
    if why is not None:
        return None, why
    return _viewed(case_dir, manifest)


# Indexes opened for search, memory-mapped, by file: mapping one is 60 ms at 300,000 vectors (usearch reads its
# graph's layout), paid by every image page's look-alikes and every similarity search without this. One is
# reused while its file is the one the manifest names and is as it was when it was checked (inode, size and
# modification time); anything else opens and checks it again. Searches of one view are serialised (`_SEARCH`).
_VIEWS: dict[Path, tuple[tuple[object, ...], Index]] = {}
_SEARCH = threading.Lock()


def _viewed(case_dir: Path, manifest: Manifest) -> tuple[Index | None, str]:
    path = index_dir(case_dir).resolve() / manifest.index_file
    try:
        stat = path.stat()
    except OSError:
        return load_index(case_dir, manifest, view=True)  # says why
    key = (stat.st_ino, stat.st_size, stat.st_mtime_ns, manifest.index_sha256, manifest.count, manifest.dim)
    held = _VIEWS.get(path)
    if held is not None and held[0] == key:
        return held[1], ""
    index, why = load_index(case_dir, manifest, view=True)
    for other in [other for other in _VIEWS if other.parent == path.parent]:
        del _VIEWS[other]  # this directory's earlier index files: replaced
    if index is not None:
        _VIEWS[path] = (key, index)
    return index, why


def mismatch(manifest: Manifest, model: ModelRef, dim: int) -> str | None:
    from usearch import __version__ as usearch_version

    if (manifest.model_name, manifest.backend, manifest.weights_sha256) != (
        model.name,
        model.backend,
        model.weights_sha256,
    ):
        return "the similarity index was built from another model's vectors"
    if manifest.dim != dim:
        return f"the similarity index holds {manifest.dim}-dimensional vectors, the model gives {dim}"
    if (manifest.library, manifest.library_version, manifest.scalar, manifest.metric) != (
        "usearch",
        usearch_version,
        SCALAR,
        METRIC,
    ):
        return f"the similarity index was written by {manifest.library} {manifest.library_version}"
    return None


def load_index(case_dir: Path, manifest: Manifest, *, view: bool) -> tuple[Index | None, str]:
    """The index file, checked against its manifest: size, SHA-256, and what usearch reads of it."""
    from usearch.index import Index

    path = index_dir(case_dir) / manifest.index_file
    try:
        if path.stat().st_size != manifest.index_bytes:
            return None, "the similarity index file is not the size its manifest records (damaged)"
        stat = path.stat()
        as_written = manifest.index_inode and (stat.st_ino, stat.st_mtime_ns) == (
            manifest.index_inode,
            manifest.index_mtime_ns,
        )
        if not as_written and _sha256(path) != manifest.index_sha256:
            return None, "the similarity index file's SHA-256 differs from its manifest's (damaged)"
        index = Index.restore(str(path), view=view)
    except FileNotFoundError:
        return None, "the similarity index file is missing"
    except (OSError, RuntimeError, ValueError) as exc:
        return None, f"the similarity index file cannot be read ({exc})"
    if index is None or len(index) != manifest.count or index.ndim != manifest.dim:
        return None, "the similarity index file does not hold what its manifest records"
    return index, ""


_sha256 = file_sha256  # a name of this module's own, so that a test can count the hashing
