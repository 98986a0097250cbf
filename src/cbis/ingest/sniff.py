"""What a file is, from its first bytes, and whether its name's extension agrees.

A file's extension is whatever its owner chose; its first bytes are what image software looks at. An image
whose name hides what it is (a JPEG named .txt or .png, or with no extension at all) is worth an examiner's
attention, and so is a non-image wearing an image extension.

AVIF is its own format here, not "heif": AVIF files use the same HEIF container, but pillow-heif 1.x has no
AV1 decoder (pillow_heif.libheif_info() lists only libde265), while Pillow decodes AVIF itself since 11.3.
Reporting AVIF as "heif" would send it to the wrong decoder, and reporting None would hide real pictures.
"""

import posixpath

IMAGE_FORMATS = ("jpeg", "png", "gif", "bmp", "tiff", "webp", "heif", "avif")
"""Every value sniff can return besides None."""

SNIFF_LENGTH = 64
"""How many leading bytes to pass to sniff: it needs 32, and more lets it see more HEIF brands."""

USUAL_EXTENSIONS: dict[str, frozenset[str]] = {
    "jpeg": frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    "png": frozenset({"png"}),
    "gif": frozenset({"gif"}),
    "bmp": frozenset({"bmp", "dib"}),
    "tiff": frozenset({"tif", "tiff"}),
    "webp": frozenset({"webp"}),
    "heif": frozenset({"heic", "heif", "hif"}),
    "avif": frozenset({"avif", "avifs"}),
}
IMAGE_EXTENSIONS: frozenset[str] = frozenset().union(*USUAL_EXTENSIONS.values())

# ISO-BMFF (HEIF) brands. HEVC-coded HEIF is what phones write; mif1/msf1 are the generic HEIF image and
# sequence brands, which AVIF files list too, so they decide only when no codec-specific brand does.
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})

# BMP info-header sizes (BITMAPCOREHEADER, OS/2 v2 short and long, BITMAPINFOHEADER and its V2-V5): "BM"
# alone is too weak a signature, since plenty of text starts with those two letters.
_BMP_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def sniff(head: bytes) -> str | None:
    """The image format named by the magic number at the start of `head`, or None if it is not one of ours.

    Pass at least the first 32 bytes (SNIFF_LENGTH is better); a shorter file is judged on what there is.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    # Classic TIFF and BigTIFF, either byte order. Several camera raw formats (DNG, NEF, CR2, ARW) are TIFF too.
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return "bmp"
    return _sniff_heif_family(head)


def _sniff_heif_family(head: bytes) -> str | None:
    if head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[0:4], "big")
    brands_start = 8
    if box_size == 1:  # a 64-bit "largesize" follows the type
        box_size = int.from_bytes(head[8:16], "big")
        brands_start = 16
    if box_size < brands_start + 8:
        return None
    major_brand = head[brands_start : brands_start + 4]
    # After the major brand comes a 4-byte minor version, then the compatible brands to the end of the box.
    compatible_end = min(box_size, len(head))
    compatible = {head[i : i + 4] for i in range(brands_start + 8, compatible_end - 3, 4)}
    for brands in ({major_brand}, compatible):
        if brands & _HEVC_BRANDS:
            return "heif"
        if brands & _AVIF_BRANDS:
            return "avif"
    if ({major_brand} | compatible) & _GENERIC_HEIF_BRANDS:
        return "heif"
    return None


def extension_of(relpath: str) -> str:
    """The last name's extension, lowercase and without the dot; "" if none.

    As os.path.splitext: leading dots do not start an extension (".jpg" has none), and trailing characters
    are kept ("photo.jpg " has the extension "jpg ", which matches nothing, as it should).
    """
    name = relpath.rsplit("/", 1)[-1]
    return posixpath.splitext(name)[1][1:].lower()


def extension_mismatch(extension: str, detected: str | None) -> bool:
    """True when the extension misrepresents the content.

    An image whose extension is not one of its format's usual ones, including no extension at all (hidden
    images matter), and a non-image with an image extension; a non-image with any other extension is fine.
    """
    extension = extension.lower().lstrip(".")
    if detected is None:
        return extension in IMAGE_EXTENSIONS
    return extension not in USUAL_EXTENSIONS.get(detected, frozenset())
