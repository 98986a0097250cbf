"""`cbis duplicates` and the perceptual analyzer on variants made here from real camera photos: copies group by
SHA-256, the same picture resized, re-encoded, converted, EXIF-stripped, turned or cropped stacks by pHash, and
unrelated or featureless pictures never group; the EXIF thumbnail of an edited picture gives it away."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import piexif
import pytest
from PIL import Image, ImageDraw

from tests.conftest import EVIDENCE_SAMPLES, tree_fingerprint
from tests.helpers import cbis

pytestmark = pytest.mark.slow

ORIGINALS = ("gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "Canon_PowerShot_S40.jpg")
UNRELATED = ("Kodak_CX7530.jpg", "Nikon_D70.jpg", "Pentax_K10D.jpg", "gps/DSCN0027.jpg", "mobile/HMD_Nokia_8.3_5G.jpg")
# Variants that must stack by pHash alone (measured 0-10 bits on these photos: see services/duplicates.py).
HASH_VARIANTS = ("half.jpg", "q30.jpg", "q90-stripped.jpg", "as.png", "as.webp", "crop5.jpg", "turned90.jpg")


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def make_variants(original: Path, folder: Path) -> None:
    """The picture as someone who passed it on made it: every variant has other bytes than the original."""
    folder.mkdir(parents=True)
    data = original.read_bytes()
    exif = piexif.dump(piexif.load(data))
    with Image.open(original) as opened:
        picture = opened.convert("RGB")
    width, height = picture.size
    (folder / "half.jpg").write_bytes(_encode(picture.resize((width // 2, height // 2)), "JPEG", quality=85, exif=exif))
    (folder / "q30.jpg").write_bytes(_encode(picture, "JPEG", quality=30, exif=exif))
    (folder / "q90-stripped.jpg").write_bytes(_encode(picture, "JPEG", quality=90))
    (folder / "as.png").write_bytes(_encode(picture, "PNG"))
    (folder / "as.webp").write_bytes(_encode(picture, "WEBP", quality=80))
    dx, dy = int(width * 0.025), int(height * 0.025)
    (folder / "crop5.jpg").write_bytes(_encode(picture.crop((dx, dy, width - dx, height - dy)), "JPEG", quality=90))
    turned = picture.transpose(Image.Transpose.ROTATE_90)  # by its pixels, no EXIF orientation to undo it
    (folder / "turned90.jpg").write_bytes(_encode(turned, "JPEG", quality=90))
    captioned = Image.new("RGB", (width, height + height // 10), (255, 255, 255))
    captioned.paste(picture, (0, 0))
    ImageDraw.Draw(captioned).text((10, height + 5), "look at this", fill=(0, 0, 0))
    (folder / "captioned.jpg").write_bytes(_encode(captioned, "JPEG", quality=90))


def edited_after_the_camera(original: Path, target: Path, replacement: Path) -> None:
    """Another picture in the original's place, its EXIF (thumbnail included) kept: what careless editing leaves."""
    exif = piexif.load(original.read_bytes())
    assert exif["thumbnail"], "the sample must carry an EXIF thumbnail"
    with Image.open(original) as opened, Image.open(replacement) as other:
        swapped = other.convert("RGB").resize(opened.size)
    target.write_bytes(_encode(swapped, "JPEG", quality=92, exif=piexif.dump(exif)))


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("duplicates")
    evidence, second = base / "phone", base / "laptop"
    for name in ORIGINALS:
        folder = evidence / "variants" / Path(name).stem
        folder.mkdir(parents=True)
        shutil.copy(EVIDENCE_SAMPLES / "jpg" / name, folder / "original.jpg")
        make_variants(EVIDENCE_SAMPLES / "jpg" / name, folder / "made")
    for name in UNRELATED:
        shutil.copy(EVIDENCE_SAMPLES / "jpg" / name, evidence / Path(name).name)
    (evidence / "copies").mkdir()
    shutil.copy(EVIDENCE_SAMPLES / "jpg" / "Nikon_D70.jpg", evidence / "copies" / "renamed.jpg")
    Image.new("RGB", (64, 48), (30, 30, 30)).save(evidence / "blank-small.png")
    Image.new("RGB", (640, 480), (30, 30, 30)).save(evidence / "blank-large.png")
    edited_after_the_camera(
        EVIDENCE_SAMPLES / "jpg" / "gps" / "DSCN0025.jpg",
        evidence / "edited.jpg",
        EVIDENCE_SAMPLES / "jpg" / "gps" / "DSCN0012.jpg",
    )
    second.mkdir()
    shutil.copy(EVIDENCE_SAMPLES / "jpg" / "Kodak_CX7530.jpg", second / "DCIM_0001.jpg")
    case_dir = base / "case"
    assert cbis("case", "new", case_dir, "--number", "D-1", "--examiner", "Test Examiner").exit_code == 0
    fingerprints = (tree_fingerprint(evidence), tree_fingerprint(second))
    for root in (evidence, second):
        result = cbis("index", root, "--case", case_dir)
        assert result.exit_code == 0, result.output
    assert (tree_fingerprint(evidence), tree_fingerprint(second)) == fingerprints
    return case_dir, evidence, second


