"""XMP packets (Adobe's RDF/XML metadata) from evidence images: every property, JSON-ready, and the values
that map to cbis's summary fields.

Where the packet is: Pillow and pillow-heif put it in `image.info["xmp"]` for JPEG (the APP1 segment named
"http://ns.adobe.com/xap/1.0/"), PNG (iTXt "XML:com.adobe.xmp"), TIFF (tag 700, XMLPacket), WebP (the XMP
chunk), HEIF and AVIF (the "mime" item application/rdf+xml). PNG writers that use tEXt or zTXt, and
ImageMagick's hex "Raw profile type xmp", are read too.

XMP in evidence is hostile input: the packet is parsed by defusedxml with DTDs refused outright (so no
entity expansion, billion laughs, or external entities), packets over MAX_PACKET_BYTES are not parsed, and
the result is bounded (MAX_PROPERTIES, MAX_DEPTH, and exif.py's text and sequence limits). A packet that
cannot be read costs only a warning.

Values in XmpInfo.properties, keyed "prefix:Name" with the usual prefix of each known namespace whatever
prefix the file declared (xmp, exif, exifEX, tiff, aux, photoshop, dc, xmpMM...; others keep their own):
- simple properties are strings, exactly as written (dates stay "2013-09-23T10:09:46+02:00");
- rdf:Seq and rdf:Bag are lists; rdf:Alt of language variants is {language: text} ("x-default" first);
- structures (rdf:parseType="Resource", nested rdf:Description, an element with property attributes) are
  dicts of their fields, keyed like properties;
- lists longer than exif.MAX_SEQUENCE_VALUES become {"values": the first ones, "count": all}.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image

from cbis.ingest._text import escape_unprintable
from cbis.ingest.exif import MAX_SEQUENCE_VALUES, MAX_TEXT_CHARACTERS

MAX_PACKET_BYTES = 8 << 20
"""Larger packets are not parsed (with a warning): honest ones, Photoshop histories included, stay far below."""
MAX_PROPERTIES = 5000
"""Top-level properties kept from one packet; the rest are counted in a warning."""
MAX_DEPTH = 16
"""Structures nested deeper than this are cut (with a warning): XMP's own schemas nest three or four deep."""

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML = "http://www.w3.org/XML/1998/namespace"
_RDF_SYNTAX_ATTRIBUTES = frozenset(
    f"{{{_RDF}}}{name}" for name in ("about", "ID", "nodeID", "parseType", "resource", "datatype", "bagID")
)
_CONTAINERS = frozenset(f"{{{_RDF}}}{name}" for name in ("Seq", "Bag", "Alt"))

# The usual prefix of each namespace cbis reads, so that "exif:DateTimeOriginal" means one thing whatever
# prefix a writer declared.
KNOWN_NAMESPACES = {
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#": "stRef",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/camera-raw-settings/1.0/": "crs",
    "http://ns.adobe.com/lightroom/1.0/": "lr",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.microsoft.com/photo/1.0/": "MicrosoftPhoto",
    "http://ns.google.com/photos/1.0/camera/": "GCamera",
    "http://ns.adobe.com/xmp/note/": "xmpNote",
}


@dataclass
class XmpInfo:
    properties: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    packet_bytes: int = 0
    """Size of the packet found (0: none)."""


class _Budget:
    def __init__(self) -> None:
        self.cut_depth = False
        self.cut_text = False


def xmp_packet_of(image: Image.Image) -> bytes | None:
    """The raw XMP packet of an opened image, wherever its format keeps it; None when there is none."""
    info = image.info
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = info.get(key)
        if isinstance(value, bytes | bytearray) and value:
            return bytes(value)
        if isinstance(value, str) and value:
            return value.encode("utf-8", "surrogatepass")
    raw_profile = info.get("Raw profile type xmp")
    if isinstance(raw_profile, str):
        # ImageMagick: "\nxmp\n  LENGTH\nHEX..." in a PNG text chunk.
        try:
            return bytes.fromhex("".join(raw_profile.split("\n")[3:]))
        except ValueError:
            return None
    return None


def read_xmp(image: Image.Image) -> XmpInfo:
    packet = xmp_packet_of(image)
    if packet is None:
        return XmpInfo()
    return parse_xmp(packet)


