"""Perceptual hashes: pHash and dHash (imagehash) and PDQ (Meta's, through pdqhash), and the EXIF thumbnail's pHash
against the picture's.

Two pictures that look the same (resized, re-encoded, EXIF stripped, lightly cropped) have hashes a few bits apart,
whatever their bytes: `cbis duplicates` stacks them (services/duplicates.py). pHash is also taken of the picture
turned and mirrored (the eight dihedral transforms), so a copy rotated by its pixels, not by an EXIF flag, is found.
A picture without features (one colour, or PDQ quality under PDQ_MIN_QUALITY) is flagged `featureless` and never
grouped by hash: every blank image would otherwise be one stack.

The camera writes the EXIF thumbnail when it writes the picture; editing software often rewrites the picture and
leaves the thumbnail alone. A thumbnail whose pHash is far from the picture's is flagged `thumbnail_mismatch`.

All the work is per file, in `prepare` (on the decode threads, from the picture the pipeline decoded once);
`analyze` only unpacks the result into records.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from cbis.analyzers.base import AnalysisInput, AnalyzerSettings, AnalyzerSpec, Needs
from cbis.records import PerceptualHashes

NAME = "perceptual"
VERSION = "1"
# Meta's guidance for PDQ: hashes of quality below 50 are too uninformative to match on.
PDQ_MIN_QUALITY = 50
# Standard deviation of the 32x32 grey picture (0-255) under which it is one colour: no hash says anything.
UNIFORM_STD = 2.0
# Thumbnail against picture, pHash bits of 64 (see docs/duplicates.md for the measurements): at most 10 apart on
# every camera sample whose thumbnail is the picture, 20 or more when the picture was changed after the camera.
THUMBNAIL_MISMATCH_BITS = 16
# Rows or columns of a thumbnail this dark at its edges are padding (cameras letterbox 3:2 pictures into 160x120).
PADDING_LEVEL = 24
# The input packed by prepare: 8 pHashes (dihedral), dHash, PDQ (32 bytes), then little-endian extras.
_PHASH_VARIANTS = 8
_LAYOUT = (8 * _PHASH_VARIANTS, 8, 32)  # bytes
_EXTRA_FIELDS = 4  # pdq quality, featureless, thumbnail present, thumbnail distance
_DIHEDRAL = (
    None,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
)


def _bits_to_bytes(bits: np.ndarray) -> bytes:
    return np.packbits(np.asarray(bits, dtype=bool).reshape(-1)).tobytes()


def phash_variants(image: Image.Image) -> list[bytes]:
    """imagehash's pHash of the picture in each dihedral transform (the first: as it is), 8 bytes each.

    imagehash.phash's own steps (grey, Lanczos to 32x32, a DCT each way, the 8x8 low frequencies against their
    median), with the eight transforms of the 32x32 picture stacked into one DCT call: the same bits, a fraction
    of the time."""
    import scipy.fftpack

    small = image.convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    stack = np.stack([np.asarray(small if t is None else small.transpose(t)) for t in _DIHEDRAL])
    low = scipy.fftpack.dct(scipy.fftpack.dct(stack, axis=1), axis=2)[:, :8, :8]
    medians = np.median(low.reshape(len(_DIHEDRAL), -1), axis=1)
    return [_bits_to_bytes(low[n] > medians[n]) for n in range(len(_DIHEDRAL))]


def dhash(grey: Image.Image) -> bytes:
    import imagehash

    return _bits_to_bytes(imagehash.dhash(grey).hash)


def pdq(image: Image.Image) -> tuple[bytes, int]:
    import pdqhash

    vector, quality = pdqhash.compute(np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8)))
    return _bits_to_bytes(vector), int(quality)


# Every hash looks at a summary of at most 64x64 (PDQ) of the picture: they are all taken from the decoded picture
# reduced by a whole factor (a box filter, as JPEG draft decoding does) to at most this many pixels on its longer
# side. Measured on camera photos: hashes within a bit or two of the full picture's, at a third of the time.
HASH_INPUT_SIDE = 256


def reduced(image: Image.Image) -> Image.Image:
    factor = max(image.size) // HASH_INPUT_SIDE
    return image.reduce(factor) if factor > 1 else image


def is_uniform(image: Image.Image) -> bool:
    grey = np.asarray(image.convert("L").resize((32, 32), Image.Resampling.BOX), dtype=np.float32)
    return float(grey.std()) < UNIFORM_STD


def exif_thumbnail(data: bytes | None, orientation: int | None) -> Image.Image | None:
    """The EXIF thumbnail, turned as the picture is shown and without its letterbox padding; None if there is none
    (or it cannot be read: that is no finding about the picture)."""
    if not data:
        return None
    try:
        import piexif

        thumbnail = piexif.load(data).get("thumbnail")
        if not thumbnail:
            return None
        with Image.open(io.BytesIO(thumbnail)) as opened:
            if opened.width * opened.height > 1_000_000:  # a thumbnail is small; anything else is not one
                return None
            image = opened.convert("RGB")
    except Exception:  # piexif and Pillow raise many types on a damaged block; a thumbnail is optional
        return None
    if orientation and orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.info["exif"] = exif.tobytes()
        image = ImageOps.exif_transpose(image)
    return trim_padding(image)


def trim_padding(image: Image.Image) -> Image.Image:
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    rows = np.flatnonzero(grey.max(axis=1) > PADDING_LEVEL)
    columns = np.flatnonzero(grey.max(axis=0) > PADDING_LEVEL)
    if len(rows) < 8 or len(columns) < 8:
        return image
    return image.crop((int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1))


def hamming(a: bytes, b: bytes) -> int:
    return int.from_bytes(a, "big").__xor__(int.from_bytes(b, "big")).bit_count()


class PerceptualAnalyzer:
    name = NAME
    version = VERSION
    output = PerceptualHashes
    batch_size: int | None = None
    accelerator = False
    # The hashes look at 32x32 (pHash), 9x8 (dHash) and 64x64 (PDQ) summaries: a picture reduced to 256 pixels on
    # its shorter side hashes as the full one does, within a bit or two.
    needs = Needs(image=True, draft_size=256, data=True)

    def provenance(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "phash": f"imagehash {version('imagehash')} phash (8x8 of 32x32 DCT), 8 dihedral transforms",
            "dhash": f"imagehash {version('imagehash')} dhash (8x8)",
            "pdq": f"pdqhash {version('pdqhash')} (Meta PDQ, 256 bits, quality 0-100)",
            "featureless": f"PDQ quality < {PDQ_MIN_QUALITY} or grey std < {UNIFORM_STD}",
            "thumbnail_mismatch": f"EXIF thumbnail pHash > {THUMBNAIL_MISMATCH_BITS} bits from the picture's",
        }

    def identity(self) -> dict[str, Any]:
        return self.provenance()

    def prepare(self, source: AnalysisInput) -> np.ndarray | None:
        if source.image is None:
            return None
        image = reduced(source.image.convert("RGB"))
        grey = image.convert("L")
        variants = phash_variants(grey)
        pdq_hash, quality = pdq(image)
        featureless = quality < PDQ_MIN_QUALITY or is_uniform(grey)
        orientation = (source.exif or {}).get("orientation")
        thumbnail = exif_thumbnail(source.data, orientation if isinstance(orientation, int) else None)
        distance = hamming(phash_variants(reduced(thumbnail))[0], variants[0]) if thumbnail is not None else -1
        extras = np.array([quality, featureless, thumbnail is not None, distance], dtype="<i2").tobytes()
        return np.frombuffer(b"".join(variants) + dhash(grey) + pdq_hash + extras, dtype=np.uint8).copy()

    def analyze(self, inputs: Sequence[np.ndarray]) -> list[Any]:
        return [unpack(data.tobytes()) for data in inputs]


def unpack(data: bytes) -> PerceptualHashes:
    variants_end, dhash_end = _LAYOUT[0], _LAYOUT[0] + _LAYOUT[1]
    pdq_end = dhash_end + _LAYOUT[2]
    variants = [data[n : n + 8].hex() for n in range(0, variants_end, 8)]
    quality, featureless, has_thumbnail, distance = np.frombuffer(data[pdq_end:], dtype="<i2")[:_EXTRA_FIELDS]
    return PerceptualHashes(
        phash=variants[0],
        phash_variants="".join(variants[1:]),
        dhash=data[variants_end:dhash_end].hex(),
        pdq=data[dhash_end:pdq_end].hex(),
        pdq_quality=int(quality),
        featureless=bool(featureless),
        thumbnail_distance=int(distance) if has_thumbnail else None,
        thumbnail_mismatch=bool(has_thumbnail) and int(distance) > THUMBNAIL_MISMATCH_BITS,
    )


def load(settings: AnalyzerSettings, on_status: Callable[[str], None] | None = None) -> PerceptualAnalyzer:
    return PerceptualAnalyzer()


def preparer(settings: AnalyzerSettings) -> PerceptualAnalyzer:
    return PerceptualAnalyzer()


def unavailable() -> str | None:
    import importlib.util

    for module, distribution in (("imagehash", "ImageHash"), ("pdqhash", "pdqhash")):
        if importlib.util.find_spec(module) is None:
            return f"the {distribution} package is not installed: pip install {distribution}"
    return None


SPEC = AnalyzerSpec(
    name=NAME,
    description="perceptual hashes (pHash, dHash, PDQ) for `cbis duplicates`; EXIF thumbnail against picture",
    output=PerceptualHashes,
    load=load,
    preparer=preparer,
    unavailable=unavailable,
    in_default=True,
    what_it_does="every image; flags featureless pictures and thumbnails that differ from their picture",
)
