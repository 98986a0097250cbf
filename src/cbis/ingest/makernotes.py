"""Maker notes: the camera maker's own block inside EXIF (tag 0x927C, MakerNote)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class MakerNoteInfo:
    maker: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    """Summary fields (metadata.SUMMARY_FIELDS names) the maker note gives."""
    tags: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_maker_note(block: bytes | None) -> MakerNoteInfo:
    return MakerNoteInfo()