def parse_xmp(packet: bytes) -> XmpInfo:
    """Every property of an XMP packet (see the module's docstring for the shapes); never raises."""
    info = XmpInfo(packet_bytes=len(packet))
    if len(packet) > MAX_PACKET_BYTES:
        info.warnings.append(f"XMP: the packet is {len(packet)} bytes, over cbis's {MAX_PACKET_BYTES}; not read")
        return info
    text = _trimmed(packet)
    if not text:
        return info
    prefixes: dict[str, str] = {}
    try:
        root = _parse(text, prefixes)
    except DefusedXmlException as exc:
        info.warnings.append(f"XMP: refused ({type(exc).__name__}: a DTD or entities, never valid in XMP); not read")
        return info
    except ET.ParseError as exc:
        info.warnings.append(f"XMP: not well-formed XML ({exc}); not read")
        return info
    except (ValueError, RecursionError, MemoryError) as exc:
        info.warnings.append(f"XMP: unreadable ({type(exc).__name__}: {exc}); not read")
        return info
    budget = _Budget()
    names = _Names(prefixes)
    dropped = 0
    for description in _descriptions(root):
        for name, value in _properties(description, names, budget, depth=0):
            if name in info.properties:
                continue  # the first occurrence stands, as in exiftool
            if len(info.properties) >= MAX_PROPERTIES:
                dropped += 1
                continue
            info.properties[name] = value
    if dropped:
        info.warnings.append(f"XMP: {dropped} properties past the first {MAX_PROPERTIES} not kept")
    if budget.cut_depth:
        info.warnings.append(f"XMP: structures nested deeper than {MAX_DEPTH} levels were cut")
    if budget.cut_text:
        info.warnings.append(f"XMP: values longer than {MAX_TEXT_CHARACTERS} characters were cut")
    return info


def _trimmed(packet: bytes) -> bytes:
    # Writers pad packets with spaces or NULs, and some put bytes before the first tag.
    start = packet.find(b"<")
    if start < 0:
        return b""
    return packet[start:].rstrip(b"\x00 \t\r\n")


def _parse(text: bytes, prefixes: dict[str, str]) -> ET.Element:
    root: ET.Element | None = None
    for event, item in SafeET.iterparse(
        _Reader(text), events=("start", "start-ns"), forbid_dtd=True, forbid_entities=True, forbid_external=True
    ):
        if event == "start-ns":
            prefix, uri = item
            prefixes.setdefault(uri, prefix)
        elif root is None:
            root = item
    if root is None:
        raise ValueError("no element")
    return root


