"""The whole-document reports, each parsed back with a library made for its format: GeoJSON (the `geojson`
package's validation), KMZ (fastkml, and every thumbnail the KML names is in the zip), the timeline (CSV and a
self-contained HTML page, inconsistencies flagged) and DFXML (xml.etree, and the published 1.2.0 schema vendored
in tests/data/dfxml-1.2.0). Each is byte-identical when asked for again, written durably with a manifest, and
never written inside the evidence."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import fastkml
import geojson
import pytest
from PIL import Image

from cbis.db import queries
from cbis.reports.dfxml_format import DFXML_NS, FILEOBJECT_ORDER
from cbis.reports.timeline_format import moment
from cbis.services.cases import open_case
from tests.helpers import cbis
from tests.hostile.corpus import build, camera_exif, small_jpeg
from tests.ingest.exif_builder import ascii_entry, exif_block

KML = "http://www.opengis.net/kml/2.2"
DFXML_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "dfxml-1.2.0" / "dfxml.xsd"


@pytest.fixture
def indexed(evidence: Path, backend_case: Path) -> Path:
    result = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert result.exit_code == 0, result.output
    return backend_case


def stored_rows(case_dir: Path, read: str) -> list[dict]:
    case = open_case(case_dir)
    try:
        with case.engine.connect() as connection:
            return [dict(row) for row in getattr(queries, read)(connection)]
    finally:
        case.close()


def report(case_dir: Path, *args: str | Path) -> None:
    result = cbis("report", "--case", case_dir, *args)
    assert result.exit_code == 0, result.output


def with_position(case_dir: Path) -> dict[str, dict]:
    return {row["path"]: row for row in stored_rows(case_dir, "exif_rows") if row["gps_latitude"] is not None}


def test_geojson_is_valid_rfc7946_with_the_stored_coordinates(indexed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "case.geojson"
    report(indexed, "--geojson", out)
    collection = geojson.loads(out.read_text(encoding="utf-8"))
    assert collection.is_valid, collection.errors()
    # geojson's objects round coordinates to 6 places when built; the file itself is compared as parsed JSON.
    exact = {feature["properties"]["path"]: feature for feature in json.loads(out.read_bytes())["features"]}
    assert collection["type"] == "FeatureCollection"
    expected = with_position(indexed)
    assert len(expected) >= 3  # the sample evidence: gps/ and camera bodies that wrote a position
    by_path = {feature["properties"]["path"]: feature for feature in collection["features"]}
    assert set(by_path) == set(expected)
    for path, row in expected.items():
        feature = by_path[path]
        assert feature.is_valid and feature["geometry"]["type"] == "Point"
        position = [row["gps_longitude"], row["gps_latitude"]]
        if row["gps_altitude"] is not None:
            position.append(row["gps_altitude"])
        assert exact[path]["geometry"]["coordinates"] == position  # exactly as stored: no rounding
        properties = feature["properties"]
        assert properties["sha256"] == row["sha256"] and properties["make"] == row["make"]
        assert properties["model"] == row["model"] and isinstance(properties["file_id"], int)
        assert properties["evidence"] and properties["label"] is None  # indexed without a classifier
    manifest = json.loads((out.parent / "case.geojson.manifest.json").read_text())
    (entry,) = manifest["files"]
    assert entry["name"] == "case.geojson" and entry["rows"] == len(expected)
    assert entry["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["report_format"] == "geojson"


def test_kmz_opens_offline_with_a_placemark_and_thumbnail_per_gps_image(indexed: Path, tmp_path: Path) -> None:
    out = tmp_path / "case.kmz"
    report(indexed, "--kmz", out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names[0] == "doc.kml"
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        kml_text = archive.read("doc.kml")
        thumbnails = {name: archive.read(name) for name in names if name.startswith("files/")}
    document = fastkml.kml.KML.from_string(kml_text)
    (folder,) = document.features
    placemarks = list(folder.features)
    expected = with_position(indexed)
    assert {placemark.name for placemark in placemarks} == set(expected)
    for placemark in placemarks:
        row = expected[placemark.name]
        coordinates = placemark.geometry.coords[0]
        assert coordinates[0] == row["gps_longitude"] and coordinates[1] == row["gps_latitude"]
        assert row["sha256"] in placemark.description
        if row["datetime_original"]:
            assert placemark.times is not None
    hrefs = [element.text for element in ET.fromstring(kml_text).iter(f"{{{KML}}}href")]
    assert len(hrefs) == len(placemarks)  # every sample picture decodes: each has its thumbnail
    for href in hrefs:
        assert href in thumbnails  # named in the KML, inside the zip: opens offline
        picture = Image.open(io.BytesIO(thumbnails[href]))
        assert picture.format == "JPEG" and max(picture.size) <= 320


def timeline(case_dir: Path, out: Path) -> list[dict[str, str]]:
    report(case_dir, "--timeline", out)
    with open(out / "timeline.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_timeline_lists_every_time_sorted_with_sources(indexed: Path, tmp_path: Path) -> None:
    rows = timeline(indexed, tmp_path / "timeline")
    assert list(rows[0]) == ["time", "kind", "source", "path", "sha256", "flags"]
    keys = [moment(row["time"])[0] for row in rows]  # type: ignore[index]
    assert keys == sorted(keys)
    kinds = {row["kind"] for row in rows}
    assert {"DateTimeOriginal", "ModifyDate", "file mtime", "file ctime", "file atime"} <= kinds
    images = {row["path"] for row in stored_rows(indexed, "file_rows") if row["status"] == "image"}
    assert {row["path"] for row in rows if row["kind"] == "file mtime"} == images
    assert {row["source"] for row in rows if row["kind"] == "DateTimeOriginal"} >= {"EXIF"}
    # The sample Nikon D70's XMP names another ModifyDate than its EXIF: both are listed, and flagged.
    nikon = [row for row in rows if row["path"] == "camera/Nikon_D70.jpg"]
    assert {row["source"] for row in nikon if row["kind"] == "ModifyDate"} == {"EXIF", "XMP (xmp:ModifyDate)"}
    assert all("sources disagree on ModifyDate" in row["flags"] for row in nikon)
    page = (tmp_path / "timeline" / "timeline.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page and " src=" not in page  # no request leaves the page
    assert page.split("Every time, oldest first")[1].count("<tr") == len(rows) + 1  # the header, a row each
    manifest = json.loads((tmp_path / "timeline" / "manifest.json").read_text())
    assert [entry["name"] for entry in manifest["files"]] == ["timeline.csv", "timeline.html"]


def test_timeline_flags_an_original_date_after_the_modify_date_and_in_the_future(
    tmp_path: Path, backend_case: Path
) -> None:
    evidence = tmp_path / "odd"
    evidence.mkdir()
    block = exif_block(
        [ascii_entry(0x010F, b"Acme"), ascii_entry(0x0132, b"2001:01:01 00:00:00")],
        exif=[ascii_entry(0x9003, b"2099:06:01 12:00:00")],
    )
    Image.new("RGB", (16, 16), (200, 10, 10)).save(evidence / "future.jpg", exif=block)
    Image.new("RGB", (16, 16), (10, 200, 10)).save(evidence / "plain.jpg")
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    rows = timeline(backend_case, tmp_path / "timeline")
    flags = {row["path"]: row["flags"] for row in rows}
    assert "DateTimeOriginal later than ModifyDate" in flags["future.jpg"]
    assert "DateTimeOriginal later than the file's mtime" in flags["future.jpg"]
    assert "in the future when the case recorded the file" in flags["future.jpg"]
    assert flags["plain.jpg"] == ""
    assert rows[-1]["time"] == "2099-06-01T12:00:00" and rows[-1]["kind"] == "DateTimeOriginal"
    page = (tmp_path / "timeline" / "timeline.html").read_text(encoding="utf-8")
    assert "Images with inconsistent times (1)" in page


def fileobjects(path: Path) -> Iterator[ET.Element]:
    yield from ET.parse(path).getroot().iter(f"{{{DFXML_NS}}}fileobject")


def test_dfxml_lists_every_file_in_the_schemas_order(indexed: Path, tmp_path: Path, evidence: Path) -> None:
    out = tmp_path / "case.dfxml"
    report(indexed, "--dfxml", out)
    root = ET.parse(out).getroot()
    assert root.tag == f"{{{DFXML_NS}}}dfxml" and root.get("version") == "1.2.0"
    ns = {"d": DFXML_NS}
    assert [child.tag.split("}")[1] for child in root][:3] == ["metadata", "creator", "source"]
    assert root.findtext("d:creator/d:program", namespaces=ns) == "cbis"
    assert "--dfxml" in (root.findtext("d:creator/d:execution_environment/d:command_line", namespaces=ns) or "")
    assert root.findtext("d:source/d:image_filename", namespaces=ns) == str(evidence.resolve())
    files = {f"{row['evidence']}/{row['path']}": row for row in stored_rows(indexed, "file_rows")}
    objects = list(fileobjects(out))
    assert len(objects) == len(files)
    for element in objects:
        tags = [child.tag.split("}")[1] for child in element]
        assert tags == sorted(tags, key=FILEOBJECT_ORDER.index)  # the schema's sequence
        row = files[element.findtext("d:filename", namespaces=ns) or ""]
        assert element.findtext("d:filesize", namespaces=ns) == str(row["size"])
        assert element.findtext("d:mtime", namespaces=ns) == row["mtime"]
        digests = {digest.get("type"): digest.text for digest in element.findall("d:hashdigest", ns)}
        assert digests == {"md5": row["md5"], "sha1": row["sha1"], "sha256": row["sha256"]}


def test_dfxml_validates_against_the_published_schema(indexed: Path, tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    out = tmp_path / "case.dfxml"
    report(indexed, "--dfxml", out)
    # The 1.2.0 schema breaks XSD's Unique Particle Attribution rule (fileobject_type has two adjacent ##other
    # wildcards; the DFXML group fixed it after 1.2.0): built in lax mode, it still validates every element.
    schema = xmlschema.XMLSchema(str(DFXML_SCHEMA), validation="lax")
    schema.validate(str(out))
    reordered = out.read_text(encoding="utf-8").replace("<filename>", "<x>", 1)
    assert not schema.is_valid(reordered.replace("<x>", "<filesize>0</filesize><filename>", 1))


@pytest.mark.parametrize("option", ["--geojson", "--kmz", "--dfxml", "--timeline", "--html", "--case-uco"])
def test_each_document_is_byte_identical_when_asked_for_again(indexed: Path, tmp_path: Path, option: str) -> None:
    out = tmp_path / "report.out"

    def written() -> dict[str, bytes]:
        report(indexed, option, out)
        files = sorted(out.iterdir()) if out.is_dir() else [out]
        return {path.name: path.read_bytes() for path in files if path.name != "manifest.json"}

    first = written()
    assert first == written()  # its own earlier report: replaced without --overwrite, and the same bytes


def test_a_picture_changed_since_indexing_keeps_its_placemark_without_a_thumbnail(
    tmp_path: Path, backend_case: Path
) -> None:
    evidence = tmp_path / "gps"
    build(evidence, [(f"p{n}.jpg", small_jpeg(n, exif=camera_exif(n))) for n in range(2)])
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    (evidence / "p1.jpg").write_bytes(small_jpeg(5, exif=camera_exif(5)))  # not what was hashed
    out = tmp_path / "case.kmz"
    report(backend_case, "--kmz", out)
    with zipfile.ZipFile(out) as archive:
        kml = ET.fromstring(archive.read("doc.kml"))
        thumbnails = [name for name in archive.namelist() if name.startswith("files/")]
    marks = {mark.findtext(f"{{{KML}}}name"): mark for mark in kml.iter(f"{{{KML}}}Placemark")}
    assert set(marks) == {"p0.jpg", "p1.jpg"} and len(thumbnails) == 1
    assert marks["p1.jpg"].find(f".//{{{KML}}}href") is None
    assert "changed since it was indexed" in (marks["p1.jpg"].findtext(f"{{{KML}}}description") or "")
    assert marks["p0.jpg"].findtext(f".//{{{KML}}}href") == thumbnails[0]
