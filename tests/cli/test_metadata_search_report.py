"""What issue 13's examiner expected of metadata, through the commands: XMP-only dates found by date search,
disagreeing sources searchable and reported with both values, the fields search --json and exif.csv carry,
stored and displayed sizes. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import EXAMPLES, tree_fingerprint
from tests.helpers import cbis

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def jpeg_with_xmp(path: Path, attributes: str, *, exif: Image.Exif | None = None) -> None:
    packet = (
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF}"><rdf:Description rdf:about="" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" {attributes}/>'
        "</rdf:RDF></x:xmpmeta>"
    ).encode()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "gray").save(buffer, "JPEG", xmp=packet, **({"exif": exif} if exif else {}))
    path.write_bytes(buffer.getvalue())


@pytest.fixture
def metadata_case(tmp_path: Path, backend_case: Path) -> Iterator[Path]:
    """The bundled evidence plus three files whose metadata is partly or only in XMP; checked unchanged after."""
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    extra = evidence / "metadata"
    extra.mkdir()
    shutil.copyfile(DATA / "xmp_only_dates.jpg", extra / "xmp_only_dates.jpg")
    jpeg_with_xmp(
        extra / "xmp_original.jpg",
        'exif:DateTimeOriginal="2019-06-01T08:30:00+02:00" aux:SerialNumber="S-42" tiff:Orientation="6"',
    )
    exif = Image.Exif()
    exif[0x0110] = "EOS 40D"
    jpeg_with_xmp(extra / "disagree.jpg", 'tiff:Model="EOS 5D"', exif=exif)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG", exif=(DATA / "reconyx_hc500.exif").read_bytes())
    (extra / "trail_camera.jpg").write_bytes(buffer.getvalue())
    before = tree_fingerprint(evidence)
    result = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert result.exit_code == 0, result.output
    yield backend_case
    assert tree_fingerprint(evidence) == before, "the evidence tree changed"


def search_json(case_dir: Path, *args: str) -> list[dict]:
    result = cbis("search", "--case", case_dir, "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_date_search_finds_dates_that_are_only_in_xmp(metadata_case: Path) -> None:
    # xmp_only_dates.jpg: only xmp:CreateDate 2013-09-23T10:09:46+02:00 (exiftool); xmp_original.jpg: only
    # exif:DateTimeOriginal in XMP.
    found = search_json(metadata_case, "--from", "2013-09-23", "--to", "2013-09-23")
    assert [hit["path"] for hit in found] == ["metadata/xmp_only_dates.jpg"]
    assert found[0]["date_taken"] == "2013-09-23T10:09:46+02:00" and found[0]["datetime_original"] is None
    assert found[0]["sources"]["datetime_digitized"] == "XMP (xmp:CreateDate)"
    june = search_json(metadata_case, "--from", "2019-06-01T08:30", "--to", "2019-06-01T08:30")
    assert [hit["path"] for hit in june] == ["metadata/xmp_original.jpg"]
    assert june[0]["datetime_original"] == "2019-06-01T08:30:00+02:00"
    # A Reconyx trail camera writes its date and serial only in its maker note (exiftool: 2020:03:16 10:00:00).
    trail = search_json(metadata_case, "--from", "2020-03-16", "--to", "2020-03-16T10:00")
    assert [hit["path"] for hit in trail] == ["metadata/trail_camera.jpg"]
    assert trail[0]["body_serial"] == "H500EE06130468"
    assert trail[0]["sources"]["datetime_original"] == "MakerNote (Reconyx HyperFire)"
    dated = [hit["path"] for hit in search_json(metadata_case, "--sort", "date", "--from", "2000")]
    assert dated.index("metadata/xmp_only_dates.jpg") < dated.index("metadata/xmp_original.jpg")


def test_disagreements_are_searchable_and_keep_both_values(metadata_case: Path) -> None:
    flagged = {hit["path"]: hit for hit in search_json(metadata_case, "--metadata-conflict")}
    assert "metadata/disagree.jpg" in flagged and "metadata/xmp_original.jpg" not in flagged
    hit = flagged["metadata/disagree.jpg"]
    assert hit["camera_model"] == "EOS 40D" and hit["metadata_conflict"] is True
    assert hit["conflicts"] == {"model": {"EXIF": "EOS 40D", "XMP (tiff:Model)": "EOS 5D"}}
    # Nikon_D70.jpg: EXIF ModifyDate 2008:07:31 10:03:44, XMP ModifyDate 2008:03:15 15:18:33-04:00 (exiftool).
    assert flagged["camera/Nikon_D70.jpg"]["conflicts"]["modify_date"]["EXIF"] == "2008-07-31T10:03:44"


def test_search_json_carries_the_fields_an_examiner_expects(metadata_case: Path) -> None:
    hits = {hit["path"]: hit for hit in search_json(metadata_case, "--limit", "100")}
    nikon = hits["camera/Nikon_D70.jpg"]
    assert (nikon["software"], nikon["orientation"], nikon["lens_model"]) == ("GIMP 2.4.5", 1, "100.0 mm f/2.8")
    assert nikon["sources"]["lens_model"] == "XMP (aux:Lens)"
    assert nikon["modify_date"] == "2008-07-31T10:03:44"
    # N 43/1 28/1 281400000/100000000 ... altitude: DSCN0010 has none; the iPhone HEIC 244927/940 m.
    assert hits["phone/IMG_5195.HEIC"]["gps_altitude"] == pytest.approx(260.560638298, abs=1e-6)
    xmp = hits["metadata/xmp_original.jpg"]
    assert (xmp["body_serial"], xmp["orientation"]) == ("S-42", 6)
    # Stored 40 x 20, shown turned by the XMP orientation 6.
    assert (xmp["width"], xmp["height"], xmp["display_width"], xmp["display_height"]) == (40, 20, 20, 40)
    rotated = hits["rotated/landscape_6.jpg"]
    assert (rotated["width"], rotated["height"], rotated["display_width"], rotated["display_height"]) == (
        450, 600, 600, 450,
    )  # fmt: skip


def test_exif_csv_has_the_new_columns_after_the_original_ones(metadata_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert cbis("report", "--case", metadata_case, "--csv", out).exit_code == 0
    with open(out / "exif.csv", encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames is not None
        assert reader.fieldnames[:13] == [
            "path", "sha256", "make", "model", "software", "datetime_original", "gps_latitude", "gps_longitude",
            "gps_altitude", "orientation", "width", "height", "tags_json",
        ]  # fmt: skip
        rows = {row["path"]: row for row in reader}
    nikon = rows["camera/Nikon_D70.jpg"]
    assert nikon["lens_model"] == "100.0 mm f/2.8" and nikon["modify_date"] == "2008-07-31T10:03:44"
    assert json.loads(nikon["sources_json"])["lens_model"] == "XMP (aux:Lens)"
    assert nikon["metadata_conflict"] == "true" and "modify_date" in json.loads(nikon["conflicts_json"])
    assert rows["metadata/xmp_original.jpg"]["body_serial"] == "S-42"
    assert rows["metadata/xmp_only_dates.jpg"]["datetime_digitized"] == "2013-09-23T10:09:46+02:00"
    rotated = rows["rotated/landscape_6.jpg"]
    assert [rotated[c] for c in ("width", "height", "displayed_width", "displayed_height")] == [
        "450",
        "600",
        "600",
        "450",
    ]
    assert rows["camera/Canon_40D.jpg"]["metadata_conflict"] == "false"
    assert json.loads(rows["metadata/xmp_only_dates.jpg"]["tags_json"])["XMP"]["xmp:CreateDate"] == (
        "2013-09-23T10:09:46+02:00"
    )
