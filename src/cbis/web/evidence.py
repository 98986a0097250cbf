"""Reading recorded evidence files for the viewer: only by database id, only inside the recorded root, never
through a link, never writing beside the evidence. Renditions (thumbnails, display JPEGs) are cached in the
case directory.

A file is opened only when the path built from the recorded root and the stored path bytes is already
canonical (no `..`, no symbolic link anywhere on the way), lies inside the root and is a regular file; its
content must still hash to the SHA-256 recorded at indexing, so what the examiner sees and downloads is what
was hashed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import piexif

from cbis.db.viewer import FileLocation
from cbis.ingest import hashing, renditions

RENDITIONS = {"thumb": 320, "display": 1600}
JPEG_QUALITY = renditions.JPEG_QUALITY
MAX_RENDER_BYTES = renditions.MAX_RENDER_BYTES  # files read whole to render; larger ones get no preview
CHUNK = 1 << 20
MIMETYPES = {
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
    "avif": "image/avif",
    "mpo": "image/jpeg",
}


class NotServable(Exception):
    """The file cannot be shown: unknown, outside the root, a link, not a regular file, gone or undecodable."""


class EvidenceChanged(NotServable):
    """The file's content no longer hashes to what was recorded at indexing."""


@dataclass(frozen=True)
class Rendition:
    data: bytes
    etag: str


def mimetype_for(detected_format: str | None) -> str:
    """The detected format's image type; anything else is offered as opaque bytes."""
    return MIMETYPES.get((detected_format or "").lower(), "application/octet-stream")


def resolve(root_bytes: bytes, path_bytes: bytes) -> bytes:
    """The absolute path of a recorded file, or NotServable when it is not plainly inside its root."""
    try:
        return renditions.resolve(root_bytes, path_bytes)
    except renditions.NoRendition as exc:
        raise NotServable(str(exc)) from None


def open_evidence(location: FileLocation) -> BinaryIO:
    """Open a recorded file for reading (the caller closes it): inside its root, no link, a regular file.

    The opening itself is the indexer's (`ingest.hashing.open_evidence`: O_NOFOLLOW, O_NOATIME where allowed,
    type checked before and after opening, so a FIFO or device is never read).
    """
    full = resolve(location.root_bytes, location.path_bytes)
    try:
        return hashing.open_evidence(Path(os.fsdecode(full)))
    except OSError as exc:
        raise NotServable(getattr(exc, "reason", None) or f"cannot open: {exc.strerror or exc}") from None


def verify(stream: BinaryIO, location: FileLocation) -> None:
    """Hash the whole stream and compare with the recorded SHA-256; leaves the stream at its start."""
    if location.sha256 is None:
        raise NotServable("no SHA-256 was recorded for this file")
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    if digest.hexdigest() != location.sha256:
        raise EvidenceChanged("the file's content changed since it was indexed (SHA-256 differs)")
    stream.seek(0)


def rendition(location: FileLocation, kind: str, cache_dir: Path) -> Rendition:
    """A JPEG no larger than RENDITIONS[kind] on either side, orientation applied; cached by content hash."""
    size = RENDITIONS[kind]
    if location.status != "image" or location.sha256 is None:
        raise NotServable("not an indexed image")
    etag = f"{location.sha256}_{size}"
    cached = cache_dir / f"{etag}.jpg"
    with contextlib.suppress(OSError):
        return Rendition(cached.read_bytes(), etag)
    with open_evidence(location) as stream:
        if location.size > MAX_RENDER_BYTES:
            raise NotServable("too large to preview")
        data = stream.read(MAX_RENDER_BYTES + 1)
    if hashlib.sha256(data).hexdigest() != location.sha256:
        raise EvidenceChanged("the file's content changed since it was indexed (SHA-256 differs)")
    jpeg = _render(data, size)
    _store(cached, jpeg)
    return Rendition(jpeg, etag)


FACE_SIDE = 160  # a face crop's longer side, pixels
FACE_MARGIN = 0.25  # of the face box's size, added on each side: the crop shows the head, not just the box


def face_crop(location: FileLocation, face: dict[str, float], cache_dir: Path) -> Rendition:
    """A JPEG of one face the face analyzer found (its box as fractions of the picture as shown), with a margin,
    made from the evidence (whose bytes must still hash as recorded) and cached like the renditions."""
    if location.status != "image" or location.sha256 is None:
        raise NotServable("not an indexed image")
    box = tuple(float(face[key]) for key in ("left", "top", "width", "height"))
    etag = f"{location.sha256}_face_" + hashlib.sha256(repr(box).encode()).hexdigest()[:16]
    cached = cache_dir / f"{etag}.jpg"
    with contextlib.suppress(OSError):
        return Rendition(cached.read_bytes(), etag)
    with open_evidence(location) as stream:
        if location.size > MAX_RENDER_BYTES:
            raise NotServable("too large to preview")
        data = stream.read(MAX_RENDER_BYTES + 1)
    if hashlib.sha256(data).hexdigest() != location.sha256:
        raise EvidenceChanged("the file's content changed since it was indexed (SHA-256 differs)")
    from cbis.ingest.images import UnreadableImage, decode_image

    try:
        decoded = decode_image(data, draft_size=1200, allow_truncated=True)
    except (UnreadableImage, OSError, ValueError, MemoryError) as exc:
        raise NotServable(f"cannot decode: {exc}") from None
    image = decoded.image
    if image is None:
        raise NotServable("cannot decode")
    left, top, width, height = box
    x0 = max(0.0, left - width * FACE_MARGIN) * image.width
    y0 = max(0.0, top - height * FACE_MARGIN) * image.height
    x1 = min(1.0, left + width * (1 + FACE_MARGIN)) * image.width
    y1 = min(1.0, top + height * (1 + FACE_MARGIN)) * image.height
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise NotServable("the face's box is empty")
    crop = image.convert("RGB").crop(
        (round(x0), round(y0), max(round(x1), round(x0) + 1), max(round(y1), round(y0) + 1))
    )
    crop.thumbnail((FACE_SIDE, FACE_SIDE))
    import io

    buffer = io.BytesIO()
    crop.save(buffer, "JPEG", quality=JPEG_QUALITY)
    jpeg = buffer.getvalue()
    _store(cached, jpeg)
    return Rendition(jpeg, etag)


def exif_thumbnail(location: FileLocation) -> bytes:
    """The EXIF block's JPEG thumbnail, read from the evidence (whose bytes must still hash as recorded)."""
    if location.status != "image" or location.sha256 is None:
        raise NotServable("not an indexed image")
    with open_evidence(location) as stream:
        if location.size > MAX_RENDER_BYTES:
            raise NotServable("too large to read")
        data = stream.read(MAX_RENDER_BYTES + 1)
    if hashlib.sha256(data).hexdigest() != location.sha256:
        raise EvidenceChanged("the file's content changed since it was indexed (SHA-256 differs)")
    try:
        thumbnail = piexif.load(data).get("thumbnail")
    except Exception:  # piexif raises many types on a damaged or absent block: then there is no thumbnail
        thumbnail = None
    if not thumbnail or not thumbnail.startswith(b"\xff\xd8"):
        raise NotServable("the file carries no EXIF JPEG thumbnail")
    return thumbnail


def _render(data: bytes, size: int) -> bytes:
    """The shared preview (ingest.renditions.render_jpeg), its failure a NotServable."""
    try:
        return renditions.render_jpeg(data, size)
    except renditions.NoRendition as exc:
        raise NotServable(str(exc)) from None


def _store(path: Path, data: bytes) -> None:
    """Write atomically inside the case directory; a read-only case directory just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".jpg", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
