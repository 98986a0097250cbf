"""Maker notes: the date and serial of a Reconyx trail camera, an Olympus body serial, a Nikon serial and lens,
with their source recorded; damaged notes cost only a warning. The real EXIF blocks in tests/data/metadata were
cut from exif-samples photos and their expected values checked by hand against exiftool 12.57."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from cbis.ingest.images import decode_image
from cbis.ingest.makernotes import read_maker_note

from .exif_builder import UNDEFINED, Entry, ascii_entry, exif_block

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata"


def jpeg(exif: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 8), "white").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def nikon_note(entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """A Nikon type 3 maker note: "Nikon\\0", version 2.10, then a little-endian TIFF header and one IFD whose
    offsets count from that header."""
    ifd_size = 2 + 12 * len(entries) + 4
    data_start = 8 + ifd_size
    directory, data = bytearray(struct.pack("<H", len(entries))), bytearray()
    for tag, kind, count, payload in entries:
        if len(payload) <= 4:
            directory += struct.pack("<HHL", tag, kind, count) + payload.ljust(4, b"\x00")
        else:
            directory += struct.pack("<HHLL", tag, kind, count, data_start + len(data))
            data += payload
    return b"Nikon\x00\x02\x10\x00\x00" + b"II*\x00" + struct.pack("<L", 8) + bytes(directory) + b"\x00" * 4 + data


def with_note(note: bytes, *image: Entry, exif: tuple[Entry, ...] = ()) -> bytes:
    return exif_block(list(image), exif=[Entry(0x927C, UNDEFINED, len(note), note), *exif])


def test_reconyx_trail_camera_date_and_serial() -> None:
    block = (DATA / "reconyx_hc500.exif").read_bytes()
    exif = decode_image(jpeg(block), keep_pixels=False).exif
    # exiftool: [Reconyx] DateTimeOriginal 2020:03:16 10:00:00, SerialNumber H500EE06130468; EXIF has neither.
    assert exif.datetime_original == "2020-03-16T10:00:00"
    assert exif.body_serial == "H500EE06130468"
    assert exif.sources["datetime_original"] == exif.sources["body_serial"] == "MakerNote (Reconyx HyperFire)"
    # FirmwareVersion 3.3.0, FirmwareDate 2011:01:10, EventNumber 8, 33 F / 1 C, BatteryVoltage 7.52 V.
    assert exif.tags["MakerNote"] == {
        "Maker": "Reconyx HyperFire",
        "MakerNoteVersion": "0xf101",
        "FirmwareVersion": "3.3.0",
        "FirmwareDate": "2011-01-10",
        "EventNumber": 8,
        "DateTimeOriginal": "2020-03-16T10:00:00",
        "AmbientTemperatureFahrenheit": 33,
        "AmbientTemperature": 1,
        "SerialNumber": "H500EE06130468",
        "BatteryVoltage": 7.52,
        "UserLabel": "HC500 HYPERFIRE",
    }
    assert exif.warnings == []


def test_olympus_serial_from_the_equipment_ifd() -> None:
    exif = decode_image(jpeg((DATA / "olympus_u1020.exif").read_bytes()), keep_pixels=False).exif
    # exiftool: [IFD0] Make OLYMPUS IMAGING CORP.; [Olympus] SerialNumber F70501740,
    # InternalSerialNumber 0199802105663001 (in the Equipment IFD of an "OLYMPUS\0II" note).
    assert exif.make == "OLYMPUS IMAGING CORP." and exif.sources["make"] == "EXIF"
    assert exif.body_serial == "F70501740" and exif.sources["body_serial"] == "MakerNote (Olympus)"
    assert exif.tags["MakerNote"]["InternalSerialNumber"] == "0199802105663001"


def test_nikon_serial_and_lens() -> None:
    lens = struct.pack("<8L", 18, 1, 70, 1, 35, 10, 45, 10)
    note = nikon_note([(0x001D, 2, 8, b"2034567\x00"), (0x0084, 5, 4, lens)])
    exif = decode_image(jpeg(with_note(note, ascii_entry(0x010F, b"NIKON CORPORATION"))), keep_pixels=False).exif
    assert (exif.body_serial, exif.lens_model) == ("2034567", "18-70mm f/3.5-4.5")
    assert exif.sources["lens_model"] == "MakerNote (Nikon)"
    prime = nikon_note([(0x0084, 5, 4, struct.pack("<8L", 100, 1, 100, 1, 28, 10, 28, 10))])
    assert read_maker_note(with_note(prime)).values == {"lens_model": "100mm f/2.8"}


def test_a_maker_note_that_disagrees_with_exif_is_flagged() -> None:
    note = nikon_note([(0x001D, 2, 8, b"2034567\x00")])
    block = with_note(note, exif=(ascii_entry(0xA431, b"9999999"),))
    exif = decode_image(jpeg(block), keep_pixels=False).exif
    assert exif.body_serial == "9999999" and exif.sources["body_serial"] == "EXIF"
    assert exif.conflicts == {"body_serial": {"EXIF": "9999999", "MakerNote (Nikon)": "2034567"}}


@pytest.mark.parametrize(
    ("note", "damage"),
    [
        (b"Nikon\x00\x02\x10\x00\x00II*\x00" + struct.pack("<L", 8) + struct.pack("<H", 60000), "60000 entries"),
        (b"Nikon\x00\x02\x10\x00\x00II*\x00" + struct.pack("<L", 4000), "outside"),
        (b"Nikon\x00\x02\x10\x00\x00XX*\x00", "no byte order mark"),
        (b"\x01\xf1\x03\x00", "fewer than the HyperFire layout"),
        (b"OLYMPUS\x00II\x03\x00" + struct.pack("<H", 1) + struct.pack("<HHLL", 0x2010, 13, 1, 9999), "outside"),
    ],
)
def test_damaged_maker_notes_cost_only_a_warning(note: bytes, damage: str) -> None:
    block = with_note(note, ascii_entry(0x010F, b"Maker"), exif=(ascii_entry(0x9003, b"2020:01:02 03:04:05"),))
    decoded = decode_image(jpeg(block), keep_pixels=False)
    assert decoded.exif.datetime_original == "2020-01-02T03:04:05" and decoded.exif.make == "Maker"
    warnings = [w for w in decoded.exif.warnings if w.startswith("MakerNote:")]
    assert len(warnings) == 1 and damage in warnings[0]


def test_other_makers_and_no_maker_note_read_nothing() -> None:
    assert read_maker_note(None).values == {}
    assert read_maker_note(with_note(b"Canon has its own layout")).tags == {}
    assert read_maker_note((DATA / "nikon_coolpix_p1.exif").read_bytes()).values == {}  # no serial, no lens (exiftool)
