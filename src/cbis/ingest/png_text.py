"""PNG text chunks (tEXt, zTXt, iTXt) larger than cbis reads: the image is indexed without them, with a warning.

Pillow refuses a whole PNG whose compressed text chunk inflates past PngImagePlugin.MAX_TEXT_CHUNK (1 MB by
default), or whose text chunks together pass MAX_TEXT_MEMORY, unless ImageFile.LOAD_TRUNCATED_IMAGES is on
(which would also let truncated pixel data through, so cbis never uses it for this). A Photoshop XMP packet
with a long edit history passes 1 MB honestly, and a small zTXt chunk that inflates to gigabytes is a bomb;
neither is a reason to lose the picture.

So cbis raises Pillow's per-chunk limit to its own, MAX_TEXT_CHUNK_BYTES (set when cbis.ingest.images is
imported), and when Pillow still refuses a PNG for its text, decode_image decodes it again from a copy of
its bytes without the text chunks past the limits (`without_oversized_text`). Pixels are unaffected: text
chunks carry none. The hashes are always those of the file as it is.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

MAX_TEXT_CHUNK_BYTES = 8 << 20
"""The most one text chunk may hold once inflated: 8 MiB. XMP packets (whose edit histories can reach a few
MB) fit; a chunk past this is left out with a warning and the image is indexed without it."""
MAX_TEXT_TOTAL_BYTES = 64 << 20
"""The most all text chunks of one PNG may hold together (Pillow's MAX_TEXT_MEMORY default)."""

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
# Pillow's messages for the two limits (PngImagePlugin._safe_zlib_decompress and check_text_memory).
_LIMIT_MESSAGES = ("MAX_TEXT_CHUNK", "MAX_TEXT_MEMORY")


def is_text_limit_error(exc: BaseException) -> bool:
    """Whether Pillow raised `exc` because of a text chunk's size, not because the image itself is broken."""
    return isinstance(exc, ValueError) and any(name in str(exc) for name in _LIMIT_MESSAGES)


@dataclass
class Filtered:
    data: bytes
    warnings: list[str] = field(default_factory=list)


def without_oversized_text(
    data: bytes, *, chunk_limit: int = MAX_TEXT_CHUNK_BYTES, total_limit: int = MAX_TEXT_TOTAL_BYTES
) -> Filtered | None:
    """`data` (a PNG) with every text chunk left out that inflates past `chunk_limit`, or that would bring the
    text read so far past `total_limit`; a warning names each one. None when nothing needs leaving out or
    the chunk structure cannot be followed (the caller then reports Pillow's own reason)."""
    if not data.startswith(_SIGNATURE):
        return None
    kept = bytearray(_SIGNATURE)
    warnings: list[str] = []
    position, total = len(_SIGNATURE), 0
    while position + 12 <= len(data):
        (length,) = struct.unpack(">L", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            break  # a truncated last chunk: kept as it is, for the decoder to judge
        if kind in _TEXT_CHUNKS:
            body = data[position + 8 : position + 8 + length]
            keyword = body.split(b"\x00", 1)[0][:79].decode("latin-1")
            size = _inflated_size(kind, body, chunk_limit)
            if size is None:
                warnings.append(
                    f"PNG: {kind.decode()} chunk {keyword!r} inflates past {chunk_limit} bytes, cbis's limit for "
                    f"one text chunk; left out, the image is indexed without it"
                )
                position = end
                continue
            if total + size > total_limit:
                warnings.append(
                    f"PNG: {kind.decode()} chunk {keyword!r} would bring the text chunks past {total_limit} bytes "
                    f"in all; left out, the image is indexed without it"
                )
                position = end
                continue
            total += size
        kept += data[position:end]
        position = end
        if kind == b"IEND":
            break
    kept += data[position:]
    if not warnings:
        return None
    return Filtered(bytes(kept), warnings)


def _inflated_size(kind: bytes, body: bytes, limit: int) -> int | None:
    """What the chunk's text takes once read, or None when it inflates past `limit` (decompressing no more
    than limit + 1 bytes to find out)."""
    keyword_end = body.find(b"\x00")
    if keyword_end < 0:
        return len(body)
    rest = body[keyword_end + 1 :]
    if kind == b"tEXt":
        return len(rest) if len(rest) <= limit else None
    if kind == b"zTXt":
        compressed = rest[1:]
    else:  # iTXt: compression flag, method, language tag NUL, translated keyword NUL, text
        if len(rest) < 2 or rest[0] == 0:
            return len(rest) if len(rest) <= limit else None
        parts = rest[2:].split(b"\x00", 2)
        if len(parts) < 3:
            return len(rest)
        compressed = parts[2]
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, limit + 1)
    except zlib.error:
        return len(compressed)  # Pillow skips text it cannot inflate
    if len(text) > limit:
        return None
    return len(text)
