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

Memory: the pixel cap bounds one image, not what decoding it costs, nor what several worker threads decoding
at once cost. A 700 KB RGBA PNG just under the default cap decodes to 715 MB, and converting it to RGB the
simple way held five copies (3.4 GB). So: a TIFF whose tiles are far larger than the image is refused like a
bomb (libtiff allocates a whole tile, whatever the image size); images above LARGE_IMAGE_PIXELS are converted
to RGB a strip at a time (reduced on the way when the caller only needs draft_size pixels); and decodes whose
estimated cost is large take turns within DECODE_MEMORY_BUDGET (_MemoryBudget), so worker threads cannot add
their peaks together.
"""

import functools
import io
import itertools
import re
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pillow_heif
from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

from cbis.ingest.exif import ExifInfo, read_exif
from cbis.ingest.hashing import EvidenceFile, FileReplacedError, open_evidence
from cbis.ingest.jobclock import holding, waiting
from cbis.ingest.metadata import read_metadata
from cbis.ingest.png_text import MAX_TEXT_CHUNK_BYTES, MAX_TEXT_TOTAL_BYTES, is_text_limit_error, without_oversized_text

Source = Path | EvidenceFile
"""A file to decode by opening it (hashing.open_evidence); bytes already read are decoded as they are."""

__all__ = ["DecodedImage", "ExifInfo", "UnreadableImage", "decode_image", "read_exif"]

pillow_heif.register_heif_opener()

# Pillow warns (DecompressionBombWarning) about every image above Image.MAX_IMAGE_PIXELS, 89 M pixels, and
# refuses at twice that. cbis has its own cap (--max-pixels, checked in _open_image), so the warning says
# nothing an examiner can act on and would be printed for every large photo of an index run; Pillow's
# refusal (DecompressionBombError) still applies and is recorded as the file's reason.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# cbis's own bounds for PNG text chunks (see png_text): Pillow's 1 MB per chunk refuses honest XMP packets.
PngImagePlugin.MAX_TEXT_CHUNK = MAX_TEXT_CHUNK_BYTES
PngImagePlugin.MAX_TEXT_MEMORY = MAX_TEXT_TOTAL_BYTES

DEFAULT_MAX_PIXELS = 178_956_970
"""Twice Pillow's default MAX_IMAGE_PIXELS: the size at which Pillow itself refuses to open an image."""

# Pillow's names for the plugins that decode sniff.IMAGE_FORMATS. JPEG's factory also yields MPO files.
_ALLOWED_PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP", "HEIF", "AVIF")

_ORIENTATION = 0x0112

LARGE_IMAGE_PIXELS = 1 << 24
"""Images above this many pixels (16.8 M, 64 MB decoded) are converted to RGB a strip at a time."""
STRIP_PIXELS = 1 << 22
"""Pixels per strip of that conversion: each strip's temporary copies stay around 16-64 MB."""
DECODE_MEMORY_BUDGET = 1 << 30
"""Estimated bytes that large decodes running at the same time may hold together (see _MemoryBudget)."""
SMALL_DECODE_BYTES = 64 << 20
"""Decodes estimated below this never wait for the budget: the worker count bounds what they hold."""
MEMORY_WAIT_SECONDS = 60.0
"""The longest a decode waits for the budget before going ahead: a decoder stuck on a hostile file (its
thread abandoned by the indexer's time limit) must not hold back every later large image for ever."""
MAX_TILE_PIXELS = 1 << 22
"""TIFF tiles up to 2048 x 2048 are always accepted; larger ones only when no larger than the image's area."""

# TIFF tags that say how big a piece of the image libtiff decodes into one buffer.
_TILE_WIDTH, _TILE_LENGTH = 322, 323

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
    """Pixel size as stored: before draft reduction, before EXIF orientation and, for HEIF, before the
    container's rotation (irot)."""
    exif: ExifInfo
    image: Image.Image | None
    """Mode "RGB", EXIF orientation applied, first frame, possibly reduced by JPEG draft mode; None when
    decode_image was called with keep_pixels=False."""
    truncated: bool
    """True when the image decoded only because allow_truncated was set."""
    warnings: list[str] = field(default_factory=list)
    """Decoding warnings; EXIF warnings are in exif.warnings."""
    display_width: int = 0
    display_height: int = 0
    """Pixel size as shown: after the orientation cbis applies to `image` (EXIF or XMP orientation, HEIF's
    irot and imir), before draft reduction. Equal to width and height unless the picture is turned 90 degrees."""


