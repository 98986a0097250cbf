"""Hand-built EXIF blocks for tests: any tag, any TIFF type, any count, including ones that lie.

piexif.dump refuses malformed values, and malformed values are what the EXIF reader has to survive.
"""

import struct
from dataclasses import dataclass

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SRATIONAL = 1, 2, 3, 4, 5, 7, 10


@dataclass(frozen=True)
class Entry:
    tag: int
    type: int
    count: int
    payload: bytes
    """Written inline when it fits in 4 bytes, else in the data area with its offset in the entry."""


def ascii_entry(tag: int, text: bytes) -> Entry:
    return Entry(tag, ASCII, len(text) + 1, text + b"\x00")


def short_entry(tag: int, value: int) -> Entry:
    return Entry(tag, SHORT, 1, struct.pack("<H", value))


def byte_entry(tag: int, value: int) -> Entry:
    return Entry(tag, BYTE, 1, bytes([value]))


def rational_entry(tag: int, *pairs: tuple[int, int]) -> Entry:
    return Entry(tag, RATIONAL, len(pairs), b"".join(struct.pack("<LL", n, d) for n, d in pairs))


def exif_block(
    image: list[Entry],
    exif: list[Entry] | None = None,
    gps: list[Entry] | None = None,
) -> bytes:
    """A little-endian EXIF block with the APP1 "Exif\\0\\0" prefix; exif/gps IFDs get pointers in IFD0."""
    ifds: list[list[Entry]] = [list(image)]
    pointer_tags: list[int] = []
    if exif is not None:
        pointer_tags.append(0x8769)
        ifds.append(list(exif))
    if gps is not None:
        pointer_tags.append(0x8825)
        ifds.append(list(gps))
    # Placeholders for the pointers, so IFD0's size is known before the offsets are.
    ifds[0] += [Entry(tag, LONG, 1, b"\x00\x00\x00\x00") for tag in pointer_tags]
    offsets = []
    position = 8
    for entries in ifds:
        offsets.append(position)
        position += 2 + 12 * len(entries) + 4
    for index, tag in enumerate(pointer_tags, start=1):
        ifds[0] = [
            Entry(tag, LONG, 1, struct.pack("<L", offsets[index])) if entry.tag == tag else entry for entry in ifds[0]
        ]
    data = bytearray()
    data_start = position
    out = bytearray(b"II*\x00" + struct.pack("<L", 8))
    for entries in ifds:
        out += struct.pack("<H", len(entries))
        for entry in sorted(entries, key=lambda e: e.tag):
            if len(entry.payload) <= 4:
                value = entry.payload.ljust(4, b"\x00")
            else:
                value = struct.pack("<L", data_start + len(data))
                data += entry.payload
                if len(data) % 2:
                    data += b"\x00"
            out += struct.pack("<HHL", entry.tag, entry.type, entry.count) + value
        out += b"\x00\x00\x00\x00"
    return b"Exif\x00\x00" + bytes(out + data)
