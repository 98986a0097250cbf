"""`cbis anomalies` on real images made here with piexif (an editor's Software, dates out of order, a future date,
GPS without its time, an offset far from the longitude, a PNG named .jpg) beside real camera photos that must not
be called edited; the ranking, --json, the report's anomalies.csv and the viewer's anomalies=1, on both backends."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import piexif
import pytest
from PIL import Image

from cbis.anomalies import FileFacts, offset_vs_longitude, reasons_of
from cbis.web import create_app
from tests.conftest import EVIDENCE_SAMPLES, tree_fingerprint
from tests.helpers import cbis

# Real camera photos whose Software is firmware or a transfer tool, not an editor.
CAMERA_SAMPLES = (
    "heic/IMG_5195.HEIC",  # Apple "14.4.2"
    "jpg/hdr/iphone_hdr_YES.jpg",  # Apple "8.3"
    "jpg/mobile/HMD_Nokia_8.3_5G.jpg",  # "00WW_3_380_SP02"
    "jpg/corrupted.jpg",  # Olympus "Version 1.0"
    "jpg/gps/DSCN0010.jpg",  # "Nikon Transfer 1.1 W"
    "jpg/Canon_PowerShot_S40.jpg",  # no Software
)


def _jpeg(path: Path, exif: dict[str, dict[int, object]], colour: tuple[int, int, int] = (90, 140, 200)) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG", exif=piexif.dump({"thumbnail": None, **exif}))
    path.write_bytes(buffer.getvalue())


def _gps(latitude: float, longitude: float, *, with_time: bool) -> dict[int, object]:
    def dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        value = abs(value)
        degrees, minutes = int(value), int(value * 60) % 60
        return ((degrees, 1), (minutes, 1), (round((value * 3600) % 60 * 100), 100))

    gps: dict[int, object] = {
        piexif.GPSIFD.GPSLatitudeRef: b"N" if latitude >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: dms(latitude),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if longitude >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: dms(longitude),
    }
    if with_time:
        gps[piexif.GPSIFD.GPSTimeStamp] = ((1, 1), (0, 1), (0, 1))
        gps[piexif.GPSIFD.GPSDateStamp] = b"2024:05:01"
    return gps


def make_evidence(root: Path) -> None:
    root.mkdir()
    original = piexif.ExifIFD.DateTimeOriginal
    _jpeg(root / "edited.jpg", {"0th": {piexif.ImageIFD.Software: b"Adobe Photoshop 25.0 (Windows)"}})
    _jpeg(
        root / "backdated.jpg",
        {"0th": {piexif.ImageIFD.DateTime: b"2024:05:01 10:00:00"}, "Exif": {original: b"2024:05:02 10:00:00"}},
    )
    _jpeg(root / "future.jpg", {"Exif": {original: b"2099:01:01 00:00:00"}})
    _jpeg(root / "gps-no-time.jpg", {"GPS": _gps(48.85, 2.35, with_time=False)})
    tokyo = {"Exif": {original: b"2024:05:01 10:00:00", piexif.ExifIFD.OffsetTimeOriginal: b"-05:00"}}
    _jpeg(root / "offset.jpg", {**tokyo, "GPS": _gps(35.68, 139.77, with_time=True)})
    paris = {"Exif": {original: b"2024:05:01 10:00:00", piexif.ExifIFD.OffsetTimeOriginal: b"+02:00"}}
    _jpeg(root / "plain.jpg", {**paris, "GPS": _gps(48.85, 2.35, with_time=True)})
    Image.new("RGB", (32, 32), (10, 200, 30)).save(root / "png-named.jpg", "PNG")
    for sample in CAMERA_SAMPLES:
        target = root / "camera" / sample
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(EVIDENCE_SAMPLES / sample, target)


@pytest.fixture
def indexed(backend_case: Path, tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "evidence"
    make_evidence(root)
    before = tree_fingerprint(root)
    result = cbis("index", root, "--case", backend_case, "--analyze", "perceptual")
    assert result.exit_code == 0, result.stderr
    yield backend_case, root
    assert tree_fingerprint(root) == before, "the evidence tree changed"


def _lines(case_dir: Path, *args: str) -> list[dict[str, object]]:
    result = cbis("anomalies", "--case", case_dir, "--json", *args)
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def _codes(line: dict[str, object]) -> set[str]:
    return {reason["code"] for reason in line["reasons"]}  # type: ignore[index, union-attr]


def test_each_planted_anomaly_is_found_with_its_values(indexed: tuple[Path, Path]) -> None:
    case_dir, root = indexed
    by_path = {line["path"]: line for line in _lines(case_dir)}
    assert _codes(by_path["edited.jpg"]) == {"editing_software"}
    assert by_path["edited.jpg"]["reasons"][0]["values"] == {"EXIF Software": "Adobe Photoshop 25.0 (Windows)"}  # type: ignore[index]
    assert _codes(by_path["backdated.jpg"]) == {"date_after_modify"}
    # 2099 is after the file's mtime and after the case recorded it.
    assert _codes(by_path["future.jpg"]) == {"date_in_future", "date_after_file_time"}
    assert _codes(by_path["gps-no-time.jpg"]) == {"gps_without_time"}
    assert _codes(by_path["offset.jpg"]) == {"offset_vs_longitude"}
    assert by_path["offset.jpg"]["reasons"][0]["values"]["offset_time_original"] == "-05:00"  # type: ignore[index]
    assert _codes(by_path["png-named.jpg"]) == {"extension_mismatch"}
    assert "plain.jpg" not in by_path
    for sample in CAMERA_SAMPLES:
        assert "editing_software" not in _codes(by_path.get(f"camera/{sample}", {"reasons": []})), sample
    line = by_path["edited.jpg"]
    assert line["evidence"] == str(root) and len(str(line["sha256"])) == 64 and line["score"] == 3.0


def test_ranked_highest_first_ties_by_path_and_limits(indexed: tuple[Path, Path]) -> None:
    case_dir, _ = indexed
    lines = _lines(case_dir)
    keys = [(-float(line["score"]), str(line["path"])) for line in lines]  # type: ignore[arg-type]
    assert keys == sorted(keys) and lines[0]["path"] == "future.jpg"  # 3 + 2
    assert _lines(case_dir, "--limit", "2") == lines[:2]
    assert all(float(line["score"]) >= 3 for line in _lines(case_dir, "--min-score", "3"))  # type: ignore[arg-type]
    assert [line["path"] for line in _lines(case_dir, "--min-score", "3")] == [
        line["path"]
        for line in lines
        if float(line["score"]) >= 3  # type: ignore[arg-type]
    ]
    table = cbis("anomalies", "--case", case_dir)
    assert table.exit_code == 0 and "edited.jpg" in table.stdout and "Photoshop" in table.stdout
    bad = cbis("anomalies", "--case", case_dir, "--limit", "0")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: --limit"), bad.stderr


def test_report_writes_anomalies_csv_in_rank_order(indexed: tuple[Path, Path], tmp_path: Path) -> None:
    case_dir, _ = indexed
    result = cbis("report", "--case", case_dir, "--csv", tmp_path / "report")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report" / "anomalies.csv").read_text(encoding="utf-8"))))
    assert [row["path"] for row in rows] == [line["path"] for line in _lines(case_dir)]
    assert rows[0]["score"] == "5" and "date_in_future" in rows[0]["reasons"]
    assert json.loads(rows[0]["reasons_json"])[0]["weight"] > 0


def test_viewer_filters_by_anomalies_and_shows_the_reasons(indexed: tuple[Path, Path]) -> None:
    case_dir, _ = indexed
    client = create_app(case_dir, {"TESTING": True}).test_client()
    flagged = {str(line["path"]) for line in _lines(case_dir)}
    page = client.get("/?anomalies=1&per_page=240")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "png-named.jpg" in text and "edited.jpg" in text and "plain.jpg" not in text
    assert all(path.rsplit("/", 1)[-1] in text for path in flagged)
    everything = client.get("/?per_page=240").get_data(as_text=True)
    assert "plain.jpg" in everything
    from sqlalchemy import select

    from cbis.db.models import File
    from cbis.services.cases import open_case

    opened = open_case(case_dir, readonly=True)
    try:
        with opened.engine.connect() as connection:
            ids = dict(connection.execute(select(File.path, File.id)).all())
    finally:
        opened.close()
    detail = client.get(f"/image/{ids['edited.jpg']}").get_data(as_text=True)
    assert "editing_software" in detail and "Adobe Photoshop 25.0" in detail
    assert "editing_software" not in client.get(f"/image/{ids['plain.jpg']}").get_data(as_text=True)


def test_the_viewers_anomalies_are_kept_while_the_case_is_unchanged_and_found_again_after_a_run(
    indexed: tuple[Path, Path], tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flagged ids are one Python pass over the case, kept on the connection (db/freshness.py): the same
    answer page after page, and a file flagged by a later index run shows on the next page asked for."""
    from cbis import anomalies as checks_module

    passes: list[int] = []
    checks = checks_module.flagged_ids

    def counted(facts: object) -> list[int]:  # the real pass, counted
        passes.append(1)
        return checks(facts)  # type: ignore[arg-type]

    monkeypatch.setattr(checks_module, "flagged_ids", counted)
    case_dir, _ = indexed
    client = create_app(case_dir, {"TESTING": True}).test_client()
    first = client.get("/?anomalies=1&per_page=240").get_data(as_text=True)
    assert "edited.jpg" in first and "retouched.jpg" not in first
    assert client.get("/?anomalies=1&per_page=240").get_data(as_text=True).count("/image/") == first.count("/image/")
    if backend == "sqlite":  # on PostgreSQL any commit on the server (other tests' too) may move the token
        assert len(passes) == 1
    later = tmp_path / "later"
    later.mkdir()
    _jpeg(later / "retouched.jpg", {"0th": {piexif.ImageIFD.Software: b"GIMP 2.10.36"}}, colour=(200, 40, 40))
    assert cbis("index", later, "--case", case_dir, "--analyze", "perceptual").exit_code == 0
    again = client.get("/?anomalies=1&per_page=240").get_data(as_text=True)
    assert "retouched.jpg" in again and "edited.jpg" in again