class _TextTooLarge(Exception):
    """Pillow refused a PNG for the size of its text chunks (see png_text), not for its pixels."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _LoadFailed(Exception):
    """Pixels failed to load (the file opened): a truncated or corrupt stream, worth a lenient retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_image(
    source: bytes | Source,
    *,
    draft_size: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    keep_pixels: bool = True,
    allow_truncated: bool = False,
) -> DecodedImage:
    """Decode `source` (the file's bytes, or a path opened read-only with hashing.open_evidence).

    draft_size: for JPEG, let libjpeg decode at 1/2, 1/4 or 1/8 scale while both sides stay >= draft_size
    (so the shorter side of the result is >= draft_size). Other formats decode at full size; the returned
    image of one above LARGE_IMAGE_PIXELS is then box-reduced by a whole factor, its shorter side >= draft_size.
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
        return _decode_image(
            source,
            draft_size=draft_size,
            max_pixels=max_pixels,
            keep_pixels=keep_pixels,
            allow_truncated=allow_truncated,
        )
    except UnreadableImage:
        raise
    except MemoryError as exc:
        raise UnreadableImage("out of memory while decoding") from exc
    except Exception as exc:
        # Whatever a plugin raises where no one expected it is still one file that cannot be read, never a
        # reason for the caller's whole run to stop.
        raise UnreadableImage(f"cannot decode: {_one_line(exc)}") from exc


def _decode_image(
    source: bytes | Source, *, draft_size: int | None, max_pixels: int, keep_pixels: bool, allow_truncated: bool
) -> DecodedImage:
    decode = functools.partial(
        _decode_strict_then_lenient,
        draft_size=draft_size,
        max_pixels=max_pixels,
        keep_pixels=keep_pixels,
        allow_truncated=allow_truncated,
    )
    try:
        return decode(source)
    except _TextTooLarge as refused:
        # A PNG whose text chunks pass the limits: decoded again without them (png_text), never lost.
        filtered = without_oversized_text(_all_bytes(source))
        if filtered is None:
            raise UnreadableImage(refused.reason) from refused
    try:
        decoded = decode(filtered.data)
    except _TextTooLarge as refused_again:
        raise UnreadableImage(refused_again.reason) from refused_again
    decoded.warnings[:0] = filtered.warnings
    return decoded


def _all_bytes(source: bytes | Source) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    with _open_source(source) as stream:
        return stream.read()


def _decode_strict_then_lenient(
    source: bytes | Source, *, draft_size: int | None, max_pixels: int, keep_pixels: bool, allow_truncated: bool
) -> DecodedImage:
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


def _decode(source: bytes | Source, *, draft_size: int | None, max_pixels: int, keep_pixels: bool) -> DecodedImage:
    warnings: list[str] = []
    if ImageFile.LOAD_TRUNCATED_IMAGES and not _TRUNCATION_GATE.lenient_active:
        warnings.append("PIL.ImageFile.LOAD_TRUNCATED_IMAGES was turned on outside cbis; truncation may go unnoticed")
    with _open_source(source) as stream:
        image = _open_image(stream, max_pixels)
        try:
            _check_tiles(image, max_pixels)
            return _decode_opened(image, draft_size=draft_size, keep_pixels=keep_pixels, warnings=warnings)
        except BaseException:
            image.close()
            raise


@contextmanager
def _open_source(source: bytes | Source) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
        return
    try:
        stream = open_evidence(source if isinstance(source, EvidenceFile) else Path(source))
    except FileReplacedError as exc:
        raise UnreadableImage(exc.reason) from exc
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
    except ValueError as exc:
        if is_text_limit_error(exc):
            raise _TextTooLarge(f"PNG text chunks too large: {_one_line(exc)}") from exc
        raise UnreadableImage(f"cannot open: {_one_line(exc)}") from exc
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
    if image_format == "heif":
        width, height = _heif_stored_size(image)  # before load(), which lets go of what it is read from
    # TIFF EXIF lives in the file's IFDs, which Pillow reads through the open file; load() lets go of it.
    exif = read_metadata(image) if image_format == "tiff" else None
    try:
        if draft_size is not None and isinstance(image, JpegImagePlugin.JpegImageFile):
            image.draft("RGB", (draft_size, draft_size))
    except Exception as exc:
        raise _LoadFailed(_load_reason(exc)) from exc
    # What the original image, and the conversion below, will hold; released once only the result is left.
    reduce_factor = _reduce_factor(image.size, draft_size) if keep_pixels else 1
    with _MEMORY_BUDGET.reserve(_decode_cost(image, (width, height), keep_pixels, reduce_factor)):
        decoded = _load_and_convert(
            image,
            image_format=image_format,
            size=(width, height),
            exif=exif,
            keep_pixels=keep_pixels,
            reduce_factor=reduce_factor,
            warnings=warnings,
        )
        if decoded.image is not image:
            # Only a converted or rotated copy is kept; let go of the decoded original now rather than at GC.
            image.close()
    return decoded


def _load_and_convert(
    image: ImageFile.ImageFile,
    *,
    image_format: str,
    size: tuple[int, int],
    exif: ExifInfo | None,
    keep_pixels: bool,
    reduce_factor: int,
    warnings: list[str],
) -> DecodedImage:
    width, height = size
    try:
        image.load()
    except MemoryError as exc:
        raise UnreadableImage(f"out of memory decoding {width}x{height} pixels") from exc
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, struct.error, EOFError...
        if is_text_limit_error(exc):  # a text chunk after the pixel data
            raise _TextTooLarge(f"PNG text chunks too large: {_one_line(exc)}") from exc
        raise _LoadFailed(_load_reason(exc)) from exc
    if exif is None:
        # After load(): PNG may keep its eXIf chunk (and XMP) after the pixel data.
        exif = read_metadata(image)
    # libheif applies the HEIF container's rotation and mirroring while decoding (pillow-heif then resets the
    # EXIF tag to 1), and Pillow's TIFF loader applies the Orientation tag itself and deletes it. Pillow's
    # AVIF plugin does neither: it writes the container's transformation into the EXIF orientation instead.
    already_upright = image_format == "heif" or (
        isinstance(image, TiffImagePlugin.TiffImageFile) and _ORIENTATION not in image.tag_v2
    )
    applied = 1 if already_upright else (exif.orientation or 1)
    display_width, display_height = (height, width) if applied in _TURNED else (width, height)
    if already_upright:
        display_width, display_height = image.size  # what libheif or Pillow's TIFF loader turned it to
    pixels: Image.Image | None = None
    if keep_pixels:
        try:
            pixels = upright_rgb(image, applied, reduce_factor=reduce_factor)
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
        display_width=display_width,
        display_height=display_height,
    )


# EXIF orientations that turn the picture by 90 degrees (with or without a mirror): width and height swap.
_TURNED = frozenset({5, 6, 7, 8})


def _heif_stored_size(image: Image.Image) -> tuple[int, int]:
    """The size of a HEIF image before the container's rotation: libheif reports (and decodes) it turned.

    pillow-heif has no public way to ask, so its image's transformation list (irot, imir, clap) is read; when
    that is missing the size libheif reports stands."""
    width, height = image.size
    try:
        transformations = image._heif_file[0]._c_image.transformations  # type: ignore[attr-defined]
        angle = sum(int(entry[1]) for entry in transformations if entry[0] == "irot")
    except Exception:  # a pillow-heif without these internals
        return width, height
    return (height, width) if angle % 180 == 90 else (width, height)


def upright_rgb(image: Image.Image, orientation: int, *, reduce_factor: int = 1) -> Image.Image:
    """`image` in mode RGB (see to_rgb), turned upright for its EXIF orientation, reduced by `reduce_factor`.

    Images above LARGE_IMAGE_PIXELS, and any that are reduced, are converted a strip at a time
    (upright_rgb_in_strips): the result is the same, pixel for pixel, as converting the whole image, reducing
    it (Image.reduce, a box filter) and turning it, without the full-size copies those steps make.
    """
    width, height = image.size
    if reduce_factor == 1 and width * height <= LARGE_IMAGE_PIXELS:
        rgb = to_rgb(image)
        if orientation in _UPRIGHT:
            rgb = rgb.transpose(_UPRIGHT[orientation])
        return rgb
    return upright_rgb_in_strips(image, orientation, reduce_factor=reduce_factor)


def upright_rgb_in_strips(
    image: Image.Image, orientation: int, *, reduce_factor: int = 1, strip_pixels: int = STRIP_PIXELS
) -> Image.Image:
    """upright_rgb one band of rows at a time: besides the image and the result, only one strip's copies live.

    Strips are a whole number of `reduce_factor` rows high, so reduction boxes never straddle two strips.
    """
    width, height = image.size
    factor = max(1, reduce_factor)
    convert = _rgb_converter(image)
    rows = max(factor, (max(1, strip_pixels // max(1, width)) // factor) * factor)
    out_width, out_height = -(-width // factor), -(-height // factor)
    transpose = _UPRIGHT.get(orientation)
    turned = transpose in _SWAPS_AXES
    result = Image.new("RGB", (out_height, out_width) if turned else (out_width, out_height))
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        piece = convert(image.crop((0, top, width, bottom)))
        if factor > 1:
            piece = piece.reduce(factor)
        first, last = top // factor, top // factor + piece.height  # rows of the reduced image
        if transpose is not None:
            piece = piece.transpose(transpose)
        result.paste(piece, _strip_position(transpose, first, last, out_height))
    return result


# Transpositions that turn rows into columns; the others keep rows as rows.
_SWAPS_AXES = frozenset(
    {Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270, Image.Transpose.TRANSPOSE, Image.Transpose.TRANSVERSE}
)


def _strip_position(transpose: Image.Transpose | None, first: int, last: int, height: int) -> tuple[int, int]:
    """Where rows first..last of the unturned image land, as a block, once the whole image is turned."""
    if transpose in (None, Image.Transpose.FLIP_LEFT_RIGHT):
        return (0, first)
    if transpose in (Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.ROTATE_180):
        return (0, height - last)
    if transpose in (Image.Transpose.ROTATE_90, Image.Transpose.TRANSPOSE):
        return (first, 0)
    return (height - last, 0)  # ROTATE_270, TRANSVERSE


def _reduce_factor(size: tuple[int, int], draft_size: int | None) -> int:
    """For a large image of which only draft_size pixels (shorter side) are wanted: the box-reduction factor
    that keeps the shorter side >= draft_size, as JPEG draft mode does. 1 for other images."""
    width, height = size
    if draft_size is None or width * height <= LARGE_IMAGE_PIXELS:
        return 1
    return max(1, min(width, height) // draft_size)


def to_rgb(image: Image.Image) -> Image.Image:
    """The image as a person would see it, in mode RGB: transparency over white, 16-bit scaled to 8 bits."""
    return _rgb_converter(image)(image)


def _rgb_converter(image: Image.Image) -> Callable[[Image.Image], Image.Image]:
    """A function that converts `image`, or any piece cropped from it, as to_rgb converts the whole image.

    Everything it does is per pixel, except the scaling of 32-bit integer and float images, which is decided
    once from the whole image's extremes.
    """
    mode = image.mode
    if mode == "RGB" and "transparency" not in image.info:
        return lambda piece: piece
    if mode.startswith("I;16"):
        # 16-bit unsigned: the top 8 bits are what an 8-bit display shows.
        return lambda piece: piece.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    if mode in ("I", "F"):
        to_8_bits = _eight_bit_scaler(image)
        return lambda piece: to_8_bits(piece).convert("RGB")
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info:
        return _on_white
    return lambda piece: piece.convert("RGB")


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _eight_bit_scaler(image: Image.Image) -> Callable[[Image.Image], Image.Image]:
    low, high = image.getextrema()
    if low >= 0 and high <= 255 and image.mode == "I":
        return lambda piece: piece.convert("L")
    if image.mode == "F" and low >= 0 and high <= 1:
        scale, offset = 255.0, 0.0
    elif image.mode == "I" and low >= 0 and high <= 65535:
        # Most 32-bit integer images are 16-bit data widened (PNG and TIFF grayscale).
        scale, offset = 1 / 256, 0.0
    elif high > low:
        scale, offset = 255 / (high - low), -low * 255 / (high - low)
    else:
        scale, offset = 0.0, 0.0
    return lambda piece: piece.point(lambda value: value * scale + offset).convert("L")


# -- Memory --------------------------------------------------------------------------------------------------


def _bytes_per_pixel(mode: str) -> int:
    """What Pillow allocates per pixel: one byte for 1, L and P, two for I;16, four for the rest (RGB too)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def _decode_cost(image: Image.Image, stored: tuple[int, int], keep_pixels: bool, reduce_factor: int) -> int:
    """An estimate, in bytes, of the most that loading `image` (and converting it, with keep_pixels) holds."""
    width, height = image.size  # after JPEG draft mode
    pixels = width * height
    cost = pixels * _bytes_per_pixel(image.mode)
    if image.format in ("WEBP", "HEIF", "AVIF"):
        cost *= 2  # the codec decodes into a buffer of its own, which Pillow then copies
    if image.format in ("JPEG", "MPO") and image.info.get("progressive"):
        # libjpeg keeps every DCT coefficient of a progressive JPEG (two bytes a sample), at full size even
        # in draft mode.
        cost += stored[0] * stored[1] * 2 * max(3, len(image.getbands()))
    if keep_pixels:
        if reduce_factor > 1 or pixels > LARGE_IMAGE_PIXELS:
            cost += -(-width // reduce_factor) * -(-height // reduce_factor) * 4 + STRIP_PIXELS * 16
        else:
            cost += pixels * 16  # converted whole: an RGBA copy, white, their composite, RGB, turned
    return cost


class _MemoryBudget:
    """Large decodes take turns so that worker threads cannot add their peaks together.

    Each decode estimated at SMALL_DECODE_BYTES or more reserves its estimate; it waits, first come first
    served, while what others hold leaves too little of the budget. One larger than the whole budget waits
    until it runs alone. No decode waits longer than MEMORY_WAIT_SECONDS.
    """

    def __init__(self, budget: int, small: int, max_wait: float) -> None:
        self.budget = budget
        self.small = small
        self.max_wait = max_wait
        self._condition = threading.Condition()
        self._held = 0
        self._queue: deque[int] = deque()
        self._tickets = itertools.count()

    @property
    def held(self) -> int:
        with self._condition:
            return self._held

    @contextmanager
    def reserve(self, estimate: int) -> Iterator[None]:
        if estimate < self.small:
            yield
            return
        amount = min(estimate, self.budget)
        # Waiting for a share is not this file's decode time (--file-time-limit counts only its own work).
        with waiting(), self._condition:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            deadline = time.monotonic() + self.max_wait
            while self._queue[0] != ticket or self._held + amount > self.budget:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            self._queue.remove(ticket)
            self._held += amount
            self._condition.notify_all()
        try:
            yield
        finally:
            with self._condition:
                self._held -= amount
                self._condition.notify_all()


_MEMORY_BUDGET = _MemoryBudget(DECODE_MEMORY_BUDGET, SMALL_DECODE_BYTES, MEMORY_WAIT_SECONDS)


def _check_tiles(image: Image.Image, max_pixels: int) -> None:
    """Refuse a TIFF whose tiles dwarf the image: libtiff allocates (and fills) a whole tile whatever the image
    size, so a 100 x 100 image in 32768 x 32768 tiles costs a gigabyte per sample from a 1 KB file."""
    if not isinstance(image, TiffImagePlugin.TiffImageFile):
        return
    try:
        tile_width, tile_length = image.tag_v2.get(_TILE_WIDTH), image.tag_v2.get(_TILE_LENGTH)
    except Exception:  # a broken tag is for the decoder to report
        return
    if not (isinstance(tile_width, int) and isinstance(tile_length, int)):
        return
    width, height = image.size
    tile_pixels = tile_width * tile_length
    limit = min(max(MAX_TILE_PIXELS, width * height), max_pixels)
    if tile_pixels > limit:
        raise UnreadableImage(
            f"decompression bomb: TIFF tiles of {tile_width}x{tile_length} = {tile_pixels} pixels for a "
            f"{width}x{height} image exceed the limit of {limit} pixels per tile"
        )


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
    one is waiting, so a steady stream of strict work cannot starve it. Waiting here is not counted against a
    file's time limit, and a decode the run gives up on lets go of the gate at once: the switch goes off (the
    abandoned decode, whose result nobody will read, may then fail) and the others proceed.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._strict_running = 0
        self._lenient_waiting = 0
        self._lenient_turn = 0  # which lenient decode holds the switch; a release for an older turn is a no-op
        self._previous = False
        self.lenient_active = False

    @contextmanager
    def strict(self) -> Iterator[None]:
        with waiting(), self._condition:
            while self.lenient_active or self._lenient_waiting:
                self._condition.wait()
            self._strict_running += 1
        released = False

        def release() -> None:
            nonlocal released
            with self._condition:
                if not released:
                    released = True
                    self._strict_running -= 1
                    self._condition.notify_all()

        with holding(release):
            yield

    @contextmanager
    def lenient(self) -> Iterator[None]:
        with waiting(), self._condition:
            self._lenient_waiting += 1
            while self.lenient_active or self._strict_running:
                self._condition.wait()
            self._lenient_waiting -= 1
            self.lenient_active = True
            self._lenient_turn += 1
            turn = self._lenient_turn
            self._previous = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = True

        def release() -> None:
            with self._condition:
                if self.lenient_active and self._lenient_turn == turn:
                    ImageFile.LOAD_TRUNCATED_IMAGES = self._previous
                    self.lenient_active = False
                    self._condition.notify_all()

        with holding(release):
            yield


_TRUNCATION_GATE = _TruncationGate()
