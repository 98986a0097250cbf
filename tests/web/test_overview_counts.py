"""The overview's counts kept per index run (db/overview.py), its map's clusters, and the review counts every page
shows, on SQLite and PostgreSQL: each must be exactly what counting the rows (and folding the review log) gives."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, delete, func, select

from cbis import rollups
from cbis.db import overview, store, viewer
from cbis.db import review as review_db
from cbis.db.models import File, OverviewCountsRow, Prediction, Run
from cbis.services.cases import open_case, utc_now
from cbis.web import create_app
from tests.conftest import EXAMPLES
from tests.helpers import cbis
from tests.web.conftest import MODEL_A, MODEL_B, bulk_images, classify


@contextmanager
def reading(case_dir: Path) -> Iterator[Connection]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            yield connection
    finally:
        case.close()


@contextmanager
def writing(case_dir: Path) -> Iterator[Connection]:
    case = open_case(case_dir)
    try:
        with case.engine.begin() as connection:
            yield connection
    finally:
        case.close()


def index(case_dir: Path, evidence: Path) -> None:
    result = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert result.exit_code == 0, result.output


@pytest.fixture
def indexed(backend_case: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A case on this test's backend: the samples and 30 dated images indexed, model A's predictions stored."""
    evidence = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    bulk_images(evidence / "bulk")
    index(backend_case, evidence)
    classify(backend_case, MODEL_A)  # as if the run had stored them, with the run's counts (tests/web/conftest.py)
    return backend_case, evidence


def kept_and_counted(case_dir: Path) -> tuple[overview.OverviewCounts | None, overview.OverviewCounts]:
    with reading(case_dir) as connection:
        return overview.kept(connection), overview.compute(connection)


def overview_page(case_dir: Path) -> str:
    client: FlaskClient = create_app(case_dir, {"TESTING": True}).test_client()
    response = client.get("/overview")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_kept_counts_are_what_counting_the_rows_gives(indexed: tuple[Path, Path]) -> None:
    case_dir, _ = indexed
    kept, counted = kept_and_counted(case_dir)
    assert kept is not None, "the run's counts were not kept"
    assert kept == counted
    assert kept.files.images > 30 and kept.labels and kept.cameras and kept.months and kept.located == 4
    assert kept.files.classified == kept.files.images
    # The page made from the kept counts is the page made by counting, byte for byte.
    from_kept = overview_page(case_dir)
    with writing(case_dir) as connection:
        connection.execute(delete(OverviewCountsRow))
    with reading(case_dir) as connection:
        assert overview.kept(connection) is None
    assert overview_page(case_dir) == from_kept
    assert "Acme Bulk 1: 30" in from_kept


def test_each_run_keeps_the_counts_it_leaves(indexed: tuple[Path, Path], tmp_path: Path) -> None:
    case_dir, evidence = indexed
    before, _ = kept_and_counted(case_dir)
    assert before is not None
    second = tmp_path / "second-root"
    shutil.copytree(EXAMPLES / "gps", second / "gps")
    index(case_dir, second)  # a second evidence root: more files, more located images
    after, counted = kept_and_counted(case_dir)
    assert after == counted
    assert after.files.files == before.files.files + len(list((EXAMPLES / "gps").iterdir()))
    assert after.located > before.located
    with reading(case_dir) as connection:
        latest = connection.execute(select(func.max(Run.id))).scalar_one()
        recorded = set(connection.execute(select(OverviewCountsRow.run_id)).scalars())
    assert recorded == set(range(1, latest + 1))  # one per run, each run's own

    (evidence / "bulk" / "bulk_00.jpg").unlink()
    index(case_dir, evidence)  # the file is flagged missing (its row kept)
    again, counted = kept_and_counted(case_dir)
    assert again == counted
    assert again.files.missing == after.files.missing + 1 and again.files.files == after.files.files


