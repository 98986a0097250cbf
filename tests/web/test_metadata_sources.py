"""The image page says where each camera value came from (EXIF, maker note, XMP) and flags sources that disagree,
keeping both values; sizes are given as stored and as displayed."""

from __future__ import annotations

import html as html_module

from flask.testing import FlaskClient

from .conftest import ViewerCase, listed_ids


def page(client: FlaskClient, case: ViewerCase, path: str) -> str:
    response = client.get(f"/image/{case.ids[path]}")
    assert response.status_code == 200
    return html_module.unescape(response.get_data(as_text=True))


def test_sources_and_disagreements_on_the_image_page(client: FlaskClient, shared_case: ViewerCase) -> None:
    html = page(client, shared_case, "camera/Nikon_D70.jpg")
    # exiftool: [XMP-aux] Lens "100.0 mm f/2.8" (no EXIF LensModel); [IFD0] Make "NIKON CORPORATION".
    camera = html[html.index('id="h-camera"') : html.index('id="h-exif"')]
    assert '100.0 mm f/2.8 <span class="source" title="where this value came from">XMP (aux:Lens)</span>' in camera
    assert 'NIKON CORPORATION <span class="source" title="where this value came from">EXIF</span>' in camera
    # [IFD0] ModifyDate 2008:07:31 10:03:44 (GIMP) vs [XMP-xmp] ModifyDate 2008:03:15 15:18:33-04:00: both shown.
    assert "Metadata sources disagree" in camera
    conflicts = camera[camera.index("Metadata sources disagree") :]
    assert '<span class="source">EXIF</span> <span class="mono">2008-07-31T10:03:44</span>' in conflicts
    assert (
        '<span class="source">XMP (xmp:ModifyDate)</span> <span class="mono">2008-03-15T15:18:33-04:00</span>'
        in conflicts
    )
    assert '<tr class="disagree"><th>modified (ModifyDate)</th>' in camera
    assert "<caption>XMP " in html and "crs:RawFileName" in html and "DSC_1801.NEF" in html


def test_a_file_whose_sources_agree_has_no_flag(client: FlaskClient, shared_case: ViewerCase) -> None:
    html = page(client, shared_case, "camera/Canon_40D.jpg")
    assert "Metadata sources disagree" not in html and "sources disagree</span>" not in html


def test_stored_and_displayed_size(client: FlaskClient, shared_case: ViewerCase) -> None:
    assert "450 × 600 px stored, 600 × 450 px displayed" in page(client, shared_case, "rotated/landscape_6.jpg")
    assert "100 × 66 px stored</td>" in page(client, shared_case, "camera/Nikon_D70.jpg")


def test_the_gallery_filters_on_disagreeing_sources(client: FlaskClient, shared_case: ViewerCase) -> None:
    response = client.get("/?metadata_conflict=1&per_page=240")
    assert response.status_code == 200
    listed = set(listed_ids(response.get_data(as_text=True)))
    # The collection's Nikon D70 and Pentax K10D were rescaled by GIMP, which changed EXIF's ModifyDate only.
    assert {shared_case.ids["camera/Nikon_D70.jpg"], shared_case.ids["camera/Pentax_K10D.jpg"]} <= listed
    assert shared_case.ids["camera/Canon_40D.jpg"] not in listed
    assert 'name="metadata_conflict" value="1" checked' in response.get_data(as_text=True)
