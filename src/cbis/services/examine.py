"""Examine one file: read it once (hashes from the same bytes), sniff, decode, EXIF, prepare model input.

Runs on worker threads: hashlib, libjpeg and Pillow's resampling release the GIL, so a few threads keep
the classifier fed. Every per-file failure becomes a recorded reason, never an exception.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from cbis.ingest.hashing import (
    Digests,
    EvidenceFile,
    FileChangedError,
    FileReplacedError,
    open_evidence,
    read_and_hash,
)
from cbis.ingest.images import DecodedImage, UnreadableImage, decode_image
from cbis.ingest.sniff import IMAGE_EXTENSIONS, IMAGE_FORMATS, SNIFF_LENGTH, extension_mismatch, extension_of, sniff
from cbis.ingest.walk import WalkEntry, display_path, relpath_bytes
from cbis.records import FileRow
from cbis.timestamps import from_ns


@dataclass(frozen=True)
class ExamineSettings:
    classify: bool
    draft_size: int | None
    max_pixels: int
    allow_truncated: bool
    keep_limit: int = 64 << 20


@dataclass
class Examined:
    row: FileRow
    pixels: np.ndarray | None  # the classifier's prepared input, when the file is an image to classify
    existing_id: int | None = None  # set for a classify-only pass over a file already in the case


def base_row(entry: WalkEntry) -> FileRow:
    st = entry.stat
    return FileRow(
        path=display_path(entry.relpath),
        path_bytes=relpath_bytes(entry.relpath),
        extension=extension_of(entry.relpath),
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        mtime=from_ns(st.st_mtime_ns),
        ctime=from_ns(st.st_ctime_ns),
        atime=from_ns(st.st_atime_ns),
        status="unprocessed",
    )


def _read(path: Path | EvidenceFile, keep_limit: int, warnings: list[str]) -> tuple[Digests, bytes | None]:
    try:
        return read_and_hash(path, keep_limit=keep_limit)
    except FileChangedError as exc:
        # A file being written while we read it: one more try gives a consistent snapshot if it settled,
        # and the case says the evidence was moving when it was read.
        warnings.append(f"changed while being read ({exc.reason}); read again, the hashes are of the second read")
        return read_and_hash(path, keep_limit=keep_limit)


def _head(path: Path | EvidenceFile, data: bytes | None) -> bytes:
    if data is not None:
        return data[:SNIFF_LENGTH]
    with open_evidence(path) as stream:
        return stream.read(SNIFF_LENGTH)


def examine(
    entry: WalkEntry, settings: ExamineSettings, prepare: Callable[[Image.Image], np.ndarray] | None
) -> Examined:
    """Never raises: whatever goes wrong with one file is that file's recorded reason, never the run's end."""
    try:
        return _examine(entry, settings, prepare)
    except Exception as exc:  # a decoder or library bug met on hostile input
        return _failed(entry, exc)


def _failed(entry: WalkEntry, exc: Exception, existing_id: int | None = None) -> Examined:
    row = base_row(entry)
    row.error = f"unexpected error while examining the file: {type(exc).__name__}: {exc}"[:2000]
    return Examined(row, None, existing_id)


def _examine(
    entry: WalkEntry, settings: ExamineSettings, prepare: Callable[[Image.Image], np.ndarray] | None
) -> Examined:
    row = base_row(entry)
    try:
        digests, data = _read(entry.evidence_file, settings.keep_limit, row.warnings)
    except FileChangedError as exc:
        row.error = f"file changed while being read (twice): {exc.reason}"
        return Examined(row, None)
    except FileReplacedError as exc:
        row.error = exc.reason
        return Examined(row, None)
    except OSError as exc:
        row.error = f"cannot read: {exc.strerror or exc}"
        return Examined(row, None)
    row.md5, row.sha1, row.sha256, row.size = digests.md5, digests.sha1, digests.sha256, digests.size
    try:
        detected = sniff(_head(entry.evidence_file, data))
    except OSError as exc:
        row.error = f"cannot read: {exc.strerror or exc}"
        return Examined(row, None)
    row.format = detected
    row.extension_mismatch = extension_mismatch(row.extension, detected)
    if detected is None:
        if row.extension in IMAGE_EXTENSIONS:
            row.error = f"not an image: the content is no known image format although the name ends in .{row.extension}"
        else:
            row.status = "other"
        return Examined(row, None)
    return _decode(row, entry.evidence_file if data is None else data, settings, prepare)


def _decode(
    row: FileRow,
    source: bytes | Path | EvidenceFile,
    settings: ExamineSettings,
    prepare: Callable[[Image.Image], np.ndarray] | None,
) -> Examined:
    try:
        decoded = decode_image(
            source,
            draft_size=settings.draft_size,
            max_pixels=settings.max_pixels,
            keep_pixels=settings.classify,
            allow_truncated=settings.allow_truncated,
        )
    except UnreadableImage as exc:
        row.error = exc.reason
        return Examined(row, None)
    apply_decoded(row, decoded)
    pixels = None
    if settings.classify and prepare is not None and decoded.image is not None:
        try:
            pixels = prepare(decoded.image)
        except (OSError, ValueError, MemoryError) as exc:
            row.warnings.append(f"could not prepare the image for the classifier: {exc}")
    return Examined(row, pixels)


def apply_decoded(row: FileRow, decoded: DecodedImage) -> None:
    row.status = "image"
    row.format = decoded.format if decoded.format in IMAGE_FORMATS else row.format
    row.width, row.height = decoded.width, decoded.height
    row.display_width, row.display_height = decoded.display_width, decoded.display_height
    row.truncated = decoded.truncated
    row.warnings.extend(decoded.warnings)
    row.warnings.extend(decoded.exif.warnings)
    exif = dataclasses.asdict(decoded.exif)
    exif.pop("warnings", None)
    row.exif = exif


def examine_for_classification(
    entry: WalkEntry,
    existing_id: int,
    settings: ExamineSettings,
    prepare: Callable[[Image.Image], np.ndarray],
) -> Examined:
    """A file already indexed, unchanged by stat, that this run's model has not classified yet."""
    row = base_row(entry)
    try:
        decoded = decode_image(
            entry.evidence_file,
            draft_size=settings.draft_size,
            max_pixels=settings.max_pixels,
            keep_pixels=True,
            allow_truncated=settings.allow_truncated,
        )
        pixels = prepare(decoded.image) if decoded.image is not None else None
    except UnreadableImage as exc:
        row.error = exc.reason
        return Examined(row, None, existing_id)
    except (OSError, ValueError, MemoryError) as exc:
        row.error = f"could not prepare the image for the classifier: {exc}"
        return Examined(row, None, existing_id)
    row.status = "image"
    return Examined(row, pixels, existing_id)
