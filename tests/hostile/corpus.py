"""Hostile evidence, generated: every file the hostile tests index is made here, from a seed, in a few ms.

Nothing is committed as a binary: bombs are headers that lie about their size, truncations are cuts of real
images Pillow writes, EXIF is hand-built with tests/ingest/exif_builder (which writes any count, type and
offset, including ones that lie), and the fuzz corpus is seeded bit flips of real images.
"""

from __future__ import annotations

import io
import os
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pillow_heif
from PIL import Image

from tests.ingest.exif_builder import (
    ASCII,
    LONG,
    RATIONAL,
    SHORT,
    SRATIONAL,
    UNDEFINED,
    Entry,
    ascii_entry,
    byte_entry,
    exif_block,
    rational_entry,
    short_entry,
)

pillow_heif.register_heif_opener()  # HEIF writing, as cbis.ingest.images registers it for reading

# Real evidence samples with real damage: shipped with the tests, see tests/data/evidence-samples/README.md.
REAL_DAMAGED = ("jpg/corrupted.jpg", "jpg/invalid/image00971.jpg", "jpg/invalid/image01088.jpg",
                "jpg/invalid/image01137.jpg", "jpg/invalid/image01551.jpg")  # fmt: skip


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def encoded(image: Image.Image, pillow_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def noise(size: tuple[int, int], seed: int) -> Image.Image:
    """A picture with detail (so that every cut lands in real entropy-coded data), reproducible from `seed`."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).resize(size)


# --- Decompression bombs: small files whose headers declare huge images ---------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int, colour_type: int = 2, bit_depth: int = 8, rows: int = 1) -> bytes:
    """A PNG whose header says width x height; `rows` rows of zeros follow (the rest is missing)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\x00" * (1 + width * channels * bit_depth // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A real 16x16 JPEG whose frame header (SOF0 or SOF2) is rewritten to declare width x height."""
    data = bytearray(encoded(Image.new("RGB", (16, 16), (200, 30, 30)), "JPEG", progressive=progressive))
    marker = data.find(b"\xff\xc2" if progressive else b"\xff\xc0")
    data[marker + 5 : marker + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_declaring(width: int, height: int) -> bytes:
    data = bytearray(encoded(Image.new("P", (16, 16), 1), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    descriptor = data.find(b"\x2c", 13)
    data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def bmp_declaring(width: int, height: int) -> bytes:
    data = bytearray(encoded(Image.new("RGB", (16, 16), (1, 2, 3)), "BMP"))
    data[18:26] = struct.pack("<ii", width, height)
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    """A lossless WebP whose VP8L header declares width x height (at most 16384 each)."""
    data = bytearray(encoded(Image.new("RGB", (16, 16), (1, 2, 3)), "WEBP", lossless=True))
    start = data.find(b"VP8L") + 9
    (bits,) = struct.unpack("<I", data[start : start + 4])
    bits = (bits & ~((1 << 28) - 1)) | ((width - 1) & 0x3FFF) | (((height - 1) & 0x3FFF) << 14)
    data[start : start + 4] = struct.pack("<I", bits)
    return bytes(data)


def tiff_declaring(width: int, height: int) -> bytes:
    """A small uncompressed TIFF whose ImageWidth and ImageLength tags are rewritten as LONGs."""
    data = bytearray(encoded(Image.new("RGB", (16, 16), (1, 2, 3)), "TIFF"))
    (ifd,) = struct.unpack("<I", data[4:8])
    (count,) = struct.unpack("<H", data[ifd : ifd + 2])
    for index in range(count):
        entry = ifd + 2 + 12 * index
        (tag,) = struct.unpack("<H", data[entry : entry + 2])
        if tag in (256, 257):
            data[entry + 2 : entry + 12] = struct.pack("<HII", LONG, 1, width if tag == 256 else height)
    return bytes(data)


def tiff_tile_bomb(width: int = 100, height: int = 100, tile: int = 32768, samples: int = 1) -> bytes:
    """A deflate-compressed TIFF of width x height pixels stored in one tile x tile tile: libtiff allocates
    the whole tile (a gigabyte for 32768 x 32768 x 1 sample) whatever the image size."""
    body = zlib.compress(b"\x00" * 4096)
    entries = [
        (256, LONG, width), (257, LONG, height), (258, SHORT, 8), (259, SHORT, 8),
        (262, SHORT, 2 if samples == 3 else 1), (277, SHORT, samples), (284, SHORT, 1),
        (322, LONG, tile), (323, LONG, tile), (324, LONG, 0), (325, LONG, len(body)),
    ]  # fmt: skip
    data_offset = 8 + 2 + 12 * len(entries) + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for tag, kind, value in entries:
        value = data_offset if tag == 324 else value
        packed = struct.pack("<HH", value, 0) if kind == SHORT else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, 1) + packed
    return bytes(out + b"\x00\x00\x00\x00" + body)


# (name, file bytes): every one a few hundred bytes that would decode to gigabytes. Each must be refused
# before any pixel memory is allocated, with a reason that says so.
def heif_lying_unit(seed: int = 1, size: tuple[int, int] = (96, 64)) -> bytes:
    """A real HEIF whose first HEVC unit claims half a megabyte more than the file holds (its 4-byte length
    prefix, just inside the mdat box, gets 0x08 in its second byte): libheif runs out of data mid-decode."""
    data = bytearray(encoded(noise(size, seed), "HEIF"))
    length = data.find(b"mdat") + 4
    data[length + 1] = 0x08
    return bytes(data)


def bombs() -> dict[str, bytes]:
    return {
        "png-30000x30000.png": png_declaring(30000, 30000),
        "png-rgba-16-bit-20000x20000.png": png_declaring(20000, 20000, colour_type=6, bit_depth=16),
        "jpeg-65500x65500.jpg": jpeg_declaring(65500, 65500),
        "jpeg-progressive-60000x60000.jpg": jpeg_declaring(60000, 60000, progressive=True),
        "gif-65535x65535.gif": gif_declaring(65535, 65535),
        "bmp-40000x40000.bmp": bmp_declaring(40000, 40000),
        "webp-16384x16384.webp": webp_declaring(16384, 16384),
        "tiff-100000x100000.tif": tiff_declaring(100000, 100000),
        "tiff-tiles-32768-for-100x100.tif": tiff_tile_bomb(),
        "tiff-tiles-32768-rgb.tif": tiff_tile_bomb(samples=3),
    }


# --- Truncated and corrupt images ---------------------------------------------------------------------------

# Formats cbis decodes, each written by Pillow (HEIF by pillow-heif, AVIF by Pillow's own plugin).
FORMATS: dict[str, tuple[str, str, dict[str, object]]] = {
    "jpeg": ("jpg", "JPEG", {"quality": 90}),
    "jpeg-progressive": ("jpg", "JPEG", {"quality": 90, "progressive": True}),
    "png": ("png", "PNG", {}),
    "gif": ("gif", "GIF", {}),
    "bmp": ("bmp", "BMP", {}),
    "tiff-lzw": ("tif", "TIFF", {"compression": "tiff_lzw"}),
    "webp": ("webp", "WEBP", {"quality": 80}),
    "heif": ("heic", "HEIF", {}),
    "avif": ("avif", "AVIF", {}),
}


def whole_image(kind: str, seed: int = 1, size: tuple[int, int] = (96, 64)) -> bytes:
    _, pillow_format, options = FORMATS[kind]
    picture = noise(size, seed)
    return encoded(picture.convert("P") if pillow_format == "GIF" else picture, pillow_format, **options)


CUT_FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9, 0.99)


def truncations() -> Iterator[tuple[str, bytes]]:
    """Each format cut at 10%, 30%, 50%, 70%, 90% and 99% of its length, plus one byte short and empty."""
    for kind, (extension, _, _) in FORMATS.items():
        data = whole_image(kind)
        for fraction in CUT_FRACTIONS:
            yield f"truncated/{kind}-{int(fraction * 100):02d}pct.{extension}", data[: int(len(data) * fraction)]
        yield f"truncated/{kind}-one-byte-short.{extension}", data[:-1]
        yield f"truncated/{kind}-header-only.{extension}", data[:16]
    yield "truncated/empty.jpg", b""


def mutations(count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """`count` seeded mutants of real images in every format: bit flips, overwritten runs, lying 32-bit fields,
    cuts. Reproducible: the same seed gives the same bytes."""
    rng = random.Random(seed)
    originals = {kind: whole_image(kind, seed=3, size=(48, 32)) for kind in FORMATS}
    kinds = sorted(originals)
    for number in range(count):
        kind = kinds[number % len(kinds)]
        data = bytearray(originals[kind])
        for _ in range(rng.randint(1, 6)):
            if len(data) < 4:
                break
            at = rng.randrange(len(data))
            operation = rng.randrange(4)
            if operation == 0:
                data[at] ^= 1 << rng.randrange(8)
            elif operation == 1:
                data[at : at + 8] = rng.randbytes(8)
            elif operation == 2:
                value = rng.choice([0, 1, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, rng.randrange(len(data) + 64)])
                data[at : at + 4] = struct.pack("<I", value)
            else:
                del data[at:]
        yield f"fuzz/{number:04d}-{kind}.{FORMATS[kind][0]}", bytes(data)


# --- Malformed EXIF -----------------------------------------------------------------------------------------


def _ifd_loop_block() -> bytes:
    """IFD0 whose next-IFD pointer leads back to itself, and an Exif pointer to IFD0 as well."""
    block = bytearray(exif_block([ascii_entry(0x010F, b"LoopCam"), Entry(0x8769, LONG, 1, struct.pack("<I", 8))]))
    tiff = 6
    (count,) = struct.unpack("<H", block[tiff + 8 : tiff + 10])
    next_pointer = tiff + 10 + 12 * count
    block[next_pointer : next_pointer + 4] = struct.pack("<I", 8)
    return bytes(block)


def _empty_ifds_block() -> bytes:
    return exif_block([], exif=[], gps=[])


def _gps(*entries: Entry) -> bytes:
    return exif_block([ascii_entry(0x010F, b"GPSCam")], gps=list(entries))


NORTH, EAST = ascii_entry(1, b"N"), ascii_entry(3, b"E")
GOOD_LONGITUDE = rational_entry(4, (11, 1), (53, 1), (6, 1))


# (name, EXIF block, a fragment the recorded warnings must contain): one case per way EXIF is broken in the wild
# or on purpose. Every image must still be indexed, with the bad tags skipped and a warning recorded.
MALFORMED_EXIF: list[tuple[str, bytes, str]] = [
    ("huge-count", exif_block([Entry(0x010E, ASCII, 0xFFFFFFF0, b"\x00\x00\x00\x00")]), "past the end"),
    ("huge-count-rational", exif_block([Entry(0x011A, RATIONAL, 0x20000000, b"\x00\x00\x00\x08")]), "past the end"),
    ("offset-out-of-range", exif_block([Entry(0x0131, ASCII, 40, struct.pack("<I", 0x7FFFFFF0))]), "past the end"),
    ("unknown-type", exif_block([Entry(0x010F, 99, 4, b"Acme")]), "unknown type 99"),
    ("wrong-type-make", exif_block([Entry(0x010F, SHORT, 1, b"\x07\x00")]), "Make is a int, not text"),
    ("wrong-type-orientation", exif_block([ascii_entry(0x0112, b"six")]), "Orientation"),
    ("orientation-out-of-range", exif_block([short_entry(0x0112, 77)]), "not 1-8"),
    (
        "zero-denominator-gps",
        _gps(NORTH, rational_entry(2, (43, 0), (28, 1), (1, 1)), EAST, GOOD_LONGITUDE),
        "zero denominator",
    ),
    ("zero-denominator-exposure", exif_block([ascii_entry(0x010F, b"Cam")], exif=[rational_entry(0x829A, (1, 0))]), ""),
    (
        "negative-srational-gps",
        _gps(NORTH, Entry(2, SRATIONAL, 1, struct.pack("<ii", -43, 1)), EAST, GOOD_LONGITUDE),
        "GPSLatitude",
    ),
    ("latitude-over-90", _gps(NORTH, rational_entry(2, (143, 1), (0, 1), (0, 1)), EAST, GOOD_LONGITUDE), "exceeds 90"),
    (
        "gps-ref-garbage",
        _gps(ascii_entry(1, b"\xff\x00"), rational_entry(2, (1, 1)), EAST, GOOD_LONGITUDE),
        "GPSLatitudeRef",
    ),
    ("gps-altitude-ref-7", _gps(byte_entry(5, 7), rational_entry(6, (100, 1))), "GPSAltitudeRef"),
    ("non-utf8-make", exif_block([ascii_entry(0x010F, b"Nik\xf6n\xff")]), "not valid UTF-8"),
    ("nul-inside-model", exif_block([ascii_entry(0x0110, b"EOS\x00hidden\x00payload")]), "NUL-separated"),
    ("control-characters", exif_block([ascii_entry(0x010F, b"\x1b[31mRed\x07\x08")]), "unprintable"),
    ("bidi-override-model", exif_block([ascii_entry(0x0110, "gpj.\u202eexe".encode())]), "unprintable"),
    (
        "date-not-a-date",
        exif_block([ascii_entry(0x010F, b"C")], exif=[ascii_entry(0x9003, b"2021:13:45 25:61:61")]),
        "DateTimeOriginal",
    ),
    (
        "date-binary",
        exif_block([ascii_entry(0x010F, b"C")], exif=[Entry(0x9003, UNDEFINED, 8, b"\xff" * 8)]),
        "DateTimeOriginal",
    ),
    (
        "offset-time-garbage",
        exif_block(
            [ascii_entry(0x010F, b"C")],
            exif=[ascii_entry(0x9003, b"2021:01:02 03:04:05"), ascii_entry(0x9011, b"+99:99")],
        ),
        "not +HH:MM",
    ),
    ("huge-string", exif_block([ascii_entry(0x010E, b"A" * 70_000)]), "characters long"),
    ("empty-ifds", _empty_ifds_block(), "GPS IFD is empty"),
    ("looping-ifds", _ifd_loop_block(), ""),
    ("exif-pointer-to-nowhere", exif_block([Entry(0x8769, LONG, 1, struct.pack("<I", 0xFFFFFF00))]), "outside"),
    ("exif-pointer-wrong-type", exif_block([Entry(0x8769, ASCII, 4, b"abc\x00")]), "pointer"),
    ("ifd-count-past-end", b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff", "run past the end"),
    ("not-tiff", b"Exif\x00\x00garbage that is no TIFF header", "no TIFF header"),
    ("bad-magic", b"Exif\x00\x00II\x2b\x00\x08\x00\x00\x00", "magic"),
    ("byte-order-big-endian-lies", b"Exif\x00\x00MM\x00*\xff\xff\xff\xf0", "outside"),
    ("empty-block", b"Exif\x00\x00", ""),
]


def image_with_exif(block: bytes, colour: tuple[int, int, int] = (30, 120, 200)) -> tuple[str, bytes]:
    """(extension, bytes) of a real image carrying `block` exactly as given: a JPEG's APP1 segment, or, for a
    block too long for one JPEG segment (64 KB), a PNG's eXIf chunk."""
    picture = Image.new("RGB", (24, 16), colour)
    if len(block) > 65_000:
        return "png", encoded(picture, "PNG", exif=block)
    return "jpg", encoded(picture, "JPEG", exif=block)


# --- File names -----------------------------------------------------------------------------------------------

# Names an attacker picks to break reports, terminals and spreadsheets. "/" cannot be part of a name, so the
# classic "=cmd|' /C calc'!A0" spans a directory.
HOSTILE_NAMES: list[bytes] = [
    b"new\nline.jpg",
    b"carriage\rreturn.jpg",
    b"tab\there.jpg",
    b"quote\"s and 'apostrophes'.jpg",
    b"=cmd|' /C calc'!A0.jpg",
    b'=HYPERLINK("http:evil").jpg',
    b"+SUM(1+1).jpg",
    b"-2+3.jpg",
    b"@import.jpg",
    b"\xff\xfe.jpg",
    b"latin1-caf\xe9.jpg",
    b"a" * 251 + b".jpg",  # 255 bytes, the longest name Linux allows
    "é".encode() * 125 + b".jpg",  # 254 bytes of two-byte characters
    b"back\\slash\\n.jpg",
    "bidi-\u202egpj.exe".encode(),
    "zero\u200bwidth.jpg".encode(),
    b"\x1b[31mansi.jpg",
    b"del\x7f.jpg",
    "nel\u0085line.jpg".encode(),
    "line\u2028separator.jpg".encode(),
    b"<script>alert(1)<",  # the slash of "</script>" would make a directory; the tag stays open
    b" leading and trailing space .jpg ",
    b"-",
    b"..jpg",
]


def create_named(root: bytes, name: bytes, data: bytes) -> bytes:
    """Create the file `root/name` (name may hold "/"): parents made as needed; returns its relative path."""
    path = root + b"/" + name
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as stream:
        stream.write(data)
    return name


# --- Generic small corpus -------------------------------------------------------------------------------------


def small_jpeg(number: int, *, exif: bytes | None = None) -> bytes:
    colour = (number * 37 % 256, number * 91 % 256, number * 53 % 256)
    options: dict[str, object] = {"quality": 75}
    if exif is not None:
        options["exif"] = exif
    return encoded(Image.new("RGB", (32, 32), colour), "JPEG", **options)


def camera_exif(number: int) -> bytes:
    """EXIF of a camera with GPS, different per `number`: make, model, date and a position."""
    return exif_block(
        [ascii_entry(0x010F, b"Acme"), ascii_entry(0x0110, b"Hostile %d" % (number % 7))],
        exif=[ascii_entry(0x9003, b"2021:%02d:%02d 12:00:00" % (number % 12 + 1, number % 28 + 1))],
        gps=[NORTH, rational_entry(2, (40 + number % 10, 1), (number % 60, 1), (0, 1)), EAST, GOOD_LONGITUDE],
    )


def build(root: Path, files: Iterator[tuple[str, bytes]] | list[tuple[str, bytes]]) -> list[str]:
    names = []
    for relative, data in files:
        write(root / relative, data)
        names.append(relative)
    return names


Builder = Callable[[Path], None]
