"""EXIF from evidence images: the fields an examiner asks for first, and every tag as JSON-ready values.

EXIF comes from hostile files, so nothing here raises on bad data: a tag that cannot be read is skipped and
a warning says so, and broken GPS leaves the coordinates empty rather than wrong.

The raw EXIF block (a small TIFF file) is parsed by piexif. piexif trusts the counts in the file, and a
single 12-byte entry claiming four billion values would make it build a four-gigabyte struct format, so the
block's layout is checked first (_scan_layout: every IFD and every value inside the block). When the check
finds a problem, or piexif raises anyway, the entries that passed the check are decoded directly by their
TIFF type and the others are skipped with a warning. (Pillow's Exif parser is no better a fallback: one
oversized entry makes it drop the rest of its IFD.) Pillow reads only what has no usable IFD0 at all, and
TIFF images, whose tags live in the file's own IFDs rather than in a block.

Value conventions in ExifInfo.tags:
- rationals are [numerator, denominator] lists, several rationals a list of those: exact, never divided, so a
  zero denominator is kept as evidence instead of raising;
- ASCII strings: NULs stripped from the ends, whitespace kept; UTF-8 if valid, else Latin-1 when that gives
  printable text; several NUL-separated strings (TIFF allows them) become a list of strings;
- other bytes are text when they are printable UTF-8, else {"hex": first 256 bytes, "length": full length};
- sequences longer than 256 values become {"values": the first 256, "count": full count};
- tags piexif does not know are decoded from the checked layout by their TIFF type and named
  "0xNNNN" when Pillow does not know them either;
- floats that are not finite become the strings "nan", "inf", "-inf" (JSON has no such numbers).
"""

import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import piexif
from PIL import ExifTags, Image, TiffImagePlugin

from cbis.ingest._text import escape_unprintable, is_plain_text

MAX_BINARY_BYTES = 256
"""Binary values (MakerNote, thumbnails in odd places) keep at most this many bytes as hex, plus their length."""
MAX_TEXT_CHARACTERS = 65_536
"""Longer strings are cut (with a warning): a TIFF can carry megabytes in one tag, and this goes in a database."""
MAX_SEQUENCE_VALUES = 256
"""Longer sequences (TIFF StripOffsets, ColorMap) keep their first values and their count."""

# Group names in ExifInfo.tags, in piexif's order, with piexif's IFD name and the tag table that names them.
_GROUPS = (("Image", "0th"), ("Exif", "Exif"), ("GPS", "GPS"), ("Interop", "Interop"), ("1st", "1st"))
_NAME_TABLE = {"Image": "Image", "Exif": "Exif", "GPS": "GPS", "Interop": "Interop", "1st": "Image"}

_EXIF_POINTER = 0x8769
_GPS_POINTER = 0x8825
_INTEROP_POINTER = 0xA005
_ORIENTATION = 0x0112

# TIFF field types: (name, bytes per value, struct code of one value).
_TIFF_TYPES = {
    1: ("BYTE", 1, "B"),
    2: ("ASCII", 1, ""),
    3: ("SHORT", 2, "H"),
    4: ("LONG", 4, "L"),
    5: ("RATIONAL", 8, "LL"),
    6: ("SBYTE", 1, "b"),
    7: ("UNDEFINED", 1, ""),
    8: ("SSHORT", 2, "h"),
    9: ("SLONG", 4, "l"),
    10: ("SRATIONAL", 8, "ll"),
    11: ("FLOAT", 4, "f"),
    12: ("DOUBLE", 8, "d"),
}
_ASCII = 2
_UNDEFINED = 7
_RATIONAL_TYPES = frozenset({5, 10})


