"""Decode an evidence image fully, safely and once: size limits first, then pixels, EXIF and orientation.

Every problem a file can cause becomes UnreadableImage with a one-line reason, which the indexer records
in the case; one bad file never stops a scan.

Only the formats cbis sniffs are opened (sniff.IMAGE_FORMATS): Pillow has many more plugins, some of which
hand the file to outside programs (EPS runs Ghostscript), and evidence is hostile input.

Truncated images: Pillow decides whether to accept one from a process-wide switch,
ImageFile.LOAD_TRUNCATED_IMAGES, read while pixels load. decode_image never leaves it on: a strict decode
comes first, and only a file that fails it, with allow_truncated=True, is decoded again with the switch on,
while _TruncationGate keeps every other decode_image call (in any thread) from loading at that moment.
Code outside this module that turns the switch on makes strict decodes here lenient; decode_image then adds
a warning, since it cannot tell.
"""

import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pillow_heif
from PIL import Image, ImageFile, JpegImagePlugin, TiffImagePlugin

from cbis.ingest.exif import ExifInfo, read_exif
from cbis.ingest.hashing import open_evidence

__all__ = ["DecodedImage", "ExifInfo", "UnreadableImage", "decode_image", "read_exif"]

pillow_heif.register_heif_opener()

DEFAULT_MAX_PIXELS = 178_956_970
"""Twice Pillow's default MAX_IMAGE_PIXELS: the size at which Pillow itself refuses to open an image."""

# Pillow's names for the plugins that decode sniff.IMAGE_FORMATS. JPEG's factory also yields MPO files.
_ALLOWED_PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP", "HEIF", "AVIF")

_ORIENTATION = 0x0112

# EXIF orientation -> the transposition that shows the picture upright (the table ImageOps.exif_transpose uses).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class UnreadableImage(Exception):
    """The file could not be decoded as an image; `reason` is one line for the case record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class DecodedImage:
    format: str
    """As Pillow detected it, lowercase: "jpeg", "png", "heif", "mpo" (a multi-picture JPEG)..."""
    width: int
    height: int
    """Pixel size as stored: before draft reduction and before EXIF orientation. For HEIF it is the size libheif
    reports, after the container's own rotation (irot), which HEIF treats as part of the image itself."""
    exif: ExifInfo
    image: Image.Image | None
    """Mode "RGB", EXIF orientation applied, first frame, possibly reduced by JPEG draft mode; None when
    decode_image was called with keep_pixels=False."""
    truncated: bool
    """True when the image decoded only because allow_truncated was set."""
    warnings: list[str] = field(default_factory=list)
    """Decoding warnings; EXIF warnings are in exif.warnings."""


