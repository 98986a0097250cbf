import io
from pathlib import Path

import pytest
from PIL import Image, features

from cbis.ingest.sniff import (
    IMAGE_EXTENSIONS,
    IMAGE_FORMATS,
    SNIFF_LENGTH,
    USUAL_EXTENSIONS,
    extension_mismatch,
    extension_of,
    sniff,
)

PILLOW_FORMATS = {
    "jpeg": ("JPEG", "RGB"),
    "png": ("PNG", "RGBA"),
    "gif": ("GIF", "P"),
    "bmp": ("BMP", "RGB"),
    "tiff": ("TIFF", "RGB"),
    "webp": ("WEBP", "RGB"),
    "avif": ("AVIF", "RGB"),
}


def encoded(pillow_format: str, mode: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (16, 8), "red" if mode != "P" else 1).save(buffer, pillow_format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("detected", sorted(PILLOW_FORMATS))
def test_each_format_from_a_real_file(detected: str) -> None:
    pillow_format, mode = PILLOW_FORMATS[detected]
    if detected == "avif" and not features.check("avif"):
        pytest.skip("this Pillow cannot write AVIF")
    data = encoded(pillow_format, mode)
    assert sniff(data[:SNIFF_LENGTH]) == detected
    assert sniff(data[:32]) == detected
    assert detected in IMAGE_FORMATS


def test_big_endian_tiff_and_bigtiff() -> None:
    assert sniff(encoded("TIFF", "L")[:4].replace(b"II*\x00", b"MM\x00*") + bytes(28)) == "tiff"
    assert sniff(b"II+\x00\x08\x00\x00\x00" + bytes(24)) == "tiff"


def test_heic_samples(samples: Path) -> None:
    for name in ("IMG_5195.HEIC", "samplefilehub.heif"):
        head = (samples / "heic" / name).read_bytes()[:SNIFF_LENGTH]
        assert sniff(head) == "heif", name


def test_iso_media_that_is_not_an_image() -> None:
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(40)
    assert sniff(mp4) is None
    canon_cr3 = b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom" + bytes(40)
    assert sniff(canon_cr3) is None


def test_heif_brands_decide_before_generic_ones() -> None:
    avif = b"\x00\x00\x00\x20ftypavif\x00\x00\x00\x00avifmif1miafMA1B" + bytes(32)
    assert sniff(avif) == "avif"
    heic = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic" + bytes(40)
    assert sniff(heic) == "heif"
    generic = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1miaf" + bytes(40)
    assert sniff(generic) == "heif"


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello, this is a plain text file with nothing to hide\n",
        b"BMW 320d service history, 2019-2023\n" + bytes(20),  # starts with "BM" but is no bitmap
        b"GIF88a" + bytes(30),
        b"\xff\xd8" + bytes(30),  # JPEG SOI without a marker after it
        b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(30),
        b"%!PS-Adobe-3.0 EPSF-3.0\n" + bytes(20),
    ],
)
def test_not_images(head: bytes) -> None:
    assert sniff(head) is None


@pytest.mark.parametrize(
    ("relpath", "extension"),
    [
        ("a/b/photo.JPG", "jpg"),
        ("photo.tar.gz", "gz"),
        ("noext", ""),
        (".hidden", ""),
        ("dir.d/noext", ""),
        ("trailing.", ""),
        ("spaced.jpg ", "jpg "),
        ("caf\udce9.Jpeg", "jpeg"),
    ],
)
def test_extension_of(relpath: str, extension: str) -> None:
    assert extension_of(relpath) == extension


@pytest.mark.parametrize(
    ("extension", "detected", "mismatch"),
    [
        ("jpg", "jpeg", False),
        ("JPEG", "jpeg", False),
        ("jpe", "jpeg", False),
        ("jfif", "jpeg", False),
        ("txt", "jpeg", True),  # a JPEG named .txt
        ("png", "jpeg", True),  # a JPEG named .png
        ("", "jpeg", True),  # a hidden image with no extension
        ("tif", "tiff", False),
        ("tiff", "tiff", False),
        ("heic", "heif", False),
        ("hif", "heif", False),
        ("heic", "avif", True),
        ("avif", "avif", False),
        ("dib", "bmp", False),
        ("webp", "webp", False),
        ("gif", "png", True),
        ("jpg", None, True),  # a text file named .jpg
        ("png", None, True),
        ("txt", None, False),
        ("", None, False),
        ("docx", None, False),
    ],
)
def test_extension_mismatch(extension: str, detected: str | None, mismatch: bool) -> None:
    assert extension_mismatch(extension, detected) is mismatch


def test_every_format_has_usual_extensions() -> None:
    assert set(USUAL_EXTENSIONS) == set(IMAGE_FORMATS)
    assert "jpg" in IMAGE_EXTENSIONS and "txt" not in IMAGE_EXTENSIONS
