"""XMP: read from every container, parsed safely, mapped to cbis's fields with each value's source, and
disagreements with EXIF kept and flagged. Packets are built here, so every expected value is written down."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin, TiffImagePlugin, features

from cbis.ingest.images import decode_image
from cbis.ingest.xmp import MAX_DEPTH, MAX_PACKET_BYTES, parse_xmp, same_moment, xmp_date, xmp_fields

from .exif_builder import ascii_entry, exif_block, short_entry

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "evidence"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NAMESPACES = (
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" '
    'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:exifEX="http://cipa.jp/exif/1.0/"'
)


def packet(attributes: str = "", elements: str = "", *, prolog: str = "") -> bytes:
    return (
        f'{prolog}<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF}">'
        f'<rdf:Description rdf:about="" {NAMESPACES} {attributes}>{elements}</rdf:Description>'
        f'</rdf:RDF></x:xmpmeta>{" " * 100}<?xpacket end="w"?>'
    ).encode()


def saved(pillow_format: str, *, xmp: bytes, exif: bytes | None = None) -> bytes:
    image = Image.new("RGB", (16, 8), "white")
    buffer = io.BytesIO()
    options: dict[str, object] = {"exif": exif} if exif else {}
    if pillow_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode(), zip=True)
        options["pnginfo"] = info
    elif pillow_format == "TIFF":
        directory = TiffImagePlugin.ImageFileDirectory_v2()
        directory[700] = xmp
        options["tiffinfo"] = directory
    else:
        options["xmp"] = xmp
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


# -- Parsing ----------------------------------------------------------------------------------------------------


def test_simple_properties_as_attributes_and_elements() -> None:
    parsed = parse_xmp(
        packet(
            'xmp:CreateDate="2013-09-23T10:09:46+02:00" tiff:Make="Canon"',
            "<tiff:Model>Canon EOS 40D</tiff:Model><tiff:Orientation>6</tiff:Orientation>",
        )
    )
    assert parsed.warnings == []
    assert parsed.properties == {
        "xmp:CreateDate": "2013-09-23T10:09:46+02:00",
        "tiff:Make": "Canon",
        "tiff:Model": "Canon EOS 40D",
        "tiff:Orientation": "6",
    }


def test_arrays_language_alternatives_and_structures() -> None:
    parsed = parse_xmp(
        packet(
            elements=(
                "<dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>dog</rdf:li></rdf:Bag></dc:subject>"
                '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Goalie</rdf:li>'
                '<rdf:li xml:lang="de">Der Goalie</rdf:li></rdf:Alt></dc:title>'
                '<exif:Flash rdf:parseType="Resource"><exif:Fired>False</exif:Fired>'
                "<exif:Mode>3</exif:Mode></exif:Flash>"
                '<xmpMM:History xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
                'xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"><rdf:Seq>'
                '<rdf:li stEvt:action="created" stEvt:when="2013-09-23T10:09:46+02:00"/>'
                '<rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action></rdf:li>'
                "</rdf:Seq></xmpMM:History>"
                '<xmp:BaseURL rdf:resource="http://example.invalid/"/>'
            )
        )
    )
    assert parsed.properties["dc:subject"] == ["beach", "dog"]
    assert parsed.properties["dc:title"] == {"x-default": "Goalie", "de": "Der Goalie"}
    assert parsed.properties["exif:Flash"] == {"exif:Fired": "False", "exif:Mode": "3"}
    assert parsed.properties["xmpMM:History"] == [
        {"stEvt:action": "created", "stEvt:when": "2013-09-23T10:09:46+02:00"},
        {"stEvt:action": "saved"},
    ]
    assert parsed.properties["xmp:BaseURL"] == "http://example.invalid/"


def test_known_namespaces_get_their_usual_prefix_whatever_the_file_declares() -> None:
    odd = (
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF}"><rdf:Description '
        'xmlns:e="http://ns.adobe.com/exif/1.0/" xmlns:mine="http://example.invalid/ns/" '
        'e:DateTimeOriginal="2004-08-27T13:52:55+02:00" mine:Case="A-1"/></rdf:RDF></x:xmpmeta>'
    ).encode()
    assert parse_xmp(odd).properties == {"exif:DateTimeOriginal": "2004-08-27T13:52:55+02:00", "mine:Case": "A-1"}


def test_several_descriptions_and_a_bare_rdf_root() -> None:
    bare = (
        f'<rdf:RDF xmlns:rdf="{RDF}"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Make="A"/>'
        '<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Model="B"/></rdf:RDF>'
    ).encode()
    assert parse_xmp(bare).properties == {"tiff:Make": "A", "tiff:Model": "B"}


# -- Hostile packets --------------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def test_billion_laughs_is_refused_without_expanding() -> None:
    hostile = packet('tiff:Make="&lol9;"', prolog=BILLION_LAUGHS)
    started = time.monotonic()
    parsed = parse_xmp(hostile)
    assert time.monotonic() - started < 1.0
    assert parsed.properties == {}
    assert len(parsed.warnings) == 1 and parsed.warnings[0].startswith("XMP: refused")


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    hostile = packet('tiff:Make="&secret;"', prolog=f'<!DOCTYPE x [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>')
    parsed = parse_xmp(hostile)
    assert parsed.properties == {} and parsed.warnings[0].startswith("XMP: refused")
    assert "do not read me" not in repr(parsed)


def test_oversized_malformed_and_deep_packets_cost_only_a_warning() -> None:
    huge = parse_xmp(packet('tiff:Make="x"') + b" " * MAX_PACKET_BYTES)
    assert huge.properties == {} and "over cbis's" in huge.warnings[0]
    broken = parse_xmp(b"<x:xmpmeta><rdf:RDF>")
    assert broken.properties == {} and broken.warnings[0].startswith("XMP: not well-formed XML")
    nested = '<exif:Deep rdf:parseType="Resource">' * 40 + "<exif:Leaf>1</exif:Leaf>" + "</exif:Deep>" * 40
    deep = parse_xmp(packet(elements=nested))
    assert "exif:Deep" in deep.properties
    assert deep.warnings == [f"XMP: structures nested deeper than {MAX_DEPTH} levels were cut"]


def test_long_arrays_keep_their_count() -> None:
    items = "".join(f"<rdf:li>{i}</rdf:li>" for i in range(1000))
    parsed = parse_xmp(
        packet(elements=f"<photoshop:DocumentAncestors><rdf:Bag>{items}</rdf:Bag></photoshop:DocumentAncestors>")
    )
    ancestors = parsed.properties["photoshop:DocumentAncestors"]
    assert ancestors["count"] == 1000 and ancestors["values"][:3] == ["0", "1", "2"] and len(ancestors["values"]) == 256


# -- Fields -----------------------------------------------------------------------------------------------------


def test_dates_are_kept_as_found_when_valid() -> None:
    assert xmp_date("2013-09-23T10:09:46+02:00") == "2013-09-23T10:09:46+02:00"
    assert xmp_date("2013-09-24T15:13+02:00") == "2013-09-24T15:13+02:00"
    assert xmp_date("2021-04-11T15:47:53.123Z") == "2021-04-11T15:47:53.123Z"
    assert xmp_date("2004-08") == "2004-08"
    assert xmp_date("2013:09:23 10:09:46") is None  # EXIF's form is not XMP's
    assert xmp_date("2013-02-30T10:00:00") is None
    assert xmp_date("2013-09-23T10:09:46+25:00") is None


def test_same_moment() -> None:
    assert same_moment("2008-03-15T09:52:01", "2008-03-15T09:52:01-04:00")  # an offset only one writes
    assert same_moment("2021-04-11T15:47:53-05:00", "2021-04-11T20:47:53Z")  # one instant, two offsets
    assert same_moment("2004-08-27T13:52:55", "2004-08-27")  # to the precision both give
    assert not same_moment("2008-07-31T10:03:44", "2008-03-15T15:18:33-04:00")
    assert not same_moment("2021-04-11T15:47:53-05:00", "2021-04-11T15:47:53Z")


def test_xmp_fields_and_gps() -> None:
    fields = xmp_fields(
        parse_xmp(
            packet(
                'photoshop:DateCreated="2004-08-27T13:52:55+02:00" xmp:CreateDate="2004-08-27T13:52:56+02:00" '
                'xmp:ModifyDate="2004-11-25T23:42:54+01:00" xmp:CreatorTool="Photoshop" tiff:Orientation="8" '
                'aux:Lens="100.0 mm f/2.8" aux:SerialNumber="2034567" exif:GPSLatitude="43,28.0469N" '
                'exif:GPSLongitude="11,53,6.456W" exif:GPSAltitude="244927/940" exif:GPSAltitudeRef="1"'
            )
        ).properties
    )
    assert fields.warnings == []
    values = fields.values
    assert values["datetime_original"] == "2004-08-27T13:52:55+02:00"
    assert values["datetime_digitized"] == "2004-08-27T13:52:56+02:00"
    assert values["modify_date"] == "2004-11-25T23:42:54+01:00"
    assert (values["software"], values["orientation"]) == ("Photoshop", 8)
    assert (values["lens_model"], values["body_serial"]) == ("100.0 mm f/2.8", "2034567")
    # 43 + 28.0469 / 60 = 43.467448333; -(11 + 53/60 + 6.456/3600) = -11.885126667; -(244927 / 940)
    assert values["gps_latitude"] == pytest.approx(43.467448333, abs=1e-9)
    assert values["gps_longitude"] == pytest.approx(-11.885126667, abs=1e-9)
    assert values["gps_altitude"] == pytest.approx(-260.560638298, abs=1e-9)
    assert fields.properties["datetime_original"] == "photoshop:DateCreated"
    assert fields.gps_resolution == pytest.approx(0.0001 / 60 / 2)


# -- In every container, merged with EXIF -----------------------------------------------------------------------

XMP_ONLY = packet(
    'exif:DateTimeOriginal="2019-06-01T08:30:00+02:00" xmp:CreateDate="2019-06-01T08:30:00+02:00" '
    'xmp:ModifyDate="2019-06-02T09:00:00+02:00" tiff:Make="FUJIFILM" tiff:Model="X-T3" '
    'exifEX:LensModel="XF16-55mmF2.8 R LM WR" exifEX:BodySerialNumber="1234ABC" tiff:Orientation="1"'
)


@pytest.mark.parametrize("pillow_format", ["JPEG", "PNG", "TIFF", "WEBP", "HEIF", "AVIF"])
def test_xmp_only_values_in_every_container(pillow_format: str) -> None:
    if pillow_format == "AVIF" and not features.check("avif"):
        pytest.skip("this Pillow has no AVIF")
    exif = decode_image(saved(pillow_format, xmp=XMP_ONLY), keep_pixels=False).exif
    assert exif.datetime_original == "2019-06-01T08:30:00+02:00"
    assert exif.datetime_digitized == "2019-06-01T08:30:00+02:00"
    assert exif.modify_date == "2019-06-02T09:00:00+02:00"
    assert (exif.make, exif.model, exif.lens_model, exif.body_serial) == (
        "FUJIFILM",
        "X-T3",
        "XF16-55mmF2.8 R LM WR",
        "1234ABC",
    )
    assert exif.sources["datetime_original"] == "XMP (exif:DateTimeOriginal)"
    assert exif.sources["body_serial"] == "XMP (exifEX:BodySerialNumber)"
    assert exif.tags["XMP"]["tiff:Model"] == "X-T3"
    assert exif.conflicts == {}


def test_exif_and_xmp_that_disagree_are_both_kept_and_flagged() -> None:
    block = exif_block(
        [ascii_entry(0x010F, b"Canon"), ascii_entry(0x0110, b"Canon EOS 40D"), short_entry(0x0112, 1)],
        exif=[ascii_entry(0x9003, b"2008:05:30 15:56:01")],
    )
    xmp = packet(
        'exif:DateTimeOriginal="2009-01-01T00:00:00" tiff:Make="CANON" tiff:Model="Canon EOS 5D" tiff:Orientation="1"'
    )
    exif = decode_image(saved("JPEG", xmp=xmp, exif=block), keep_pixels=False).exif
    assert (exif.datetime_original, exif.model, exif.make) == ("2008-05-30T15:56:01", "Canon EOS 40D", "Canon")
    assert exif.sources["datetime_original"] == "EXIF"
    assert exif.conflicts == {
        "datetime_original": {"EXIF": "2008-05-30T15:56:01", "XMP (exif:DateTimeOriginal)": "2009-01-01T00:00:00"},
        "model": {"EXIF": "Canon EOS 40D", "XMP (tiff:Model)": "Canon EOS 5D"},
    }  # "CANON" is no disagreement (case), nor is the orientation
    flagged = [w for w in exif.warnings if w.startswith("metadata:")]
    assert len(flagged) == 2 and "kept EXIF's" in flagged[0]


def test_xmp_orientation_alone_turns_the_picture() -> None:
    decoded = decode_image(saved("JPEG", xmp=packet('tiff:Orientation="6"')))
    assert decoded.exif.orientation == 6 and decoded.exif.sources["orientation"] == "XMP (tiff:Orientation)"
    assert (decoded.width, decoded.height, decoded.display_width, decoded.display_height) == (16, 8, 8, 16)
    assert decoded.image is not None and decoded.image.size == (8, 16)


# -- Real files (values checked by hand with exiftool 12.57) ----------------------------------------------------


def test_a_photoshop_jpeg_whose_only_dates_are_in_xmp() -> None:
    exif = decode_image(DATA / "xmp_only_dates.jpg", keep_pixels=False).exif
    # exiftool: [XMP-xmp] CreateDate 2013:09:23 10:09:46+02:00; no DateTimeOriginal or CreateDate in EXIF.
    assert exif.datetime_original is None
    assert exif.datetime_digitized == "2013-09-23T10:09:46+02:00"
    assert exif.sources["datetime_digitized"] == "XMP (xmp:CreateDate)"
    # [IFD0] ModifyDate 2014:09:22 10:56:35 agrees with [XMP-xmp] ModifyDate 2014:09:22 10:56:35+02:00.
    assert exif.modify_date == "2014-09-22T10:56:35" and exif.sources["modify_date"] == "EXIF"
    # [IFD0] Software "Adobe Photoshop CC (Macintosh)"; CreatorTool (the first tool) is no disagreement.
    assert exif.software == "Adobe Photoshop CC (Macintosh)" and exif.conflicts == {}
    assert exif.tags["XMP"]["dc:title"] == {"x-default": "Der Goalie bin ig"}


def test_nikon_d70_lens_from_xmp_and_a_modify_date_gimp_changed() -> None:
    exif = decode_image(EXAMPLES / "camera" / "Nikon_D70.jpg", keep_pixels=False).exif
    # exiftool: [XMP-aux] Lens "100.0 mm f/2.8"; no LensModel in EXIF.
    assert exif.lens_model == "100.0 mm f/2.8" and exif.sources["lens_model"] == "XMP (aux:Lens)"
    # [ExifIFD] DateTimeOriginal 2008:03:15 09:52:01 = [XMP-exif] DateTimeOriginal 2008:03:15 09:52:01-04:00.
    assert exif.datetime_original == "2008-03-15T09:52:01" and "datetime_original" not in exif.conflicts
    # [ExifIFD] CreateDate is absent; [XMP-xmp] CreateDate 2008:03:15 09:52:01-04:00.
    assert exif.datetime_digitized == "2008-03-15T09:52:01-04:00"
    # [IFD0] ModifyDate 2008:07:31 10:03:44 (GIMP scaled it) vs [XMP-xmp] ModifyDate 2008:03:15 15:18:33-04:00.
    assert exif.conflicts["modify_date"] == {
        "EXIF": "2008-07-31T10:03:44",
        "XMP (xmp:ModifyDate)": "2008-03-15T15:18:33-04:00",
    }


def test_iphone_heic_xmp_agrees_with_its_exif() -> None:
    decoded = decode_image(EXAMPLES / "phone" / "IMG_5195.HEIC", keep_pixels=False)
    # exiftool: [XMP-photoshop] DateCreated 2021:04:11 15:47:53, [XMP-xmp] CreatorTool 14.4.2.
    assert decoded.exif.tags["XMP"]["photoshop:DateCreated"] == "2021-04-11T15:47:53"
    assert decoded.exif.conflicts == {}
    assert decoded.exif.sources["datetime_original"] == "EXIF"