class _Reader:
    """A minimal file object over bytes (iterparse wants one)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._position + size
        chunk = self._data[self._position : end]
        self._position += len(chunk)
        return chunk


def _descriptions(root: ET.Element) -> list[ET.Element]:
    rdf = root if root.tag == f"{{{_RDF}}}RDF" else root.find(f".//{{{_RDF}}}RDF")
    if rdf is None:
        return []
    return [child for child in rdf if child.tag == f"{{{_RDF}}}Description"]


class _Names:
    def __init__(self, declared: dict[str, str]) -> None:
        self.declared = declared

    def __call__(self, tag: str) -> str | None:
        if not tag.startswith("{"):
            return tag
        uri, _, local = tag[1:].partition("}")
        if uri in (_RDF, _XML):
            return None
        prefix = KNOWN_NAMESPACES.get(uri) or self.declared.get(uri) or uri
        return f"{prefix}:{local}"


def _properties(element: ET.Element, names: _Names, budget: _Budget, depth: int) -> list[tuple[str, Any]]:
    """(name, value) of the properties of an rdf:Description or a structure: attributes, then child elements."""
    found: list[tuple[str, Any]] = []
    for attribute, value in element.attrib.items():
        if attribute in _RDF_SYNTAX_ATTRIBUTES:
            continue
        name = names(attribute)
        if name is not None:
            found.append((name, _text(value, budget)))
    for child in element:
        name = names(child.tag)
        if name is not None:
            found.append((name, _value(child, names, budget, depth + 1)))
    return found


def _value(element: ET.Element, names: _Names, budget: _Budget, depth: int) -> Any:
    if depth > MAX_DEPTH:
        budget.cut_depth = True
        return "…"
    resource = element.attrib.get(f"{{{_RDF}}}resource")
    if resource is not None:
        return _text(resource, budget)
    children = list(element)
    container = next((child for child in children if child.tag in _CONTAINERS), None)
    if container is not None:
        return _container(container, names, budget, depth)
    if element.attrib.get(f"{{{_RDF}}}parseType") == "Resource":
        return dict(_properties(element, names, budget, depth))
    description = next((child for child in children if child.tag == f"{{{_RDF}}}Description"), None)
    if description is not None:
        return dict(_properties(description, names, budget, depth))
    fields = _properties(element, names, budget, depth)
    if fields:
        return dict(fields)
    return _text(element.text or "", budget)


def _container(container: ET.Element, names: _Names, budget: _Budget, depth: int) -> Any:
    items = [child for child in container if child.tag == f"{{{_RDF}}}li"]
    if container.tag == f"{{{_RDF}}}Alt" and items and all(f"{{{_XML}}}lang" in item.attrib for item in items):
        variants: dict[str, Any] = {}
        for item in items[:MAX_SEQUENCE_VALUES]:
            variants.setdefault(item.attrib[f"{{{_XML}}}lang"], _value(item, names, budget, depth + 1))
        return variants
    values = [_value(item, names, budget, depth + 1) for item in items[:MAX_SEQUENCE_VALUES]]
    if len(items) > MAX_SEQUENCE_VALUES:
        return {"values": values, "count": len(items)}
    return values


def _text(value: str, budget: _Budget) -> str:
    text = escape_unprintable(value.strip())
    if len(text) > MAX_TEXT_CHARACTERS:
        budget.cut_text = True
        text = text[:MAX_TEXT_CHARACTERS]
    return text


# -- The values cbis's summary fields take from XMP -----------------------------------------------------------

# Field -> the properties that hold it, in the order they are tried (MWG's mapping of EXIF to XMP:
# DateTimeOriginal is photoshop:DateCreated, DateTimeDigitized xmp:CreateDate, DateTime xmp:ModifyDate; the
# exif: and tiff: namespaces hold the older direct copies, tried first).
FIELD_PROPERTIES: dict[str, tuple[str, ...]] = {
    "make": ("tiff:Make",),
    "model": ("tiff:Model",),
    "software": ("tiff:Software", "xmp:CreatorTool"),
    "datetime_original": ("exif:DateTimeOriginal", "photoshop:DateCreated"),
    "datetime_digitized": ("exif:DateTimeDigitized", "xmp:CreateDate"),
    "modify_date": ("tiff:DateTime", "xmp:ModifyDate"),
    "orientation": ("tiff:Orientation",),
    "lens_model": ("exifEX:LensModel", "aux:Lens"),
    "body_serial": ("exifEX:BodySerialNumber", "aux:SerialNumber"),
}
DATE_FIELDS = frozenset({"datetime_original", "datetime_digitized", "modify_date"})
FILL_ONLY_PROPERTIES = frozenset({"xmp:CreatorTool"})
"""Properties that fill a field EXIF left empty but mean something else, so differing is no disagreement:
CreatorTool is the first tool that made the file, EXIF's Software the last one that changed it."""

_XMP_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?"
)
_GPS_COORDINATE = re.compile(r"(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])")


@dataclass
class XmpFields:
    """What the packet says for cbis's summary fields, and where (the property) each came from."""

    values: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    gps_resolution: float = 0.0
    """Degrees: the precision the packet wrote the coordinates with (half a unit of their last digit)."""
    warnings: list[str] = field(default_factory=list)


def xmp_fields(properties: dict[str, Any]) -> XmpFields:
    fields = XmpFields()
    for name, candidates in FIELD_PROPERTIES.items():
        for prop in candidates:
            raw = properties.get(prop)
            if not isinstance(raw, str) or not raw.strip():
                continue
            value = _field_value(name, prop, raw, fields.warnings)
            if value is not None:
                fields.values[name] = value
                fields.properties[name] = prop
                break
    _gps(properties, fields)
    return fields


def _field_value(name: str, prop: str, raw: str, warnings: list[str]) -> Any:
    if name in DATE_FIELDS:
        date = xmp_date(raw)
        if date is None:
            warnings.append(f"XMP: {prop} {raw!r} is not an XMP date; ignored")
        return date
    if name == "orientation":
        if raw.isdigit() and 1 <= int(raw) <= 8:
            return int(raw)
        warnings.append(f"XMP: {prop} {raw!r} is not 1-8; ignored")
        return None
    return raw


