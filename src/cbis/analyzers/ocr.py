"""Text in pictures: Tesseract OCR (through tesserocr), with a cheap selection of the pictures worth reading.

Reading costs 0.1-0.2 s a picture of 1600 pixels on one core of this CPU, where `cbis index` spends about 11 ms a
file on everything else: reading every picture would cut throughput tenfold. So by default (`--ocr auto`) only
pictures that look like text are read:

- screenshots: no camera make or model in EXIF, and either a device screen's size (SCREEN_SIZES, either way up) or
  a PNG/WebP of a screen's proportions (`screenshot_reason`); flagged `screenshot` whether read or not;
- text-like pictures: the cheap text detector (`text_score`, about 1 ms on a 512-pixel grey copy) finds enough
  tiles of dense high-contrast strokes (chat screenshots, scans, documents photographed, signs, screens).

`--ocr all` reads every image. A picture passed by still gets a row (read=False, with the reason): it was looked
at, and a resumed run does not look at it again. All the work happens in `prepare`, on the decode threads (one
Tesseract instance per thread); `analyze` only unpacks.

A picture that gives no confident word with Tesseract's page layout is read again as one block of text (a sign
board or a label in a photo, which the layout takes for a picture). One that still gives none, or whose words are
taller than wide (a page photographed sideways), is read again turned by 90, 270 and 180 degrees, on a copy of at
most ROTATION_SIDE pixels; the best reading is kept.
Word boxes are stored in pixels of the picture as shown (EXIF-oriented) at its full size, whatever size it was
decoded at.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from cbis.analyzers.base import AnalysisInput, AnalyzerSettings, AnalyzerSpec, Needs
from cbis.errors import UsageError
from cbis.records import OcrText, OcrWord

NAME = "ocr"
VERSION = "1"
DEFAULT_LANGUAGES = "eng"
MODES = ("auto", "all")
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng (and tesseract-ocr-deu etc. for --ocr-lang)"
# The selection looks at the picture as the run decodes it for every analyzer (at least 256 pixels on the shorter
# side, as the perceptual hashes need: asking for more would slow JPEG decoding of every file, read or not). A
# picture chosen for reading is decoded again from the file's bytes at no less than READ_DRAFT on its shorter
# side: JPEG draft decoding halves a 4000x3000 photo to 2000x1500, where body text of a photographed page is
# still 20 pixels high.
SELECT_DRAFT = 256
READ_DRAFT = 1200
# Pictures are read at most this many pixels on their longer side (a 100 MP scan would take a minute otherwise).
READ_SIDE = 2400
ROTATION_SIDE = 1200
MIN_CONFIDENCE = 60.0  # a word Tesseract is less sure of is kept in the words, but does not count as read
MIN_KEPT = 40.0  # words below this are dropped: on noise and textures Tesseract "reads" glyphs at 20-35
MIN_SIDE = 16  # smaller pictures hold no legible text

# Common device screens (pixels, portrait): phones, tablets, and desktop/laptop screens.
SCREEN_SIZES = frozenset(
    {
        (640, 1136), (750, 1334), (828, 1792), (1080, 1920), (1125, 2436), (1170, 2532), (1179, 2556),
        (1242, 2208), (1242, 2688), (1284, 2778), (1290, 2796), (1080, 2340), (1080, 2400), (1080, 2220),
        (1080, 2160), (1440, 2560), (1440, 2960), (1440, 3040), (1440, 3200), (720, 1280), (720, 1520),
        (720, 1600), (1536, 2048), (1620, 2160), (1640, 2360), (1668, 2388), (2048, 2732), (1200, 1920),
        (1600, 2560), (768, 1366), (900, 1440), (1050, 1680), (1080, 1920), (1200, 1920), (1440, 2560),
        (1600, 2560), (2160, 3840), (1800, 2880), (1964, 3024), (2234, 3456), (768, 1024), (800, 1280),
    }
)  # fmt: skip
SCREEN_ASPECT = (1.55, 2.4)  # longer over shorter side of a PNG/WebP screenshot of an unlisted screen: 16:10
# to 21:9 phones; not 4:3 or A4 (1.41), which scans share (4:3 screens are in SCREEN_SIZES)
# The text detector: a 512-pixel grey copy in 16-pixel tiles; a tile is text-like when at least this share of its
# pixels are strong horizontal-gradient edges (strokes) and its contrast is high; the picture when enough are.
DETECT_SIDE = 512
TILE = 16
EDGE_LEVEL = 60
TILE_EDGES = (0.10, 0.55)
TILE_CONTRAST = 90
TILE_BACKGROUND = 0.4  # share of a text tile's pixels within BACKGROUND_LEVEL of its median: paper, screen, board
BACKGROUND_LEVEL = 24
TILE_INK = 0.08  # and at least this share at INK_LEVEL or more from it: the strokes themselves
INK_LEVEL = 96
TEXT_TILES = 0.015  # share of tiles
TEXT_TILES_MIN = 6


def parse_languages(text: str | None) -> str:
    """`--ocr-lang eng+deu`: Tesseract language codes joined by '+', each once."""
    if text is None:
        return DEFAULT_LANGUAGES
    parts = [part.strip() for part in text.split("+")]
    if not parts or any(not part or not all(c.isalnum() or c == "_" for c in part) for part in parts):
        raise UsageError(f"--ocr-lang {text!r}: Tesseract language codes joined by '+', e.g. eng+deu")
    return "+".join(dict.fromkeys(parts))


def parse_mode(text: str | None) -> str:
    mode = (text or "auto").strip().lower()
    if mode not in MODES:
        raise UsageError(f"--ocr {text!r}: choose auto (pictures that look like text) or all")
    return mode


def tessdata_dirs() -> list[Path]:
    """Where Tesseract language files may be: TESSDATA_PREFIX, then Debian's and the usual install places."""
    candidates = []
    if os.environ.get("TESSDATA_PREFIX"):
        prefix = Path(os.environ["TESSDATA_PREFIX"])
        candidates += [prefix, prefix / "tessdata"]
    for base in (Path("/usr/share/tesseract-ocr"), Path("/usr/local/share/tesseract-ocr")):
        candidates += sorted(base.glob("*/tessdata"), reverse=True)
    candidates += [Path("/usr/share/tessdata"), Path("/usr/local/share/tessdata")]
    return [path for path in candidates if path.is_dir()]


