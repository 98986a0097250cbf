"""Where converted weights and compiled models live: a per-user cache, never the repository or site-packages."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import platformdirs

CBIS_HOME_ENV = "CBIS_HOME"


def models_cache_dir() -> Path:
    """``$CBIS_HOME/models`` when CBIS_HOME is set, else ``<user cache dir>/cbis/models``. Not created here."""
    cbis_home = os.environ.get(CBIS_HOME_ENV)
    if cbis_home:
        return Path(cbis_home) / "models"
    return Path(platformdirs.user_cache_dir("cbis")) / "models"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary file next to ``target``, then rename it into place.

    Two cbis processes converting at once, or one killed half-way, must never leave a truncated cache file that a
    later run would trust.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same directory (so the rename is atomic) and same suffixes (Keras picks the format from the file name);
    # created by ``write`` itself, so it gets the usual permissions.
    temporary = target.with_name(f".{uuid.uuid4().hex}-{target.name}")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
