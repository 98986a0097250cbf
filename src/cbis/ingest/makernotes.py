"""Maker notes (EXIF tag 0x927C): the few values in them that cbis's summary fields need, where EXIF has none.

exiftool found 8 such values in issue 13's comparison, in Reconyx, Olympus and Nikon maker notes: trail cameras
write the date and the body serial nowhere else, and Olympus and Nikon bodies keep their serial and lens there.
cbis reads what exiftool and ExifRead (ianare/exif-py) read for these, and nothing more:

- Nikon type 3 ("Nikon\\0\\x02" and an embedded TIFF header; offsets from that header): 0x001D SerialNumber,
  0x0084 Lens (min and max focal length, f-number at each; shown as exiftool's "18-70mm f/3.5-4.5").
- Olympus ("OLYMPUS\\0II" or "OM SYSTEM\\0", offsets from the note; older "OLYMP\\0", offsets from the TIFF
  header): in the Equipment IFD (0x2010), 0x0101 SerialNumber and 0x0203 LensModel.
- Reconyx HyperFire (starts 0x01 0xF1, a fixed layout of 16-bit words, ExifTool's Reconyx.pm): DateTimeOriginal
  (words 11-16: second, minute, hour, month, day, year), SerialNumber (UTF-16, words 21-35), firmware, event,
  temperatures, battery voltage and user label.

Why not ExifRead itself: on the sample photos it does not follow Olympus's Equipment IFD (so no serial), has no
Reconyx table at all, and names some Nikon tags wrongly for these bodies (it calls 0x000A "LensMount"), so
it would bring a dependency without the values. The layouts above are small, documented, and checked against
exiftool 12.57 on real files (tests/ingest/test_makernotes.py).

Maker notes are hostile input like the rest: every offset and count is checked against the note's bytes, an
IFD may have at most MAX_ENTRIES entries, and a problem costs only a warning.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cbis.ingest._text import escape_unprintable, is_plain_text
from cbis.ingest.exif import MakerNoteBlock, maker_note_of

MAX_ENTRIES = 512
"""An IFD claiming more entries is not read: real maker-note IFDs have at most a few hundred."""

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_ASCII, _LONG, _RATIONAL, _IFD = 2, 4, 5, 13


@dataclass
class MakerNoteInfo:
    maker: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    """Summary fields (metadata.SUMMARY_FIELDS names) the maker note gives."""
    tags: dict[str, Any] = field(default_factory=dict)
    """The maker-note values read, by exiftool's names, JSON-ready (the "MakerNote" group of the tags)."""
    warnings: list[str] = field(default_factory=list)


class _Broken(Exception):
    pass


def read_maker_note(block: bytes | None) -> MakerNoteInfo:
    """The maker note of a raw EXIF block, for the makers above; an empty MakerNoteInfo for others. Never raises."""
    if not block:
        return MakerNoteInfo()
    try:
        found = maker_note_of(block)
    except Exception:  # the EXIF reader has already warned about a block this broken
        return MakerNoteInfo()
    if found is None:
        return MakerNoteInfo()
    note = found.note
    if note.startswith(b"\x01\xf1"):
        reader, maker = _reconyx_hyperfire, "Reconyx HyperFire"
    elif note.startswith(b"Nikon\x00\x02"):
        reader, maker = _nikon, "Nikon"
    elif note.startswith((b"OLYMPUS\x00", b"OM SYSTEM\x00", b"OLYMP\x00")):
        reader, maker = _olympus, "Olympus"
    else:
        return MakerNoteInfo()
    info = MakerNoteInfo(maker=maker)
    try:
        reader(found, info)
    except (_Broken, struct.error, ValueError, IndexError) as exc:
        info.warnings.append(f"MakerNote: the {maker} maker note is damaged ({exc}); values after the damage not read")
    if info.tags:
        info.tags = {"Maker": maker, **info.tags}
    return info


# -- Reconyx ------------------------------------------------------------------------------------------------