def groups(case_dir: Path, *args: str) -> list[dict]:
    result = cbis("duplicates", "--case", case_dir, "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def group_of(found: list[dict], path: str, kind: str) -> dict | None:
    return next((g for g in found if g["kind"] == kind and path in {m["path"] for m in g["members"]}), None)


def test_copies_are_one_exact_group_across_paths_and_roots(indexed: tuple[Path, Path, Path]) -> None:
    case_dir, evidence, second = indexed
    found = groups(case_dir, "--kind", "exact")
    assert {g["kind"] for g in found} == {"exact"}
    nikon = group_of(found, "Nikon_D70.jpg", "exact")
    assert nikon is not None and sorted(m["path"] for m in nikon["members"]) == ["Nikon_D70.jpg", "copies/renamed.jpg"]
    assert "same SHA-256" in nikon["links"][0]["reason"] and "several paths" in nikon["links"][0]["reason"]
    kodak = group_of(found, "Kodak_CX7530.jpg", "exact")
    assert kodak is not None and {m["evidence"] for m in kodak["members"]} == {str(evidence), str(second)}
    assert "several roots" in kodak["links"][0]["reason"]
    assert len(found) == 2


def test_each_picture_stacks_with_its_variants_and_nothing_else(indexed: tuple[Path, Path, Path]) -> None:
    case_dir = indexed[0]
    found = groups(case_dir, "--kind", "visual")
    for name in ORIGINALS:
        folder = f"variants/{Path(name).stem}"
        stack = group_of(found, f"{folder}/original.jpg", "visual")
        assert stack is not None, name
        paths = {m["path"] for m in stack["members"]}
        assert {f"{folder}/made/{variant}" for variant in HASH_VARIANTS} <= paths, name
        assert all(path.startswith(f"{folder}/") for path in paths), paths  # no unrelated photo joined
    for name in UNRELATED:
        assert group_of(found, Path(name).name, "visual") is None, name
    assert group_of(found, "blank-small.png", "visual") is None  # featureless: never grouped by hash
    original = "variants/DSCN0010/original.jpg"
    half = link_between(found, original, "variants/DSCN0010/made/half.jpg")
    assert half.startswith("pHash 0 bits apart, PDQ ") and "resized 640x480 -> 320x240" in half
    assert "converted jpeg -> png" in link_between(found, original, "variants/DSCN0010/made/as.png")
    stripped = link_between(found, original, "variants/DSCN0010/made/q90-stripped.jpg")
    assert "EXIF stripped" in stripped and "re-encoded" in stripped
    assert "once turned" in link_between(found, original, "variants/DSCN0010/made/turned90.jpg")
    assert "resized or cropped (same shape) 640x480 -> 608x456" in link_between(
        found, original, "variants/DSCN0010/made/crop5.jpg"
    )
    assert "turned or mirrored" in link_between(found, original, "variants/DSCN0010/made/turned90.jpg")


def link_between(found: list[dict], a: str, b: str) -> str:
    """The reason of the link from a to b, said from a's side."""
    for group in found:
        for link in group["links"]:
            if (link["a"], link["b"]) == (a, b):
                return link["reason"]
            if (link["a"], link["b"]) == (b, a):
                return link["reason"]
    raise AssertionError(f"no link between {a} and {b}")


def test_what_hashes_miss_the_cnn_features_find(indexed: tuple[Path, Path, Path]) -> None:
    """A caption bar moves pHash 8-18 bits: grouped with its picture by the classifier's features instead."""
    case_dir = indexed[0]
    found = groups(case_dir)
    for name in ORIGINALS:
        folder = f"variants/{Path(name).stem}"
        together = [
            g
            for g in found
            if {f"{folder}/made/captioned.jpg", f"{folder}/original.jpg"} & {m["path"] for m in g["members"]}
        ]
        members = {m["path"] for g in together for m in g["members"]}
        assert f"{folder}/made/captioned.jpg" in members, name
        similar = [g for g in together if g["kind"] == "similar"]
        assert all("CNN features cosine" in link["reason"] for g in similar for link in g["links"])


def test_an_edited_picture_is_given_away_by_its_thumbnail(indexed: tuple[Path, Path, Path]) -> None:
    case_dir = indexed[0]
    result = cbis("search", "--case", case_dir, "--thumbnail-mismatch", "--json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["path"] for line in result.stdout.splitlines()] == ["edited.jpg"]
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        distances = dict(
            connection.execute(
                "SELECT files.path, thumbnail_distance FROM perceptual_hashes JOIN files ON files.id = file_id "
                "WHERE thumbnail_distance IS NOT NULL"
            ).fetchall()
        )
    assert distances["edited.jpg"] > 16
    assert distances["variants/DSCN0010/original.jpg"] <= 4  # the camera's own thumbnail is its picture
    assert distances["variants/DSCN0010/made/half.jpg"] <= 10  # a resized copy keeps a thumbnail that matches


def test_duplicates_says_what_is_missing_and_refuses_bad_kinds(tmp_path: Path) -> None:
    from cbis.cli.duplicates import ALL_KINDS
    from cbis.services.duplicates import KINDS

    assert ALL_KINDS.split(",") == list(KINDS)  # the CLI's default names every kind
    case_dir = tmp_path / "case"
    assert cbis("case", "new", case_dir, "--number", "D-2", "--examiner", "E").exit_code == 0
    result = cbis("duplicates", "--case", case_dir, "--kind", "visual,nearly")
    assert result.exit_code == 2 and "--kind 'nearly'" in result.stderr
    empty = cbis("duplicates", "--case", case_dir, "--kind", "visual")
    assert empty.exit_code == 0 and "--analyze perceptual" in empty.stderr


def test_an_image_pages_cnn_lookalikes_come_through_the_similarity_index_as_exact_search_gives_them(
    indexed: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million images, scoring every embedding for each image page took seconds: the viewer's image page asks
    the case's similarity index (as `cbis search --similar-to` does) and lists what exact search lists."""
    from cbis.db import similarity_index as index_search
    from cbis.web import create_app

    case_dir = tmp_path / "case"
    shutil.copytree(indexed[0], case_dir)
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        file_ids = [row[0] for row in connection.execute("SELECT id FROM files WHERE status = 'image' ORDER BY id")]

    def lookalikes(client, file_id: int) -> str:  # type: ignore[no-untyped-def]
        html = client.get(f"/image/{file_id}").get_data(as_text=True)
        start = html.find('id="lookalikes"')
        return "" if start < 0 else html[start : html.index("</section>", start)]

    exact = create_app(case_dir, {"TESTING": True}).test_client()
    expected = {file_id: lookalikes(exact, file_id) for file_id in file_ids}
    assert sum("CNN features cosine" in listed for listed in expected.values()) >= 2  # what this test is about
    monkeypatch.setattr(index_search, "EXACT_BELOW", 0)  # these few images use the index, as 10,000 would
    rebuilt = cbis("similarity", "rebuild", "--case", case_dir)
    assert rebuilt.exit_code == 0, rebuilt.output
    searched: list[int] = []
    real = index_search.index_nearest

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        searched.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(index_search, "index_nearest", counted)
    client = create_app(case_dir, {"TESTING": True}).test_client()
    for file_id in file_ids:
        assert lookalikes(client, file_id) == expected[file_id], file_id
    assert len(searched) == len(file_ids)
