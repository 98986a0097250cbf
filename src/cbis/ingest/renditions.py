"""Reading a recorded evidence file again after indexing, and the JPEG preview made of it: shared by the viewer
(web/evidence.py) and the KMZ report, so that a thumbnail in a report is the picture the viewer shows.

A file is opened only when the path built from the recorded root and the stored path bytes is already canonical
(no `..`, no symbolic link anywhere on the way), lies inside the root and is a regular file (the opening itself is
the indexer's `hashing.open_evidence`: O_NOFOLLOW, O_NOATIME where allowed, type checked before and after).
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image

from cbis.ingest import hashing
from cbis.ingest.images import UnreadableImage, decode_image

JPEG_QUALITY = 85
MAX_RENDER_BYTES = 512 << 20  # files read whole to render; larger ones get no preview


class NoRendition(Exception):
    """The file cannot be read again or shown: outside its root, a link, not a regular file, gone, undecodable."""


class ContentChanged(NoRendition):
    """The file's content no longer hashes to what was recorded at indexing."""


def resolve(root_bytes: bytes, path_bytes: bytes) -> bytes:
    """The absolute path of a recorded file, or NoRendition when it is not plainly inside its root."""
    if not path_bytes or b"\x00" in path_bytes or b"\x00" in root_bytes or os.path.isabs(path_bytes):
        raise NoRendition("not a relative path")
    parts = path_bytes.replace(os.sep.encode(), b"/").split(b"/")
    if any(part in (b"", b".", b"..") for part in parts):
        raise NoRendition("not a canonical path")
    root = os.path.realpath(root_bytes)
    full = os.path.join(root, path_bytes)
    # realpath equal to the joined path: no link on the way, the file itself not a link, nothing escapes.
    if os.path.realpath(full) != full or os.path.commonpath([root, full]) != root or full == root:
        raise NoRendition("outside the evidence root or through a link")
    return full


def read_recorded(root_bytes: bytes, path_bytes: bytes, size: int, sha256: str) -> bytes:
    """The whole file, read once, read-only, if it still hashes to the recorded SHA-256."""
    full = resolve(root_bytes, path_bytes)
    try:
        with hashing.open_evidence(Path(os.fsdecode(full))) as stream:
            if size > MAX_RENDER_BYTES:
                raise NoRendition("too large to preview")
            data = stream.read(MAX_RENDER_BYTES + 1)
    except OSError as exc:
        raise NoRendition(getattr(exc, "reason", None) or f"cannot open: {exc.strerror or exc}") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ContentChanged("the file's content changed since it was indexed (SHA-256 differs)")
    return data


def render_jpeg(data: bytes, size: int) -> bytes:
    """A JPEG no larger than `size` on either side, through the indexer's decoder: the same pixel cap, the same
    process-wide memory budget (so many previews of near-cap images take turns instead of each holding
    gigabytes), JPEG draft mode and whole-factor reduction of large images, EXIF orientation and transparency on
    white. Pillow's encoder is deterministic, so the same file gives the same bytes."""
    try:
        decoded = decode_image(data, draft_size=size)
    except UnreadableImage as exc:
        raise NoRendition(exc.reason) from None
    image = decoded.image
    if image is None:  # keep_pixels defaults to True; a decoder that returned nothing still gets no preview
        raise NoRendition("cannot decode: no pixels")
    try:
        image.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except Exception as exc:  # whatever resizing or encoding raises, the answer is "no preview", never a crash
        raise NoRendition(f"cannot render: {type(exc).__name__}: {exc}") from None
    return out.getvalue()