@pytest.mark.parametrize(
    ("offset", "longitude", "flagged"),
    [("+09:00", 139.7, False), ("-05:00", 139.7, True), ("+14:00", -157.4, False), ("+02:00", -3.7, False)],
)
def test_offset_check_is_coarse_and_wraps_the_date_line(offset: str, longitude: float, flagged: bool) -> None:
    facts = FileFacts(1, "/e", "p.jpg", gps_latitude=1.0, gps_longitude=longitude,
                      tags={"Exif": {"OffsetTimeOriginal": offset}})  # fmt: skip
    assert bool(offset_vs_longitude(facts)) is flagged


def test_firmware_and_transfer_tools_are_not_editors() -> None:
    for software in ("14.4.2", "Version 1.0", "00WW_3_380_SP02", "Nikon Transfer 1.1 W", "Ver.1.00"):
        facts = FileFacts(1, "/e", "p.jpg", tags={"Image": {"Software": software}})
        assert reasons_of(facts) == (), software
    for software in ("GIMP 2.10.34", "Snapseed 2.0", "paint.net 5.0.2", "Adobe Photoshop Lightroom Classic 12.0"):
        assert reasons_of(FileFacts(1, "/e", "p.jpg", tags={"Image": {"Software": software}})), software


def test_a_maker_note_of_another_maker_is_flagged() -> None:
    nikon_note = {"hex": b"Nikon\x00\x02\x00\x00\x00II*\x00".hex(), "length": 3298}
    canon = FileFacts(1, "/e", "p.jpg", make="Canon", tags={"Exif": {"MakerNote": nikon_note}})
    assert [reason.code for reason in reasons_of(canon)] == ["maker_note_vs_make"]
    nikon = FileFacts(1, "/e", "p.jpg", make="NIKON CORPORATION", tags={"Exif": {"MakerNote": nikon_note}})
    assert reasons_of(nikon) == ()
