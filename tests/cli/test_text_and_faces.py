"""`cbis index` with the ocr and faces analyzers, then `cbis search --text/--screenshot/--faces/--min-faces`, on
SQLite and PostgreSQL: rendered chat screenshots and documents with known text, and real photos with people and
with text, in one evidence tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cbis.analyzers import faces, ocr
from tests.analyzers.rendered import SERIF, chat_screenshot, page
from tests.db.support import rows
from tests.helpers import assert_one_line_error, cbis, cbis_process

pytestmark = pytest.mark.skipif(
    ocr.unavailable() is not None or faces.unavailable() is not None, reason="Tesseract or BlazeFace missing"
)

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    (root / "DCIM" / "Screenshots").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "photos").mkdir()
    chat_screenshot(["Did the bank transfer arrive?", "Yes, 2500 euro today", "Meet at the station"]).save(
        root / "DCIM" / "Screenshots" / "Screenshot_20240301-101500.png"
    )
    chat_screenshot(["See you at the harbour", "Bring the documents"]).save(root / "DCIM" / "Screenshots" / "chat2.png")
    page(
        ["Überweisung an Müller", "Hauptstraße 5", "Betrag 2500 Euro", "Verwendungszweck Miete März"],
        font=SERIF,
        size=44,
    ).save(root / "docs" / "scan.jpg", quality=90)
    page(["Bank statement", "transfer transfer transfer", "bank fees"], size=40).save(root / "docs" / "statement.png")
    for relative in ("evidence-samples/jpg/invalid/image00971.jpg", "metadata/xmp_only_dates.jpg"):
        shutil.copy(DATA / relative, root / "photos")  # people (1 face each) and text (an advert, a film poster)
    shutil.copy(DATA / "model" / "chelsea.png", root / "photos")  # a cat: no person, no text
    shutil.copy(DATA / "evidence-samples" / "jpg" / "gps" / "DSCN0010.jpg", root / "photos")  # a street
    return root


def index(case: Path, evidence: Path, *extra: str) -> None:
    result = cbis("index", evidence, "--case", case, "--analyze", "ocr,faces", "--ocr-lang", "deu+eng", *extra)
    assert result.exit_code == 0, result.output
    assert "indexed 8 images" in result.output


def search(case: Path, *args: str) -> list[dict[str, Any]]:
    result = cbis("search", "--case", case, "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def names(hits: list[dict[str, Any]]) -> list[str]:
    return [Path(hit["path"]).name for hit in hits]


def test_text_search_finds_words_in_screenshots_documents_and_photos(backend_case: Path, evidence: Path) -> None:
    index(backend_case, evidence)
    hits = search(backend_case, "--text", "bank transfer")
    assert names(hits) == ["statement.png", "Screenshot_20240301-101500.png"]  # ranked: "transfer" thrice first
    assert hits[0]["text_rank"] > hits[1]["text_rank"]
    assert {"bank", "transfer"} <= {word.lower() for word in hits[1]["text_matches"]}
    # German, as read and folded: with or without its umlauts
    assert names(search(backend_case, "--text", "Überweisung")) == ["scan.jpg"]
    assert names(search(backend_case, "--text", "uberweisung muller")) == ["scan.jpg"]
    assert names(search(backend_case, "--text", "hauptstrasse")) == ["scan.jpg"]  # ß folded to ss, as casefold does
    assert names(search(backend_case, "--text", '"2500 euro"', "--sort", "path")) == [
        "Screenshot_20240301-101500.png",
        "scan.jpg",
    ]
    assert sorted(names(search(backend_case, "--text", "harbour OR station"))) == [
        "Screenshot_20240301-101500.png",
        "chat2.png",
    ]
    assert names(search(backend_case, "--text", "docum*")) == ["chat2.png"]
    # real photos with text: an advert in German, a film poster
    assert names(search(backend_case, "--text", "zahlt")) == ["image00971.jpg"]
    assert names(search(backend_case, "--text", "goalie")) == ["xmp_only_dates.jpg"]
    assert search(backend_case, "--text", "submarine") == []


def test_screenshots_and_faces_are_searchable(backend_case: Path, evidence: Path) -> None:
    index(backend_case, evidence)
    assert sorted(names(search(backend_case, "--screenshot"))) == ["Screenshot_20240301-101500.png", "chat2.png"]
    with_faces = search(backend_case, "--faces")
    assert sorted(names(with_faces)) == ["image00971.jpg", "xmp_only_dates.jpg"]
    assert all(hit["face_count"] == 1 for hit in with_faces)
    assert search(backend_case, "--min-faces", "2") == []
    assert len(search(backend_case, "--min-faces", "0")) == 8  # every image was looked at
    # combined with other filters
    assert names(search(backend_case, "--faces", "--text", "goalie")) == ["xmp_only_dates.jpg"]
    # which pictures the default selection read, and why the others were passed by
    read = dict(rows(backend_case, "SELECT files.path, ocr_texts.read FROM ocr_texts JOIN files ON files.id = file_id"))
    assert read["photos/chelsea.png"] is False or read["photos/chelsea.png"] == 0
    assert read["photos/DSCN0010.jpg"] in (False, 0)
    assert all(read[path] for path in read if "docs/" in path or "Screenshots/" in path)


def test_a_second_index_reads_nothing_again_and_all_reads_every_image(make_case: Any, evidence: Path) -> None:
    case = make_case()
    index(case, evidence)
    again = cbis("index", evidence, "--case", case, "--analyze", "ocr,faces", "--ocr-lang", "deu+eng")
    assert again.exit_code == 0 and "8 skipped as unchanged" in again.output
    everything = make_case(case.parent / "all")
    index(everything, evidence, "--ocr", "all")
    assert rows(everything, "SELECT count(*) FROM ocr_texts WHERE NOT read") == [(0,)]
    provenance = json.loads(rows(everything, "SELECT provenance_json FROM analyzers WHERE name = 'ocr'")[0][0])
    assert provenance["mode"] == "all" and provenance["languages"] == "deu+eng"
    assert set(provenance["traineddata_sha256"]) == {"eng", "deu"}


def test_search_refuses_a_query_without_words_and_bad_counts(case_dir: Path) -> None:
    assert_one_line_error(cbis_process("search", "--case", case_dir, "--text", '" - "'), "--text")
    assert_one_line_error(cbis_process("search", "--case", case_dir, "--min-faces", "-1"), "--min-faces")
    assert_one_line_error(cbis_process("search", "--case", case_dir, "--sort", "relevance"), "--sort")


def test_ocr_options_are_checked_before_anything_runs(case_dir: Path, evidence: Path) -> None:
    missing = cbis_process("index", evidence, "--case", case_dir, "--analyze", "ocr", "--ocr-lang", "xyzzy")
    assert_one_line_error(missing, "xyzzy", "apt-get install tesseract-ocr")
    unused = cbis_process("index", evidence, "--case", case_dir, "--analyze", "faces", "--ocr", "all")
    assert_one_line_error(unused, "--ocr")
    assert_one_line_error(cbis_process("index", evidence, "--case", case_dir, "--ocr", "some"), "--ocr")
    assert rows(case_dir, "SELECT count(*) FROM files") == [(0,)]


def test_cbis_analyzers_says_what_the_default_selection_reads() -> None:
    result = cbis("analyzers", env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "ocr (default)" in result.output and "faces (default)" in result.output
    assert "screenshots" in result.output and "--ocr all" in result.output


def test_the_report_holds_the_text_and_the_face_counts(backend_case: Path, evidence: Path, tmp_path: Path) -> None:
    import csv
    import io

    index(backend_case, evidence)
    out = tmp_path / "report"
    result = cbis("report", "--case", backend_case, "--csv", out)
    assert result.exit_code == 0, result.output

    def table(name: str) -> dict[str, dict[str, str]]:
        reader = csv.DictReader(io.StringIO((out / name).read_text(encoding="utf-8")))
        return {row["path"]: row for row in reader}

    texts = table("ocr.csv")
    assert len(texts) == 8
    chat = texts["DCIM/Screenshots/Screenshot_20240301-101500.png"]
    assert chat["screenshot"] == chat["read"] == "true" and chat["reason"] == "screenshot"
    assert "bank transfer arrive? yes, 2500 euro today" in chat["text"].lower()  # lines joined by spaces
    assert "Überweisung" in texts["docs/scan.jpg"]["text"]
    assert texts["photos/chelsea.png"]["text"] == "" and texts["photos/chelsea.png"]["reason"] == "not text-like"
    counts = {path: int(row["face_count"]) for path, row in table("faces.csv").items()}
    assert counts["photos/image00971.jpg"] == 1 and counts["photos/chelsea.png"] == 0 and len(counts) == 8
    (face,) = json.loads(table("faces.csv")["photos/image00971.jpg"]["faces_json"])
    assert set(face) == {"score", "left", "top", "width", "height", "landmarks", "roll"}
