"""The nearest-neighbour index kept beside the case, one per model, for `cbis search --similar-to`.

Exact search reads and scores every stored embedding: about 20 s at a million images. An HNSW graph (usearch)
names the few hundred nearest in milliseconds; those candidates are then scored exactly from the case's own
vectors, so every similarity shown is the exact cosine, as exact search computes it, and the index decides only
which images are candidates. Below EXACT_BELOW embeddings exact search is fast enough and is always used.

In CASE_DIR/similarity/ (beside case.sqlite, or case.toml for a PostgreSQL case): `model-<id>.json`, the
manifest (which model, how many vectors, the highest file id and the last run included, the library and its
version, the index file's size and SHA-256), and the index file it names. A new index file is written under a
new name, fsynced, and the manifest renamed over the old one last, so a crash leaves the old pair or the new one,
never a mix. The index is trusted only while its manifest matches the case (model, weights, count, highest file id,
latest run) and its file its recorded SHA-256; otherwise exact search answers, says why, and the next
`cbis index` or `cbis similarity rebuild` rebuilds it. A wrong answer is never the price of a fast one.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection

from cbis.db import similarity as db
from cbis.db import similarity_index as searching  # its EXACT_BELOW, read when used (tests set it)
from cbis.db.queries import ModelRef

# The read side lives in db/ (the viewer searches too); re-exported, as `cbis search` and the tests know it here.
from cbis.db.similarity_index import (
    CONNECTIVITY as CONNECTIVITY,
)
from cbis.db.similarity_index import (
    EXACT_BELOW as EXACT_BELOW,
)
from cbis.db.similarity_index import (
    EXPANSION_ADD as EXPANSION_ADD,
)
from cbis.db.similarity_index import (
    EXPANSION_SEARCH as EXPANSION_SEARCH,
)
from cbis.db.similarity_index import (
    FORMAT as FORMAT,
)
from cbis.db.similarity_index import (
    INDEX_DIR_NAME as INDEX_DIR_NAME,
)
from cbis.db.similarity_index import (
    METRIC as METRIC,
)
from cbis.db.similarity_index import (
    SCALAR as SCALAR,
)
from cbis.db.similarity_index import (
    Manifest as Manifest,
)
from cbis.db.similarity_index import (
    Notes as Notes,
)
from cbis.db.similarity_index import (
    exact_nearest as exact_nearest,
)
from cbis.db.similarity_index import (
    index_dir as index_dir,
)
from cbis.db.similarity_index import (
    index_nearest as index_nearest,
)
from cbis.db.similarity_index import (
    load_index as load_index,
)
from cbis.db.similarity_index import (
    manifest_path as manifest_path,
)
from cbis.db.similarity_index import (
    mismatch as mismatch,
)
from cbis.db.similarity_index import (
    nearest as nearest,
)
from cbis.db.similarity_index import (
    open_for_search as open_for_search,
)
from cbis.db.similarity_index import (
    read_manifest as read_manifest,
)
from cbis.durable import fsync_directory
from cbis.errors import CbisError, UsageError
from cbis.model.cache import file_sha256
from cbis.services.cases import Case
from cbis.services.locking import index_lock
from cbis.timestamps import utc_now

if TYPE_CHECKING:
    from usearch.index import Index

# Removed vectors stay in the graph as tombstones; past this share of them, the index is built afresh.
MAX_TOMBSTONES = 0.2
ADD_CHUNK = 10_000


@dataclass(frozen=True)
class IndexUpdate:
    """What an update or rebuild did to one model's index, for a person."""

    model: str
    action: str  # built, updated, unchanged, skipped
    count: int
    detail: str

    def line(self) -> str:
        return f"model {self.model}: {self.action}, {self.count} vectors ({self.detail})"