def tessdata_for(languages: str) -> Path | None:
    """The first tessdata directory that has every language's file."""
    wanted = languages.split("+")
    for directory in tessdata_dirs():
        if all((directory / f"{language}.traineddata").is_file() for language in wanted):
            return directory
    return None


@cache
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def missing_reason(languages: str) -> str | None:
    import importlib.util

    if importlib.util.find_spec("tesserocr") is None:
        return f"the tesserocr package is not installed: pip install tesserocr; and {INSTALL}"
    if tessdata_for(languages) is None:
        found = sorted({p.stem for d in tessdata_dirs() for p in d.glob("*.traineddata")} - {"osd"})
        have = f" (installed: {', '.join(found)})" if found else ""
        return f"no Tesseract language files for {languages}{have}: {INSTALL}"
    return None


# EXIF a camera writes and a screenshot never carries: the exposure, and the maker's own block.
CAMERA_TAGS = ("ExposureTime", "FNumber", "ISOSpeedRatings", "FocalLength", "MakerNote")


def is_camera(exif: dict[str, Any] | None) -> bool:
    """Camera EXIF: a make or model, or exposure data (a trail camera may write no make, as the Reconyx does)."""
    if not exif:
        return False
    if exif.get("make") or exif.get("model"):
        return True
    tags = (exif.get("tags") or {}).get("Exif") or {}
    return isinstance(tags, dict) and any(tag in tags for tag in CAMERA_TAGS)


def screenshot_reason(source: AnalysisInput, size: tuple[int, int]) -> str | None:
    """Why the picture looks like a device screenshot, or None. `size`: as shown."""
    if is_camera(source.exif):
        return None
    short, long = sorted(size)
    if (short, long) in SCREEN_SIZES:
        return f"a device screen's size ({size[0]}x{size[1]}) and no camera EXIF"
    kind = (source.format or "").upper()
    if kind in ("PNG", "WEBP") and short >= 320 and SCREEN_ASPECT[0] <= long / short <= SCREEN_ASPECT[1]:
        return f"a {kind} of a screen's proportions and no camera EXIF"
    return None


