"""`cbis anomalies`: the checks that say why a file's metadata deserves a second look, and the ranking.

Each check is a small pure function of one file's stored facts (`FileFacts`, read by db/anomalies.py) that returns
the reasons it found, each with a weight; a file's score is the sum of its reasons' weights. Nothing here reads
the database or the evidence, so the CLI (services/anomalies.py), the report (reports/tables.py) and the viewer
(web/) give the same answer from the same facts.

A reason is a prompt to look, not a finding: an editor may only have rotated a photo, a camera clock may be
wrong, and the time-zone check is deliberately coarse (see `offset_vs_longitude`).
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

# Weights: how much each reason adds to a file's score. Signs of a change to the picture weigh most (an editor,
# a thumbnail that is not the picture, a maker note from another maker, a capture date after the case saw the
# file); dates out of order and a name that hides the content next; what is common in honest files least (phones
# that write GPS without its time, sources that disagree on a detail).
WEIGHTS: dict[str, float] = {
    "editing_software": 3.0,
    "thumbnail_mismatch": 3.0,
    "maker_note_vs_make": 3.0,
    "date_in_future": 3.0,
    "date_after_modify": 2.0,
    "date_after_file_time": 2.0,
    "offset_vs_longitude": 2.0,
    "extension_mismatch": 2.0,
    "gps_without_time": 1.0,
    "metadata_conflict": 1.0,
}

# Editing software, matched case-insensitively as a word or phrase in EXIF Software and XMP CreatorTool. Compiled
# for cbis from the names these programs write there (e.g. "Adobe Photoshop 25.0 (Windows)", "GIMP 2.10.34",
# "Adobe Photoshop Lightroom Classic 12.0", "Snapseed 2.0", "PicsArt", "Pixelmator Pro 3.3", "paint.net 5.0"),
# including the values in the exif-samples photos shipped in tests/data ("GIMP 2.4.5", "Adobe Fireworks CS4").
# Not exhaustive. Camera firmware ("14.4.2", "Version 1.0", "00WW_3_380_SP02") and transfer tools that copy
# without editing ("Nikon Transfer") are deliberately not in it.
EDITORS: tuple[str, ...] = (
    "Photoshop", "Lightroom", "Adobe Fireworks", "Adobe Illustrator", "Camera Raw", "GIMP", "Snapseed",
    "PicsArt", "Affinity Photo", "Pixelmator", "paint.net", "Paint Shop Pro", "PaintShop Pro", "Capture One",
    "darktable", "RawTherapee", "Luminar", "Pixlr", "Fotor", "Facetune", "PhotoScape", "Picasa", "ACDSee",
    "Capture NX", "Digital Photo Professional", "DxO PhotoLab", "ON1 Photo", "Photopea", "Canva", "Meitu",
    "VSCO", "ImageMagick", "GraphicsMagick", "Krita", "Photo Editor",
)  # fmt: skip
_EDITOR_PATTERN = re.compile(
    r"(?<![0-9a-z])(" + "|".join(re.escape(name) for name in EDITORS) + r")(?![0-9a-z])", re.IGNORECASE
)

# Maker-note signatures (the first bytes of EXIF tag 0x927C) and the makers whose EXIF Make may carry them, as
# ExifTool's MakerNotes.pm tells makers apart, written from what it documents rather than copied from it; the
# Apple, Fujifilm, Nikon, Olympus and Panasonic ones were checked on the exif-samples photos (each matched its
# Make). Makers that write no signature (Canon, Minolta, most Samsung) cannot be checked.
# A Pentax-made body sold under another name (Samsung GX, Ricoh) writes Pentax's note, so those names are listed.
MAKER_NOTE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"Apple iOS\x00", "Apple"),
    (b"Nikon\x00", "Nikon"),
    (b"OLYMPUS\x00", "Olympus"),
    (b"OLYMP\x00", "Olympus"),
    (b"OM SYSTEM\x00", "Olympus"),
    (b"FUJIFILM", "Fujifilm"),
    (b"Panasonic\x00", "Panasonic"),
    (b"SONY DSC ", "Sony"),
    (b"SONY CAM ", "Sony"),
    (b"SONY MOBILE", "Sony"),
    (b"SIGMA\x00", "Sigma"),
    (b"FOVEON\x00", "Sigma"),
    (b"AOC\x00", "Pentax"),
    (b"PENTAX \x00", "Pentax"),
    (b"QVC\x00", "Casio"),
    (b"LEICA", "Leica"),
    (b"HUAWEI\x00", "Huawei"),
    (b"\x01\xf1", "Reconyx"),
)
MAKE_NAMES: dict[str, tuple[str, ...]] = {
    "Apple": ("apple",),
    "Nikon": ("nikon",),
    "Olympus": ("olympus", "om digital", "om system"),
    "Fujifilm": ("fujifilm", "fuji"),
    "Panasonic": ("panasonic", "leica"),  # Leica's compacts are Panasonic bodies
    "Sony": ("sony",),
    "Sigma": ("sigma",),
    "Pentax": ("pentax", "ricoh", "asahi", "samsung"),
    "Casio": ("casio",),
    "Leica": ("leica",),
    "Huawei": ("huawei", "honor"),
    "Reconyx": ("reconyx",),
}

# A capture time is compared with the file's mtime and with when the case recorded it, both UTC. Without an
# offset, a local time may be up to 14 hours ahead of UTC (UTC+14); the extra minute allows for clocks and
# file-system time resolution.
_SLACK = timedelta(minutes=1)
_ANY_ZONE = timedelta(hours=14)
# Offset hours within this of longitude / 15 are plausible (political zones and summer time stray up to ~3 h).
OFFSET_TOLERANCE_HOURS = 3.0


@dataclass(frozen=True)
class FileFacts:
    """What the case stores about one file that the checks read (db/anomalies.py builds it)."""

    file_id: int
    evidence: str
    path: str
    sha256: str | None = None
    extension: str = ""
    format: str | None = None
    extension_mismatch: bool = False
    mtime: str | None = None  # UTC, ...Z
    recorded_at: str | None = None  # when the case first recorded the file: its first run's start, UTC
    make: str | None = None
    software: str | None = None
    datetime_original: str | None = None
    modify_date: str | None = None
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, Any] = field(default_factory=dict)
    has_conflict: bool = False
    thumbnail_mismatch: bool = False
    thumbnail_distance: int | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    weight: float
    detail: str  # one sentence for a person
    values: dict[str, Any]  # what triggered it, as stored

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "weight": self.weight, "detail": self.detail, "values": self.values}


@dataclass(frozen=True)
class Anomaly:
    facts: FileFacts
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> float:
        return score_of(self.reasons)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.facts.path,
            "evidence": self.facts.evidence,
            "sha256": self.facts.sha256,
            "score": self.score,
            "reasons": [reason.as_json() for reason in self.reasons],
        }


def _reason(code: str, detail: str, **values: Any) -> Reason:
    return Reason(code, WEIGHTS[code], detail, values)


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _tag(facts: FileFacts, group: str, name: str) -> Any:
    values = facts.tags.get(group)
    return values.get(name) if isinstance(values, dict) else None


# --- the checks: each FileFacts -> its reasons ---


def editing_software(facts: FileFacts) -> list[Reason]:
    found: dict[str, str] = {}
    for place, value in (
        ("EXIF Software", _tag(facts, "Image", "Software")),
        ("XMP CreatorTool", _tag(facts, "XMP", "xmp:CreatorTool")),
    ):
        if isinstance(value, str) and _EDITOR_PATTERN.search(value):
            found[place] = value
    if not found and facts.software and _EDITOR_PATTERN.search(facts.software):
        found[facts.sources.get("software", "software")] = facts.software  # e.g. from XMP tiff:Software
    if not found:
        return []
    named = "; ".join(f"{place} {value!r}" for place, value in found.items())
    return [_reason("editing_software", f"written by editing software: {named}", **found)]


def _later(first: datetime, second: datetime, slack: timedelta) -> bool:
    """Whether `first` is later than `second` by more than `slack`; a local time without an offset is compared by
    its wall clock with a local one, and given every zone's benefit against a UTC one."""
    if (first.tzinfo is None) == (second.tzinfo is None):
        return first - second > slack
    if second.tzinfo is None:  # a zoned capture time against a local modify date: wall clocks
        return first.replace(tzinfo=None) - second > slack
    return first.replace(tzinfo=None) - second.replace(tzinfo=None) > slack + _ANY_ZONE


