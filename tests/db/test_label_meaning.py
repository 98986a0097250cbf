"""`cbis search --label` by meaning (issue 16): whole words, and WordNet hypernyms of the ImageNet classes, with
the label that matched and its rank; the same on SQLite and PostgreSQL, and the same in the viewer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from cbis import wordnet
from cbis.db import store
from cbis.db.models import File
from cbis.model.labels import imagenet_labels
from cbis.services.cases import open_case, utc_now
from tests.helpers import cbis

# Each picture's top-5, by WordNet id, as a classifier might give them (names from the installed class list).
TOP5 = {
    "a-greyhound.jpg": ["n02091032", "n04344873", "n02123045", "n07697537", "n04285008"],  # Italian Greyhound
    "b-pug-second.jpg": ["n04344873", "n02110958", "n02123045", "n01682714", "n03590841"],  # couch, then pug
    "c-not-a-car.jpg": ["n01682714", "n03590841", "n03868242", "n02123045", "n04344873"],  # anole, pumpkin, cart
    "d-sports-car.jpg": ["n02123045", "n04344873", "n04285008", "n01682714", "n03868242"],  # sports car third
    "e-hot-dog.jpg": ["n07697537", "n04344873", "n02123045", "n01682714", "n03868242"],  # a sausage in a bun
}
PROVENANCE = {
    "name": "labels-test",
    "architecture": "fixture",
    "weights_sha256": "e" * 64,
    "weights_file": "/fixture",
    "source_package": None,
    "source_version": None,
    "tensorflow_version": "0",
    "keras_version": "0",
    "preprocessing": "none",
    "input_size": 1,
    "backend": "fixture",
}


@pytest.fixture
def labelled(backend_case: Path, tmp_path: Path) -> Path:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for n, name in enumerate(TOP5):
        Image.new("RGB", (32, 24), (40 * n, 90, 200 - 30 * n)).save(evidence / name)
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    names = dict(zip(imagenet_labels().wnids, imagenet_labels().names, strict=True))
    case = open_case(backend_case)
    try:
        with case.engine.begin() as connection:
            model_id = store.model_id_for(connection, PROVENANCE, utc_now())
            ids = {path: file_id for path, file_id in connection.execute(select(File.path, File.id))}
            items = [
                (
                    ids[path],
                    store.Classification(
                        [store.PredictionRow(r, w, names[w], round(0.6 / r, 3)) for r, w in enumerate(wnids, 1)],
                        b"",
                        0,
                    ),
                )
                for path, wnids in TOP5.items()
            ]
            store.write_classifications(connection, items, model_id)
    finally:
        case.close()
    return backend_case


def found(case_dir: Path, label: str) -> dict[str, tuple[str, int]]:
    result = cbis("search", "--case", case_dir, "--json", "--label", label)
    assert result.exit_code == 0, result.output
    return {
        hit["path"]: (hit["matched_label"], hit["matched_rank"]) for hit in map(json.loads, result.stdout.splitlines())
    }


def test_dog_finds_every_breed_with_the_label_that_matched(labelled: Path) -> None:
    assert len(wordnet.classes_meaning("dog")) == 118  # every ImageNet dog breed is under dog, domestic dog
    assert found(labelled, "dog") == {
        "a-greyhound.jpg": ("Italian Greyhound", 1),
        "b-pug-second.jpg": ("pug", 2),  # its top-1 is a couch: the hit says which label matched, and where
        "e-hot-dog.jpg": ("hot dog", 1),  # the whole word "dog" of its label (shown, so the examiner sees why)
    }


def test_car_is_a_whole_word_and_a_synset_never_a_substring(labelled: Path) -> None:
    cars = {"d-sports-car.jpg": ("sports car", 3), "a-greyhound.jpg": ("sports car", 5)}  # any of the top 5
    assert found(labelled, "car") == cars  # not Carolina anole, carved pumpkin or bullock cart
    carts = {"c-not-a-car.jpg": ("bullock cart", 3), "d-sports-car.jpg": ("bullock cart", 5)}
    assert found(labelled, "CART") == carts | {"e-hot-dog.jpg": ("bullock cart", 5)}
    assert found(labelled, "motor vehicle") == cars  # a hypernym, in two words
    assert found(labelled, "pumpkin") == {
        "c-not-a-car.jpg": ("carved pumpkin", 2),
        "b-pug-second.jpg": ("carved pumpkin", 5),
    }
    assert found(labelled, "%") == {} and found(labelled, "greyh_und") == {}  # no wildcards
    assert found(labelled, "italian-greyhound") == {"a-greyhound.jpg": ("Italian Greyhound", 1)}  # any separator


def test_the_viewer_filters_by_meaning_too(labelled: Path) -> None:
    from cbis.web import create_app

    client = create_app(labelled, {"TESTING": True}).test_client()
    page = client.get("/?label=dog").get_data(as_text=True)
    assert "a-greyhound.jpg" in page and "b-pug-second.jpg" in page and "d-sports-car.jpg" not in page
