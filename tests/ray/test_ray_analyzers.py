"""One analyzer, two executors: a test-only analyzer (tests/analyzers/mean_colour.py, registered from the test)
gives the same rows through Ray Data as through the local thread pool, beside the classifier and after it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.analyzers import mean_colour
from tests.conftest import EXAMPLES, tree_fingerprint
from tests.helpers import cbis
from tests.ray.conftest import require_ray

require_ray()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.ray,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
]


def query(case_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        return connection.execute(sql).fetchall()


RESULTS = (
    "SELECT files.path_bytes, analyzers.name, analyzers.version, analyzers.provenance_json, result_json "
    "FROM analysis_results JOIN files ON files.id = analysis_results.file_id "
    "JOIN analyzers ON analyzers.id = analysis_results.analyzer_id ORDER BY 1"
)
LABELS = "SELECT path_bytes, rank, wnid, label FROM predictions JOIN files ON files.id = file_id ORDER BY 1, 2"


def new_case(directory: Path) -> Path:
    assert cbis("case", "new", directory, "--number", "R-2", "--examiner", "Test Examiner").exit_code == 0
    return directory


def test_a_registered_analyzer_gives_the_same_rows_locally_and_on_ray(
    ray_cluster: None, default_model: str, tmp_path: Path
) -> None:
    import ray.cloudpickle

    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    before = tree_fingerprint(evidence)
    # A test module is not installed on the cluster's workers: Ray ships it by value, as a plugin would be shipped.
    ray.cloudpickle.register_pickle_by_value(mean_colour)
    try:
        with mean_colour.registered():
            local, distributed = new_case(tmp_path / "local"), new_case(tmp_path / "ray")
            for case_dir, extra in ((local, []), (distributed, ["--ray", "local"])):
                # The classifier first, then the second analyzer on the same files: only it runs the second time.
                first = cbis("index", evidence, "--case", case_dir, *extra)
                assert first.exit_code == 0, first.stderr
                second = cbis("index", evidence, "--case", case_dir, "--analyze", "imagenet,mean-colour", *extra)
                assert second.exit_code == 0, second.stderr
                assert "indexed 12 images, 0 unprocessed, 3 skipped as unchanged" in second.stdout
            both = new_case(tmp_path / "both-on-ray")
            at_once = cbis("index", evidence, "--case", both, "--analyze", "mean-colour,imagenet", "--ray", "local")
            assert at_once.exit_code == 0, at_once.stderr
    finally:
        ray.cloudpickle.unregister_pickle_by_value(mean_colour)
    results = query(local, RESULTS)
    assert len(results) == 12 and {row[1] for row in results} == {"mean-colour"}
    assert query(distributed, RESULTS) == results
    assert query(both, RESULTS) == results
    assert query(distributed, LABELS) == query(local, LABELS) == query(both, LABELS)
    # The default's second analyzer, the perceptual hashes, crossed the cluster as it ran here.
    hashes = (
        "SELECT path_bytes, phash, phash_variants, dhash, pdq, pdq_quality, featureless, thumbnail_distance "
        "FROM perceptual_hashes JOIN files ON files.id = file_id ORDER BY 1"
    )
    assert len(query(local, hashes)) == 12
    assert query(distributed, hashes) == query(local, hashes)
    assert tree_fingerprint(evidence) == before


def test_ocr_and_faces_give_the_same_rows_locally_and_on_ray(ray_cluster: None, tmp_path: Path) -> None:
    from tests.analyzers.rendered import chat_screenshot, page

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    chat_screenshot(["Did the bank transfer arrive?", "Yes, 2500 euro today"]).save(evidence / "chat.png")
    page(["Überweisung an Müller"], size=48).save(evidence / "scan.jpg")
    data = Path(__file__).resolve().parents[1] / "data"
    shutil.copy(data / "evidence-samples/jpg/invalid/image00971.jpg", evidence / "people.jpg")
    shutil.copy(data / "model/chelsea.png", evidence / "cat.png")
    local, distributed = new_case(tmp_path / "local"), new_case(tmp_path / "ray")
    for case_dir, extra in ((local, []), (distributed, ["--ray", "local"])):
        result = cbis("index", evidence, "--case", case_dir, "--analyze", "ocr,faces", "--ocr-lang", "deu+eng", *extra)
        assert result.exit_code == 0, result.stderr
    texts = (
        "SELECT path_bytes, read, reason, screenshot, text, search_text, confidence, words_json, languages, rotation "
        "FROM ocr_texts JOIN files ON files.id = file_id ORDER BY 1"
    )
    found = "SELECT path_bytes, face_count, faces_json FROM face_results JOIN files ON files.id = file_id ORDER BY 1"
    assert len(query(local, texts)) == 4 and len(query(local, found)) == 4
    assert query(distributed, texts) == query(local, texts)
    assert query(distributed, found) == query(local, found)
    assert query(distributed, "SELECT search_text FROM ocr_texts WHERE search_text LIKE '%uberweisung%'")
    assert query(local, "SELECT sum(face_count) FROM face_results") == [(1,)]
    identities = "SELECT name, version, identity_sha256 FROM analyzers ORDER BY name"
    assert query(distributed, identities) == query(local, identities)
