"""The pipeline's record types: the plain data that walking, examining and the analyzers hand to the store.

They live outside db/ (which writes them and owns all SQL) and outside services/ (which make them), and they are
the one declaration of a row: the Ray executor's Arrow schema and its encoding are derived from these fields'
types (`wire_kind`), for FileRow and for every analyzer's output record alike, so a new field travels on the Ray
path as it does on the local one.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, Literal, TypeVar

WireKind = Literal["text", "bytes", "int", "float", "bool", "json"]
R = TypeVar("R")


@dataclass
class PredictionRow:
    rank: int
    wnid: str
    label: str
    score: float


@dataclass
class Classification:
    """The ImageNet analyzer's output for one image: its top-k labels and pooled CNN features."""

    predictions: list[PredictionRow]
    embedding: bytes  # float16 little-endian
    embedding_dim: int


@dataclass
class PerceptualHashes:
    """The perceptual analyzer's output for one image: hashes as lower-case hex, most significant bit first."""

    phash: str  # 64 bits, imagehash's pHash
    phash_variants: str  # the pHashes of the 7 other dihedral transforms, concatenated (rotate 90/180/270, flips)
    dhash: str  # 64 bits
    pdq: str  # 256 bits
    pdq_quality: int  # 0-100
    featureless: bool  # never grouped by hash
    thumbnail_distance: int | None  # pHash bits between the EXIF thumbnail and the picture; None: no thumbnail
    thumbnail_mismatch: bool


@dataclass
class OcrWord:
    """One word Tesseract read: its text, confidence (0-100) and box in the picture as shown (EXIF-oriented),
    in pixels of the picture at its full displayed size."""

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int


@dataclass
class OcrText:
    """The OCR analyzer's output for one image: whether it was read and why (or why not), and what it says."""

    read: bool  # False: the selection passed it by (`reason` says why); text and words are then empty
    reason: str  # which rule chose or passed it by: "screenshot", "document", "text-like", "all", "no text-like"
    screenshot: bool  # the picture looks like a device screenshot (ocr.screenshot_reason says by what)
    text: str  # lines as Tesseract read them, joined with newlines
    confidence: float | None  # mean word confidence, 0-100; None when no word was read
    words: list[OcrWord]
    languages: str  # the Tesseract languages it was read with, e.g. "eng+deu"
    rotation: int  # degrees the picture was turned for reading (0, 90, 180, 270)


@dataclass
class Face:
    """One face BlazeFace found: box and landmarks as fractions (0-1) of the picture as shown (EXIF-oriented)."""

    score: float
    left: float
    top: float
    width: float
    height: float
    landmarks: list[list[float]]  # [x, y] of: right eye, left eye, nose tip, mouth, right ear, left ear
    roll: float  # degrees the eyes' line is turned from level: what an aligned crop for matching rotates by


@dataclass
class Faces:
    """The face analyzer's output for one image: every face found (none is a result too)."""

    count: int
    faces: list[Face]


@dataclass
class FileRow:
    """Everything learnt about one file in a run: the plain data the pipeline hands to the store."""

    path: str
    path_bytes: bytes
    extension: str
    size: int
    mtime_ns: int
    mtime: str
    ctime: str
    atime: str
    status: str  # image | unprocessed | other
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    format: str | None = None
    extension_mismatch: bool = False
    error: str | None = None
    width: int | None = None
    height: int | None = None
    """As stored: before EXIF orientation and HEIF's irot."""
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)
    exif: dict[str, Any] | None = None  # EXIF_COLUMNS plus "tags", "sources" and "conflicts" (JSON-serialisable)
    display_width: int | None = None
    display_height: int | None = None
    """As shown: after the EXIF or XMP orientation and HEIF's irot."""


def _unwrap(annotation: Any) -> Any:
    """`X` of `X | None`; any other annotation as it is."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def wire_kind(annotation: Any) -> WireKind:
    """How a field of this type travels between processes: text (UTF-8 with surrogates kept), bytes, int, float,
    bool, or JSON for anything structured. `X | None` travels as X, with None as a null."""
    simple: dict[Any, WireKind] = {str: "text", bytes: "bytes", bool: "bool", int: "int", float: "float"}
    return simple.get(_unwrap(annotation), "json")


@cache
def wire_kinds(record_type: type) -> dict[str, WireKind]:
    """Each field of a record dataclass with its wire kind, in declaration order."""
    hints = typing.get_type_hints(record_type)
    return {item.name: wire_kind(hints[item.name]) for item in fields(record_type)}  # type: ignore[arg-type]


def _revive(annotation: Any, value: Any) -> Any:
    """JSON data back into the annotated type where that is a record (or a list of records)."""
    annotation = _unwrap(annotation)
    if value is None:
        return None
    if typing.get_origin(annotation) is list and typing.get_args(annotation):
        (item,) = typing.get_args(annotation)
        return [_revive(item, element) for element in value]
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        return annotation(**{name: _revive(hints[name], element) for name, element in value.items()})
    return value


def to_wire(record: Any) -> dict[str, Any]:
    """A record as plain values for another process: text as UTF-8 bytes (a name from a disk need not be valid
    Unicode), structured fields as JSON text (ASCII: lone surrogates are escaped, and json.loads restores them)."""
    wire: dict[str, Any] = {}
    for name, kind in wire_kinds(type(record)).items():
        value = getattr(record, name)
        if kind == "text" and value is not None:
            value = value.encode("utf-8", "surrogatepass")
        elif kind == "json" and value is not None:
            value = to_json(value)
        wire[name] = value
    return wire


def from_wire(record_type: type[R], wire: dict[str, Any]) -> R:
    hints = typing.get_type_hints(record_type)
    values: dict[str, Any] = {}
    for name, kind in wire_kinds(record_type).items():
        value = wire[name]
        if kind == "text" and value is not None:
            value = value.decode("utf-8", "surrogatepass")
        elif kind == "json" and value is not None:
            value = _revive(hints[name], json.loads(value))
        values[name] = value
    return record_type(**values)


def to_json(value: Any) -> str:
    """A structured field (records and lists of them included) as the JSON text it travels as."""
    return json.dumps(_plain(value))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(element) for element in value]
    return value
