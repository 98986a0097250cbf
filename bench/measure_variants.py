"""The measurements behind docs/duplicates.md: pHash and PDQ distances between real camera photos and variants
made of them (resized, re-encoded, converted, cropped, turned, captioned), and between unrelated photos.

Usage: python bench/measure_variants.py   (reads ../shared/evidence-samples beside the repository)
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageDraw

from cbis.analyzers.perceptual import hamming, pdq, phash_variants, reduced
from cbis.ingest.images import decode_image

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "evidence-samples" / "jpg"
NAMES = (
    "gps/DSCN0010.jpg",
    "gps/DSCN0021.jpg",
    "hdr/canon_hdr_NO.jpg",
    "hdr/iphone_hdr_YES.jpg",
    "mobile/jolla.jpg",
    "Reconyx_HC500_Hyperfire.jpg",
    "gps/DSCN0027.jpg",
    "mobile/HMD_Nokia_8.3_5G.jpg",
    "Canon_40D.jpg",
    "Nikon_D70.jpg",
)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def hashes(data: bytes) -> tuple[list[bytes], bytes]:
    """As `cbis index` takes them: decoded at the perceptual analyzer's draft size, reduced as it reduces."""
    decoded = decode_image(data, draft_size=256)
    assert decoded.image is not None
    picture = reduced(decoded.image.convert("RGB"))
    return phash_variants(picture), pdq(picture)[0]


def variants(image: Image.Image) -> Iterator[tuple[str, bytes]]:
    width, height = image.size
    yield "resized to a half", encode(image.resize((width // 2, height // 2)), "JPEG", quality=85)
    yield "resized to a quarter", encode(image.resize((width // 4, height // 4)), "JPEG", quality=85)
    for quality in (30, 60, 90):
        yield f"JPEG quality {quality}", encode(image, "JPEG", quality=quality)
    yield "PNG", encode(image, "PNG")
    yield "WebP q80", encode(image, "WEBP", quality=80)
    for share in (0.05, 0.10):
        dx, dy = int(width * share / 2), int(height * share / 2)
        cropped = image.crop((dx, dy, width - dx, height - dy))
        yield f"cropped {share:.0%}", encode(cropped, "JPEG", quality=90)
    yield "turned 90", encode(image.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90)
    captioned = Image.new("RGB", (width, height + height // 10), (255, 255, 255))
    captioned.paste(image, (0, 0))
    ImageDraw.Draw(captioned).text((10, height + 5), "caption text here", fill=(0, 0, 0))
    yield "caption bar", encode(captioned, "JPEG", quality=90)


def main() -> None:
    originals: dict[str, tuple[list[bytes], bytes]] = {}
    found: dict[str, list[tuple[int, int]]] = {}
    for name in NAMES:
        data = (SAMPLES / name).read_bytes()
        originals[name] = hashes(data)
        picture = decode_image(data).image
        assert picture is not None
        phash, pdq_hash = originals[name]
        for variant, variant_data in variants(picture):
            variant_phash, variant_pdq = hashes(variant_data)
            best_turn = min(hamming(turned, phash[0]) for turned in variant_phash)
            found.setdefault(variant, []).append((best_turn, hamming(variant_pdq, pdq_hash)))
    print(f"{len(NAMES)} photos; pHash bits (best of the 8 turns), PDQ bits of 256, per photo:")
    for variant, distances in found.items():
        phash_bits = [bits for bits, _ in distances]
        pdq_bits = [bits for _, bits in distances]
        print(f"  {variant:22} pHash {min(phash_bits)}-{max(phash_bits)}  PDQ {min(pdq_bits)}-{max(pdq_bits)}")
    pairs = [
        (hamming(originals[a][0][0], originals[b][0][0]), hamming(originals[a][1], originals[b][1]))
        for a, b in itertools.combinations(NAMES, 2)
    ]
    print(
        f"  unrelated ({len(pairs)} pairs)  pHash from {min(p for p, _ in pairs)}  PDQ from {min(q for _, q in pairs)}"
    )


if __name__ == "__main__":
    main()
