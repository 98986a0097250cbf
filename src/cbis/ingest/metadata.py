"""One image's metadata from all the places that hold it: the EXIF block, the XMP packet and the maker note.

cbis's summary fields (make, model, software, the three dates, GPS, orientation, lens, body serial) take the
first value found in this order, and ExifInfo.sources says which it was:
1. EXIF ("EXIF"): written by the camera at capture, the standard's own place;
2. the maker note ("MakerNote (Reconyx)"...): also written by the camera, in the maker's format;
3. XMP ("XMP (xmp:CreateDate)"...): usually written by software afterwards, and the only place some
   editors and phones leave a date.
Every value of every source stays in the tags (groups "XMP" and "MakerNote" beside the EXIF IFDs). Where two
sources disagree, ExifInfo.conflicts keeps each source's value and a warning says so; dates agree when they
name the same moment to the precision both give (an offset that only one writes is no disagreement), text
when it is the same apart from case and spacing, coordinates within the precision the XMP wrote them to.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PIL import Image

from cbis.ingest.exif import ExifInfo, exif_block_of, read_exif
from cbis.ingest.makernotes import MakerNoteInfo, read_maker_note
from cbis.ingest.xmp import DATE_FIELDS, FILL_ONLY_PROPERTIES, XmpFields, read_xmp, same_moment, xmp_fields

SUMMARY_FIELDS = (
    "make",
    "model",
    "software",
    "datetime_original",
    "datetime_digitized",
    "modify_date",
    "gps_latitude",
    "gps_longitude",
    "gps_altitude",
    "orientation",
    "lens_model",
    "body_serial",
)
_GPS_PAIR = ("gps_latitude", "gps_longitude")
_ALTITUDE_TOLERANCE = 0.05  # metres: rationals rounded by different writers
_MIN_GPS_TOLERANCE = 1e-7  # degrees (about a centimetre): float noise between two exact rationals


def read_metadata(image: Image.Image) -> ExifInfo:
    """EXIF (exif.read_exif), completed from the maker note and the XMP packet, with each value's source."""
    info = read_exif(image)
    maker = read_maker_note(exif_block_of(image))
    xmp = read_xmp(image)
    info.warnings += maker.warnings + xmp.warnings
    if maker.tags:
        info.tags["MakerNote"] = maker.tags
    if xmp.properties:
        info.tags["XMP"] = xmp.properties
    merge(info, maker, xmp_fields(xmp.properties) if xmp.properties else XmpFields())
    return info


def merge(info: ExifInfo, maker: MakerNoteInfo, xmp: XmpFields) -> None:
    """Fill the summary fields EXIF left empty, record sources, and flag disagreements (in place)."""
    info.warnings += xmp.warnings
    candidates: dict[str, list[tuple[str, Any]]] = {}
    for name in SUMMARY_FIELDS:
        found = []
        if getattr(info, name) is not None:
            found.append(("EXIF", getattr(info, name)))
        if name in maker.values:
            found.append((f"MakerNote ({maker.maker})", maker.values[name]))
        if name in xmp.values:
            found.append((f"XMP ({xmp.properties[name]})", xmp.values[name]))
        candidates[name] = found
    fill_only = {f"XMP ({prop})" for prop in FILL_ONLY_PROPERTIES}
    # Latitude and longitude come as a pair from one source, never one from each.
    pair_source = next(
        (source for source, _ in candidates["gps_latitude"] if source in dict(candidates["gps_longitude"])), None
    )
    for name, found in candidates.items():
        if not found:
            continue
        if name in _GPS_PAIR:
            chosen_source = pair_source
            if chosen_source is None:
                continue
            chosen = dict(found)[chosen_source]
        else:
            chosen_source, chosen = found[0]
        setattr(info, name, chosen)
        info.sources[name] = chosen_source
        agrees = _agreement(name, xmp)
        differing = [
            (source, value) for source, value in found if source not in fill_only and not agrees(chosen, value)
        ]
        if differing:
            info.conflicts[name] = dict(found)
            shown = "; ".join(f"{source}: {value!r}" for source, value in found)
            info.warnings.append(f"metadata: {name} differs between sources ({shown}); kept {chosen_source}'s")


def _agreement(name: str, xmp: XmpFields) -> Callable[[Any, Any], bool]:
    if name in DATE_FIELDS:
        return lambda first, second: same_moment(str(first), str(second))
    if name in _GPS_PAIR:
        tolerance = max(xmp.gps_resolution, _MIN_GPS_TOLERANCE)
        return lambda first, second: math.isclose(float(first), float(second), rel_tol=0, abs_tol=tolerance)
    if name == "gps_altitude":
        return lambda first, second: math.isclose(float(first), float(second), rel_tol=0, abs_tol=_ALTITUDE_TOLERANCE)
    if name == "orientation":
        return lambda first, second: int(first) == int(second)
    return lambda first, second: _plain(first) == _plain(second)


def _plain(value: Any) -> str:
    return " ".join(str(value).split()).casefold()