def test_counts_come_from_the_rows_while_a_run_is_under_way_or_after_writes_outside_a_run(
    indexed: tuple[Path, Path],
) -> None:
    case_dir, _ = indexed
    with writing(case_dir) as connection:
        [evidence_id] = connection.execute(select(File.evidence_id).distinct()).scalars()
        run_id = store.start_run(connection, evidence_id, (), utc_now())
    with reading(case_dir) as connection:
        assert overview.kept(connection) is None  # a run under way (or killed): count the rows
    with writing(case_dir) as connection:
        store.finish_run(connection, run_id, "completed", utc_now(), {})
    with reading(case_dir) as connection:
        assert overview.kept(connection) is None  # finished, but it kept no counts
        overview_before = overview.compute(connection)
    with writing(case_dir) as connection:
        overview.record(connection, run_id)
    assert kept_and_counted(case_dir)[0] == overview_before

    model_b = classify(case_dir, MODEL_B, shift=1)  # records again; then a model added outside any run:
    with writing(case_dir) as connection:
        connection.execute(delete(OverviewCountsRow))
        overview.record(connection, run_id)
        connection.execute(delete(Prediction).where(Prediction.model_id == model_b))
        store.model_id_for(connection, {**MODEL_B, "name": "model-c", "weights_sha256": "c" * 64}, utc_now())
    kept, counted = kept_and_counted(case_dir)
    assert kept is None
    assert model_b not in counted.labels or counted.labels[model_b] == []
    page = overview_page(case_dir)
    assert f"{counted.files.images:,}</span> images" in page


def many_located_files(case_dir: Path, number: int, off_map: int) -> None:
    """`number` located images spread over the world and `off_map` with coordinates no map has, written as a run
    writes files (through store.write_files, in a run that then keeps its counts)."""
    spread = random.Random(19)
    with writing(case_dir) as connection:
        evidence_id = store.evidence_id_for(connection, "/synthetic", b"/synthetic", utc_now())
        run_id = store.start_run(connection, evidence_id, (), utc_now())
        rows = []
        for n in range(number + off_map):
            latitude, longitude = (spread.uniform(-60, 70), spread.uniform(-170, 175)) if n < number else (123.0, 5.0)
            if n < number and n % 7 == 0:  # some in one place: a cluster of many
                latitude, longitude = 48.8566 + n * 1e-6, 2.3522
            rows.append(
                store.FileRow(
                    path=f"located/{n:05d}.jpg",
                    path_bytes=f"located/{n:05d}.jpg".encode(),
                    extension="jpg",
                    size=1,
                    mtime_ns=0,
                    mtime="",
                    ctime="",
                    atime="",
                    status="image",
                    sha256=f"{n:064x}",
                    format="jpeg",
                    width=1,
                    height=1,
                    exif={"gps_latitude": latitude, "gps_longitude": longitude, "tags": {}},
                )
            )
        store.write_files(connection, rows, evidence_id=evidence_id, run_id=run_id)
        store.finish_run(connection, run_id, "completed", utc_now(), {})
        overview.record(connection, run_id)


def test_many_locations_are_drawn_as_a_bounded_number_of_clusters(indexed: tuple[Path, Path]) -> None:
    case_dir, _ = indexed
    many_located_files(case_dir, 3000, off_map=5)
    kept, counted = kept_and_counted(case_dir)
    assert kept is not None and kept == counted
    clusters = kept.gps_clusters
    assert 30 < len(clusters) <= 500
    assert kept.located == 3000 + 5 + 4  # every located image counted, drawn or not
    assert sum(cluster.count for cluster in clusters) == 3000 + 4
    biggest = max(clusters, key=lambda cluster: cluster.count)
    assert biggest.count >= 3000 // 7 and abs(biggest.latitude - 48.8566) < 0.5
    singles = [cluster for cluster in clusters if cluster.count == 1]
    assert singles and all(cluster.file_id is not None and cluster.path for cluster in singles)
    assert all(cluster.file_id is None for cluster in clusters if cluster.count > 1)

    page = overview_page(case_dir)
    assert len(page.encode()) < 120_000, len(page.encode())
    header = re.search(r'<h2 id="h-gps">(.*?)</h2>', page, re.S)
    assert header is not None
    assert "3,009 images with GPS" in header.group(1)
    assert f"drawn as {len(clusters):,} clusters" in header.group(1) and "(5 with coordinates off the map)" in header[1]
    drawn = page[page.index('<svg class="map map-overview"') :]
    drawn = drawn[: drawn.index("</svg>")]
    assert drawn.count("<circle ") == len(clusters)
    assert f"<title>{biggest.count:,} images around" in drawn
    single = singles[0]
    assert f'<a href="/image/{single.file_id}">' in drawn