@dataclass
class ExifInfo:
    make: str | None = None
    model: str | None = None
    software: str | None = None
    datetime_original: str | None = None
    """ISO 8601 "YYYY-MM-DDTHH:MM:SS", plus "+HH:MM" when OffsetTimeOriginal gives one."""
    datetime_digitized: str | None = None
    """Same, with OffsetTimeDigitized (exiftool calls it CreateDate)."""
    modify_date: str | None = None
    """DateTime (0x0132 in IFD0, exiftool's ModifyDate), with OffsetTime: when the file was last changed."""
    gps_latitude: float | None = None
    """Signed decimal degrees, south negative."""
    gps_longitude: float | None = None
    """Signed decimal degrees, west negative."""
    gps_altitude: float | None = None
    """Metres, negative below sea level (GPSAltitudeRef 1)."""
    orientation: int | None = None
    """The EXIF orientation tag (1-8) as the file records it."""
    lens_model: str | None = None
    body_serial: str | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    """Every tag, grouped by IFD ("Image", "Exif", "GPS", "Interop", "1st"), by readable name; JSON-ready.
    metadata.read_metadata adds "XMP" (every XMP property) and "MakerNote" (the maker-note values read)."""
    sources: dict[str, str] = field(default_factory=dict)
    """Where each summary field's value came from (set by metadata.read_metadata): "EXIF", "XMP (property)" or
    "MakerNote (maker)"."""
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Summary fields whose sources disagree: field -> {source: its value}, every source's value kept."""
    warnings: list[str] = field(default_factory=list)


class Rational(NamedTuple):
    numerator: int
    denominator: int


class _AsciiBytes(bytes):
    """Bytes from a field of TIFF type ASCII, as opposed to UNDEFINED or BYTE bytes."""


@dataclass
class _Entry:
    tag: int
    type: int
    count: int
    raw: bytes
    offset: int = 0
    """Where `raw` starts in the block (maker notes count their offsets from the block's start)."""


