"""Large images and large PNG text chunks: cbis's own limits decide, and Pillow's defaults neither refuse the
image nor print noise."""

from __future__ import annotations

import io
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from cbis.ingest.images import decode_image
from cbis.ingest.png_text import MAX_TEXT_CHUNK_BYTES, without_oversized_text


def png_with_text(*chunks: tuple[bytes, bytes], after_pixels: bool = False) -> bytes:
    """A 16 x 8 red PNG with the given raw text chunks (type, body), before or after the pixel data."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 8), (255, 0, 0)).save(buffer, "PNG")
    data = buffer.getvalue()
    raw = b"".join(
        len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big") for kind, body in chunks
    )
    at = data.rindex(b"IEND") - 4 if after_pixels else data.index(b"IDAT") - 4
    return data[:at] + raw + data[at:]


def itxt(keyword: bytes, text: bytes) -> tuple[bytes, bytes]:
    return b"iTXt", keyword + b"\x00\x01\x00\x00\x00" + zlib.compress(text, 9)


def xmp_packet(body: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" {body}/></rdf:RDF></x:xmpmeta>'
    ).encode()


# -- Pillow's DecompressionBombWarning ---------------------------------------------------------------------


# pytest records warnings itself (and drops filters set while it collects), so what an examiner would see
# on the terminal is checked in a child process.
_DECODE_LARGE = """
import io, sys
from PIL import Image
from cbis.ingest.images import UnreadableImage, decode_image
buffer = io.BytesIO()
Image.new("1", (9500, 9500)).save(buffer, "PNG")
decoded = decode_image(buffer.getvalue(), keep_pixels=False)
print(decoded.width, decoded.height)
try:
    decode_image(buffer.getvalue(), max_pixels=90_000_000)
except UnreadableImage as exc:
    print(exc.reason)
"""


def test_images_over_pillows_warning_size_decode_silently() -> None:
    # 9500 x 9500 = 90.25 M pixels: over Pillow's MAX_IMAGE_PIXELS (89.5 M), under cbis's default cap.
    result = subprocess.run([sys.executable, "-W", "default", "-c", _DECODE_LARGE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "9500 9500"
    # cbis's own cap still refuses it when asked to.
    assert lines[1].startswith("decompression bomb: 9500x9500 = 90250000 pixels exceeds the limit of 90000000")


@pytest.mark.slow
def test_index_prints_no_pillow_warning_for_a_large_image(tmp_path: Path, case_dir: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    Image.new("1", (9500, 9500)).save(evidence / "large.png")
    command = [sys.executable, "-m", "cbis", "index", str(evidence), "--case", str(case_dir), "--no-classify"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "DecompressionBombWarning" not in result.stderr and "exceeds limit" not in result.stderr
    assert result.stdout.startswith("indexed 1 images, 0 unprocessed")


# -- PNG text chunks past Pillow's 1 MB ---------------------------------------------------------------------


def test_text_over_one_megabyte_is_no_reason_to_refuse_a_png() -> None:
    # 3 MB of Photoshop-style history inflates past Pillow's default 1 MB limit, within cbis's own.
    packet = xmp_packet(f'xmp:Label="{"x" * 3_000_000}"')
    assert 1 << 20 < len(packet) < MAX_TEXT_CHUNK_BYTES
    decoded = decode_image(png_with_text(itxt(b"XML:com.adobe.xmp", packet)))
    assert decoded.warnings == [] and decoded.image is not None


@pytest.mark.parametrize("after_pixels", [False, True], ids=["before IDAT", "after IDAT"])
def test_text_chunk_past_cbis_limit_is_left_out_and_the_image_indexed(after_pixels: bool) -> None:
    bomb = itxt(b"XML:com.adobe.xmp", b" " * (MAX_TEXT_CHUNK_BYTES + 10))  # 8 MiB of spaces: 8 KB compressed
    small = (b"tEXt", b"Comment\x00kept")
    data = png_with_text(small, bomb, after_pixels=after_pixels)
    assert len(data) < 100_000
    decoded = decode_image(data)
    assert decoded.image is not None and decoded.image.getpixel((0, 0)) == (255, 0, 0)
    assert len(decoded.warnings) == 1
    assert "iTXt chunk 'XML:com.adobe.xmp' inflates past 8388608 bytes" in decoded.warnings[0]
    assert "indexed without it" in decoded.warnings[0]


def test_zlib_bomb_in_ztxt_costs_only_the_chunk(tmp_path: Path) -> None:
    bomb = (b"zTXt", b"Raw profile type exif\x00\x00" + zlib.compress(b"0" * (64 << 20), 9))  # 64 MiB of text
    path = tmp_path / "bomb.png"
    path.write_bytes(png_with_text(bomb))
    decoded = decode_image(path)  # a path source is re-read from the evidence for the second decode
    assert decoded.image is not None
    assert [w.split(" inflates")[0] for w in decoded.warnings] == ["PNG: zTXt chunk 'Raw profile type exif'"]


def test_nothing_to_leave_out_gives_none() -> None:
    assert without_oversized_text(png_with_text((b"tEXt", b"Comment\x00small"))) is None
    assert without_oversized_text(b"not a png") is None


def test_xmp_over_one_megabyte_is_read() -> None:
    # 3 MB of Photoshop-style history inflates past Pillow's default 1 MB limit, within cbis's own.
    history = "x" * 3_000_000
    packet = xmp_packet(f'xmp:CreateDate="2013-09-23T10:09:46+02:00" xmp:Label="{history}"')
    assert 1 << 20 < len(packet) < MAX_TEXT_CHUNK_BYTES
    decoded = decode_image(png_with_text(itxt(b"XML:com.adobe.xmp", packet)))
    assert decoded.warnings == []
    assert decoded.exif.datetime_digitized == "2013-09-23T10:09:46+02:00"
    assert decoded.exif.sources["datetime_digitized"] == "XMP (xmp:CreateDate)"
