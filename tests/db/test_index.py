"""`cbis index`, search and report on both backends, and the same answers from both for the same evidence."""

from __future__ import annotations

import hashlib
import json
import signal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Connection, text

from cbis.db import queries, similarity, store, viewer
from cbis.db.queries import SearchFilters
from cbis.services.cases import create_case, open_case, utc_now
from tests.conftest import tree_fingerprint
from tests.db.support import (
    index_lock_free,
    is_postgresql,
    make_corpus,
    rows,
    run_cbis,
    scalar,
    signalled_in_batch,
    store_predictions,
    wait_for,
)
from tests.helpers import cbis
from tests.hostile.helpers import read_evidence


def test_index_accounts_for_every_sample_file(evidence: Path, backend_case: Path) -> None:
    result = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert result.exit_code == 0, result.output
    # Listed through the fingerprint: a plain rglob would move the directories' atimes, which the fixture checks.
    walked = sorted(path.decode() for path, node in tree_fingerprint(evidence).items() if node.kind == "file")
    recorded = dict(rows(backend_case, "SELECT path, status FROM files"))
    assert sorted(recorded) == walked
    assert recorded["camera/Canon_40D.jpg"] == "image"
    assert recorded["phone/IMG_5195.HEIC"] == "image"
    assert recorded["misc/holiday-notes.txt"] == "image"
    assert recorded["misc/IMG_0001.jpg"] == "unprocessed"
    assert recorded["LICENSE.md"] == "other"
    images = sum(1 for s in recorded.values() if s == "image")
    unprocessed = sum(1 for s in recorded.values() if s == "unprocessed")
    assert f"indexed {images} images, {unprocessed} unprocessed, 0 skipped as unchanged" in result.stdout
    data = read_evidence(evidence / "camera" / "Nikon_D70.jpg")  # without moving the atime the fixture checks
    assert rows(backend_case, "SELECT md5, sha1, sha256, size FROM files WHERE path = 'camera/Nikon_D70.jpg'") == [
        (hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest(), len(data))
    ]
    mismatched = {path: bool(flag) for path, flag in rows(backend_case, "SELECT path, extension_mismatch FROM files")}
    assert {path for path, flag in mismatched.items() if flag} == {"misc/holiday-notes.txt", "misc/IMG_0001.jpg"}
    [(make, model, taken, lat, lon)] = rows(
        backend_case,
        "SELECT make, model, datetime_original, gps_latitude, gps_longitude FROM exif "
        "JOIN files ON files.id = exif.file_id WHERE path = 'gps/DSCN0010.jpg'",
    )
    assert (make, model, taken) == ("NIKON", "COOLPIX P6000", "2008-10-22T16:28:39")
    assert lat == pytest.approx(43.467448, abs=1e-6) and lon == pytest.approx(11.885127, abs=1e-6)
    assert rows(backend_case, "SELECT path_bytes FROM files WHERE path = 'LICENSE.md'") == [(b"LICENSE.md",)]
    verified = cbis("verify", "--case", backend_case)
    assert verified.exit_code == 0, verified.output
    assert "chain intact" in verified.stdout and "15 recorded files checked" in verified.stdout


def test_reindex_skips_unchanged_and_replaces_changed(tmp_path: Path, backend_case: Path) -> None:
    evidence = tmp_path / "ev"
    evidence.mkdir()
    for n in range(3):
        Image.new("RGB", (40, 30), (n * 60, 10, 10)).save(evidence / f"img{n}.png")
    # A name PostgreSQL's VARCHAR(64) would have refused: every String column is unbounded on both backends.
    long_extension = "x" * 100
    Image.new("RGB", (9, 9)).save(evidence / f"odd.{long_extension}", "PNG")
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    again = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert "indexed 0 images, 0 unprocessed, 4 skipped as unchanged" in again.stdout
    Image.new("RGB", (50, 30), (1, 2, 3)).save(evidence / "img1.png")
    Image.new("RGB", (20, 20)).save(evidence / "new.png")
    third = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert "indexed 2 images, 0 unprocessed, 3 skipped as unchanged" in third.stdout
    assert rows(backend_case, "SELECT count(*), count(DISTINCT path) FROM files") == [(5, 5)]
    assert rows(backend_case, "SELECT width FROM files WHERE path = 'img1.png'") == [(50,)]
    assert rows(backend_case, "SELECT extension FROM files WHERE path LIKE 'odd.%'") == [(long_extension,)]