def dates(facts: FileFacts) -> list[Reason]:
    original = _moment(facts.datetime_original)
    if original is None:
        return []
    reasons = []
    modified = _moment(facts.modify_date)
    if modified is not None:
        first, second = original, modified
        if (original.tzinfo is None) != (modified.tzinfo is None):  # only one has an offset: wall clocks
            first, second = original.replace(tzinfo=None), modified.replace(tzinfo=None)
        if first > second:
            reasons.append(
                _reason(
                    "date_after_modify",
                    f"DateTimeOriginal {facts.datetime_original} is later than ModifyDate {facts.modify_date}",
                    datetime_original=facts.datetime_original,
                    modify_date=facts.modify_date,
                )
            )
    recorded = _moment(facts.recorded_at)
    if recorded is not None and _later(original, recorded, _SLACK):
        reasons.append(
            _reason(
                "date_in_future",
                f"DateTimeOriginal {facts.datetime_original} is after the case recorded the file ({facts.recorded_at})",
                datetime_original=facts.datetime_original,
                recorded_at=facts.recorded_at,
            )
        )
    mtime = _moment(facts.mtime)
    if mtime is not None and _later(original, mtime, _SLACK):
        reasons.append(
            _reason(
                "date_after_file_time",
                f"DateTimeOriginal {facts.datetime_original} is later than the file's mtime {facts.mtime}",
                datetime_original=facts.datetime_original,
                mtime=facts.mtime,
            )
        )
    return reasons