def test_few_locations_are_each_drawn(indexed: tuple[Path, Path]) -> None:
    case_dir, _ = indexed
    with reading(case_dir) as connection:
        clusters, located = viewer.gps_clusters(connection)
        points, total = viewer.gps_points(connection)
    assert located == total == 4
    assert [(c.file_id, c.path, c.latitude, c.longitude, c.count) for c in clusters] == [
        (p.id, p.path, p.latitude, p.longitude, 1) for p in points
    ]


def fold_counts(connection: Connection) -> tuple[dict[str, int], dict[str, int]]:
    """Category and tag counts the straightforward way: fold every event."""
    categories: dict[str, int] = {}
    tags: dict[str, int] = {}
    for state in review_db.fold(review_db.events(connection)).values():
        if state.category is not None:
            categories[state.category] = categories.get(state.category, 0) + 1
        for tag in state.tags:
            tags[tag] = tags.get(tag, 0) + 1
    return categories, dict(sorted(tags.items(), key=lambda item: item[0].encode()))


def test_review_counts_are_what_folding_the_events_gives(indexed: tuple[Path, Path]) -> None:
    case_dir, _ = indexed
    with reading(case_dir) as connection:
        images = list(connection.execute(select(File.id).where(File.status == "image").order_by(File.id)).scalars())
        model_id = viewer.models(connection)[0].id
    choices = random.Random(16)
    with writing(case_dir) as connection:
        for number in range(160):  # set, change, set back to CAT-0; add and remove tags, again and again
            file_id = choices.choice(images[:20])
            kind = choices.choice(("category", "category", "tag_add", "tag_add", "tag_remove", "note"))
            value = {
                "category": choices.choice(("CAT-0", "CAT-1", "CAT-2", "CAT-3", "CAT-4", "CAT-5")),
                "tag_add": choices.choice(("weapon", "car", "Ärger", "b")),
                "tag_remove": choices.choice(("weapon", "car", "Ärger", "b")),
                "note": f"note {number}",
            }[kind]
            review_db.append_event(
                connection,
                review_db.NewReviewEvent(file_id, kind, value, "Examiner", "cli", utc_now(), based_on=None),
            )
    with reading(case_dir) as connection:
        categories, tags = fold_counts(connection)
        assert categories and tags
        assert review_db.category_counts(connection) == categories
        assert review_db.tag_counts(connection) == tags
        assert list(review_db.tag_counts(connection)) == list(tags)  # in the same (byte) order
        # Rollups: files by top-1 class, and the categorised ones' pertinence, as every file's classes give it.
        listed = review_db.rollups(connection)
        top1 = dict(
            connection.execute(
                select(Prediction.file_id, Prediction.wnid).where(Prediction.model_id == model_id, Prediction.rank == 1)
            ).all()
        )
        pertinent = {category.code: category.pertinent for category in review_db.categories(connection)}
        decisions = {
            file_id: pertinent.get(state.category, False)
            for file_id, state in review_db.fold(review_db.events(connection)).items()
            if state.category is not None
        }
        expected = rollups.agreement(listed, top1, decisions)
        assert review_db.rollup_agreement(connection, model_id) == expected
        kept = overview.kept(connection)
        assert kept is not None
        assert review_db.rollup_agreement(connection, model_id, kept.top1_classes[model_id]) == expected
        assert any(a.files and a.categorised for a in expected)
        uncategorised = kept.files.images - sum(categories.values())

    client = create_app(case_dir, {"TESTING": True}).test_client()
    gallery = client.get("/").get_data(as_text=True)
    overview_html = client.get("/overview").get_data(as_text=True)
    for tag, n in tags.items():
        assert f"({n})" in overview_html and tag in overview_html
    cat_0 = r'category=CAT-0">CAT-0</a></td><td>[^<]*(?:<span class="muted">[^<]*</span>)?</td><td class="num">'
    assert re.search(rf"{cat_0}{uncategorised}<", overview_html)
    # Another event: the counts kept for the last one no longer hold, every page shows the new ones.
    with writing(case_dir) as connection:
        review_db.append_event(
            connection,
            review_db.NewReviewEvent(images[30], "tag_add", "brand-new-tag", "Examiner", "cli", utc_now(), None),
        )
    assert "brand-new-tag" not in gallery
    assert "#brand-new-tag</a> (1)" in client.get("/overview").get_data(as_text=True)