class _LoadFailed(Exception):
    """Pixels failed to load (the file opened): a truncated or corrupt stream, worth a lenient retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_image(
    source: bytes | Path,
    *,
    draft_size: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    keep_pixels: bool = True,
    allow_truncated: bool = False,
) -> DecodedImage:
    """Decode `source` (the file's bytes, or a path opened read-only with hashing.open_evidence).

    draft_size: for JPEG, let libjpeg decode at 1/2, 1/4 or 1/8 scale while both sides stay >= draft_size
    (so the shorter side of the result is >= draft_size). Other formats decode at full size.
    max_pixels: width x height above this is refused before any pixel memory is allocated. Pillow's own
    process-wide limit (2 x Image.MAX_IMAGE_PIXELS) still applies when the file is opened.
    keep_pixels: False still decodes every pixel (that is what proves the file sound) but returns no image.
    allow_truncated: decode what there is of a truncated or corrupt stream (gray where data is missing)
    rather than raise; the result says truncated=True.

    A path is read once; only a file that fails strict decoding with allow_truncated=True is read again.
    """
    if draft_size is not None and draft_size < 1:
        raise ValueError(f"draft_size must be a positive number of pixels, not {draft_size}")
    try:
        with _TRUNCATION_GATE.strict():
            return _decode(source, draft_size=draft_size, max_pixels=max_pixels, keep_pixels=keep_pixels)
    except _LoadFailed as strict_failure:
        if not allow_truncated:
            raise UnreadableImage(strict_failure.reason) from strict_failure
        first_failure = strict_failure
    try:
        with _TRUNCATION_GATE.lenient():
            decoded = _decode(source, draft_size=draft_size, max_pixels=max_pixels, keep_pixels=keep_pixels)
    except _LoadFailed as lenient_failure:
        raise UnreadableImage(first_failure.reason) from lenient_failure
    decoded.truncated = True
    decoded.warnings.insert(0, f"decoded only because truncated images were allowed: {first_failure.reason}")
    return decoded


def _decode(source: bytes | Path, *, draft_size: int | None, max_pixels: int, keep_pixels: bool) -> DecodedImage:
    warnings: list[str] = []
    if ImageFile.LOAD_TRUNCATED_IMAGES and not _TRUNCATION_GATE.lenient_active:
        warnings.append("PIL.ImageFile.LOAD_TRUNCATED_IMAGES was turned on outside cbis; truncation may go unnoticed")
    with _open_source(source) as stream:
        image = _open_image(stream, max_pixels)
        try:
            decoded = _decode_opened(image, draft_size=draft_size, keep_pixels=keep_pixels, warnings=warnings)
        except BaseException:
            image.close()
            raise
    if decoded.image is not image:
        # Only a converted or rotated copy is kept; let go of the decoded original now rather than at GC.
        image.close()
    return decoded


@contextmanager
def _open_source(source: bytes | Path) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
        return
    try:
        stream = open_evidence(Path(source))
    except OSError as exc:
        raise UnreadableImage(f"cannot open: {exc}") from exc
    with stream:
        yield stream


def _open_image(stream: BinaryIO, max_pixels: int) -> ImageFile.ImageFile:
    try:
        image = Image.open(stream, formats=_pillow_formats())
    except Image.DecompressionBombError as exc:
        size = _size_ignoring_pillow_limit(stream)
        raise UnreadableImage(_bomb_reason(size, _pixels_in_message(str(exc)), max_pixels, exc)) from exc
    except Image.UnidentifiedImageError as exc:
        raise UnreadableImage("not a supported image: Pillow cannot identify it as " + _format_list()) from exc
    except MemoryError as exc:
        raise UnreadableImage("out of memory while reading the image header") from exc
    except Exception as exc:  # plugins raise SyntaxError, struct.error, ValueError, RuntimeError (pillow-heif)...
        raise UnreadableImage(f"cannot open: {_one_line(exc)}") from exc
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise UnreadableImage(_bomb_reason((width, height), width * height, max_pixels, None))
    return image


def _decode_opened(
    image: ImageFile.ImageFile, *, draft_size: int | None, keep_pixels: bool, warnings: list[str]
) -> DecodedImage:
    width, height = image.size
    if isinstance(image, TiffImagePlugin.TiffImageFile):
        # Pillow reports a TIFF with orientation 5-8 at its turned size already; the stored size is in the tags.
        width, height = image.tag_v2.get(256, width), image.tag_v2.get(257, height)
    image_format = (image.format or "unknown").lower()
    # TIFF EXIF lives in the file's IFDs, which Pillow reads through the open file; load() lets go of it.
    exif = read_exif(image) if image_format == "tiff" else None
    try:
        if draft_size is not None and isinstance(image, JpegImagePlugin.JpegImageFile):
            image.draft("RGB", (draft_size, draft_size))
        image.load()
    except MemoryError as exc:
        raise UnreadableImage(f"out of memory decoding {width}x{height} pixels") from exc
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, struct.error, EOFError...
        raise _LoadFailed(_load_reason(exc)) from exc
    if exif is None:
        # After load(): PNG may keep its eXIf chunk after the pixel data.
        exif = read_exif(image)
    # libheif applies the HEIF container's rotation and mirroring while decoding (pillow-heif then resets the
    # EXIF tag to 1), and Pillow's TIFF loader applies the Orientation tag itself and deletes it. Pillow's
    # AVIF plugin does neither: it writes the container's transformation into the EXIF orientation instead.
    already_upright = image_format == "heif" or (
        isinstance(image, TiffImagePlugin.TiffImageFile) and _ORIENTATION not in image.tag_v2
    )
    pixels: Image.Image | None = None
    if keep_pixels:
        try:
            pixels = _upright_rgb(image, 1 if already_upright else (exif.orientation or 1))
        except MemoryError as exc:
            raise UnreadableImage(f"out of memory converting {width}x{height} pixels to RGB") from exc
        except (ValueError, OSError) as exc:
            raise UnreadableImage(f"cannot convert pixel mode {image.mode} to RGB: {_one_line(exc)}") from exc
    return DecodedImage(
        format=image_format,
        width=width,
        height=height,
        exif=exif,
        image=pixels,
        truncated=False,
        warnings=warnings,
    )


def _upright_rgb(image: Image.Image, orientation: int) -> Image.Image:
    rgb = to_rgb(image)
    if orientation in _UPRIGHT:
        rgb = rgb.transpose(_UPRIGHT[orientation])
    return rgb


def to_rgb(image: Image.Image) -> Image.Image:
    """The image as a person would see it, in mode RGB: transparency over white, 16-bit scaled to 8 bits."""
    mode = image.mode
    if mode == "RGB" and "transparency" not in image.info:
        return image
    if mode.startswith("I;16"):
        # 16-bit unsigned: the top 8 bits are what an 8-bit display shows.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    if mode in ("I", "F"):
        return _scaled_to_8_bits(image).convert("RGB")
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def _scaled_to_8_bits(image: Image.Image) -> Image.Image:
    low, high = image.getextrema()
    if low >= 0 and high <= 255 and image.mode == "I":
        return image.convert("L")
    if image.mode == "F" and low >= 0 and high <= 1:
        scale, offset = 255.0, 0.0
    elif image.mode == "I" and low >= 0 and high <= 65535:
        # Most 32-bit integer images are 16-bit data widened (PNG and TIFF grayscale).
        scale, offset = 1 / 256, 0.0
    elif high > low:
        scale, offset = 255 / (high - low), -low * 255 / (high - low)
    else:
        scale, offset = 0.0, 0.0
    return image.point(lambda value: value * scale + offset).convert("L")


# -- Reasons -------------------------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no details"
    return f"{type(exc).__name__}: {text}"


def _load_reason(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    if "truncated" in message.lower() or isinstance(exc, EOFError):
        return f"truncated image: {message or type(exc).__name__}"
    return f"corrupt image data: {_one_line(exc)}"


def _bomb_reason(size: tuple[int, int] | None, pixels: int | None, max_pixels: int, exc: Exception | None) -> str:
    limit = max_pixels if exc is None else min(max_pixels, _pillow_pixel_limit())
    if size is not None:
        width, height = size
        return f"decompression bomb: {width}x{height} = {width * height} pixels exceeds the limit of {limit} pixels"
    counted = f"{pixels} pixels" if pixels is not None else "its size"
    return f"decompression bomb: {counted} exceeds the limit of {limit} pixels"


def _pillow_pixel_limit() -> int:
    return 2 * Image.MAX_IMAGE_PIXELS if Image.MAX_IMAGE_PIXELS else 0


def _pixels_in_message(message: str) -> int | None:
    match = re.search(r"\((\d+) pixels\)", message)
    return int(match[1]) if match else None


def _size_ignoring_pillow_limit(stream: BinaryIO) -> tuple[int, int] | None:
    """Width and height for the refusal message, read from the header as Image.open would read it.

    Image.open refuses before returning the image; the plugin that accepted the file is asked again directly,
    which parses the header only and allocates no pixels.
    """
    try:
        stream.seek(0)
        prefix = stream.read(16)
        for name in _pillow_formats():
            factory, accept = Image.OPEN[name]
            if accept is not None and not accept(prefix):
                continue
            stream.seek(0)
            probe = factory(stream, "")
            return probe.size
    except Exception:  # only a message is at stake
        return None
    return None


@cache
def _pillow_formats() -> tuple[str, ...]:
    Image.init()
    # Pillow builds without AVIF (older than 11.3, or without libavif) simply lack that plugin.
    return tuple(name for name in _ALLOWED_PILLOW_FORMATS if name in Image.OPEN)


def _format_list() -> str:
    return ", ".join(name for name in _pillow_formats())


# -- Truncation switch -----------------------------------------------------------------------------------------


class _TruncationGate:
    """Shares Pillow's LOAD_TRUNCATED_IMAGES switch between strict decodes and the occasional lenient one.

    Any number of strict decodes may run at once; a lenient decode waits for them to finish, turns the switch
    on, decodes, and turns it back off before anyone else proceeds. New strict decodes wait while a lenient
    one is waiting, so a steady stream of strict work cannot starve it.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._strict_running = 0
        self._lenient_waiting = 0
        self.lenient_active = False

    @contextmanager
    def strict(self) -> Iterator[None]:
        with self._condition:
            while self.lenient_active or self._lenient_waiting:
                self._condition.wait()
            self._strict_running += 1
        try:
            yield
        finally:
            with self._condition:
                self._strict_running -= 1
                self._condition.notify_all()

    @contextmanager
    def lenient(self) -> Iterator[None]:
        with self._condition:
            self._lenient_waiting += 1
            while self.lenient_active or self._strict_running:
                self._condition.wait()
            self._lenient_waiting -= 1
            self.lenient_active = True
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous
            with self._condition:
                self.lenient_active = False
                self._condition.notify_all()


_TRUNCATION_GATE = _TruncationGate()