@dataclass
class _Layout:
    """Where the IFDs of an EXIF block are and what they hold, checked against the block's length."""

    byte_order: str = "<"
    groups: dict[str, dict[int, _Entry]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


# Raw tag values of one group, by tag number: int, float, bytes, _AsciiBytes, Rational, or tuples of these.
_RawGroups = dict[str, dict[int, Any]]


def read_exif(source: Image.Image | bytes) -> ExifInfo:
    """EXIF of an opened Pillow image (no second file read), or of a raw EXIF block ("Exif\\0\\0" optional).

    For HEIF, pillow-heif resets the Orientation tag to 1 when it opens the file (libheif has already applied
    the container's rotation to the pixels) and keeps the original in info["original_orientation"]; the
    value the file recorded is reported here. (When the EXIF says 1 and only XMP says otherwise, pillow-heif's
    value comes from the XMP; that rare case is reported as pillow-heif gives it.)
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return exif_from_block(bytes(source))
    image = source
    block = exif_block_of(image)
    if block is not None:
        info = exif_from_block(block)
    elif isinstance(image, TiffImagePlugin.TiffImageFile):
        info = ExifInfo()
        try:
            tiff_exif = image.getexif()
        except Exception as exc:  # Pillow re-reads the file's IFDs here; a broken one raises anything
            info.warnings.append(f"EXIF: the TIFF's tags could not be read ({type(exc).__name__}: {exc})")
        else:
            byte_order = "<" if getattr(image.tag_v2, "_endian", "<") == "<" else ">"
            _fill(info, _groups_from_pillow(tiff_exif, info.warnings), byte_order=byte_order)
    else:
        info = ExifInfo()
    if "original_orientation" in image.info:
        _report_original_heif_orientation(info, image.info["original_orientation"])
    return info


def exif_from_block(block: bytes) -> ExifInfo:
    """Parse a raw EXIF block: a TIFF header and IFDs, optionally after the "Exif\\0\\0" APP1 prefix."""
    info = ExifInfo()
    tiff = re.sub(rb"^(Exif\x00\x00)+", b"", block)
    if not tiff:
        return info
    layout = _scan_layout(tiff)
    info.warnings += [f"EXIF: {problem}; skipped" for problem in layout.problems]
    groups: _RawGroups | None = None
    if layout.groups and not layout.problems:
        try:
            groups = _groups_from_piexif(tiff, layout)
        except Exception as exc:  # piexif raises whatever struct, slicing or its own checks raise
            info.warnings.append(
                f"EXIF: piexif could not parse the block ({type(exc).__name__}: {exc}); decoded entry by entry instead"
            )
    if groups is None and layout.groups:
        # Every entry that passed the layout check, decoded by its TIFF type; the ones that failed are
        # the warnings above.
        groups = {
            group: {tag: _decode_entry(entry, layout.byte_order) for tag, entry in entries.items()}
            for group, entries in layout.groups.items()
        }
    if groups is None:
        # Not even IFD0 could be found; Pillow is the last resort.
        exif = Image.Exif()
        try:
            exif.load(tiff)
            groups = _groups_from_pillow(exif, info.warnings)
        except Exception as exc:  # Pillow raises SyntaxError, struct.error, ValueError... on broken headers
            info.warnings.append(f"EXIF: unreadable block ({type(exc).__name__}: {exc}); no tags read")
            return info
    _fill(info, groups, byte_order=layout.byte_order)
    return info


def exif_block_of(image: Image.Image) -> bytes | None:
    """The raw EXIF block an opened image carries (JPEG APP1, PNG eXIf or text, WebP, HEIF...); None for TIFF,
    whose tags are the file's own IFDs."""
    block = image.info.get("exif")
    if isinstance(block, bytes) and block:
        return block
    # ImageMagick writes EXIF into PNG text chunks as hex (Pillow's getexif reads the same thing).
    raw_profile = image.info.get("Raw profile type exif")
    if isinstance(raw_profile, str):
        try:
            return bytes.fromhex("".join(raw_profile.split("\n")[3:]))
        except ValueError:
            return None
    return None


def _report_original_heif_orientation(info: ExifInfo, original: object) -> None:
    image_tags = info.tags.get("Image", {})
    if original is None:
        # pillow-heif gives None when the tag was absent or already 1; either way the parsed value stands.
        return
    if isinstance(original, int) and 1 <= original <= 8:
        info.orientation = original
        if "Orientation" in image_tags:
            image_tags["Orientation"] = original


# -- Layout check -------------------------------------------------------------------------------------------


def _scan_layout(tiff: bytes) -> _Layout:
    layout = _Layout()
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        layout.problems.append("no TIFF header (expected II or MM)")
        return layout
    layout.byte_order = "<" if tiff[:2] == b"II" else ">"
    (magic,) = struct.unpack(layout.byte_order + "H", tiff[2:4])
    if magic != 42:
        layout.problems.append(f"TIFF header magic is {magic}, not 42")
        return layout
    (first_ifd,) = struct.unpack(layout.byte_order + "L", tiff[4:8])
    next_ifd = _scan_ifd(tiff, first_ifd, "Image", layout)
    image_entries = layout.groups.get("Image", {})
    for pointer_tag, group, parent in (
        (_EXIF_POINTER, "Exif", image_entries),
        (_GPS_POINTER, "GPS", image_entries),
    ):
        if pointer_tag in parent:
            _scan_pointed_ifd(tiff, parent[pointer_tag], group, layout)
    exif_entries = layout.groups.get("Exif", {})
    if _INTEROP_POINTER in exif_entries:
        _scan_pointed_ifd(tiff, exif_entries[_INTEROP_POINTER], "Interop", layout)
    if next_ifd:
        _scan_ifd(tiff, next_ifd, "1st", layout)
    return layout


def _scan_pointed_ifd(tiff: bytes, pointer: _Entry, group: str, layout: _Layout) -> None:
    if pointer.type not in (3, 4) or pointer.count != 1:
        type_name = _TIFF_TYPES.get(pointer.type, (str(pointer.type), 0))[0]
        layout.problems.append(f"the {group} IFD pointer is {type_name} x{pointer.count}, not one LONG")
        return
    (offset,) = struct.unpack(layout.byte_order + ("H" if pointer.type == 3 else "L"), pointer.raw)
    _scan_ifd(tiff, offset, group, layout)


def _scan_ifd(tiff: bytes, offset: int, group: str, layout: _Layout) -> int:
    """Check one IFD's entries against the block; return the offset of the next IFD (0 if none or broken)."""
    order = layout.byte_order
    if offset < 8 or offset + 2 > len(tiff):
        layout.problems.append(f"the {group} IFD offset {offset} is outside the {len(tiff)}-byte block")
        return 0
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    entries_end = offset + 2 + 12 * count
    if entries_end > len(tiff):
        layout.problems.append(f"the {group} IFD's {count} entries run past the end of the block")
        return 0
    entries: dict[int, _Entry] = {}
    for start in range(offset + 2, entries_end, 12):
        tag, type_code, value_count = struct.unpack(order + "HHL", tiff[start : start + 8])
        value_field = tiff[start + 8 : start + 12]
        if type_code not in _TIFF_TYPES:
            layout.problems.append(f"{group} tag {_tag_label(group, tag)} has unknown type {type_code}")
            continue
        size = value_count * _TIFF_TYPES[type_code][1]
        value_offset = start + 8
        if size <= 4:
            raw = value_field[:size]
        else:
            (value_offset,) = struct.unpack(order + "L", value_field)
            if value_offset + size > len(tiff):
                layout.problems.append(
                    f"{group} tag {_tag_label(group, tag)} claims {size} bytes at offset {value_offset}, "
                    f"past the end of the {len(tiff)}-byte block"
                )
                continue
            raw = tiff[value_offset : value_offset + size]
        entries[tag] = _Entry(tag, type_code, value_count, raw, value_offset)
    layout.groups[group] = entries
    next_ifd = 0
    if entries_end + 4 <= len(tiff):
        (next_ifd,) = struct.unpack(order + "L", tiff[entries_end : entries_end + 4])
    return next_ifd


# -- Raw values from piexif or Pillow ------------------------------------------------------------------------


def _groups_from_piexif(tiff: bytes, layout: _Layout) -> _RawGroups:
    # The block starts with II or MM, so piexif takes it as TIFF data (anything else it would try to open
    # as a file name).
    loaded = piexif.load(tiff)
    groups: _RawGroups = {}
    for group, piexif_name in _GROUPS:
        entries = layout.groups.get(group)
        if entries is None:
            continue
        values = loaded.get(piexif_name) or {}
        raw: dict[int, Any] = {}
        for tag, entry in entries.items():
            if tag not in values:
                # piexif drops tags its tables do not know; the checked layout still has them.
                raw[tag] = _decode_entry(entry, layout.byte_order)
                continue
            value = values[tag]
            if entry.type == _ASCII:
                # piexif drops the last byte of every string, assuming it is the NUL terminator; writers
                # that count only the characters (Kodak's "EASTMAN KODAK COMPANY") would lose a letter.
                value = _AsciiBytes(entry.raw)
            elif entry.type in _RATIONAL_TYPES:
                value = _as_rationals(value)
            raw[tag] = value
        groups[group] = raw
    return groups


def _decode_entry(entry: _Entry, byte_order: str) -> Any:
    if entry.type == _ASCII:
        return _AsciiBytes(entry.raw)
    if entry.type == _UNDEFINED:
        return entry.raw
    code = _TIFF_TYPES[entry.type][2]
    numbers = struct.unpack(f"{byte_order}{code * entry.count}", entry.raw)
    values: tuple[Any, ...] = numbers
    if len(code) == 2:
        values = tuple(Rational(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2))
    return values[0] if len(values) == 1 else values


def _as_rationals(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(part, int) for part in value):
        return Rational(value[0], value[1])
    if isinstance(value, tuple):
        return tuple(_as_rationals(part) for part in value)
    return value


def _groups_from_pillow(exif: Image.Exif, warnings: list[str]) -> _RawGroups:
    groups: _RawGroups = {}
    readers: list[tuple[str, Callable[[], dict[int, Any]]]] = [
        ("Image", lambda: dict(exif)),
        ("Exif", lambda: exif.get_ifd(ExifTags.IFD.Exif)),
        ("GPS", lambda: exif.get_ifd(ExifTags.IFD.GPSInfo)),
        ("Interop", lambda: exif.get_ifd(ExifTags.IFD.Interop)),
        ("1st", lambda: exif.get_ifd(ExifTags.IFD.IFD1)),
    ]
    for group, read_group in readers:
        try:
            values = read_group()
        except Exception as exc:  # Pillow's sub-IFD reader raises struct.error, KeyError, ValueError...
            warnings.append(f"EXIF: the {group} IFD could not be read ({type(exc).__name__}: {exc})")
            continue
        if values or group == "Image":
            groups[group] = {tag: _from_pillow_value(value) for tag, value in values.items()}
    image_group = groups.get("Image", {})
    if _GPS_POINTER in image_group and "GPS" not in groups:
        groups["GPS"] = {}
    return groups


def _from_pillow_value(value: Any) -> Any:
    if isinstance(value, TiffImagePlugin.IFDRational):
        return Rational(value.numerator, value.denominator)
    if isinstance(value, str):
        # Pillow decoded TIFF ASCII as Latin-1, which maps every byte to one character: undo it exactly.
        return _AsciiBytes(value.encode("latin-1", "replace"))
    if isinstance(value, tuple):
        return tuple(_from_pillow_value(part) for part in value)
    return value


# -- Filling ExifInfo ----------------------------------------------------------------------------------------


def _fill(info: ExifInfo, groups: _RawGroups, *, byte_order: str) -> None:
    for group, _piexif_name in _GROUPS:
        if group not in groups:
            continue
        rendered: dict[str, Any] = {}
        for tag in sorted(groups[group]):
            name = _tag_name(group, tag)
            try:
                rendered[name] = _render(name, groups[group][tag], byte_order, info.warnings)
            except Exception as exc:  # one odd value must not cost the other tags
                info.warnings.append(f"{group}: {name} skipped ({type(exc).__name__}: {exc})")
        info.tags[group] = rendered

    image = groups.get("Image", {})
    exif = groups.get("Exif", {})
    info.make = _field_text(image.get(0x010F), "Make", info.warnings)
    info.model = _field_text(image.get(0x0110), "Model", info.warnings)
    info.software = _field_text(image.get(0x0131), "Software", info.warnings)
    info.lens_model = _field_text(exif.get(0xA434), "LensModel", info.warnings)
    info.body_serial = _field_text(exif.get(0xA431), "BodySerialNumber", info.warnings)
    info.orientation = _orientation(image.get(_ORIENTATION), info.warnings)
    info.datetime_original = _timestamp(exif, 0x9003, 0x9011, "DateTimeOriginal", info.warnings)
    info.datetime_digitized = _timestamp(exif, 0x9004, 0x9012, "DateTimeDigitized", info.warnings)
    # DateTime is in IFD0 and its OffsetTime in the Exif IFD.
    modified = {tag: value for tag, value in ((0x0132, image.get(0x0132)), (0x9010, exif.get(0x9010))) if value}
    info.modify_date = _timestamp(modified, 0x0132, 0x9010, "DateTime", info.warnings)
    if "GPS" in groups:
        _fill_gps(info, groups["GPS"], pointer_present=_GPS_POINTER in image)


def _tag_name(group: str, tag: int) -> str:
    known = piexif.TAGS[_NAME_TABLE[group]].get(tag)
    if known is not None:
        return str(known["name"])
    pillow_names = ExifTags.GPSTAGS if group == "GPS" else ExifTags.TAGS
    return pillow_names.get(tag, f"0x{tag:04X}")


def _tag_label(group: str, tag: int) -> str:
    name = _tag_name(group, tag)
    return name if name.startswith("0x") else f"0x{tag:04X} ({name})"


def _render(name: str, value: Any, byte_order: str, warnings: list[str]) -> Any:
    if isinstance(value, Rational):
        return [value.numerator, value.denominator]
    if isinstance(value, _AsciiBytes):
        return _ascii_value(value.rstrip(b"\x00"), name, warnings)
    if isinstance(value, bytes):
        if name == "UserComment":
            return _user_comment(value, byte_order, name, warnings)
        if name.startswith("XP"):
            return _windows_text(value, name, warnings)
        return _bytes_value(value, name, warnings)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, tuple):
        if name.startswith("XP") and all(isinstance(part, int) for part in value):
            return _windows_text(bytes(part & 0xFF for part in value), name, warnings)
        items = [_render(name, part, byte_order, warnings) for part in value[:MAX_SEQUENCE_VALUES]]
        if len(value) > MAX_SEQUENCE_VALUES:
            return {"values": items, "count": len(value)}
        return items
    return escape_unprintable(str(value))


