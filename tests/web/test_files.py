"""Image bytes by id: thumbnails and display renditions cached in the case directory, originals as downloads."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from flask.testing import FlaskClient
from PIL import Image

from cbis.db.viewer import file_location
from cbis.web import create_app
from tests.conftest import tree_fingerprint
from tests.hostile.helpers import read_evidence
from tests.web.conftest import ViewerCase, reading


def test_thumbnails_are_cached_in_the_case_and_never_beside_the_evidence(fresh_case: ViewerCase) -> None:
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()
    before = tree_fingerprint(fresh_case.evidence)
    cache = fresh_case.case_dir / "thumbnails"
    served = 0
    for path, file_id in fresh_case.ids.items():
        response = client.get(f"/file/{file_id}/thumb.jpg")
        if response.status_code != 200:
            continue
        served += 1
        assert response.mimetype == "image/jpeg"
        with Image.open(io.BytesIO(response.data)) as image:
            assert image.format == "JPEG" and max(image.size) <= 320
        # The hash from the fingerprint: reading the file here would move its atime, which the fingerprint checks.
        assert (cache / f"{before[os.fsencode(path)].content}_320.jpg").read_bytes() == response.data
    assert served == fresh_case.images  # every image, HEIC included
    assert tree_fingerprint(fresh_case.evidence) == before
    assert not [name for name in os.listdir(cache) if not name.endswith("_320.jpg")]  # no temporary files left
    # Served from the cache from now on, and revalidated by ETag.
    file_id = fresh_case.ids["camera/Canon_40D.jpg"]
    first = client.get(f"/file/{file_id}/thumb.jpg")
    again = client.get(f"/file/{file_id}/thumb.jpg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_no_preview_for_files_that_are_not_images(client: FlaskClient, shared_case: ViewerCase) -> None:
    for path in shared_case.with_status("unprocessed") | shared_case.with_status("other"):
        for kind in ("thumb.jpg", "display.jpg"):
            assert client.get(f"/file/{shared_case.ids[path]}/{kind}").status_code == 404


@pytest.mark.parametrize("path", ["rotated/landscape_6.jpg", "rotated/portrait_3.jpg"])
def test_renditions_apply_the_exif_orientation(client: FlaskClient, shared_case: ViewerCase, path: str) -> None:
    with Image.open(io.BytesIO(read_evidence(shared_case.evidence / path))) as original:  # keeps the atime
        orientation = original.getexif().get(0x0112)
        stored = original.size
    response = client.get(f"/file/{shared_case.ids[path]}/display.jpg")
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.data)) as shown:
        assert max(shown.size) <= 1600
        expected = stored[::-1] if orientation in (5, 6, 7, 8) else stored
        assert shown.size == expected
        assert 0x0112 not in shown.getexif()  # nothing left for a browser to rotate twice


def test_display_rendition_is_bounded(client: FlaskClient, shared_case: ViewerCase) -> None:
    path = "damaged/corrupted.jpg"  # 3648 x 2736
    response = client.get(f"/file/{shared_case.ids[path]}/display.jpg")
    with (
        Image.open(io.BytesIO(response.data)) as shown,
        Image.open(io.BytesIO(read_evidence(shared_case.evidence / path))) as original,
    ):
        assert max(original.size) > 1600 and max(shown.size) == 1600
        assert abs(shown.width / shown.height - original.width / original.height) < 0.01


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("camera/Canon_40D.jpg", "image/jpeg"),
        ("misc/holiday-notes.txt", "image/jpeg"),  # the content decides, not the name
        ("phone/IMG_5195.HEIC", "image/heif"),
        ("misc/IMG_0001.jpg", "application/octet-stream"),
        ("LICENSE.md", "application/octet-stream"),
    ],
)
def test_originals_download_with_their_bytes_and_type(
    client: FlaskClient, shared_case: ViewerCase, path: str, mimetype: str
) -> None:
    response = client.get(f"/file/{shared_case.ids[path]}/original")
    assert response.status_code == 200
    assert response.data == read_evidence(shared_case.evidence / path)  # the atime stays as shared_case checks it
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f"attachment; filename={path.rsplit('/', 1)[-1]}"
    assert int(response.headers["Content-Length"]) == len(response.data)


def test_changed_evidence_is_refused_not_shown(fresh_case: ViewerCase) -> None:
    """Bytes that no longer match the recorded SHA-256 are neither downloaded nor rendered (409)."""
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()
    target = fresh_case.evidence / "camera" / "Nikon_D70.jpg"
    file_id = fresh_case.ids["camera/Nikon_D70.jpg"]
    target.write_bytes(target.read_bytes() + b"appended")
    for kind in ("original", "thumb.jpg", "display.jpg"):
        response = client.get(f"/file/{file_id}/{kind}")
        assert response.status_code == 409, kind
        assert b"changed since it was indexed" in response.data
    assert client.get(f"/image/{file_id}").status_code == 200
    # Replaced by a link after indexing: not followed.
    moved = fresh_case.evidence / "camera" / "moved.jpg"
    target.rename(moved)
    target.symlink_to(moved)
    assert client.get(f"/file/{file_id}/original").status_code == 404
    # Gone: 404.
    shutil.rmtree(fresh_case.evidence / "gps")
    assert client.get(f"/file/{fresh_case.ids['gps/DSCN0010.jpg']}/original").status_code == 404


def test_file_locations_come_from_the_database(shared_case: ViewerCase) -> None:
    with reading(shared_case) as connection:
        location = file_location(connection, shared_case.ids["camera/Canon_40D.jpg"])
        assert location is not None
        assert location.path_bytes == b"camera/Canon_40D.jpg"
        assert location.root_bytes == os.fsencode(shared_case.evidence.resolve())
        assert file_location(connection, 999_999) is None