def test_a_vanished_file_is_flagged_missing_on_either_backend(tmp_path: Path, backend_case: Path) -> None:
    evidence = tmp_path / "ev"
    evidence.mkdir()
    for n in range(3):
        Image.new("RGB", (20, 20), (n * 60, 10, 10)).save(evidence / f"img{n}.png")
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    (evidence / "img2.png").unlink()
    again = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert "1 recorded before and now missing" in again.stdout
    [(run_id, missing, note)] = rows(
        backend_case, "SELECT id, files_missing, access_times FROM runs ORDER BY id DESC LIMIT 1"
    )
    assert missing == 1 and note.startswith("kept unchanged")  # root, on the machine's mount
    flagged = rows(backend_case, "SELECT path FROM files WHERE missing_since_run_id = :run", run=run_id)
    assert flagged == [("img2.png",)]
    kept = search_paths(backend_case, SearchFilters(missing="exclude"))
    assert kept == ["img0.png", "img1.png"]
    assert search_paths(backend_case, SearchFilters(missing="only")) == ["img2.png"]


def search_paths(case_dir: Path, filters: SearchFilters) -> list[str]:
    case = open_case(case_dir)
    try:
        with case.engine.connect() as connection:
            return [hit.path for hit in queries.search(connection, filters, limit=None)]
    finally:
        case.close()


