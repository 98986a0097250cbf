"""`cbis review` end to end on SQLite and PostgreSQL: files named by path, hash or id, or selected by any search
filter (with a dry run that counts), `cbis search --category/--tag/--rollup`, examiner-readable class names with
their WordNet ids, rollups and how examiners agreed with them, review.csv, and the VICS export re-imported
losslessly into a second case of the same evidence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from cbis.db import store
from cbis.db.models import File
from cbis.model.labels import imagenet_labels
from cbis.services.cases import open_case, utc_now
from tests.db.support import rows
from tests.helpers import cbis

# Each picture's top-1, by WordNet id.
TOP1 = {
    "rifle.jpg": "n04090263",  # rifle: in the weapons rollup
    "revolver.jpg": "n04086273",  # revolver: weapons
    "tiger-cat.jpg": "n02123159",  # the label set calls it "a cat having a striped coat"
    "sports-car.jpg": "n04285008",  # vehicles
}
PROVENANCE = {
    "name": "review-test",
    "architecture": "fixture",
    "weights_sha256": "d" * 64,
    "weights_file": "/fixture",
    "source_package": None,
    "source_version": None,
    "tensorflow_version": "0",
    "keras_version": "0",
    "preprocessing": "none",
    "input_size": 1,
    "backend": "fixture",
}


def make_evidence(root: Path) -> Path:
    root.mkdir()
    for n, name in enumerate(TOP1):
        Image.new("RGB", (32, 24), (50 * n, 120, 220 - 40 * n)).save(root / name)
    return root


def classify(case_dir: Path) -> None:
    names = dict(zip(imagenet_labels().wnids, imagenet_labels().names, strict=True))
    case = open_case(case_dir)
    try:
        with case.engine.begin() as connection:
            model_id = store.model_id_for(connection, PROVENANCE, utc_now())
            ids = {path: file_id for path, file_id in connection.execute(select(File.path, File.id))}
            items = [
                (ids[path], store.Classification([store.PredictionRow(1, wnid, names[wnid], 0.8)], b"", 0))
                for path, wnid in TOP1.items()
            ]
            store.write_classifications(connection, items, model_id)
    finally:
        case.close()


@pytest.fixture
def labelled(backend_case: Path, tmp_path: Path) -> tuple[Path, Path]:
    evidence = make_evidence(tmp_path / "evidence")
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    classify(backend_case)
    return backend_case, evidence


def ok(*args: str | Path) -> str:
    result = cbis(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def paths(case: Path, *args: str) -> list[str]:
    return sorted(json.loads(line)["path"] for line in ok("search", "--case", case, "--json", *args).splitlines())


def test_set_tag_and_note_by_path_hash_id_and_filter(labelled: tuple[Path, Path]) -> None:
    case, evidence = labelled
    sha256 = hashlib.sha256((evidence / "revolver.jpg").read_bytes()).hexdigest()
    [(car_id,)] = rows(case, "SELECT id FROM files WHERE path = 'sports-car.jpg'")
    assert "1 of 1 files changed" in ok("review", "set", "rifle.jpg", "--category", "CAT-1", "--case", case)
    assert "1 of 1 files changed (category 'CAT-2')" in ok(
        "review", "set", sha256, "--category", "cat-2", "--case", case
    )
    assert "1 of 1 files changed" in ok("review", "set", str(car_id), "--category", "CAT-5", "--case", case)
    # In bulk by any search filter, counted first: the rifle is already CAT-1, the revolver would change.
    dry = ok("review", "set", "--rollup", "weapons", "--category", "CAT-1", "--dry-run", "--case", case)
    assert "1 of 2 files would change" in dry
    assert rows(case, "SELECT count(*) FROM review_events") == [(3,)]
    ok("review", "set", "--rollup", "weapons", "--category", "CAT-1", "--case", case)
    ok("review", "tag", "rifle.jpg", "tiger-cat.jpg", "bedroom", "--case", case)
    ok("review", "untag", "rifle.jpg", "bedroom", "--case", case)
    ok("review", "tag", "--category", "CAT-1", "--tag-text", "series-7", "--case", case)
    ok("review", "note", "tiger-cat.jpg", "cat on the same quilt as rifle.jpg", "--case", case)
    assert paths(case, "--category", "CAT-1") == ["revolver.jpg", "rifle.jpg"]
    assert paths(case, "--category", "CAT-0") == ["tiger-cat.jpg"]
    assert paths(case, "--tag", "bedroom") == ["tiger-cat.jpg"]
    assert paths(case, "--tag", "series-7") == ["revolver.jpg", "rifle.jpg"]
    assert paths(case, "--rollup", "vehicles") == ["sports-car.jpg"]
    table = ok("search", "--case", case, "--tag", "bedroom")
    assert "tiger cat (n02123159)" in table and "a cat having a striped coat" not in table
    assert "#bedroom" in table
    shown = ok("review", "show", "rifle.jpg", "--case", case)
    assert "category: CAT-1 by Test Examiner" in shown and "tags: series-7" in shown
    [hit] = [json.loads(line) for line in ok("search", "--case", case, "--json", "--tag", "bedroom").splitlines()]
    assert hit["wnid"] == "n02123159"
    assert hit["review"]["note"] == "cat on the same quilt as rifle.jpg"
    listed = ok("review", "categories", "--case", case)
    assert "Child Abuse Material" in listed and "Project VIC (locked)" in listed
    assert "review log: 10 events, chain intact, replays" in ok("verify", "--case", case)


def test_review_refuses_what_it_cannot_do_in_one_line(labelled: tuple[Path, Path]) -> None:
    case, _ = labelled
    for args, message in (
        (("review", "set", "nowhere.jpg", "--category", "CAT-1"), "no file in this case is 'nowhere.jpg'"),
        (("review", "set", "rifle.jpg", "--category", "CAT-7"), "no review category 'CAT-7'"),
        (("review", "set", "--category", "CAT-1"), "name the files"),
        (("review", "set", "--rollup", "knives", "--category", "CAT-1"), "no rollup named 'knives'"),
        (("search", "--category", "CAT-9"), "no review category 'CAT-9'"),
        (("review", "add-category", "CAT-6", "Mine"), "does not start with CAT-"),
    ):
        result = cbis(*args, "--case", case)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert rows(case, "SELECT count(*) FROM review_events") == [(0,)]


def test_rollups_agreement_and_a_case_edit(labelled: tuple[Path, Path], tmp_path: Path) -> None:
    case, _ = labelled
    ok("review", "set", "rifle.jpg", "--category", "CAT-1", "--case", case)
    ok("review", "set", "revolver.jpg", "--category", "CAT-5", "--case", case)
    ok("review", "set", "sports-car.jpg", "--category", "CAT-5", "--case", case)
    listed = rollup_table(ok("review", "rollups", "--case", case))
    assert listed["weapons"][1:5] == ["2", "2", "1", "50%"]  # files, categorised, pertinent, agreement
    assert listed["vehicles"][1:5] == ["1", "1", "0", "0%"]
    assert listed["animals"][1:5] == ["1", "0", "0", ""]  # the tiger cat: not categorised, no agreement yet
    edit = tmp_path / "rollups.json"
    edit.write_text(json.dumps({"rollups": [{"name": "weapons", "title": "Long guns", "synsets": ["n04090263"]}]}))
    assert "imported 1 rollups: weapons" in ok("review", "rollups", "--import", edit, "--case", case)
    assert paths(case, "--rollup", "weapons") == ["rifle.jpg"]
    assert "rollups.json (SHA-256" in ok("review", "rollups", "--case", case)
    edit.write_text(json.dumps({"rollups": [{"name": "odd", "synsets": ["n99999999"]}]}))
    result = cbis("review", "rollups", "--import", edit, "--case", case)
    assert result.exit_code == 2 and "n99999999 is neither an ImageNet class" in result.stderr


def rollup_table(text: str) -> dict[str, list[str]]:
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]
    return {row[0]: row[1:] for row in cells}


def test_vics_export_reimports_losslessly(labelled: tuple[Path, Path], make_case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case, evidence = labelled
    ok("review", "add-category", "WEAPON", "Weapons", "--case", case)
    ok("review", "set", "rifle.jpg", "--category", "WEAPON", "--case", case)
    ok("review", "set", "revolver.jpg", "--category", "CAT-4", "--case", case)
    ok("review", "tag", "revolver.jpg", "a, b", "--case", case)  # a comma inside one tag
    ok("review", "tag", "revolver.jpg", "bedroom", "--case", case)
    ok("review", "note", "tiger-cat.jpg", "line one\nline two", "--case", case)
    out = tmp_path / "out"
    ok("report", "--case", case, "--vics", out / "case.vics.json", "--hash-lists", out / "lists", "--csv", out / "csv")
    document = json.loads((out / "case.vics.json").read_text(encoding="utf-8"))
    assert document["@odata.context"].endswith("2.0.xml/US/$metadata#Cases")
    [exported] = document["value"]
    assert exported["CaseNumber"] == "T-1" and exported["TotalMediaFiles"] == 4
    by_name = {media["MediaFiles"][0]["FileName"]: media for media in exported["Media"]}
    revolver = by_name["revolver.jpg"]
    data = (evidence / "revolver.jpg").read_bytes()
    assert (revolver["MD5"], revolver["SHA1"]) == (
        hashlib.md5(data).hexdigest().upper(),
        hashlib.sha1(data).hexdigest().upper(),
    )
    assert revolver["Category"] == 4 and revolver["IsPrecategorized"] == "false"
    assert revolver["MediaSize"] == len(data) and revolver["Tags"] == "a, b, bedroom"
    assert by_name["rifle.jpg"]["Category"] == 0  # a case category has no VICS number: kept in cbis.Review
    assert by_name["tiger-cat.jpg"]["Comments"] == "line one\nline two"
    assert (out / "lists" / "CAT-4.md5.txt").read_text() == hashlib.md5(data).hexdigest() + "\n"
    assert (out / "lists" / "CAT-4.sha1.txt").read_text() == hashlib.sha1(data).hexdigest() + "\n"
    assert sorted(p.name for p in (out / "lists").iterdir()) == [
        "CAT-4.md5.txt", "CAT-4.sha1.txt", "WEAPON.md5.txt", "WEAPON.sha1.txt", "manifest.json",
    ]  # fmt: skip

    other = make_case(tmp_path / "other", number="T-2", examiner="Second Examiner")
    assert cbis("index", evidence, "--case", other, "--no-classify").exit_code == 0
    result = cbis("review", "import", out / "case.vics.json", "--case", other)
    assert result.exit_code == 2 and "category 'WEAPON' is not one of this case's" in result.stderr
    ok("review", "add-category", "WEAPON", "Weapons", "--case", other)
    assert "5 review changes from 4 media" in ok("review", "import", out / "case.vics.json", "--case", other)
    assert "0 review changes" in ok("review", "import", out / "case.vics.json", "--case", other)  # already so
    ok("report", "--case", other, "--csv", tmp_path / "other-csv")
    columns = "evidence, path, sha256, category, tags, note, precategorized"
    review_csv = (out / "csv" / "review.csv").read_text(encoding="utf-8")
    again = (tmp_path / "other-csv" / "review.csv").read_text(encoding="utf-8")
    assert _cells(review_csv, columns) == _cells(again, columns)
    assert rows(other, "SELECT DISTINCT origin, examiner FROM review_events") == [("import", "Second Examiner")]


def _cells(text: str, columns: str) -> list[list[str]]:
    import csv
    import io

    wanted = [name.strip() for name in columns.split(",")]
    return [[row[name] for name in wanted] for row in csv.DictReader(io.StringIO(text))]