def _reconyx_hyperfire(found: MakerNoteBlock, info: MakerNoteInfo) -> None:
    note = found.note
    if len(note) < 0x2B * 2:
        raise _Broken(f"{len(note)} bytes, fewer than the HyperFire layout's {0x2B * 2}")
    words = struct.unpack(f"<{len(note) // 2}H", note[: len(note) // 2 * 2])
    info.tags["MakerNoteVersion"] = f"0x{words[0]:04x}"
    info.tags["FirmwareVersion"] = f"{words[1]}.{words[2]}.{words[3]}"
    info.tags["FirmwareDate"] = f"{words[4]:04x}-{words[5] >> 8:02x}-{words[5] & 0xFF:02x}"
    info.tags["EventNumber"] = (words[9] << 16) + words[10]
    second, minute, hour, month, day, year = words[11:17]
    try:
        taken = datetime(year, month, day, hour, minute, second).isoformat()
    except ValueError:
        info.warnings.append(
            f"MakerNote: Reconyx DateTimeOriginal {year}-{month}-{day} {hour}:{minute}:{second} is not a date; ignored"
        )
    else:
        info.tags["DateTimeOriginal"] = taken
        info.values["datetime_original"] = taken
    info.tags["AmbientTemperatureFahrenheit"] = struct.unpack("<h", note[0x13 * 2 : 0x13 * 2 + 2])[0]
    info.tags["AmbientTemperature"] = struct.unpack("<h", note[0x14 * 2 : 0x14 * 2 + 2])[0]
    serial = _text(note[0x15 * 2 : 0x15 * 2 + 30].decode("utf-16-le", "replace"))
    if serial:
        info.tags["SerialNumber"] = serial
        info.values["body_serial"] = serial
    info.tags["BatteryVoltage"] = words[0x2A] / 1000
    label = _text(note[0x2B * 2 : 0x2B * 2 + 22].decode("latin-1"))
    if label:
        info.tags["UserLabel"] = label


# -- Nikon --------------------------------------------------------------------------------------------------


def _nikon(found: MakerNoteBlock, info: MakerNoteInfo) -> None:
    note = found.note
    # "Nikon\0", two version bytes, two more, then a TIFF header whose offsets the IFD's values use.
    tiff = note[10:]
    order = _tiff_order(tiff)
    (first,) = struct.unpack(order + "L", tiff[4:8])
    entries = _ifd(tiff, first, order)
    serial = _ascii(entries.get(0x001D))
    if serial:
        info.tags["SerialNumber"] = serial
        info.values["body_serial"] = serial
    lens = entries.get(0x0084)
    if lens is not None and lens[0] == _RATIONAL and lens[1] == 4:
        numbers = struct.unpack(order + "8L", lens[2])
        values = [numbers[i] / numbers[i + 1] if numbers[i + 1] else None for i in range(0, 8, 2)]
        text = _lens_text(values)
        if text:
            info.tags["Lens"] = text
            info.values["lens_model"] = text


def _lens_text(values: list[float | None]) -> str | None:
    """exiftool's PrintLensInfo: "18-70mm f/3.5-4.5", "100mm f/2.8"; None when the focal length is unknown."""
    short, long, aperture_short, aperture_long = values
    if not short:
        return None
    text = f"{short:g}"
    if long and long != short:
        text += f"-{long:g}"
    text += "mm"
    if aperture_short:
        text += f" f/{aperture_short:.1f}"
        if aperture_long and aperture_long != aperture_short:
            text += f"-{aperture_long:.1f}"
    return text


# -- Olympus ------------------------------------------------------------------------------------------------


def _olympus(found: MakerNoteBlock, info: MakerNoteInfo) -> None:
    note = found.note
    if note.startswith(b"OLYMP\x00"):
        # The old format: an IFD after 8 bytes, offsets from the EXIF block's TIFF header.
        data, order, first = found.tiff, found.byte_order, found.offset + 8
    else:
        start = 12 if note.startswith(b"OLYMPUS\x00") else 16
        order = _tiff_order(note[start - 4 :])
        data, first = note, start
    entries = _ifd(data, first, order)
    equipment = entries.get(0x2010)
    if equipment is None:
        return
    kind, count, raw = equipment
    if kind in (_LONG, _IFD) and count == 1:
        (offset,) = struct.unpack(order + "L", raw)
        fields = _ifd(data, offset, order)
    elif kind == 7 and count >= 6:
        # Some bodies store the Equipment IFD inline as UNDEFINED bytes, offsets from its own start.
        fields = _ifd(raw, 0, order)
    else:
        raise _Broken(f"the Equipment IFD pointer has type {kind} x{count}")
    for tag, name, field_name in ((0x0101, "SerialNumber", "body_serial"), (0x0203, "LensModel", "lens_model")):
        value = _ascii(fields.get(tag))
        if value:
            info.tags[name] = value
            info.values[field_name] = value
    for tag, name in ((0x0102, "InternalSerialNumber"), (0x0104, "BodyFirmwareVersion")):
        value = fields.get(tag)
        if value is not None and value[0] == _ASCII:
            text = _ascii(value)
            if text:
                info.tags[name] = text


# -- IFDs ---------------------------------------------------------------------------------------------------


def _tiff_order(header: bytes) -> str:
    if header[:2] == b"II":
        return "<"
    if header[:2] == b"MM":
        return ">"
    raise _Broken(f"no byte order mark where the TIFF header belongs ({header[:2]!r})")


def _ifd(data: bytes, offset: int, order: str) -> dict[int, tuple[int, int, bytes]]:
    """tag -> (type, count, value bytes) of the IFD at `offset` in `data`; values are checked to lie inside."""
    if offset < 0 or offset + 2 > len(data):
        raise _Broken(f"an IFD offset {offset} outside the {len(data)} bytes")
    (count,) = struct.unpack(order + "H", data[offset : offset + 2])
    if count > MAX_ENTRIES:
        raise _Broken(f"an IFD claiming {count} entries")
    if offset + 2 + 12 * count > len(data):
        raise _Broken(f"an IFD's {count} entries run past the end")
    entries: dict[int, tuple[int, int, bytes]] = {}
    for start in range(offset + 2, offset + 2 + 12 * count, 12):
        tag, kind, number = struct.unpack(order + "HHL", data[start : start + 8])
        size = _TYPE_SIZES.get(kind, 0) * number
        if size == 0:
            continue
        if size <= 4:
            entries[tag] = (kind, number, data[start + 8 : start + 8 + size])
            continue
        (value_offset,) = struct.unpack(order + "L", data[start + 8 : start + 12])
        if value_offset + size > len(data):
            continue  # this value lies outside the note; the others may still be fine
        entries[tag] = (kind, number, data[value_offset : value_offset + size])
    return entries


def _ascii(entry: tuple[int, int, bytes] | None) -> str | None:
    if entry is None or entry[0] not in (_ASCII, 7):
        return None
    return _text(entry[2].split(b"\x00", 1)[0].decode("latin-1"))


def _text(value: str) -> str:
    text = value.split("\x00", 1)[0].strip()
    if not text or not is_plain_text(text):
        return escape_unprintable(text)
    return text