def text_score(image: Image.Image) -> float:
    """The share of tiles that look like text strokes (0-1): a cheap detector, ~1 ms a picture."""
    grey = image.convert("L")
    factor = max(grey.size) // DETECT_SIDE
    if factor > 1:
        grey = grey.reduce(factor)
    pixels = np.asarray(grey, dtype=np.int16)
    rows, columns = (pixels.shape[0] // TILE) * TILE, ((pixels.shape[1] - 1) // TILE) * TILE
    if rows == 0 or columns == 0:
        return 0.0
    edges = np.abs(np.diff(pixels, axis=1))[:rows, :columns] >= EDGE_LEVEL
    tiles = edges.reshape(rows // TILE, TILE, columns // TILE, TILE).mean(axis=(1, 3))
    block = pixels[:rows, :columns].reshape(rows // TILE, TILE, columns // TILE, TILE)
    contrast = block.max(axis=(1, 3)) - block.min(axis=(1, 3))
    text = (tiles >= TILE_EDGES[0]) & (tiles <= TILE_EDGES[1]) & (contrast >= TILE_CONTRAST)
    if text.any():  # strokes on a plain ground, not a texture (noise, foliage, gravel): most pixels near the median
        candidates = block.transpose(0, 2, 1, 3)[text].reshape(int(text.sum()), -1)
        medians = np.median(candidates, axis=1, keepdims=True)
        distance = np.abs(candidates - medians)
        plain = (distance <= BACKGROUND_LEVEL).mean(axis=1) >= TILE_BACKGROUND
        inked = (distance >= INK_LEVEL).mean(axis=1) >= TILE_INK
        text[text] = plain & inked
    count = int(text.sum())
    return count / text.size if count >= TEXT_TILES_MIN else 0.0


def selection(source: AnalysisInput, image: Image.Image, mode: str) -> tuple[bool, str, str | None]:
    """(read it, the rule that decided, why it is a screenshot)."""
    screenshot = screenshot_reason(source, _shown_size(source, image))
    if min(image.size) < MIN_SIDE:
        return False, "too small to hold text", screenshot
    if mode == "all":
        return True, "all", screenshot
    if screenshot:
        return True, "screenshot", screenshot
    score = text_score(image)
    if score >= TEXT_TILES:
        return True, f"text-like ({score:.1%} of tiles)", screenshot
    return False, "not text-like", screenshot


def _shown_size(source: AnalysisInput, image: Image.Image) -> tuple[int, int]:
    """The picture's full size as shown (the decoded one may be reduced; width/height are before orientation)."""
    if not source.width or not source.height:
        return image.size
    if (image.width >= image.height) == (source.width >= source.height):
        return source.width, source.height
    return source.height, source.width


class _Reader:
    """One Tesseract instance per decode thread (an instance is not thread-safe; each costs ~0.1 s to start)."""

    def __init__(self, languages: str, directory: Path) -> None:
        self.languages = languages
        self.directory = directory
        self._local = threading.local()

    def api(self) -> Any:
        api = getattr(self._local, "api", None)
        if api is None:
            # One core per reading: the decode threads already read several pictures at once, and Tesseract's own
            # OpenMP threads on top of them only contend (read when the library loads, so set before the import).
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            import tesserocr

            api = tesserocr.PyTessBaseAPI(path=str(self.directory), lang=self.languages, psm=tesserocr.PSM.AUTO)
            self._local.api = api
        return api

    def read(self, image: Image.Image, single_block: bool = False) -> list[OcrWord]:
        from tesserocr import PSM, RIL, iterate_level

        api = self.api()
        api.SetPageSegMode(PSM.SINGLE_BLOCK if single_block else PSM.AUTO)
        api.SetImage(image)
        api.Recognize()
        words = []
        iterator = api.GetIterator()
        if iterator is None:
            return []
        for word in iterate_level(iterator, RIL.WORD):
            try:
                text = word.GetUTF8Text(RIL.WORD)
            except RuntimeError:  # "No text returned": an empty element
                continue
            box = word.BoundingBox(RIL.WORD)
            if not text or not text.strip() or box is None:
                continue
            left, top, right, bottom = box
            confidence = round(float(word.Confidence(RIL.WORD)), 1)
            if confidence < MIN_KEPT:
                continue
            words.append(OcrWord(text.strip(), confidence, left, top, right - left, bottom - top))
        api.Clear()
        return words


def _text_of(words: Sequence[OcrWord]) -> str:
    """Words joined into lines: a word starts a new line when it starts left of the previous one's end and below
    its middle."""
    lines: list[list[str]] = []
    previous: OcrWord | None = None
    for word in words:
        new_line = previous is None or (
            word.left < previous.left + previous.width and word.top > previous.top + previous.height / 2
        )
        if new_line:
            lines.append([word.text])
        else:
            lines[-1].append(word.text)
        previous = word
    return "\n".join(" ".join(line) for line in lines)


def _confident(words: Sequence[OcrWord]) -> int:
    return sum(len(word.text) for word in words if word.confidence >= MIN_CONFIDENCE)


def _sideways(words: Sequence[OcrWord]) -> bool:
    """Most words of several letters are taller than wide: the text runs up or down the picture."""
    long = [word for word in words if len(word.text) >= 4]
    return len(long) >= 2 and sum(word.height > word.width for word in long) > len(long) / 2


def _limit(image: Image.Image, side: int) -> tuple[Image.Image, float]:
    """The picture at most `side` pixels long, and the factor back to the given size."""
    if max(image.size) <= side:
        return image, 1.0
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS), 1 / scale


_TURNS = {90: Image.Transpose.ROTATE_90, 270: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180}


def _unturn(word: OcrWord, rotation: int, size: tuple[int, int]) -> OcrWord:
    """A word's box read in the picture turned counter-clockwise by `rotation`, in the unturned picture of `size`."""
    width, height = size
    x, y, w, h = word.left, word.top, word.width, word.height
    if rotation == 90:  # turned CCW: (x, y) there is (width - 1 - y, x) here
        x, y, w, h = width - (y + h), x, h, w
    elif rotation == 270:
        x, y, w, h = y, height - (x + w), h, w
    elif rotation == 180:
        x, y = width - (x + w), height - (y + h)
    return OcrWord(word.text, word.confidence, x, y, w, h)


def _scaled(word: OcrWord, factor: float) -> OcrWord:
    if factor == 1.0:
        return word
    return OcrWord(
        word.text,
        word.confidence,
        round(word.left * factor),
        round(word.top * factor),
        round(word.width * factor),
        round(word.height * factor),
    )


def _for_reading(source: AnalysisInput) -> Image.Image:
    """The picture at the size text is read at: decoded again from its bytes when the run's decode reduced it."""
    assert source.image is not None
    shown = _shown_size(source, source.image)
    if source.data is None or max(source.image.size) >= min(max(shown), READ_SIDE):
        return source.image
    from cbis.ingest.images import UnreadableImage, decode_image

    try:
        decoded = decode_image(source.data, draft_size=READ_DRAFT, allow_truncated=True)
    except (UnreadableImage, OSError, ValueError, MemoryError):
        return source.image  # decoded once already; the smaller picture is still worth reading
    return decoded.image if decoded.image is not None else source.image


class OcrPreparer:
    def __init__(self, languages: str, mode: str) -> None:
        self.languages = languages
        self.mode = mode
        self.needs = Needs(image=True, draft_size=SELECT_DRAFT, data=True)
        self._reader: _Reader | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        """What crosses to a Ray worker: the settings; each process starts its own Tesseract instances."""
        return {"languages": self.languages, "mode": self.mode}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["languages"], state["mode"])  # type: ignore[misc]

    def reader(self) -> _Reader:
        with self._lock:
            if self._reader is None:
                directory = tessdata_for(self.languages)
                if directory is None:
                    raise OSError(missing_reason(self.languages) or f"no Tesseract files for {self.languages}")
                self._reader = _Reader(self.languages, directory)
            return self._reader

    def prepare(self, source: AnalysisInput) -> np.ndarray | None:
        if source.image is None:
            return None
        image = source.image
        read, reason, screenshot = selection(source, image, self.mode)
        result = OcrText(read, reason, screenshot is not None, "", None, [], self.languages, 0)
        if read:
            result = self.read(_for_reading(source).convert("L"), _shown_size(source, image), result)
        return np.frombuffer(json.dumps(asdict(result), ensure_ascii=False).encode(), dtype=np.uint8).copy()

    def read(self, grey: Image.Image, shown: tuple[int, int], result: OcrText) -> OcrText:
        reader = self.reader()
        picture, factor = _limit(grey, READ_SIDE)
        factor *= shown[0] / grey.width if grey.width else 1.0
        words = reader.read(picture)
        rotation = 0
        if _confident(words) < 3:
            # Tesseract's page layout takes a sign board or a label in a photo for a picture: read it as one block.
            block = reader.read(picture, single_block=True)
            if _confident(block) > _confident(words):
                words = block
        if _confident(words) < 3 or _sideways(words):
            small, small_factor = _limit(grey, ROTATION_SIDE)
            best = _confident(words) if not _sideways(words) else 0
            for turn, transpose in _TURNS.items():
                turned = reader.read(small.transpose(transpose))
                if _confident(turned) > max(best, 2) and not _sideways(turned):
                    best, rotation = _confident(turned), turn
                    words = [_unturn(word, turn, small.size) for word in turned]
                    factor = small_factor * shown[0] / grey.width
        words = [_scaled(word, factor) for word in words]
        confident = [word.confidence for word in words if word.text]
        result.words = words
        result.text = _text_of(words)
        result.confidence = round(float(np.mean(confident)), 1) if confident else None
        result.rotation = rotation
        return result


class OcrAnalyzer(OcrPreparer):
    name = NAME
    version = VERSION
    output = OcrText
    batch_size: int | None = None
    accelerator = False

    def provenance(self) -> dict[str, Any]:
        import tesserocr

        directory = tessdata_for(self.languages)
        files = {
            language: _sha256(directory / f"{language}.traineddata") if directory else None
            for language in self.languages.split("+")
        }
        return {
            "engine": tesserocr.tesseract_version().splitlines()[0],
            "binding": f"tesserocr {_version('tesserocr')}",
            "languages": self.languages,
            "traineddata_sha256": files,
            "tessdata": str(directory) if directory else None,
            "mode": self.mode,
            "selection": describe_mode(self.mode),
            "page_segmentation": "PSM_AUTO, then PSM_SINGLE_BLOCK, then turned 90/270/180 while nothing is read "
            f"at confidence >= {MIN_CONFIDENCE:g}; words under {MIN_KEPT:g} dropped",
        }

    def identity(self) -> dict[str, Any]:
        provenance = self.provenance()
        provenance.pop("tessdata")
        return provenance

    def analyze(self, inputs: Sequence[np.ndarray]) -> list[Any]:
        return [unpack(data.tobytes()) for data in inputs]


def unpack(data: bytes) -> OcrText:
    values = json.loads(data.decode())
    values["words"] = [OcrWord(**word) for word in values["words"]]
    return OcrText(**values)


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def describe_mode(mode: str) -> str:
    if mode == "all":
        return "every image"
    return (
        "screenshots (a device screen's size, or a PNG/WebP of a screen's proportions, without camera EXIF) and "
        "pictures the cheap text detector finds text-like (scans, documents, signs, screens); --ocr all: every image"
    )


def _settings(settings: AnalyzerSettings) -> tuple[str, str]:
    return parse_languages(settings.ocr_languages), parse_mode(settings.ocr_mode)


def load(settings: AnalyzerSettings, on_status: Callable[[str], None] | None = None) -> OcrAnalyzer:
    languages, mode = _settings(settings)
    reason = missing_reason(languages)
    if reason is not None:
        raise UsageError(f"the ocr analyzer cannot run: {reason}")
    analyzer = OcrAnalyzer(languages, mode)
    analyzer.reader()
    return analyzer


def preparer(settings: AnalyzerSettings) -> OcrPreparer:
    return OcrPreparer(*_settings(settings))


def unavailable() -> str | None:
    return missing_reason(DEFAULT_LANGUAGES)


SPEC = AnalyzerSpec(
    name=NAME,
    description="Tesseract OCR: text with confidences and word boxes for `cbis search --text`; screenshot flag",
    output=OcrText,
    load=load,
    preparer=preparer,
    unavailable=unavailable,
    in_default=True,
    default_if_available=True,
    settings_used=frozenset({"ocr_languages", "ocr_mode"}),
    what_it_does=f"by default (--ocr auto): {describe_mode('auto')}; languages: --ocr-lang (default eng)",
)