def gps_without_time(facts: FileFacts) -> list[Reason]:
    if facts.gps_latitude is None or facts.gps_longitude is None:
        return []
    if _tag(facts, "GPS", "GPSTimeStamp") is not None or _tag(facts, "XMP", "exif:GPSTimeStamp") is not None:
        return []
    return [
        _reason(
            "gps_without_time",
            "GPS position without a GPS time (GPSTimeStamp)",
            gps_latitude=facts.gps_latitude,
            gps_longitude=facts.gps_longitude,
        )
    ]


_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def offset_vs_longitude(facts: FileFacts) -> list[Reason]:
    """A coarse check only: the offset's hours against longitude / 15 (the sun's zone), within
    OFFSET_TOLERANCE_HOURS, round the date line; it knows no political time zones."""
    offset = _tag(facts, "Exif", "OffsetTimeOriginal")
    if facts.gps_longitude is None or facts.gps_latitude is None or not isinstance(offset, str):
        return []
    match = _OFFSET.fullmatch(offset.strip())
    if match is None:
        return []
    hours = (1 if match[1] == "+" else -1) * (int(match[2]) + int(match[3]) / 60)
    solar = facts.gps_longitude / 15
    apart = abs(hours - solar) % 24
    apart = min(apart, 24 - apart)
    if apart <= OFFSET_TOLERANCE_HOURS:
        return []
    return [
        _reason(
            "offset_vs_longitude",
            f"OffsetTimeOriginal {offset} is {apart:.1f} h from the longitude's {solar:+.1f} h "
            f"(coarse check: more than {OFFSET_TOLERANCE_HOURS:g} h apart)",
            offset_time_original=offset,
            gps_longitude=facts.gps_longitude,
            hours_apart=round(apart, 2),
        )
    ]


def maker_note_maker(facts: FileFacts) -> str | None:
    """The maker whose maker note the file holds, by the note's signature; None if unknown or none."""
    note = _tag(facts, "Exif", "MakerNote")
    if isinstance(note, dict) and isinstance(note.get("hex"), str):
        try:
            head = bytes.fromhex(note["hex"][:64])
        except ValueError:
            head = b""
        for signature, maker in MAKER_NOTE_SIGNATURES:
            if head.startswith(signature):
                return maker
    read = _tag(facts, "MakerNote", "Maker")  # ingest/makernotes.py's reading of the note
    if isinstance(read, str) and read:
        return read.split()[0]
    return None


