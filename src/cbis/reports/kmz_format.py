"""`cbis report --kmz FILE`: KML 2.2 in a zip (doc.kml first, thumbnails under files/), one Placemark per image
with a position: its name, a description (path, SHA-256, date taken, camera, label) showing its thumbnail, a
TimeStamp when the date taken is known, and the thumbnail as its icon, so the file opens offline.

Thumbnails are the viewer's previews (ingest.renditions: read once, read-only, only if the file still hashes to
its recorded SHA-256), one per distinct picture, named by SHA-256. A picture that cannot be read again or decoded
gets its placemark without a thumbnail, and its description says why. Every zip entry has the same fixed time
and attributes, so the same case gives the same bytes.
"""

from __future__ import annotations

import html
import tempfile
import zipfile
from collections.abc import Mapping
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET

from cbis.db import documents
from cbis.ingest.renditions import NoRendition, read_recorded, render_jpeg
from cbis.reports import DocumentContext, PartWriter, register_document
from cbis.reports.geojson_format import has_position
from cbis.reports.xmltext import xml_text

KML_NS = "http://www.opengis.net/kml/2.2"
THUMBNAIL_SIZE = 320  # the viewer's "thumb" rendition
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: the entries' time is no part of the evidence
CHUNK = 1 << 20


def _entry(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, whatever this machine is
    return info


def thumbnail_name(sha256: str) -> str:
    return f"files/{sha256}.jpg"


def _description(row: Mapping[str, Any], label: str | None, thumbnail: str | None, why_not: str | None) -> str:
    camera = " ".join(part for part in (row["make"], row["model"]) if part)
    lines = [
        ("path", row["path"]),
        ("evidence", row["evidence"]),
        ("SHA-256", row["sha256"]),
        ("date taken", row["date_taken"]),
        ("camera", camera or None),
        ("label", label),
        ("thumbnail", why_not),
    ]
    body = "".join(
        f"<b>{html.escape(name)}</b>: {html.escape(str(value))}<br/>" for name, value in lines if value is not None
    )
    image = f'<img src="{html.escape(thumbnail)}" width="{THUMBNAIL_SIZE}"/><br/>' if thumbnail else ""
    return image + body


def placemark(row: Mapping[str, Any], label: str | None, thumbnail: str | None, why_not: str | None) -> ET.Element:
    mark = ET.Element("Placemark", id=f"file-{row['file_id']}")
    ET.SubElement(mark, "name").text = xml_text(row["path"])
    ET.SubElement(mark, "description").text = xml_text(_description(row, label, thumbnail, why_not))
    if row["date_taken"]:
        ET.SubElement(ET.SubElement(mark, "TimeStamp"), "when").text = xml_text(row["date_taken"])
    if thumbnail:
        style = ET.SubElement(mark, "Style")
        ET.SubElement(ET.SubElement(ET.SubElement(style, "IconStyle"), "Icon"), "href").text = thumbnail
    position = [row["gps_longitude"], row["gps_latitude"]]
    if row["gps_altitude"] is not None:
        position.append(row["gps_altitude"])
    ET.SubElement(ET.SubElement(mark, "Point"), "coordinates").text = ",".join(repr(float(v)) for v in position)
    return mark


class KmzDocument:
    name = "kmz"
    description = "KMZ (KML 2.2 with thumbnails): a placemark per image with GPS, for Google Earth and GIS tools"
    directory = False

    def parts(self, context: DocumentContext, file_name: str) -> list[tuple[str, PartWriter]]:
        return [(file_name, lambda raw: self.fill(context, raw))]

    def fill(self, context: DocumentContext, raw: BinaryIO) -> int:
        model = context.model
        model_id = model.id if model else None
        # Two passes over the same ordered rows: doc.kml goes first in the zip, and names only thumbnails that
        # were made, so the thumbnails are made first into a scratch file and copied in after it.
        made: dict[str, tuple[int, int] | str] = {}  # sha256 -> (offset, length) in the scratch file, or why not
        with tempfile.TemporaryFile() as scratch, zipfile.ZipFile(raw, "w") as archive:
            for row in documents.gps_images(context.connection, model_id):
                if not has_position(row) or row["sha256"] is None or row["sha256"] in made:
                    continue
                try:
                    data = read_recorded(row["root_bytes"], row["path_bytes"], row["size"], row["sha256"])
                    jpeg = render_jpeg(data, THUMBNAIL_SIZE)
                except NoRendition as exc:
                    made[row["sha256"]] = str(exc)
                    continue
                made[row["sha256"]] = (scratch.tell(), len(jpeg))
                scratch.write(jpeg)
            count = 0
            with archive.open(_entry("doc.kml", zipfile.ZIP_DEFLATED), "w") as kml:
                kml.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
                kml.write(f'<kml xmlns="{KML_NS}"><Document>'.encode())
                name = ET.Element("name")
                name.text = xml_text(f"cbis case {context.case_number}")
                kml.write(ET.tostring(name, encoding="utf-8", xml_declaration=False))
                kml.write(b"\n")
                for row in documents.gps_images(context.connection, model_id):
                    if not has_position(row):
                        continue
                    outcome = made.get(row["sha256"] or "", "no SHA-256 was recorded")
                    thumbnail = thumbnail_name(row["sha256"]) if isinstance(outcome, tuple) else None
                    why_not = outcome if isinstance(outcome, str) else None
                    label = f"{row['label']} ({row['score']:.4f}, {model.name})" if row["label"] and model else None
                    element = placemark(row, label, thumbnail, why_not)
                    kml.write(ET.tostring(element, encoding="utf-8", xml_declaration=False) + b"\n")
                    count += 1
                kml.write(b"</Document></kml>\n")
            for sha256, outcome in sorted(made.items()):
                if not isinstance(outcome, tuple):
                    continue
                offset, length = outcome
                scratch.seek(offset)
                # JPEG does not shrink under deflate: stored as is.
                archive.writestr(_entry(thumbnail_name(sha256), zipfile.ZIP_STORED), scratch.read(length))
        return count


KMZ = register_document(KmzDocument())