def _binary(raw: bytes) -> dict[str, Any]:
    return {"hex": raw[:MAX_BINARY_BYTES].hex(), "length": len(raw)}


def _cut(text: str, name: str, warnings: list[str]) -> str:
    if len(text) <= MAX_TEXT_CHARACTERS:
        return text
    warnings.append(f"EXIF: {name} is {len(text)} characters long; kept the first {MAX_TEXT_CHARACTERS}")
    return text[:MAX_TEXT_CHARACTERS]


def _decode_text(raw: bytes) -> tuple[str, bool] | None:
    """(text, was_latin1) when `raw` reads as plain text in UTF-8, or failing that in Latin-1; else None."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Older cameras and Windows software wrote Latin-1 / cp1252; Latin-1 never fails, so the plain-text
        # test below is what keeps real binary out.
        latin1 = raw.decode("latin-1")
        return (latin1, True) if is_plain_text(latin1) else None
    return (text, False) if is_plain_text(text) else None


def _ascii_value(raw: bytes, name: str, warnings: list[str]) -> Any:
    parts = [part for part in raw.strip(b"\x00").split(b"\x00") if part]
    texts: list[str] = []
    for part in parts:
        decoded = _decode_text(part)
        if decoded is None:
            return _binary(raw)
        texts.append(_cut(decoded[0], name, warnings))
    if not texts:
        return ""
    return texts[0] if len(texts) == 1 else texts


def _bytes_value(raw: bytes, name: str, warnings: list[str]) -> Any:
    stripped = raw.strip(b"\x00")
    if stripped and b"\x00" not in stripped:
        try:
            text = stripped.decode("utf-8")
        except UnicodeDecodeError:
            return _binary(raw)
        if is_plain_text(text):
            return _cut(text, name, warnings)
    return _binary(raw)


def _user_comment(raw: bytes, byte_order: str, name: str, warnings: list[str]) -> Any:
    # EXIF UserComment: an 8-byte character-code header, then the text in that code.
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        # EXIF 2.3 says UCS-2 in the block's byte order; some writers add a byte-order mark.
        encoding = (
            "utf-16" if body[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-16-le" if byte_order == "<" else "utf-16-be")
        )
        try:
            text = body.decode(encoding).strip("\x00")
        except UnicodeDecodeError:
            return _binary(raw)
        return _cut(text, name, warnings) if is_plain_text(text) else _binary(raw)
    if code.startswith(b"JIS"):
        try:
            text = body.decode("shift_jis").strip("\x00")
        except UnicodeDecodeError:
            return _binary(raw)
        return _cut(text, name, warnings) if is_plain_text(text) else _binary(raw)
    if code.startswith(b"ASCII") or code == b"\x00" * 8:
        stripped = body.strip(b"\x00")
        if not stripped:
            return ""
        decoded = _decode_text(stripped)
        return _cut(decoded[0], name, warnings) if decoded else _binary(raw)
    return _bytes_value(raw, name, warnings)


def _windows_text(raw: bytes, name: str, warnings: list[str]) -> Any:
    # XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject: UTF-16LE written by Windows Explorer.
    try:
        text = raw.decode("utf-16-le").strip("\x00")
    except UnicodeDecodeError:
        return _binary(raw)
    return _cut(text, name, warnings) if is_plain_text(text) else _binary(raw)


def _field_text(value: Any, name: str, warnings: list[str]) -> str | None:
    """A summary string field (Make, Model...): first NUL-separated string, trimmed, always printable."""
    if value is None:
        return None
    if not isinstance(value, bytes):
        warnings.append(f"EXIF: {name} is a {type(value).__name__}, not text; left empty")
        return None
    parts = [part for part in value.split(b"\x00") if part.strip()]
    if not parts:
        return None
    if len(parts) > 1:
        warnings.append(f"EXIF: {name} holds {len(parts)} NUL-separated strings; kept the first")
    raw = parts[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        warnings.append(f"EXIF: {name} is not valid UTF-8; decoded as Latin-1")
    text = text.strip()
    shown = escape_unprintable(text)
    if shown != text:
        warnings.append(f"EXIF: {name} contains unprintable characters; shown escaped")
    if len(shown) > MAX_TEXT_CHARACTERS:
        warnings.append(f"EXIF: {name} is {len(shown)} characters long; kept the first {MAX_TEXT_CHARACTERS}")
        shown = shown[:MAX_TEXT_CHARACTERS]
    return shown or None


def _orientation(value: Any, warnings: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8:
        return value
    warnings.append(f"EXIF: Orientation {value!r} is not 1-8; ignored")
    return None


_TIMESTAMP = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"[+-](\d{2}):(\d{2})")


def _timestamp(exif: dict[int, Any], tag: int, offset_tag: int, name: str, warnings: list[str]) -> str | None:
    text = _plain_ascii(exif.get(tag))
    if text is None:
        if tag in exif:
            warnings.append(f"EXIF: {name} is not ASCII text; left empty")
        return None
    if not text.strip(" :"):
        return None  # the standard's way of saying "unknown"
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        warnings.append(f"EXIF: {name} {escape_unprintable(text)!r} is not a date and time; left empty")
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        warnings.append(f"EXIF: {name} {text!r} is not a valid date and time; left empty")
        return None
    iso = moment.isoformat()
    offset = _plain_ascii(exif.get(offset_tag))
    if offset and offset.strip(" :"):
        offset_match = _OFFSET.fullmatch(offset)
        if offset_match and int(offset_match[1]) <= 23 and int(offset_match[2]) <= 59:
            iso += offset
        else:
            offset_name = _tag_name("Exif", offset_tag)
            warnings.append(f"EXIF: {offset_name} {escape_unprintable(offset)!r} is not +HH:MM; not applied")
    return iso


def _plain_ascii(value: Any) -> str | None:
    if not isinstance(value, bytes):
        return None
    try:
        return value.strip(b"\x00").decode("ascii").strip()
    except UnicodeDecodeError:
        return None


# -- GPS -----------------------------------------------------------------------------------------------------


class _GpsProblem(Exception):
    pass


def _fill_gps(info: ExifInfo, gps: dict[int, Any], *, pointer_present: bool) -> None:
    if not gps:
        if pointer_present:
            info.warnings.append("GPS: the GPS IFD is empty; no coordinates")
        return
    latitude_present, longitude_present = 0x0002 in gps, 0x0004 in gps
    if latitude_present or longitude_present:
        try:
            if not (latitude_present and longitude_present):
                missing = "GPSLongitude" if latitude_present else "GPSLatitude"
                raise _GpsProblem(f"{missing} is missing")
            latitude = _coordinate(gps, 0x0002, 0x0001, "GPSLatitude", {"N": 1, "S": -1}, 90.0)
            longitude = _coordinate(gps, 0x0004, 0x0003, "GPSLongitude", {"E": 1, "W": -1}, 180.0)
        except _GpsProblem as problem:
            info.warnings.append(f"GPS: {problem}; coordinates left empty")
        else:
            info.gps_latitude, info.gps_longitude = latitude, longitude
    if 0x0006 in gps:
        try:
            info.gps_altitude = _altitude(gps)
        except _GpsProblem as problem:
            info.warnings.append(f"GPS: {problem}; altitude left empty")


def _rational_value(value: Any, name: str) -> float:
    if not isinstance(value, Rational):
        raise _GpsProblem(f"{name} holds {type(value).__name__} values, not rationals")
    if value.denominator == 0:
        raise _GpsProblem(f"zero denominator in {name}")
    if value.numerator < 0 or value.denominator < 0:
        raise _GpsProblem(f"negative rational in {name}")
    return value.numerator / value.denominator


def _coordinate(gps: dict[int, Any], tag: int, ref_tag: int, name: str, signs: dict[str, int], limit: float) -> float:
    value = gps[tag]
    parts = (value,) if isinstance(value, Rational) else value
    if not isinstance(parts, tuple) or not 1 <= len(parts) <= 3:
        raise _GpsProblem(f"{name} is {type(value).__name__}, not 1-3 rationals")
    # Degrees, minutes, seconds; writers that use decimal degrees or decimal minutes leave the rest 0/1.
    magnitude = sum(_rational_value(part, name) / 60**index for index, part in enumerate(parts))
    ref_name = _tag_name("GPS", ref_tag)
    if ref_tag not in gps:
        raise _GpsProblem(f"{ref_name} is missing, so the hemisphere is unknown")
    ref = _plain_ascii(gps[ref_tag])
    if ref is None or ref.upper() not in signs:
        raise _GpsProblem(f"{ref_name} {_render(ref_name, gps[ref_tag], '<', [])!r} is not one of {sorted(signs)}")
    if magnitude > limit:
        raise _GpsProblem(f"{name} {magnitude:.6f} exceeds {limit:g} degrees")
    return signs[ref.upper()] * magnitude


def _altitude(gps: dict[int, Any]) -> float:
    value = gps[0x0006]
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    altitude = _rational_value(value, "GPSAltitude")
    ref = gps.get(0x0005, 0)
    if isinstance(ref, bytes) and len(ref) == 1:
        ref = ref[0]
    if isinstance(ref, tuple) and len(ref) == 1:
        ref = ref[0]
    # The standard's default reference is 0, above sea level.
    if ref == 1:
        return -altitude
    if ref == 0:
        return altitude
    raise _GpsProblem(f"GPSAltitudeRef {ref!r} is neither 0 nor 1")


@dataclass(frozen=True)
class MakerNoteBlock:
    """The MakerNote tag's bytes, where they sit in the TIFF block, the block itself and IFD0's Make."""

    note: bytes
    offset: int
    tiff: bytes
    byte_order: str
    make: str


def maker_note_of(block: bytes) -> MakerNoteBlock | None:
    """The maker note of a raw EXIF block, after the same layout check read_exif makes; None if there is none."""
    tiff = re.sub(rb"^(Exif\x00\x00)+", b"", block)
    layout = _scan_layout(tiff)
    note = layout.groups.get("Exif", {}).get(0x927C)
    if note is None or note.type not in (_UNDEFINED, 1) or not note.raw:
        return None
    make_entry = layout.groups.get("Image", {}).get(0x010F)
    make = ""
    if make_entry is not None and make_entry.type == _ASCII:
        make = make_entry.raw.split(b"\x00", 1)[0].decode("latin-1").strip()
    return MakerNoteBlock(note.raw, note.offset, tiff, layout.byte_order, make)
