"""Examine one file: read it once (hashes from the same bytes), sniff, decode once, EXIF, and prepare each
analyzer's input from that one decoded picture.

Runs on worker threads: hashlib, libjpeg and Pillow's resampling release the GIL, so a few threads keep
the analyzers fed. Every per-file failure becomes a recorded reason, never an exception.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cbis.analyzers.base import AnalysisInput, Preparer
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

# An inventory (no analyzer needs the picture) still decodes every file in full (that is what proves it sound:
# libjpeg entropy-decodes the whole stream at any scale), but lets libjpeg scale down while doing so: several times
# faster on camera JPEGs.
INVENTORY_DRAFT_SIZE = 256


@dataclass(frozen=True)
class ExamineSettings:
    max_pixels: int
    allow_truncated: bool
    # The run's analyzers' input preparation, by name: each image is decoded once, then prepared for each.
    preparers: tuple[tuple[str, Preparer], ...] = ()
    keep_limit: int = 64 << 20

    @property
    def keep_pixels(self) -> bool:
        return any(preparer.needs.image for _, preparer in self.preparers)

    @property
    def draft_size(self) -> int | None:
        """The largest size any analyzer needs (None, full size, when one needs it)."""
        sizes = [preparer.needs.draft_size for _, preparer in self.preparers if preparer.needs.image]
        if not sizes:
            return INVENTORY_DRAFT_SIZE
        return None if None in sizes else max(size for size in sizes if size is not None)


@dataclass
class Examined:
    row: FileRow
    inputs: dict[str, np.ndarray] = field(default_factory=dict)  # analyzer name -> its prepared input
    existing_id: int | None = None  # a file already in the case, examined for analyzers it lacks
    outputs: dict[str, Any] = field(default_factory=dict)  # analyzer name -> output record, once analysed
    changed: bool = False  # an existing file whose content is no longer what the case recorded


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


def examine(entry: WalkEntry, settings: ExamineSettings) -> Examined:
    """A file new to the case (or changed): every analyzer of the run prepares its input.

    Never raises: whatever goes wrong with one file is that file's recorded reason, never the run's end."""
    try:
        return _examine(entry, settings, None)
    except Exception as exc:  # a decoder or library bug met on hostile input
        return _failed(entry, exc)


def examine_existing(
    entry: WalkEntry, existing_id: int, recorded_sha256: str | None, wanted: tuple[str, ...], settings: ExamineSettings
) -> Examined:
    """A file the case holds, unchanged by `stat`, that lacks the output of the analyzers `wanted`: read and
    hashed again as it is decoded, and prepared for those only if its SHA-256 is still the one recorded."""
    try:
        examined = _examine(entry, settings, wanted)
    except Exception as exc:
        return _failed(entry, exc, existing_id)
    examined.existing_id = existing_id
    sha256 = examined.row.sha256
    if sha256 is not None and sha256 != recorded_sha256:
        examined.inputs = {}
        examined.changed = True
        examined.row.error = (
            f"content changed since it was indexed although its size and modification time did not: SHA-256 now "
            f"{sha256}, recorded {recorded_sha256}; not analysed (the recorded row is kept)"
        )
    return examined


def _failed(entry: WalkEntry, exc: Exception, existing_id: int | None = None) -> Examined:
    row = base_row(entry)
    row.error = f"unexpected error while examining the file: {type(exc).__name__}: {exc}"[:2000]
    return Examined(row, existing_id=existing_id)


def _examine(entry: WalkEntry, settings: ExamineSettings, wanted: tuple[str, ...] | None) -> Examined:
    row = base_row(entry)
    try:
        digests, data = _read(entry.evidence_file, settings.keep_limit, row.warnings)
    except FileChangedError as exc:
        row.error = f"file changed while being read (twice): {exc.reason}"
        return Examined(row)
    except FileReplacedError as exc:
        row.error = exc.reason
        return Examined(row)
    except OSError as exc:
        row.error = f"cannot read: {exc.strerror or exc}"
        return Examined(row)
    row.md5, row.sha1, row.sha256, row.size = digests.md5, digests.sha1, digests.sha256, digests.size
    try:
        detected = sniff(_head(entry.evidence_file, data))
    except OSError as exc:
        row.error = f"cannot read: {exc.strerror or exc}"
        return Examined(row)
    row.format = detected
    row.extension_mismatch = extension_mismatch(row.extension, detected)
    if detected is None:
        if row.extension in IMAGE_EXTENSIONS:
            row.error = f"not an image: the content is no known image format although the name ends in .{row.extension}"
        else:
            row.status = "other"
        return Examined(row)
    return _decode(row, data, entry.evidence_file if data is None else data, settings, wanted)


def _decode(
    row: FileRow,
    data: bytes | None,
    source: bytes | Path | EvidenceFile,
    settings: ExamineSettings,
    wanted: tuple[str, ...] | None,
) -> Examined:
    preparers = [(name, p) for name, p in settings.preparers if wanted is None or name in wanted]
    try:
        decoded = decode_image(
            source,
            draft_size=settings.draft_size,
            max_pixels=settings.max_pixels,
            keep_pixels=any(preparer.needs.image for _, preparer in preparers),
            allow_truncated=settings.allow_truncated,
        )
    except UnreadableImage as exc:
        row.error = exc.reason
        return Examined(row)
    apply_decoded(row, decoded)
    source_for_analyzers = AnalysisInput(decoded.image, data, row.format, row.width, row.height, row.exif)
    inputs: dict[str, np.ndarray] = {}
    for name, preparer in preparers:
        try:
            prepared = preparer.prepare(source_for_analyzers)
        except (OSError, ValueError, MemoryError) as exc:
            row.warnings.append(f"could not prepare the image for the {name} analyzer: {exc}")
            continue
        if prepared is not None:
            inputs[name] = prepared
    return Examined(row, inputs)


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