def test_kill_then_resume_loses_and_duplicates_nothing(tmp_path: Path, backend_case: Path) -> None:
    evidence = tmp_path / "ev"
    make_corpus(evidence, 400)
    before = tree_fingerprint(evidence)
    killed = signalled_in_batch(
        signal.SIGKILL, 4, "index", evidence, "--case", backend_case, "--no-classify", "--batch-size", "16",
        "--workers", "1",
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    partial = scalar(backend_case, "SELECT count(*) FROM files")
    assert partial == 3 * 16, "the batch being written when the process died was kept in part, or a whole one lost"
    assert wait_for(lambda: index_lock_free(backend_case), timeout=10)
    resumed = run_cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{partial} skipped as unchanged" in resumed.stdout
    assert rows(backend_case, "SELECT count(*), count(DISTINCT path) FROM files") == [(400, 400)]
    assert rows(backend_case, "SELECT count(*) FROM exif") == [(400,)]
    assert tree_fingerprint(evidence) == before
    outcomes = [o for (o,) in rows(backend_case, "SELECT outcome FROM audit_log WHERE command LIKE '%index%'")]
    assert outcomes.count("started") == 2 and outcomes.count("ok") == 1
    statuses = [s for (s,) in rows(backend_case, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["running", "completed"]  # the killed run could not record its end
    if not is_postgresql(backend_case):
        assert rows(backend_case, "PRAGMA integrity_check") == [("ok",)]


def test_write_files_keeps_each_row_with_its_own_id(backend_case: Path) -> None:
    """insert ... RETURNING with sort_by_parameter_order: EXIF and predictions land on the right file."""
    case = open_case(backend_case)
    try:
        with case.engine.begin() as connection:
            evidence_id, run_id, [ids] = _classifier_run(connection, _provenance())
        batch = [_file_row(n) for n in range(300)]
        for start in range(0, len(batch), 32):
            with case.engine.begin() as connection:
                chunk = batch[start : start + 32]
                file_ids = store.write_files(connection, chunk, evidence_id=evidence_id, run_id=run_id)
                outputs = [(file_id, _classification(row.path)) for file_id, row in zip(file_ids, chunk, strict=True)]
                store.write_outputs(connection, ids, outputs, run_id=run_id)
    finally:
        case.close()
    joined = rows(
        backend_case,
        "SELECT files.path, exif.make, predictions.label, files.path_bytes FROM files "
        "JOIN exif ON exif.file_id = files.id "
        "JOIN predictions ON predictions.file_id = files.id AND predictions.rank = 1",
    )
    assert len(joined) == 300
    assert all(make == f"make of {path}" and label == f"label of {path}" for path, make, label, _ in joined)
    assert all(path_bytes == path.encode() for path, _, _, path_bytes in joined)
    # Text that COPY's format must escape arrives unchanged (tabs, newlines, backslashes, quotes, non-ASCII).
    assert rows(backend_case, "SELECT error, warnings_json FROM files WHERE path = 'dir3/file00010.jpg'") == [
        (TRICKY, json.dumps([TRICKY], ensure_ascii=False))
    ]
    [(tags,)] = rows(backend_case, "SELECT tags_json FROM exif JOIN files ON files.id = exif.file_id WHERE size = 10")
    assert json.loads(tags)["note"] == TRICKY


def _classifier_run(
    connection: Connection, *provenances: dict[str, object]
) -> tuple[int, int, list[store.RunAnalyzerIds]]:
    """An evidence root and a run of one classifier per provenance: (evidence id, run id, the classifiers' ids)."""
    now = utc_now()
    evidence_id = store.evidence_id_for(connection, "/evidence", b"/evidence", now)
    analyzers = [
        store.run_analyzer_ids(connection, f"imagenet-{n}", "1", store.Classification, provenance, {}, now)
        for n, provenance in enumerate(provenances)
    ]
    return evidence_id, store.start_run(connection, evidence_id, analyzers, now), analyzers


def _provenance() -> dict[str, object]:
    return {
        "name": "bulk",
        "architecture": "test",
        "weights_sha256": "d" * 64,
        "weights_file": "/w",
        "source_package": None,
        "source_version": None,
        "tensorflow_version": "0",
        "keras_version": "0",
        "preprocessing": "none",
        "input_size": 1,
        "backend": "test",
    }


TRICKY = "tab\there, line\nbreak, back\\slash \\N, \"quoted\", 'single', café, 東京, \x7f"


def _file_row(n: int) -> store.FileRow:
    path = f"dir{n % 7}/file{n:05d}.jpg"
    return store.FileRow(
        path=path,
        path_bytes=path.encode(),
        extension="jpg",
        size=n,
        mtime_ns=n,
        mtime="2020-01-01T00:00:00Z",
        ctime="2020-01-01T00:00:00Z",
        atime="2020-01-01T00:00:00Z",
        status="image",
        sha256=hashlib.sha256(path.encode()).hexdigest(),
        format="jpeg",
        error=TRICKY,
        warnings=[TRICKY],
        exif={"make": f"make of {path}", "tags": {"n": n, "note": TRICKY}},
    )


def _classification(path: str) -> store.Classification:
    predictions = [store.PredictionRow(r, f"n{r:08d}", f"label of {path}" if r == 1 else "x", 1 / r) for r in (1, 2)]
    return store.Classification(predictions, b"", 0)


def test_the_embedding_count_read_from_the_indexes_is_the_count_of_the_join(backend_case: Path) -> None:
    """`similarity.embedding_stats`, which checks that a similarity index is current, counts from the indexes what
    the join of every embedding to its file counts: each model's embeddings of files that are images, and the
    highest of their file ids, with files turned unprocessed or other (the highest among them) left out."""
    case = open_case(backend_case)
    try:
        with case.engine.begin() as connection:
            other = {**_provenance(), "name": "other", "weights_sha256": "e" * 64}
            evidence_id, run_id, [first, second] = _classifier_run(connection, _provenance(), other)
            chunk = [_file_row(n) for n in range(40)]
            file_ids = store.write_files(connection, chunk, evidence_id=evidence_id, run_id=run_id)
            for ids, every in ((first, 1), (second, 3)):
                vector = store.Classification([], b"\x00\x3c" * 4, 4)  # float16 ones
                outputs = [(file_id, vector) for file_id in file_ids[::every]]
                store.write_outputs(connection, ids, outputs, run_id=run_id)
            turned = {file_ids[-1]: "unprocessed", file_ids[3]: "other", file_ids[9]: "unprocessed"}
            for file_id, status in turned.items():
                connection.execute(text("UPDATE files SET status = :s WHERE id = :id"), {"s": status, "id": file_id})
        with case.engine.connect() as connection:
            expected = {}
            for ids, every in ((first, 1), (second, 3)):
                images = [file_id for file_id in file_ids[::every] if file_id not in turned]
                expected[ids.target_id] = (len(images), max(images))
                assert similarity.embedding_stats(connection, ids.target_id) == expected[ids.target_id]
            assert expected[first.target_id] == (37, file_ids[-2])
            assert expected[second.target_id] == (11, file_ids[36])  # 14 embedded, the 4th and 10th turned
    finally:
        case.close()


# --- search and report ---


@pytest.fixture
def indexed_case(evidence: Path, backend_case: Path) -> Path:
    result = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert result.exit_code == 0, result.output
    store_predictions(backend_case)
    return backend_case


def search_json(case_dir: Path, *args: str) -> list[dict]:
    result = cbis("search", "--case", case_dir, "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def paths(case_dir: Path, *args: str) -> set[str]:
    return {hit["path"] for hit in search_json(case_dir, *args)}


def test_search_filters(indexed_case: Path) -> None:
    gps = paths(indexed_case, "--has-gps")
    assert {"gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "misc/holiday-notes.txt"} <= gps
    nikon = paths(indexed_case, "--make", "nikon")
    assert "camera/Nikon_D70.jpg" in nikon and "camera/Canon_40D.jpg" not in nikon
    assert paths(indexed_case, "--make", "nikon", "--has-gps") == nikon & gps
    assert paths(indexed_case, "--camera-model", "EOS 40D") == {"camera/Canon_40D.jpg"}
    [(md5, sha1, sha256)] = rows(indexed_case, "SELECT md5, sha1, sha256 FROM files WHERE path = 'misc/IMG_0001.jpg'")
    for digest in (md5, sha1, sha256.upper()):
        assert [hit["path"] for hit in search_json(indexed_case, "--hash", digest)] == ["misc/IMG_0001.jpg"]
    in_2008 = search_json(indexed_case, "--from", "2008-01-01", "--to", "2008-12-31")
    assert "camera/Canon_40D.jpg" in {hit["path"] for hit in in_2008}
    assert all(hit["datetime_original"].startswith("2008") for hit in in_2008)
    assert "camera/Canon_40D.jpg" in paths(indexed_case, "--from", "2008-05-30", "--to", "2008-05-30")
    assert paths(indexed_case, "--ext-mismatch") == {"misc/holiday-notes.txt", "misc/IMG_0001.jpg"}
    unprocessed = search_json(indexed_case, "--unprocessed")
    assert "misc/IMG_0001.jpg" in {hit["path"] for hit in unprocessed} and all(hit["error"] for hit in unprocessed)


def test_search_labels_match_literally_and_sort_the_same(indexed_case: Path) -> None:
    every = search_json(indexed_case, "--limit", "100")
    # Labels match as whole words (issue 16: `--label car` used to find "Carolina anole"), and '%' and '_' are not
    # wildcards: "100%_sure" is found by its words, and "%" alone finds nothing.
    literal = search_json(indexed_case, "--label", "100%_sure")
    assert literal and all(any(p["label"] == "100%_sure" for p in hit["predictions"]) for hit in literal)
    assert search_json(indexed_case, "--label", "%", "--limit", "100") == []
    assert search_json(indexed_case, "--label", "0%_s", "--limit", "100") == []  # a part of a word is no word
    assert search_json(indexed_case, "--label", "ZEBRA", "--limit", "100")  # case-insensitive
    assert [hit["path"] for hit in every] == sorted(hit["path"] for hit in every)  # byte order, as Python's
    by_score = search_json(indexed_case, "--sort", "score", "--min-score", "0.5", "--limit", "100")
    assert by_score and all(hit["score"] >= 0.5 for hit in by_score)


def _report(case_dir: Path, out: Path) -> dict[str, bytes]:
    result = cbis("report", "--case", case_dir, "--csv", out)
    assert result.exit_code == 0, result.output
    # manifest.json records when and the audit head, so it differs between runs by design.
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.name != "manifest.json"}


def _viewer_answers(case_dir: Path) -> dict[str, object]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            filters = SearchFilters(model_id=viewer.models(connection)[0].id)
            return {
                "cameras": viewer.camera_counts(connection),
                "types": viewer.type_counts(connection),
                "extensions": viewer.extension_counts(connection),
                "months": viewer.month_counts(connection),
                "gps": viewer.gps_points(connection),
                "unprocessed": viewer.unprocessed_files(connection),
                "position": viewer.position(connection, filters, "score", 3),
                "rows": list(viewer.file_report_rows(connection, filters, "date")),
            }
    finally:
        case.close()


@pytest.mark.postgres
def test_report_is_byte_identical_across_runs_and_backends(evidence: Path, tmp_path: Path, pg_database: str) -> None:
    cases = {
        "sqlite": tmp_path / "sqlite-case",
        "postgresql": tmp_path / "pg-case",
    }
    create_case(cases["sqlite"], number="X-1", examiner="E").close()
    create_case(cases["postgresql"], number="X-1", examiner="E", database=pg_database).close()
    reports: dict[str, dict[str, bytes]] = {}
    for name, case_dir in cases.items():
        assert cbis("index", evidence, "--case", case_dir, "--no-classify").exit_code == 0
        store_predictions(case_dir)
        first = _report(case_dir, tmp_path / f"{name}-1")
        second = _report(case_dir, tmp_path / f"{name}-2")
        assert first == second, f"two reports on {name} differ"
        reports[name] = first
    assert is_postgresql(cases["postgresql"]) and not is_postgresql(cases["sqlite"])
    assert set(reports["sqlite"]) == {
        "files.csv",
        "exif.csv",
        "prediction.csv",
        "unprocessed.csv",
        "summary.csv",
        "hashset_matches.csv",  # added with hash sets (issue 15): empty here, written always
        "anomalies.csv",  # added with `cbis anomalies` (issue 17): written always
        "review.csv",  # added with examiner review (issue 16): written always
        "ocr.csv",  # added with the ocr and faces analyzers (issue 18): written always
        "faces.csv",
    }
    for name in reports["sqlite"]:
        assert reports["sqlite"][name] == reports["postgresql"][name], f"{name} differs between SQLite and PostgreSQL"
    summary = reports["sqlite"]["summary.csv"].decode().splitlines()
    assert summary[0] == "label,count" and len(summary) > 3
    for args in (["--limit", "100"], ["--sort", "score", "--limit", "100"], ["--sort", "date", "--has-gps"]):
        assert search_json(cases["sqlite"], *args) == search_json(cases["postgresql"], *args), args
    assert _viewer_answers(cases["sqlite"]) == _viewer_answers(cases["postgresql"])


def test_a_second_analyzer_on_both_backends(evidence: Path, backend_case: Path) -> None:
    """An inventory, then the test-only analyzer on the same files: its rows, by COPY on PostgreSQL, executemany on
    SQLite, are the same on both, and a re-run adds none."""
    from tests.analyzers import mean_colour

    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    with mean_colour.registered():
        for _ in range(2):
            result = cbis("index", evidence, "--case", backend_case, "--analyze", "mean-colour")
            assert result.exit_code == 0, result.output
    assert "indexed 0 images, 0 unprocessed, 15 skipped as unchanged" in result.stdout
    results = rows(
        backend_case,
        "SELECT files.path, analyzers.name, result_json, analysis_results.run_id FROM analysis_results "
        "JOIN files ON files.id = analysis_results.file_id JOIN analyzers ON analyzers.id = analyzer_id ORDER BY 1",
    )
    assert len(results) == 12 and {name for _, name, _, _ in results} == {"mean-colour"}
    assert {run for *_, run in results} == {2}  # all from the second run; the third found nothing to do
    canon = next(json.loads(data) for path, _, data, _ in results if path == "camera/Canon_40D.jpg")
    assert set(canon) == {"red", "green", "blue", "sampled"} and 0 < canon["red"] < 255
    assert rows(backend_case, "SELECT run_id, analyzer_id FROM run_analyzers ORDER BY 1") == [(2, 1), (3, 1)]
    assert scalar(backend_case, "SELECT count(*) FROM predictions") == 0


def test_perceptual_hashes_and_duplicates_on_both_backends(tmp_path: Path, backend_case: Path) -> None:
    """The perceptual analyzer's rows (booleans and hex by COPY on PostgreSQL) and `cbis duplicates` from them."""
    evidence = tmp_path / "evidence"
    (evidence / "copies").mkdir(parents=True)
    source = Path(__file__).resolve().parents[2] / "examples" / "evidence" / "gps" / "DSCN0010.jpg"
    (evidence / "DSCN0010.jpg").write_bytes(source.read_bytes())
    (evidence / "copies" / "same.jpg").write_bytes(source.read_bytes())
    with Image.open(source) as picture:
        picture.convert("RGB").resize((320, 240)).save(evidence / "copies" / "small.png")
    Image.new("RGB", (50, 50), (9, 9, 9)).save(evidence / "blank.png")
    assert cbis("index", evidence, "--case", backend_case, "--analyze", "perceptual").exit_code == 0
    hashes = rows(
        backend_case,
        "SELECT files.path, featureless, length(phash), length(pdq), thumbnail_mismatch FROM perceptual_hashes "
        "JOIN files ON files.id = perceptual_hashes.file_id",
    )
    assert sorted((path, bool(flat), p, q, bool(m)) for path, flat, p, q, m in hashes) == [
        ("DSCN0010.jpg", False, 16, 64, False),
        ("blank.png", True, 16, 64, False),
        ("copies/same.jpg", False, 16, 64, False),
        ("copies/small.png", False, 16, 64, False),
    ]
    result = cbis("duplicates", "--case", backend_case, "--json")
    assert result.exit_code == 0, result.output
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(g["kind"], sorted(m["path"] for m in g["members"])) for g in found] == [
        ("exact", ["DSCN0010.jpg", "copies/same.jpg"]),
        ("visual", ["DSCN0010.jpg", "copies/same.jpg", "copies/small.png"]),
    ]
    [link] = found[1]["links"]
    assert "resized 640x480 -> 320x240" in link["reason"] and "converted jpeg -> png" in link["reason"]