def xmp_date(text: str) -> str | None:
    """An XMP date as found ("2013-09-23T10:09:46+02:00", "2004-08", "2021-04-11T15:47"), when it is a valid
    one: ISO 8601 as XMP allows it, which sorts and compares like cbis's EXIF dates. Else None."""
    text = text.strip()
    match = _XMP_DATE.fullmatch(text)
    if match is None:
        return None
    parts = {key: int(value) for key, value in match.groupdict().items() if value and key not in ("fraction", "zone")}
    try:
        datetime(parts["year"], parts.get("month", 1), parts.get("day", 1), parts.get("hour", 0),
                 parts.get("minute", 0), parts.get("second", 0))  # fmt: skip
    except ValueError:
        return None
    zone = match["zone"]
    if zone and zone != "Z" and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return None
    return text


def _gps(properties: dict[str, Any], fields: XmpFields) -> None:
    latitude, longitude = properties.get("exif:GPSLatitude"), properties.get("exif:GPSLongitude")
    if isinstance(latitude, str) and isinstance(longitude, str):
        parsed_latitude = _coordinate(latitude, "NS", 90.0)
        parsed_longitude = _coordinate(longitude, "EW", 180.0)
        if parsed_latitude is None or parsed_longitude is None:
            fields.warnings.append(
                f"XMP: exif:GPSLatitude {latitude!r} / exif:GPSLongitude {longitude!r} are not coordinates; ignored"
            )
        else:
            fields.values["gps_latitude"], resolution = parsed_latitude
            fields.values["gps_longitude"], resolution_2 = parsed_longitude
            fields.properties["gps_latitude"] = "exif:GPSLatitude"
            fields.properties["gps_longitude"] = "exif:GPSLongitude"
            fields.gps_resolution = max(resolution, resolution_2)
    altitude = properties.get("exif:GPSAltitude")
    if isinstance(altitude, str) and altitude.strip():
        value = _rational(altitude)
        if value is None:
            fields.warnings.append(f"XMP: exif:GPSAltitude {altitude!r} is not a number; ignored")
        else:
            below = str(properties.get("exif:GPSAltitudeRef", "0")).strip() == "1"
            fields.values["gps_altitude"] = -value if below else value
            fields.properties["gps_altitude"] = "exif:GPSAltitude"


def _coordinate(text: str, hemispheres: str, limit: float) -> tuple[float, float] | None:
    """XMP's "DDD,MM,SSk" or "DDD,MM.mmk" (k one of N S E W) as signed degrees, with the resolution written."""
    match = _GPS_COORDINATE.fullmatch(text.strip())
    if match is None or match[4] not in hemispheres:
        return None
    degrees, minutes, seconds = int(match[1]), float(match[2]), float(match[3] or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if value > limit:
        return None
    last = match[3] if match[3] is not None else match[2]
    decimals = len(last.partition(".")[2])
    resolution = 10.0**-decimals / (3600 if match[3] is not None else 60)
    return (-value if match[4] in "SW" else value), resolution / 2


def _rational(text: str) -> float | None:
    numerator, slash, denominator = text.strip().partition("/")
    try:
        if not slash:
            return float(numerator)
        value = int(numerator) / int(denominator)
    except (ValueError, ZeroDivisionError):
        return None
    return value


def date_parts(iso: str) -> tuple[tuple[int, ...], timedelta | None]:
    """(year, month, ... as far as written, up to seconds; the offset, None when none is written) of an ISO
    date as cbis stores them, for comparing dates from different sources."""
    match = _XMP_DATE.fullmatch(iso.strip())
    if match is None:
        return (), None
    numbers = tuple(int(match[key]) for key in ("year", "month", "day", "hour", "minute", "second") if match[key])
    zone = match["zone"]
    if not zone:
        return numbers, None
    if zone == "Z":
        return numbers, timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    return numbers, sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))


def same_moment(first: str, second: str) -> bool:
    """Whether two ISO dates can be the same moment: equal to the precision both have, compared as instants
    when both carry an offset and as local times when one does not (EXIF often has none)."""
    numbers_1, offset_1 = date_parts(first)
    numbers_2, offset_2 = date_parts(second)
    if not numbers_1 or not numbers_2:
        return first.strip() == second.strip()
    common = min(len(numbers_1), len(numbers_2))
    if offset_1 is not None and offset_2 is not None and common >= 5:
        moment_1 = _instant(numbers_1[:common], offset_1)
        moment_2 = _instant(numbers_2[:common], offset_2)
        return moment_1 == moment_2
    return numbers_1[:common] == numbers_2[:common]


def _instant(numbers: tuple[int, ...], offset: timedelta) -> datetime:
    padded = (*numbers, *(0,) * (6 - len(numbers)))
    return datetime(*padded, tzinfo=timezone(offset))  # type: ignore[misc]