def maker_note_vs_make(facts: FileFacts) -> list[Reason]:
    if not facts.make:
        return []
    maker = maker_note_maker(facts)
    if maker is None:
        return []
    make = " ".join(facts.make.split()).casefold()
    if any(name in make for name in MAKE_NAMES.get(maker, (maker.casefold(),))):
        return []
    return [
        _reason(
            "maker_note_vs_make",
            f"a {maker} maker note in a file whose EXIF Make is {facts.make!r}",
            make=facts.make,
            maker_note=maker,
        )
    ]


def extension_mismatch(facts: FileFacts) -> list[Reason]:
    if not facts.extension_mismatch:
        return []
    return [
        _reason(
            "extension_mismatch",
            f"the name ends {facts.extension or '(no extension)'} but the content is {facts.format or 'unknown'}",
            extension=facts.extension,
            format=facts.format,
        )
    ]


def thumbnail_mismatch(facts: FileFacts) -> list[Reason]:
    if not facts.thumbnail_mismatch:
        return []
    return [
        _reason(
            "thumbnail_mismatch",
            f"the EXIF thumbnail is not the picture (pHash {facts.thumbnail_distance} bits apart)",
            thumbnail_distance=facts.thumbnail_distance,
        )
    ]


def metadata_conflict(facts: FileFacts) -> list[Reason]:
    if not facts.has_conflict and not facts.conflicts:
        return []
    names = ", ".join(sorted(facts.conflicts)) or "a summary field"
    return [_reason("metadata_conflict", f"metadata sources disagree on {names}", conflicts=facts.conflicts)]


CHECKS: tuple[Callable[[FileFacts], list[Reason]], ...] = (
    editing_software,
    thumbnail_mismatch,
    maker_note_vs_make,
    dates,
    offset_vs_longitude,
    extension_mismatch,
    gps_without_time,
    metadata_conflict,
)


def reasons_of(facts: FileFacts) -> tuple[Reason, ...]:
    return tuple(reason for check in CHECKS for reason in check(facts))


def score_of(reasons: Iterable[Reason]) -> float:
    return math.fsum(reason.weight for reason in reasons)


# --- ranking ---

RankKey = tuple[float, str, str, int]  # (-score, path, evidence, id): ascending is the report's order


def ranked_keys(facts: Iterable[FileFacts], *, limit: int | None = None, min_score: float = 0.0) -> list[RankKey]:
    """The ranking of every file with a reason and at least `min_score`, highest score first, ties by path (then
    evidence root and id); only keys are kept (the top `limit` in a bounded heap when given), never the facts."""
    keys: Iterator[RankKey] = (
        (-score, item.path, item.evidence, item.file_id)
        for item in facts
        if (score := score_of(reasons_of(item))) > 0 and score >= min_score
    )
    if limit is not None:
        return heapq.nsmallest(limit, keys)
    return sorted(keys)


def ranked(
    facts: Iterable[FileFacts],
    facts_by_id: Callable[[Sequence[int]], dict[int, FileFacts]],
    *,
    limit: int | None = None,
    min_score: float = 0.0,
    chunk: int = 500,
) -> Iterator[Anomaly]:
    """Anomalies in rank order: one pass over `facts` for the keys, then the ranked files' facts read again by id,
    `chunk` at a time, so memory holds the keys and one chunk."""
    keys = ranked_keys(facts, limit=limit, min_score=min_score)
    for start in range(0, len(keys), chunk):
        ids = [key[3] for key in keys[start : start + chunk]]
        found = facts_by_id(ids)
        for file_id in ids:
            if file_id in found:
                yield Anomaly(found[file_id], reasons_of(found[file_id]))


def flagged_ids(facts: Iterable[FileFacts]) -> list[int]:
    """The ids of the files with at least one reason, ascending."""
    return sorted(item.file_id for item in facts if reasons_of(item))