def new_index(dim: int) -> Index:
    from usearch.index import Index

    return Index(
        ndim=dim,
        metric=METRIC,
        dtype=SCALAR,
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def add_rows(index: Index | None, rows: list[tuple[int, bytes]]) -> Index | None:
    """Add (file id, float16 vector) rows; the index is made on the first rows, with their dimension."""
    if not rows:
        return index
    matrix = np.frombuffer(b"".join(vector for _, vector in rows), dtype="<f2").reshape(len(rows), -1)
    if index is None:
        index = new_index(matrix.shape[1])
    keys = np.fromiter((file_id for file_id, _ in rows), dtype=np.uint64, count=len(rows))
    index.add(keys, matrix, threads=os.cpu_count() or 1)
    return index


def update_after_run(case: Case) -> str | None:
    """After an index run: each model's index brought up to date, where one is kept. Never fails the run: an
    index that cannot be written is left stale, search uses exact search (and says so) until it is, and what
    went wrong is returned for the run's summary."""
    try:
        update(case, rebuild=False)
    except (OSError, RuntimeError, MemoryError) as exc:
        return f"the similarity index could not be updated ({exc}): search uses exact search until it is"
    return None


def rebuild_indexes(case: Case) -> list[IndexUpdate]:
    """`cbis similarity rebuild`: every model's index built afresh, under the case's index lock (an index run
    and a rebuild never write the index at once)."""
    with index_lock(case.directory):
        try:
            return update(case, rebuild=True)
        except OSError as exc:
            raise CbisError(
                f"cannot write the similarity index in {index_dir(case.directory)}: {exc.strerror or exc}"
            ) from None


def update(case: Case, *, rebuild: bool) -> list[IndexUpdate]:
    """Every model's index up to date with the case (the caller holds the case's index lock). Without `rebuild`,
    a case below EXACT_BELOW that has no index gets none; with it, every model's index is built afresh."""
    results: list[IndexUpdate] = []
    with case.engine.connect() as connection:
        last_run = db.latest_run_id(connection)
        for model_id, name, backend, weights in db.embedded_models(connection):
            model = ModelRef(model_id, name, backend, weights)
            results.append(_update_model(connection, case.directory, model, last_run, rebuild))
    return results


def _update_model(connection: Connection, case_dir: Path, model: ModelRef, last_run: int, rebuild: bool) -> IndexUpdate:
    ids = np.asarray(db.embedded_file_ids(connection, model.id), dtype=np.uint64)
    manifest = read_manifest(case_dir, model.id)
    exists = manifest is not None or manifest_path(case_dir, model.id).exists()
    if not rebuild and not exists and len(ids) < searching.EXACT_BELOW:
        return IndexUpdate(model.name, "skipped", len(ids), f"exact search below {searching.EXACT_BELOW} vectors")
    index: Index | None = None
    why = "rebuilt on request" if rebuild else "new"
    if manifest is not None and not rebuild:
        dim = manifest.dim
        problem = mismatch(manifest, model, dim)
        if problem is None:
            index, problem = load_index(case_dir, manifest, view=False)
        why = f"rebuilt: {problem}" if problem else ""
    elif exists and not rebuild:
        why = "rebuilt: the manifest could not be read"
    if index is None or manifest is None:
        index = _build(connection, model.id)
        action, detail = "built", why
    else:
        held = np.asarray(index.keys, dtype=np.uint64)
        reused = np.intersect1d(
            np.asarray(db.files_first_seen_after(connection, model.id, manifest.last_run_id), dtype=np.uint64), held
        )
        gone = np.union1d(np.setdiff1d(held, ids), reused)
        new = np.union1d(np.setdiff1d(ids, held), reused)
        if len(gone) == 0 and len(new) == 0:
            if manifest.last_run_id != last_run:  # a run that stored nothing for this model: the file stands
                manifest.last_run_id, manifest.built_at = last_run, utc_now()
                _write_json(manifest_path(case_dir, model.id), asdict(manifest))
                fsync_directory(index_dir(case_dir))
            return IndexUpdate(model.name, "unchanged", len(index), "up to date")
        if len(gone) and (len(gone) + _tombstones(index)) > MAX_TOMBSTONES * max(len(ids), 1):
            index = _build(connection, model.id)
            action, detail = "built", f"rebuilt: {len(gone)} vectors went away"
        else:
            if len(gone):
                index.remove(gone)
            for start in range(0, len(new), ADD_CHUNK):
                chunk = [int(key) for key in new[start : start + ADD_CHUNK]]
                index = add_rows(index, db.embeddings_of(connection, model.id, chunk))
            action, detail = "updated", f"{len(new)} added, {len(gone)} removed"
    if index is None or len(index) == 0:
        _remove_index(case_dir, model.id)
        return IndexUpdate(model.name, "skipped", 0, "no embeddings")
    stats = db.embedding_stats(connection, model.id)
    _write(case_dir, model, index, stats, last_run)
    return IndexUpdate(model.name, action, len(index), detail or "up to date")


def _tombstones(index: Index) -> int:
    try:
        return int(index.stats.nodes) - len(index)
    except AttributeError:  # pragma: no cover - older usearch
        return 0


def _build(connection: Connection, model_id: int) -> Index | None:
    index: Index | None = None
    for chunk in _batched(db.embeddings(connection, model_id), ADD_CHUNK):
        index = add_rows(index, chunk)
    return index


def _batched(chunks: Iterable[list[tuple[int, bytes]]], size: int) -> Iterable[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for chunk in chunks:
        batch.extend(chunk)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(case_dir: Path, model: ModelRef, index: Index, stats: tuple[int, int], last_run: int) -> None:
    """The index under a new name, then the manifest over the old one (temp file, fsync, rename), then the
    old index file removed: at every moment the manifest names a complete file that matches it."""
    from usearch import __version__ as usearch_version

    directory = index_dir(case_dir)
    directory.mkdir(exist_ok=True)
    _remove_leftovers(directory, model.id)
    name = f"model-{model.id}-{secrets.token_hex(8)}.usearch"
    temporary = directory / f".{name}.tmp"
    index.save(str(temporary))
    with open(temporary, "rb+") as stream:
        os.fsync(stream.fileno())
    os.rename(temporary, directory / name)
    count, highest = stats
    written = (directory / name).stat()
    manifest = Manifest(
        format=FORMAT,
        model_id=model.id,
        model_name=model.name,
        backend=model.backend,
        weights_sha256=model.weights_sha256,
        dim=int(index.ndim),
        count=count,
        max_file_id=highest,
        last_run_id=last_run,
        library="usearch",
        library_version=usearch_version,
        scalar=SCALAR,
        metric=METRIC,
        index_file=name,
        index_bytes=written.st_size,
        index_sha256=file_sha256(directory / name),
        built_at=utc_now(),
        index_inode=written.st_ino,
        index_mtime_ns=written.st_mtime_ns,
    )
    _write_json(manifest_path(case_dir, model.id), asdict(manifest))
    fsync_directory(directory)
    # The manifest now names the new file: every other index file of the model (the one it replaces, or one an
    # unreadable manifest named) is no longer anyone's.
    for stale in directory.glob(f"model-{model.id}-*.usearch"):
        if stale.name != name:
            stale.unlink(missing_ok=True)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2, sort_keys=True)
        stream.write("\n")
        stream.flush()
        os.fsync(stream.fileno())
    os.rename(temporary, path)


def _remove_leftovers(directory: Path, model_id: int) -> None:
    """Temporary files of an update that died (the caller holds the index lock: no other update is running)."""
    for leftover in directory.glob(f".model-{model_id}[-.]*.tmp"):
        leftover.unlink(missing_ok=True)


def _remove_index(case_dir: Path, model_id: int) -> None:
    old = read_manifest(case_dir, model_id)
    manifest_path(case_dir, model_id).unlink(missing_ok=True)
    if old is not None:
        (index_dir(case_dir) / old.index_file).unlink(missing_ok=True)


@dataclass(frozen=True)
class OutsideImage:
    """An image the examiner brings from outside the case: embedded for one query, never stored."""

    path: Path
    sha256: str
    vector: bytes  # float16, as the index run stores an embedding


def embed_outside_image(path: Path, model: ModelRef) -> OutsideImage:
    """Decode and embed `path` exactly as `cbis index` would, with the model the results come from."""
    from cbis import analyzers
    from cbis.analyzers.base import AnalysisInput, AnalyzerSettings
    from cbis.ingest.images import UnreadableImage, decode_image

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"--similar-to: cannot read {path}: {exc.strerror or exc}") from None
    analyzer = analyzers.get("imagenet").load(AnalyzerSettings(model=model.name), None)
    provenance = analyzer.provenance()
    if (provenance.get("weights_sha256"), provenance.get("backend")) != (model.weights_sha256, model.backend):
        raise UsageError(
            f"--similar-to {path}: the case's {model.name} vectors come from weights {model.weights_sha256[:12]}… "
            f"({model.backend}), and this cbis has {str(provenance.get('weights_sha256'))[:12]}… "
            f"({provenance.get('backend')}): an image embedded here would not compare with them"
        )
    try:
        decoded = decode_image(data, draft_size=analyzer.needs.draft_size)
    except UnreadableImage as exc:
        raise UsageError(f"--similar-to {path}: not an image cbis can read ({exc.reason})") from None
    source = AnalysisInput(decoded.image, data, decoded.format, decoded.width, decoded.height, None)
    prepared = analyzer.prepare(source)
    if prepared is None:
        raise UsageError(f"--similar-to {path}: the model cannot take this image")
    [output] = analyzer.analyze([prepared])
    return OutsideImage(path, hashlib.sha256(data).hexdigest(), output.embedding)
