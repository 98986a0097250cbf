import io
import json
import os
import resource
import struct
import threading
import tracemalloc
import zlib
from pathlib import Path

import piexif
import pytest
from PIL import Image, ImageChops, ImageFile, ImageStat, features

from cbis.ingest.images import DecodedImage, UnreadableImage, decode_image, read_exif

from .exif_builder import (
    ASCII,
    SHORT,
    Entry,
    ascii_entry,
    byte_entry,
    exif_block,
    rational_entry,
    short_entry,
)

# -- Helpers -------------------------------------------------------------------------------------------------


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, exif: bytes | None = None, mode: str = "RGB") -> bytes:
    image = Image.linear_gradient("L").resize(size).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def saved(image: Image.Image, pillow_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def pixel(decoded: DecodedImage, xy: tuple[int, int] = (0, 0)) -> tuple[int, ...]:
    assert decoded.image is not None
    value = decoded.image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def assert_json_ready(tags: dict[str, object]) -> None:
    json.dumps(tags, allow_nan=False)


# -- EXIF of real camera files --------------------------------------------------------------------------------

# Expected coordinates worked out by hand from the raw rationals (piexif.load(...)["GPS"]):
# degrees + minutes / 60 + seconds / 3600, negative for S or W. All five are N and E.
#   DSCN0010: (43/1, 28/1, 281400000/100000000) -> 43 + 28/60 + 2.814/3600      = 43.467448333
#             (11/1, 53/1, 645599999/100000000) -> 11 + 53/60 + 6.45599999/3600 = 11.885126667
#   DSCN0012: (43, 28, 1.76399999)  -> 43.467156667;  (11, 53, 7.42199999)  -> 11.885395000
#   DSCN0021: (43, 28, 1.49399999)  -> 43.467081667;  (11, 53, 4.33799999)  -> 11.884538333
#   DSCN0025: (43, 28, 6.114)       -> 43.468365000;  (11, 52, 53.8859999)  -> 11.881635000
#   DSCN0027: (43, 28, 6.39)        -> 43.468441667;  (11, 52, 53.454)      -> 11.881515000
NIKON_GPS = {
    "DSCN0010.jpg": (43.467448333, 11.885126667),
    "DSCN0012.jpg": (43.467156667, 11.885395000),
    "DSCN0021.jpg": (43.467081667, 11.884538333),
    "DSCN0025.jpg": (43.468365000, 11.881635000),
    "DSCN0027.jpg": (43.468441667, 11.881515000),
}


def test_gps_of_every_sample_with_coordinates(samples: Path) -> None:
    files = sorted(path.name for path in (samples / "jpg" / "gps").glob("*.jpg"))
    assert files == sorted(NIKON_GPS)
    for name, (latitude, longitude) in NIKON_GPS.items():
        exif = decode_image(samples / "jpg" / "gps" / name).exif
        assert exif.gps_latitude == pytest.approx(latitude, abs=1e-6), name
        assert exif.gps_longitude == pytest.approx(longitude, abs=1e-6), name
        # GPSAltitudeRef is there but GPSAltitude is not.
        assert exif.gps_altitude is None
        assert exif.make == "NIKON" and exif.model == "COOLPIX P6000"
        assert exif.warnings == []


def test_southern_and_western_hemispheres(samples: Path) -> None:
    # Kodak_CX7530: S (0/1, 22278/1000, 0/1) -> -(22.278/60) = -0.371300000; E (36, 3.385, 0) -> 36.056416667
    kodak = decode_image(samples / "jpg" / "Kodak_CX7530.jpg").exif
    assert kodak.gps_latitude == pytest.approx(-0.371300000, abs=1e-6)
    assert kodak.gps_longitude == pytest.approx(36.056416667, abs=1e-6)
    # iphone_hdr_NO: N (40, 26, 49.10) -> 40.446972222; W (3, 43, 29.11) -> -3.724752778; alt 105532/165
    iphone = decode_image(samples / "jpg" / "hdr" / "iphone_hdr_NO.jpg").exif
    assert iphone.gps_latitude == pytest.approx(40.446972222, abs=1e-6)
    assert iphone.gps_longitude == pytest.approx(-3.724752778, abs=1e-6)
    assert iphone.gps_altitude == pytest.approx(639.587878788, abs=1e-6)


@pytest.mark.parametrize(
    ("relpath", "make", "model", "taken"),
    [
        ("jpg/Canon_40D.jpg", "Canon", "Canon EOS 40D", "2008-05-30T15:56:01"),
        ("jpg/Nikon_D70.jpg", "NIKON CORPORATION", "NIKON D70", "2008-03-15T09:52:01"),
        # Padded with spaces in the file: "PENTAX Corporation ", "PENTAX K10D        ".
        ("jpg/Pentax_K10D.jpg", "PENTAX Corporation", "PENTAX K10D", "2008-05-04T16:47:24"),
        # Kodak counts only the characters, no NUL: piexif alone would drop the last letter of each.
        ("jpg/Kodak_CX7530.jpg", "EASTMAN KODAK COMPANY", "KODAK CX7530 ZOOM DIGITAL CAMERA", "2005-08-13T09:47:23"),
        ("jpg/mobile/HMD_Nokia_8.3_5G.jpg", "HMD Global", "Nokia 8.3 5G", "2022-08-14T14:12:31+03:00"),
    ],
)
def test_camera_fields(samples: Path, relpath: str, make: str, model: str, taken: str) -> None:
    exif = decode_image(samples / relpath).exif
    assert (exif.make, exif.model, exif.datetime_original) == (make, model, taken)
    assert exif.tags["Image"]["Make"].rstrip() == make
    assert_json_ready(exif.tags)


def test_canon_40d_details(samples: Path) -> None:
    exif = decode_image(samples / "jpg" / "Canon_40D.jpg").exif
    assert exif.datetime_digitized == "2008-05-30T15:56:01"
    assert exif.orientation == 1
    assert exif.software == "GIMP 2.4.5"
    assert exif.tags["Exif"]["ExposureTime"] == [1, 160]
    assert exif.tags["Exif"]["ExifVersion"] == "0221"
    assert set(exif.tags) == {"Image", "Exif", "GPS", "Interop", "1st"}


def test_maker_note_is_kept_short(samples: Path) -> None:
    raw = piexif.load(os.fspath(samples / "jpg" / "Canon_PowerShot_S40.jpg"))["Exif"][0x927C]
    maker_note = decode_image(samples / "jpg" / "Canon_PowerShot_S40.jpg").exif.tags["Exif"]["MakerNote"]
    assert maker_note == {"hex": raw[:256].hex(), "length": 450}


def test_every_sample_decodes_or_is_unreadable_with_a_reason(samples: Path) -> None:
    outcomes = {}
    for path in sorted((samples / "jpg").rglob("*")) + sorted((samples / "heic").glob("*")):
        if not path.is_file():
            continue
        try:
            decoded = decode_image(path, draft_size=224)
        except UnreadableImage as exc:
            assert exc.reason and "\n" not in exc.reason
            outcomes[path.relative_to(samples).as_posix()] = exc.reason
            continue
        assert decoded.image is not None and decoded.image.mode == "RGB"
        assert_json_ready(decoded.exif.tags)
    # Only the README files are unreadable; the "invalid" and "corrupted" JPEGs decode in full with
    # Pillow 13 / libjpeg-turbo (their damage does not stop a strict decode).
    assert set(outcomes) == {
        "jpg/README",
        "jpg/gps/README",
        "jpg/hdr/README",
        "jpg/invalid/README",
        "jpg/orientation/README",
    }
    assert all(reason.startswith("not a supported image") for reason in outcomes.values())


def test_damaged_samples_are_recorded_as_they_decode(samples: Path) -> None:
    for relpath in [
        "jpg/corrupted.jpg",
        *sorted(f"jpg/invalid/{p.name}" for p in (samples / "jpg/invalid").glob("*.jpg")),
    ]:
        decoded = decode_image(samples / relpath)
        assert decoded.truncated is False, relpath
    corrupted = decode_image(samples / "jpg" / "corrupted.jpg", draft_size=300)
    assert (corrupted.width, corrupted.height) == (3648, 2736)
    assert corrupted.exif.make == "OLYMPUS IMAGING CORP."


# -- Orientation ----------------------------------------------------------------------------------------------


def difference(first: Image.Image, second: Image.Image) -> float:
    size = (64, 48) if first.width > first.height else (48, 64)
    a, b = first.convert("L").resize(size), second.convert("L").resize(size)
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


@pytest.mark.parametrize("kind", ["landscape", "portrait"])
def test_orientation_samples_come_out_upright(samples: Path, kind: str) -> None:
    folder = samples / "jpg" / "orientation"
    upright = decode_image(folder / f"{kind}_1.jpg").image
    assert upright is not None
    for number in range(1, 9):
        decoded = decode_image(folder / f"{kind}_{number}.jpg")
        assert decoded.exif.orientation == number
        assert decoded.image is not None
        width, height = decoded.image.size
        assert (width > height) == (kind == "landscape"), number
        # Each file shows the same scene with its own digit: upright they differ by about 14-16 grey
        # levels on average, any wrong turn or flip by 33 or more.
        assert difference(decoded.image, upright) < 25, number


def test_stored_size_is_before_orientation(samples: Path) -> None:
    decoded = decode_image(samples / "jpg" / "orientation" / "landscape_6.jpg")
    assert (decoded.width, decoded.height) == (450, 600)
    assert (decoded.display_width, decoded.display_height) == (600, 450)
    assert decoded.image is not None and decoded.image.size == (600, 450)


# -- HEIF -------------------------------------------------------------------------------------------------------


def test_heic_from_an_iphone(samples: Path) -> None:
    decoded = decode_image(samples / "heic" / "IMG_5195.HEIC")
    assert decoded.format == "heif"
    assert (decoded.width, decoded.height) == (2566, 3313)
    assert decoded.image is not None and decoded.image.size == (2566, 3313) and decoded.image.mode == "RGB"
    exif = decoded.exif
    assert (exif.make, exif.model, exif.software) == ("Apple", "iPhone 11 Pro Max", "14.4.2")
    assert exif.datetime_original == "2021-04-11T15:47:53-05:00"
    assert exif.lens_model == "iPhone 11 Pro Max back triple camera 4.25mm f/1.8"
    # N (39/1, 3/1, 484/100) -> 39 + 3/60 + 4.84/3600 = 39.051344444
    # W (94/1, 17/1, 1958/100) -> -(94 + 17/60 + 19.58/3600) = -94.288772222; altitude 244927/940 m
    assert exif.gps_latitude == pytest.approx(39.051344444, abs=1e-6)
    assert exif.gps_longitude == pytest.approx(-94.288772222, abs=1e-6)
    assert exif.gps_altitude == pytest.approx(260.560638298, abs=1e-6)
    assert exif.warnings == [] and decoded.warnings == []
    assert_json_ready(exif.tags)


def test_heif_sample(samples: Path) -> None:
    decoded = decode_image((samples / "heic" / "samplefilehub.heif").read_bytes(), keep_pixels=False)
    assert (decoded.format, decoded.width, decoded.height) == ("heif", 640, 426)
    assert decoded.image is None
    assert decoded.exif.orientation == 1


@pytest.mark.parametrize("pillow_format", ["JPEG", "PNG", "WEBP", "TIFF", "AVIF", "HEIF"])
def test_orientation_six_in_every_container(pillow_format: str) -> None:
    if pillow_format == "AVIF" and not features.check("avif"):
        pytest.skip("this Pillow has no AVIF")
    wide = Image.new("RGB", (64, 32), "white")
    wide.paste((255, 0, 0), (0, 0, 16, 32))  # red down the left edge
    options = {"quality": 95} if pillow_format in ("JPEG", "AVIF", "HEIF") else {}
    decoded = decode_image(saved(wide, pillow_format, exif=exif_block([short_entry(0x0112, 6)]), **options))
    assert decoded.exif.orientation == 6
    assert decoded.exif.tags["Image"]["Orientation"] == 6
    # Orientation 6 means "turn 90 degrees clockwise to view": the left edge ends up at the top.
    assert decoded.image is not None and decoded.image.size == (32, 64)
    red, green, blue = pixel(decoded, (16, 4))
    assert red > 240 and green < 15 and blue < 15
    assert pixel(decoded, (16, 60)) == (255, 255, 255)
    # Stored size as written (for HEIF before the container's rotation, irot, which libheif applies), and the
    # size as displayed, turned: the same in every container.
    assert (decoded.width, decoded.height) == (64, 32)
    assert (decoded.display_width, decoded.display_height) == (32, 64)


def test_heif_rotated_in_exif_is_not_turned_twice(tmp_path: Path) -> None:
    import pillow_heif

    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this pillow-heif cannot encode HEIF")
    wide = Image.new("RGB", (64, 32), "white")
    wide.paste((255, 0, 0), (0, 0, 16, 32))  # red on the left
    exif = exif_block([short_entry(0x0112, 6)])
    data = saved(wide, "HEIF", exif=exif, quality=95)
    decoded = decode_image(data)
    # pillow-heif wrote the orientation into the container; libheif applies it while decoding.
    assert decoded.exif.orientation == 6
    assert decoded.image is not None and decoded.image.size == (32, 64)


# -- Damage, truncation, bombs -------------------------------------------------------------------------------


def test_truncated_jpeg(samples: Path, tmp_path: Path) -> None:
    whole = (samples / "jpg" / "gps" / "DSCN0010.jpg").read_bytes()
    half = whole[: len(whole) // 2]
    with pytest.raises(UnreadableImage) as caught:
        decode_image(half)
    assert caught.value.reason.startswith("truncated image: image file is truncated")
    path = tmp_path / "half.jpg"
    path.write_bytes(half)
    decoded = decode_image(path, allow_truncated=True)
    assert decoded.truncated is True
    assert decoded.image is not None and decoded.image.size == (640, 480)
    assert decoded.warnings[0].startswith("decoded only because truncated images were allowed: truncated image")
    assert decoded.exif.gps_latitude == pytest.approx(43.467448333, abs=1e-6)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_truncated_png() -> None:
    data = saved(Image.effect_noise((200, 100), 40).convert("RGB"), "PNG")
    with pytest.raises(UnreadableImage, match=r"^truncated image"):
        decode_image(data[: len(data) * 2 // 3])
    assert decode_image(data[: len(data) * 2 // 3], allow_truncated=True).truncated is True


def test_whole_images_are_not_marked_truncated() -> None:
    decoded = decode_image(jpeg_bytes(), allow_truncated=True)
    assert decoded.truncated is False and decoded.warnings == []


def test_strict_decodes_stay_strict_while_lenient_ones_run() -> None:
    # LOAD_TRUNCATED_IMAGES is process-wide; the gate must keep lenient retries from leaking into strict decodes.
    whole = jpeg_bytes((256, 256))
    half = whole[: len(whole) // 2]
    leaks: list[str] = []

    def strict() -> None:
        for _ in range(40):
            try:
                decode_image(half)
                leaks.append("a truncated JPEG decoded strictly")
            except UnreadableImage:
                pass

    def lenient() -> None:
        for _ in range(40):
            if not decode_image(half, allow_truncated=True).truncated:
                leaks.append("lenient decode not marked truncated")

    threads = [threading.Thread(target=strict) for _ in range(3)] + [threading.Thread(target=lenient)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert leaks == []
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def png_header_only(width: int, height: int) -> bytes:
    """A valid-looking 1-bit PNG of any size whose IDAT holds one row: no pixel memory is needed to make it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(1 + (width + 7) // 8)))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_without_allocating() -> None:
    bomb = png_header_only(30000, 30000)
    assert len(bomb) < 1000
    peak_rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableImage) as caught:
            decode_image(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.reason == (
        "decompression bomb: 30000x30000 = 900000000 pixels exceeds the limit of 178956970 pixels"
    )
    assert peak < 10 << 20
    # ru_maxrss is in KiB on Linux: the process's peak must not have grown by 100 MB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_rss_before < 100 << 10


def test_own_pixel_limit_below_pillows() -> None:
    with pytest.raises(UnreadableImage) as caught:
        decode_image(png_header_only(5000, 3000), max_pixels=10_000_000)
    assert caught.value.reason == (
        "decompression bomb: 5000x3000 = 15000000 pixels exceeds the limit of 10000000 pixels"
    )


def test_not_an_image_and_unsupported_formats() -> None:
    with pytest.raises(UnreadableImage, match=r"^not a supported image"):
        decode_image(b"just some text, named .jpg by someone")
    # Pillow can read EPS by running Ghostscript; evidence never gets that far.
    with pytest.raises(UnreadableImage, match=r"^not a supported image"):
        decode_image(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(UnreadableImage, match=r"^not a supported image"):
        decode_image(saved(Image.new("RGB", (8, 8)), "ICO"))


def test_path_sources_are_opened_as_evidence(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableImage, match=r"^cannot open: not a regular file \(FIFO\)"):
        decode_image(fifo)
    with pytest.raises(UnreadableImage, match=r"^cannot open: "):
        decode_image(tmp_path / "missing.jpg")


def test_garbage_after_a_valid_header() -> None:
    data = bytearray(jpeg_bytes((128, 128)))
    data[400:] = bytes(len(data) - 400)  # zeros over the entropy-coded data, with the length kept
    try:
        decode_image(bytes(data))
    except UnreadableImage as exc:
        assert exc.reason


# -- Draft mode -----------------------------------------------------------------------------------------------


def test_draft_mode_keeps_the_shorter_side_at_least_the_requested_size() -> None:
    data = jpeg_bytes((4000, 3000))
    decoded = decode_image(data, draft_size=224)
    assert (decoded.width, decoded.height) == (4000, 3000)
    assert decoded.image is not None
    assert decoded.image.size == (500, 375)  # libjpeg's 1/8 scale
    assert 224 <= min(decoded.image.size) < 4 * 224


@pytest.mark.parametrize(
    ("size", "draft_size", "expected"),
    [((1000, 460), 224, (500, 230)), ((448, 300), 224, (448, 300)), ((100, 80), 224, (100, 80))],
)
def test_draft_mode_never_goes_below_the_request(
    size: tuple[int, int], draft_size: int, expected: tuple[int, int]
) -> None:
    decoded = decode_image(jpeg_bytes(size), draft_size=draft_size)
    assert decoded.image is not None and decoded.image.size == expected


def test_draft_mode_with_orientation_and_grayscale() -> None:
    data = jpeg_bytes((1600, 1200), exif=exif_block([short_entry(0x0112, 6)]), mode="L")
    decoded = decode_image(data, draft_size=224)
    assert decoded.image is not None
    assert decoded.image.size == (300, 400) and decoded.image.mode == "RGB"


def test_draft_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="draft_size"):
        decode_image(jpeg_bytes(), draft_size=0)


# -- Modes to RGB -----------------------------------------------------------------------------------------------


def test_palette_with_transparency_goes_on_white() -> None:
    palette_image = Image.new("P", (8, 8), 0)
    palette_image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette_image.putpixel((1, 1), 1)
    data = saved(palette_image, "PNG", transparency=0)
    decoded = decode_image(data)
    assert decoded.image is not None and decoded.image.mode == "RGB"
    assert pixel(decoded) == (255, 255, 255)
    assert pixel(decoded, (1, 1)) == (0, 0, 255)


def test_rgba_and_la_are_composited_on_white() -> None:
    rgba = decode_image(saved(Image.new("RGBA", (4, 4), (255, 0, 0, 128)), "PNG"))
    red, green, blue = pixel(rgba)
    assert red == 255 and 120 <= green <= 135 and green == blue
    la = decode_image(saved(Image.new("LA", (4, 4), (0, 0)), "PNG"))
    assert pixel(la) == (255, 255, 255)


def test_cmyk_jpeg() -> None:
    decoded = decode_image(saved(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG", quality=95))
    red, green, blue = pixel(decoded)
    assert red > 240 and green < 15 and blue < 15


def test_sixteen_bit_grayscale_is_scaled_not_clipped() -> None:
    sixteen = Image.new("I;16", (4, 4), 40000)
    for pillow_format in ("PNG", "TIFF"):
        decoded = decode_image(saved(sixteen, pillow_format))
        assert pixel(decoded) == (156, 156, 156), pillow_format  # 40000 / 256


def test_32_bit_integer_and_float_images() -> None:
    assert pixel(decode_image(saved(Image.new("I", (4, 4), 40000), "TIFF"))) == (156, 156, 156)
    assert pixel(decode_image(saved(Image.new("F", (4, 4), 0.5), "TIFF"))) == (127, 127, 127)


def test_one_bit_and_grayscale() -> None:
    assert pixel(decode_image(saved(Image.new("1", (8, 8), 1), "PNG"))) == (255, 255, 255)
    assert pixel(decode_image(saved(Image.new("L", (8, 8), 77), "BMP"))) == (77, 77, 77)


def test_animated_gif_and_webp_give_the_first_frame() -> None:
    frames = [Image.new("RGB", (8, 8), color) for color in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    for pillow_format, options in (("GIF", {}), ("WEBP", {"lossless": True})):
        data = saved(frames[0], pillow_format, save_all=True, append_images=frames[1:], duration=100, **options)
        decoded = decode_image(data)
        assert decoded.format == pillow_format.lower()
        assert pixel(decoded) == (255, 0, 0), pillow_format


# -- Malformed EXIF ------------------------------------------------------------------------------------------------


def decoded_with_exif(block: bytes) -> DecodedImage:
    decoded = decode_image(jpeg_bytes(exif=block))
    assert decoded.image is not None and decoded.image.size == (64, 48)
    assert_json_ready(decoded.exif.tags)
    return decoded


def test_gps_zero_denominator() -> None:
    block = exif_block(
        [ascii_entry(0x010F, b"Maker")],
        gps=[
            ascii_entry(0x0001, b"N"),
            rational_entry(0x0002, (43, 1), (28, 0), (0, 1)),
            ascii_entry(0x0003, b"E"),
            rational_entry(0x0004, (11, 1), (53, 1), (0, 1)),
            byte_entry(0x0005, 0),
            rational_entry(0x0006, (100, 0)),
        ],
    )
    exif = decoded_with_exif(block).exif
    assert (exif.gps_latitude, exif.gps_longitude, exif.gps_altitude) == (None, None, None)
    assert "GPS: zero denominator in GPSLatitude; coordinates left empty" in exif.warnings
    assert "GPS: zero denominator in GPSAltitude; altitude left empty" in exif.warnings
    assert exif.tags["GPS"]["GPSLatitude"] == [[43, 1], [28, 0], [0, 1]]
    assert exif.make == "Maker"


def test_empty_gps_ifd() -> None:
    exif = decoded_with_exif(exif_block([ascii_entry(0x010F, b"Maker")], gps=[])).exif
    assert exif.gps_latitude is None
    assert exif.warnings == ["GPS: the GPS IFD is empty; no coordinates"]
    assert exif.tags["GPS"] == {}


@pytest.mark.parametrize(
    ("gps", "warning"),
    [
        (
            [
                ascii_entry(1, b"N"),
                rational_entry(2, (95, 1), (0, 1), (0, 1)),
                ascii_entry(3, b"E"),
                rational_entry(4, (1, 1), (0, 1), (0, 1)),
            ],
            "GPS: GPSLatitude 95.000000 exceeds 90 degrees; coordinates left empty",
        ),
        (
            [
                rational_entry(2, (10, 1), (0, 1), (0, 1)),
                ascii_entry(3, b"E"),
                rational_entry(4, (1, 1), (0, 1), (0, 1)),
            ],
            "GPS: GPSLatitudeRef is missing, so the hemisphere is unknown; coordinates left empty",
        ),
        (
            [
                ascii_entry(1, b"X"),
                rational_entry(2, (10, 1), (0, 1), (0, 1)),
                ascii_entry(3, b"E"),
                rational_entry(4, (1, 1), (0, 1), (0, 1)),
            ],
            "GPS: GPSLatitudeRef 'X' is not one of ['N', 'S']; coordinates left empty",
        ),
        (
            [ascii_entry(1, b"N"), ascii_entry(2, b"43.4674"), ascii_entry(3, b"E"), ascii_entry(4, b"11.88")],
            "GPS: GPSLatitude is _AsciiBytes, not 1-3 rationals; coordinates left empty",
        ),
        (
            [
                ascii_entry(1, b"N"),
                Entry(2, SHORT, 3, struct.pack("<HHH", 43, 28, 1)),
                ascii_entry(3, b"E"),
                rational_entry(4, (1, 1), (0, 1), (0, 1)),
            ],
            "GPS: GPSLatitude holds int values, not rationals; coordinates left empty",
        ),
        (
            [ascii_entry(1, b"N"), rational_entry(2, (10, 1), (0, 1), (0, 1), (0, 1))],
            "GPS: GPSLongitude is missing; coordinates left empty",
        ),
    ],
)
def test_broken_gps_leaves_coordinates_empty(gps: list[Entry], warning: str) -> None:
    exif = decoded_with_exif(exif_block([], gps=gps)).exif
    assert (exif.gps_latitude, exif.gps_longitude) == (None, None)
    assert warning in exif.warnings


def test_decimal_degrees_in_one_rational() -> None:
    gps = [ascii_entry(1, b"S"), rational_entry(2, (3352, 100)), ascii_entry(3, b"W"), rational_entry(4, (7061, 100))]
    exif = decoded_with_exif(exif_block([], gps=gps)).exif
    assert (exif.gps_latitude, exif.gps_longitude) == (pytest.approx(-33.52), pytest.approx(-70.61))


def test_hostile_strings() -> None:
    description = b"A" * 20000 + b"\x00\x00\x00"
    block = exif_block(
        [
            ascii_entry(0x010F, b"Evil\x00hidden after the terminator"),
            ascii_entry(0x0110, b"Caf\xe9 Cam\x00\x00\x00"),
            ascii_entry(0x0131, b"tool\x1b[31m"),
            Entry(0x010E, ASCII, len(description), description),
            short_entry(0x0112, 9),
        ],
        exif=[
            ascii_entry(0x9003, b"2021:13:45 25:61:00"),
            ascii_entry(0x9011, b"+5:30"),
            ascii_entry(0x9004, b"2021:02:03 04:05:06"),
            ascii_entry(0x9012, b"-03:00"),
            Entry(0x927C, 7, 5000, bytes(range(256)) * 19 + bytes(136)),
            Entry(0x9286, 7, 16, b"ASCII\x00\x00\x00hi there"),
            ascii_entry(0xA431, b"\xff\xfe\xfd"),
        ],
    )
    decoded = decoded_with_exif(block)
    exif = decoded.exif
    assert exif.make == "Evil"
    assert "EXIF: Make holds 2 NUL-separated strings; kept the first" in exif.warnings
    assert exif.tags["Image"]["Make"] == ["Evil", "hidden after the terminator"]
    assert exif.model == "Café Cam"
    assert "EXIF: Model is not valid UTF-8; decoded as Latin-1" in exif.warnings
    assert exif.tags["Image"]["Model"] == "Café Cam"
    assert exif.software == "tool\\x1b[31m"
    assert "EXIF: Software contains unprintable characters; shown escaped" in exif.warnings
    assert exif.tags["Image"]["Software"] == {"hex": b"tool\x1b[31m".hex(), "length": 9}
    assert exif.tags["Image"]["ImageDescription"] == "A" * 20000
    assert exif.orientation is None
    assert "EXIF: Orientation 9 is not 1-8; ignored" in exif.warnings
    assert exif.datetime_original is None
    assert "EXIF: DateTimeOriginal '2021:13:45 25:61:00' is not a valid date and time; left empty" in exif.warnings
    assert exif.datetime_digitized == "2021-02-03T04:05:06-03:00"
    assert exif.tags["Exif"]["MakerNote"]["length"] == 5000
    assert len(exif.tags["Exif"]["MakerNote"]["hex"]) == 512
    assert exif.tags["Exif"]["UserComment"] == "hi there"
    assert (
        exif.body_serial is not None
        and "EXIF: BodySerialNumber is not valid UTF-8; decoded as Latin-1" in exif.warnings
    )
    assert decoded.image is not None and decoded.image.size == (64, 48)  # orientation 9 applies nothing


# Pillow parses the same block itself while opening the JPEG (for its DPI) and warns about the liar.
@pytest.mark.filterwarnings("ignore:Tag data larger than file:UserWarning")
def test_a_count_that_lies_costs_only_that_tag() -> None:
    # Four billion SHORTs in a 12-byte entry: piexif would build a four-gigabyte struct format for it.
    liar = Entry(0x0102, SHORT, 0x7FFF_FFFF, struct.pack("<L", 26))
    block = exif_block([ascii_entry(0x010F, b"Survivor"), liar], exif=[ascii_entry(0x9003, b"2020:01:02 03:04:05")])
    exif = decoded_with_exif(block).exif
    assert exif.make == "Survivor"
    assert exif.datetime_original == "2020-01-02T03:04:05"
    assert exif.warnings == [
        "EXIF: Image tag 0x0102 (BitsPerSample) claims 4294967294 bytes at offset 26, "
        "past the end of the 98-byte block; skipped"
    ]


def test_pointer_to_nowhere_and_unknown_types() -> None:
    block = bytearray(exif_block([ascii_entry(0x010F, b"Maker")], gps=[ascii_entry(1, b"N")]))
    gps_pointer = block.index(struct.pack("<HHL", 0x8825, 4, 1))
    block[gps_pointer + 8 : gps_pointer + 12] = struct.pack("<L", 1_000_000)
    exif = decoded_with_exif(bytes(block)).exif
    assert exif.make == "Maker"
    assert exif.gps_latitude is None
    assert any("GPS IFD offset 1000000 is outside" in warning for warning in exif.warnings)
    odd_type = exif_block([ascii_entry(0x010F, b"Maker"), Entry(0x0131, 99, 1, b"abcd")])
    exif = decoded_with_exif(odd_type).exif
    assert exif.make == "Maker"
    assert any("unknown type 99" in warning for warning in exif.warnings)


def test_exif_that_is_not_tiff_at_all() -> None:
    exif = read_exif(b"Exif\x00\x00this is no TIFF header")
    assert exif.tags == {}
    assert exif.warnings[0].startswith("EXIF: no TIFF header (expected II or MM)")
    assert any(warning.startswith("EXIF: unreadable block") for warning in exif.warnings)
    assert read_exif(b"").warnings == []


def test_exif_in_other_containers() -> None:
    block = exif_block(
        [ascii_entry(0x010F, b"Maker"), short_entry(0x0112, 3)],
        exif=[ascii_entry(0x9003, b"2020:01:02 03:04:05")],
        gps=[
            ascii_entry(1, b"N"),
            rational_entry(2, (10, 1), (30, 1), (0, 1)),
            ascii_entry(3, b"W"),
            rational_entry(4, (20, 1), (15, 1), (0, 1)),
        ],
    )
    image = Image.new("RGB", (20, 10), "blue")
    image.putpixel((0, 0), (255, 0, 0))
    for pillow_format in ("PNG", "WEBP", "TIFF"):
        options = {"lossless": True} if pillow_format == "WEBP" else {}
        decoded = decode_image(saved(image, pillow_format, exif=block, **options))
        exif = decoded.exif
        assert (exif.make, exif.datetime_original, exif.orientation) == ("Maker", "2020-01-02T03:04:05", 3), (
            pillow_format
        )
        assert (exif.gps_latitude, exif.gps_longitude) == (pytest.approx(10.5), pytest.approx(-20.25)), pillow_format
        assert exif.warnings == [], pillow_format
        # Orientation 3 turns the picture half round: the red corner moves to the bottom right.
        assert pixel(decoded, (19, 9))[0] > 200, pillow_format


def test_keep_pixels_false_still_checks_the_data_and_reads_exif(samples: Path) -> None:
    decoded = decode_image(samples / "jpg" / "Canon_40D.jpg", keep_pixels=False)
    assert decoded.image is None and decoded.exif.make == "Canon"
    half = jpeg_bytes((300, 300))
    with pytest.raises(UnreadableImage, match=r"^truncated image"):
        decode_image(half[: len(half) // 2], keep_pixels=False)


def test_bytes_and_path_sources_agree(samples: Path) -> None:
    path = samples / "jpg" / "hdr" / "iphone_hdr_YES.jpg"
    from_path = decode_image(path, draft_size=100)
    from_bytes = decode_image(path.read_bytes(), draft_size=100)
    assert from_path.exif == from_bytes.exif
    assert from_path.image is not None and from_bytes.image is not None
    assert from_path.image.tobytes() == from_bytes.image.tobytes()


def test_user_comment_and_windows_tags() -> None:
    block = exif_block(
        [Entry(0x9C9B, 1, 12, "Title\u00e9".encode("utf-16-le") + b"\x00\x00")],  # XPTitle, UTF-16LE bytes
        exif=[Entry(0x9286, 7, 8 + 10, b"UNICODE\x00" + "h\u00e9llo".encode("utf-16-le"))],
    )
    exif = decoded_with_exif(block).exif
    assert exif.tags["Image"]["XPTitle"] == "Title\u00e9"
    assert exif.tags["Exif"]["UserComment"] == "h\u00e9llo"
    assert exif.warnings == []


def test_read_exif_of_an_opened_image_and_of_raw_bytes(samples: Path) -> None:
    path = samples / "jpg" / "Canon_40D.jpg"
    with Image.open(path) as image:
        from_image = read_exif(image)
        from_block = read_exif(image.info["exif"])
    assert from_image == from_block
    assert from_image.model == "Canon EOS 40D"
