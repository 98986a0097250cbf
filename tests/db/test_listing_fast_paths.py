"""The listing's fast paths (issue 19) against the straightforward query, on a synthetic case of a few thousand
files written through the store, on SQLite and PostgreSQL.

The fast paths: label filters resolved to the model's classes (model_classes, ix_predictions_model_wnid), the
path order read one evidence root at a time from ix_files_listing, counts from the filters' conditions alone,
keyset pages and previous/next. The straightforward query is the one definition they replace: `filtered_query`
with the label's words matched on every prediction, ordered as a whole by `ordering`, paged by OFFSET.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select, text

from cbis.db import anomalies as anomalies_db
from cbis.db import estimates, freshness, queries, store, viewer
from cbis.db.models import Evidence, File, Model, Prediction
from cbis.db.queries import SearchFilters
from cbis.model.labels import imagenet_labels
from cbis.records import Face, Faces
from cbis.services.cases import Case, create_case, utc_now
from tests.conftest import BACKENDS, libpq_url
from tests.db.support import model_provenance

PROVENANCE = model_provenance("synthetic")
# Roots made in an order unlike their byte order, and names whose byte order is not their alphabetical order.
ROOTS = ("/evidence/zeta phone", "/evidence/Alpha laptop", "/evidence/alpha-tablet")
NAMES = ("IMG_{n:04d}.JPG", "img_{n:04d}.jpg", "Ärger_{n:04d}.jpg", "_{n:04d}.png", "DCIM/{n:04d}.jpeg")
TWO_LABELS = "n02085620"  # Chihuahua, also named "tiny lapdog" on some files: a class with two labels
FILES_PER_ROOT = 700


def _write_case(case: Case) -> None:
    rng = random.Random(19)
    labels = imagenet_labels()
    weights = [1 / (index + 1) for index in range(1000)]
    order = list(range(1000))
    rng.shuffle(order)
    order.remove(labels.wnids.index(TWO_LABELS))
    order.insert(0, labels.wnids.index(TWO_LABELS))
    cameras = [("Canon", "Canon EOS 40D"), ("Apple", "iPhone 12"), ("NIKON CORPORATION", "NIKON D70"), (None, None)]
    with case.engine.begin() as connection:
        now = utc_now()
        ids = store.run_analyzer_ids(connection, "imagenet", "1", store.Classification, PROVENANCE, PROVENANCE, now)
        face_ids = store.run_analyzer_ids(connection, "faces", "1", Faces, {"name": "synthetic"}, {}, now)
        roots = [store.evidence_id_for(connection, root, root.encode(), now) for root in ROOTS]
        runs = [store.start_run(connection, root, [ids, face_ids], now) for root in roots]
    for root_id, run_id in zip(roots, runs, strict=True):
        rows = []
        for n in range(FILES_PER_ROOT):
            path = NAMES[n % len(NAMES)].format(n=n // len(NAMES) if n % 7 else 3)  # some names near-repeat
            digest = hashlib.sha256(f"{root_id}/{path}/{n}".encode()).hexdigest()
            unprocessed = n % 50 == 0
            make, model = cameras[rng.randrange(len(cameras))]
            dated = rng.random() < 0.85
            located = rng.random() < 0.3
            exif = None
            if not unprocessed:
                exif = {
                    "make": make,
                    "model": model,
                    "datetime_original": f"{rng.randrange(2013, 2025)}-{rng.randrange(1, 13):02d}-01T10:00:00"
                    if dated
                    else None,
                    "gps_latitude": rng.uniform(-60, 60) if located else None,
                    "gps_longitude": rng.uniform(-170, 170) if located else None,
                    "tags": {},
                }
            rows.append(
                store.FileRow(
                    path=f"{path}.{n}" if n % 11 == 0 else path,
                    path_bytes=(f"{path}.{n}" if n % 11 == 0 else path).encode(),
                    extension="jpg",
                    size=100 + n,
                    mtime_ns=0,
                    mtime="2020-01-01T00:00:00Z",
                    ctime="2020-01-01T00:00:00Z",
                    atime="2020-01-01T00:00:00Z",
                    status="unprocessed" if unprocessed else "image",
                    md5=digest[:32],
                    sha1=digest[:40],
                    sha256=digest,
                    format=None if unprocessed else "jpeg",
                    width=640,
                    height=480,
                    error="truncated" if unprocessed else None,
                    exif=exif,
                )
            )
        unique = {row.path_bytes: row for row in rows}
        with case.engine.begin() as connection:
            kept = list(unique.values())
            file_ids = store.write_files(connection, kept, evidence_id=root_id, run_id=run_id)
            items = []
            for number, (file_id, row) in enumerate(zip(file_ids, kept, strict=True)):
                if row.status != "image" or number % 13 == 0:  # some images have no predictions (no score)
                    continue
                classes = rng.choices(order, weights, k=5)
                scores = sorted((round(rng.random(), 2) for _ in range(5)), reverse=True)  # ties
                predictions = []
                for rank, (index, score) in enumerate(zip(classes, scores, strict=True), start=1):
                    wnid, name = labels.wnids[index], labels.names[index]
                    if wnid == TWO_LABELS and number % 3 == 0:
                        name = "tiny lapdog"
                    predictions.append(store.PredictionRow(rank, wnid, name, score))
                items.append((file_id, store.Classification(predictions, b"", 0)))
            store.write_outputs(connection, ids, items, run_id=run_id)
            face = Face(0.9, 0.1, 0.1, 0.2, 0.2, [[0.15, 0.15]] * 6, 0.0)
            store.write_outputs(  # one image in three has faces, one to three of them
                connection,
                face_ids,
                [
                    (file_id, Faces(1 + number % 3, [face] * (1 + number % 3)))
                    for number, (file_id, row) in enumerate(zip(file_ids, kept, strict=True))
                    if row.status == "image" and number % 3 == 0
                ],
                run_id=run_id,
            )


@pytest.fixture(scope="module", params=BACKENDS)
def synthetic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    """One synthetic case per backend for the whole module (the tests only read it)."""
    database, name, server = None, "", ""
    if request.param == "postgresql":
        import psycopg
        from sqlalchemy import make_url

        server = request.getfixturevalue("pg_server")
        name = f"cbis_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(libpq_url(server), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")  # type: ignore[arg-type]
        database = make_url(server).set(database=name).render_as_string(hide_password=False)
    directory = tmp_path_factory.mktemp("listing") / "case"
    case = create_case(directory, number="L-19", examiner="Test Examiner", database=database)
    try:
        _write_case(case)
        if case.engine.dialect.name == "postgresql":
            with case.engine.connect() as connection:  # as autovacuum would on a real case: planner statistics
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        with case.engine.connect() as connection:
            connection.info["case_dir"] = directory  # for the viewer's tests
            yield connection
    finally:
        case.close()
        if name:
            with psycopg.connect(libpq_url(server), autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]


FILTERS = {
    "all images": SearchFilters(),
    "label dog (WordNet: every breed)": SearchFilters(label="dog"),
    "label terrier": SearchFilters(label="terrier"),
    "label of a class with two labels": SearchFilters(label="tiny lapdog"),
    "label chihuahua": SearchFilters(label="Chihuahua"),
    "label with no match": SearchFilters(label="zzz no such label"),
    "label and GPS": SearchFilters(label="dog", has_gps=True),
    "score": SearchFilters(min_score=0.6),
    "make": SearchFilters(make="canon"),
    "dates": SearchFilters(date_from="2016", date_to="2019-06"),
    "unprocessed": SearchFilters(unprocessed=True),
    "label, make and dates": SearchFilters(label="dog", make="Apple", date_from="2015"),
}


def straightforward(connection: Connection, filters: SearchFilters, sort: str) -> list[int]:
    """The whole list in one ORDER BY, the label's words matched on every prediction."""
    assert filters.label_classes is None
    model_id = queries.model_for(connection, filters)
    listed = queries.filtered_query(filters, model_id).subquery("filtered")
    return list(connection.execute(select(listed.c.id).order_by(*queries.ordering(listed.c, sort))).scalars())


def ids(hits: list[Any]) -> list[int]:
    return [hit.id for hit in hits]


@pytest.mark.slow
@pytest.mark.parametrize("sort", queries.SORTS)
def test_fast_paths_list_what_the_straightforward_query_lists(synthetic: Connection, sort: str) -> None:
    for name, filters in FILTERS.items():
        expected = straightforward(synthetic, filters, sort)
        if name != "label with no match":
            assert len(expected) > 20, f"the synthetic case must give {name!r} something to list"
        assert ids(queries.search(synthetic, filters, limit=None, sort=sort)) == expected, name
        assert queries.count(synthetic, filters) == len(expected), name
        page = 37
        for offset in (0, page, 5 * page, max(len(expected) - 3, 0)):
            got = queries.search(synthetic, filters, limit=page, offset=offset, sort=sort)
            assert ids(got) == expected[offset : offset + page], (name, offset)
        # Keyset pages: the whole list forwards by `after`, and back by `before`, a page at a time.
        walked: list[int] = []
        page = 150
        hits = queries.search(synthetic, filters, limit=page, sort=sort)
        while hits:
            walked.extend(ids(hits))
            hits = queries.search(synthetic, filters, limit=page, sort=sort, after=hits[-1].id)
        assert walked == expected, name
        if expected:
            back: list[int] = []
            hits = queries.search(synthetic, filters, limit=page, sort=sort, before=expected[-1])
            while hits:
                back[:0] = ids(hits)
                hits = queries.search(synthetic, filters, limit=page, sort=sort, before=hits[0].id)
            assert back == expected[:-1], name


@pytest.mark.parametrize("sort", queries.SORTS)
def test_previous_next_and_place_are_those_of_the_whole_list(synthetic: Connection, sort: str) -> None:
    model_id = queries.model_for(synthetic, SearchFilters())
    everything = straightforward(synthetic, SearchFilters(), sort)
    for name in ("all images", "label dog (WordNet: every breed)", "label and GPS", "dates"):
        filters = FILTERS[name]
        expected = straightforward(synthetic, filters, sort)
        chosen = replace(filters, model_id=model_id)
        for index in (0, 1, len(expected) // 2, len(expected) - 1):
            file_id = expected[index]
            place = viewer.position(synthetic, chosen, sort, file_id)
            assert place == viewer.Position(
                index=index + 1,
                total=len(expected),
                previous_id=expected[index - 1] if index > 0 else None,
                next_id=expected[index + 1] if index + 1 < len(expected) else None,
            ), (name, index)
        outside = sorted(set(everything) - set(expected))
        if outside:
            assert viewer.position(synthetic, chosen, sort, outside[0]) is None, name
        # A keyset page may start at any file, one the filters leave out included: the rows after it in order.
        kept = set(expected)
        for anchor in everything[:: max(1, len(everything) // 4)]:
            rank = everything.index(anchor)
            after = [i for i in everything[rank + 1 :] if i in kept][:10]
            assert ids(queries.search(synthetic, filters, limit=10, sort=sort, after=anchor)) == after, name


def test_a_label_is_resolved_to_the_model_classes_that_carry_it(synthetic: Connection) -> None:
    model_id = queries.model_for(synthetic, SearchFilters())
    two = queries.label_classes(synthetic, "tiny lapdog", model_id)
    assert two.wnids == [TWO_LABELS] and two.labels == ["tiny lapdog"]
    assert not two.by_class  # the class also has the label "Chihuahua": its label still decides
    one = queries.label_classes(synthetic, "retriever", model_id)
    assert one.by_class and len(one.wnids) >= 2 and all("retriever" in label.lower() for label in one.labels)
    # Every (model, class, label) the predictions hold is in model_classes, kept by the database's triggers.
    pairs = set(synthetic.exec_driver_sql("SELECT DISTINCT model_id, wnid, label FROM predictions").all())
    assert pairs and pairs == set(synthetic.exec_driver_sql("SELECT model_id, wnid, label FROM model_classes").all())


# --- query plans: no filter that has an index falls back to a full scan, on either database ---


def statements(connection: Connection, action: Any) -> list[tuple[str, Any]]:
    """The SQL statements (with their parameters) `action` runs on this connection."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return seen


def plan(connection: Connection, statement: str, parameters: Any) -> str:
    """The statement's plan as text: SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN with sequential scans and
    sorts made as dear as can be, so that the plan shows whether an index *can* serve it (on a small table the
    planner would rightly scan it anyway)."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(row[-1]) for row in rows)
    connection.exec_driver_sql("SET enable_seqscan = off")
    connection.exec_driver_sql("SET enable_sort = off")
    connection.exec_driver_sql("SET enable_bitmapscan = off")
    try:
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    finally:
        connection.exec_driver_sql("RESET ALL")
    return "\n".join(row[0] for row in rows)


def full_scans(connection: Connection, text: str, tables: tuple[str, ...]) -> list[str]:
    lines = text.splitlines()
    if connection.dialect.name == "sqlite":
        return [line for line in lines if any(line.strip() == f"SCAN {table}" for table in tables)]
    return [line for line in lines if any(f"Seq Scan on {table}" in line for table in tables)]


def whole_sorts(connection: Connection, text: str) -> int:
    """How many sorts of a whole input the plan holds. Not counted: SQLite's "RIGHT PART OF ORDER BY" and
    PostgreSQL's Incremental Sort, which sort the ties of an order read from an index (files of one date taken)."""
    if connection.dialect.name == "sqlite":
        return text.count("USE TEMP B-TREE FOR ORDER BY")
    return sum(1 for line in text.splitlines() if re.match(r"\s*(->\s+)?Sort  \(", line))


def sorts_whole_list(connection: Connection, text: str) -> bool:
    return whole_sorts(connection, text) > 0


LISTING_TABLES = ("files", "predictions", "exif")


@pytest.mark.parametrize(
    "filters",
    [  # selective filters: for a third of the case ("dog") reading the model's predictions may be the better plan
        SearchFilters(label="retriever"),
        SearchFilters(label="tiny lapdog"),
        SearchFilters(hash="0" * 64),
        SearchFilters(label="terrier", date_from="2016"),
    ],
    ids=["label by class", "label of a class with two labels", "hash", "label and date"],
)
def test_indexed_filters_count_without_a_full_scan(synthetic: Connection, filters: SearchFilters) -> None:
    seen = statements(synthetic, lambda: queries.count(synthetic, filters))
    counted = [(sql, parameters) for sql, parameters in seen if "count(" in sql.lower()]
    assert counted
    for sql, parameters in counted:
        text = plan(synthetic, sql, parameters)
        assert not full_scans(synthetic, text, ("predictions",)), text
        if filters.label:
            # By class (ix_predictions_model_wnid), or each file's own predictions by key: never every prediction
            # of the model, as the words test needed (through ix_predictions_model_rank, or a scan).
            assert "ix_predictions_model_rank" not in text, text
            assert "ix_predictions_model_wnid" in text or "predictions_pkey" in text or "autoindex_predictions" in text
        if filters.hash:
            assert not full_scans(synthetic, text, LISTING_TABLES), text


def test_a_file_s_anomaly_facts_group_only_its_own_perceptual_hashes(synthetic: Connection) -> None:
    """The image page's reasons (`facts_of`) and a report's anomalies, 500 files at a time, group the perceptual
    hashes of the files asked for: over every file's it was a pass over the whole table each time."""
    ids = [hit.id for hit in queries.search(synthetic, SearchFilters(), limit=3)]
    seen = statements(synthetic, lambda: anomalies_db.facts_by_id(synthetic, ids))
    assert seen
    for sql, parameters in seen:
        text = plan(synthetic, sql, parameters)
        if synthetic.dialect.name == "sqlite":
            assert "SEARCH perceptual_hashes" in text and "SCAN perceptual_hashes" not in text, text
        else:  # sequential scans off: a whole-table read shows as an index scan without a condition
            lines = text.splitlines()
            scans = [n for n, line in enumerate(lines) if " on perceptual_hashes" in line]
            assert scans, text
            for n in scans:
                assert "Index Cond" in lines[n + 1] and "file_id" in lines[n + 1], text


def test_a_page_in_path_order_is_read_from_the_index_not_sorted(synthetic: Connection) -> None:
    for filters in (SearchFilters(), SearchFilters(label="dog"), SearchFilters(make="Canon")):
        seen = statements(synthetic, lambda f=filters: queries.search(synthetic, f, limit=60, offset=0))
        pages = [(sql, parameters) for sql, parameters in seen if "ORDER BY" in sql and "evidence_id =" in sql]
        assert pages, [sql for sql, _ in seen]
        for sql, parameters in pages:
            text = plan(synthetic, sql, parameters)
            assert not sorts_whole_list(synthetic, text), text
            assert "ix_files_listing" in text, text
            assert not full_scans(synthetic, text, LISTING_TABLES), text


@pytest.mark.parametrize(
    ("sort", "index", "ordered_by"),
    [
        ("date", "ix_exif_date_taken", "ORDER BY coalesce(exif.datetime_original"),
        ("score", "ix_predictions_model_rank_score", "ORDER BY top1.score"),
    ],
    ids=["date", "score"],
)
@pytest.mark.parametrize(
    "filters", [SearchFilters(), SearchFilters(label="dog"), SearchFilters(make="Canon")], ids=["all", "label", "make"]
)
def test_a_page_in_date_or_score_order_is_read_from_its_index_not_sorted(
    synthetic: Connection, filters: SearchFilters, sort: str, index: str, ordered_by: str
) -> None:
    anchor = straightforward(synthetic, filters, sort)[100]
    pages: list[dict[str, int]] = [{"limit": 60}, {"limit": 60, "after": anchor}, {"limit": 60, "before": anchor}]
    if filters == SearchFilters():
        # A page by number under a filter sorts what the filter keeps instead (queries._sorting_skips_less).
        pages.append({"limit": 60, "offset": 120})
    for page in pages:
        seen = statements(synthetic, lambda f=filters, p=page: queries.search(synthetic, f, sort=sort, **p))
        ordered = [(sql, parameters) for sql, parameters in seen if ordered_by in sql]
        assert ordered, [sql for sql, _ in seen]
        for sql, parameters in ordered:
            text = plan(synthetic, sql, parameters)
            assert index in text, (page, text)
            # A page from an offset may sort its own rows, read by id: the rows it skips are read in order.
            assert whole_sorts(synthetic, text) <= (1 if "offset" in page else 0), (page, text)
            assert not full_scans(synthetic, text, LISTING_TABLES), (page, text)


# --- counts within a budget (db/estimates.py) ---

SAMPLE = 600  # of the case's ~2,100 files: an estimate, not the whole case
LONG_STATEMENT = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000000) SELECT count(*) FROM n"
)


def _files(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(File)).scalar_one()


def test_a_time_limit_stops_a_long_statement_and_the_connection_goes_on(synthetic: Connection) -> None:
    def timeout() -> Any:
        if synthetic.dialect.name != "postgresql":
            return None
        return synthetic.exec_driver_sql("SELECT current_setting('statement_timeout')").scalar_one()

    before = timeout()
    started = time.monotonic()
    with pytest.raises(estimates.OverBudget), estimates.time_limit(synthetic, 0.05):
        synthetic.execute(LONG_STATEMENT)  # 200 million rows: tens of seconds if nothing stopped it
    assert time.monotonic() - started < 5
    assert timeout() == before
    assert _files(synthetic) > SAMPLE  # the connection (and its transaction) still works
    with estimates.time_limit(synthetic, 30):  # in time: the answer, and the limit gone after it
        assert _files(synthetic) > SAMPLE
    assert timeout() == before
    assert synthetic.execute(text("SELECT 1")).scalar_one() == 1
    assert estimates.within(synthetic, 0.05, lambda: synthetic.execute(LONG_STATEMENT).scalar_one()) is None
    assert estimates.within(synthetic, 30, lambda: _files(synthetic)) == _files(synthetic)


@pytest.mark.parametrize(
    "name", ["all images", "label dog (WordNet: every breed)", "label and GPS", "score", "make", "dates"]
)
def test_an_estimate_holds_the_exact_count_within_its_margin(synthetic: Connection, name: str) -> None:
    filters = FILTERS[name]
    exact = queries.count(synthetic, filters)
    postgresql = synthetic.dialect.name == "postgresql"
    setting = "SELECT current_setting('random_page_cost')"
    cost = synthetic.exec_driver_sql(setting).scalar_one() if postgresql else None
    found = estimates.estimate(synthetic, filters, sample_files=SAMPLE)
    estimates.sampled_anchor(synthetic, filters, "date", 0.5, sample_files=SAMPLE)
    assert (synthetic.exec_driver_sql(setting).scalar_one() if postgresql else None) == cost  # as it was
    files = _files(synthetic)
    assert not found.exact and found.of == files
    assert SAMPLE * 0.8 <= found.sampled <= SAMPLE, found
    assert abs(found.value - exact) <= found.margin, (exact, found)
    assert found.margin < files / 4, found  # a margin that says something
    assert estimates.count_within(synthetic, filters, 0, sample_files=SAMPLE) == found
    assert estimates.count_within(synthetic, filters, 30, sample_files=SAMPLE) == estimates.Count(exact)
    assert estimates.estimate(synthetic, filters, sample_files=files * 2) == estimates.Count(exact)


def test_an_estimate_of_what_nothing_matches_is_none_with_a_margin(synthetic: Connection) -> None:
    found = estimates.estimate(synthetic, FILTERS["label with no match"], sample_files=SAMPLE)
    assert (found.value, found.exact) == (0, False)
    assert 0 < found.margin < _files(synthetic) / 20


def test_the_viewer_shows_estimates_past_its_budget_and_exact_counts_on_request(synthetic: Connection) -> None:
    from cbis.web import create_app

    case_dir = synthetic.info["case_dir"]
    dog = SearchFilters(label="dog")
    exact = queries.count(synthetic, dog)
    estimate = estimates.estimate(synthetic, dog, sample_files=SAMPLE)
    first = straightforward(synthetic, replace(dog), "path")[0]
    hurried = create_app(case_dir, {"TESTING": True, "COUNT_BUDGET_S": 0, "COUNT_SAMPLE_FILES": SAMPLE}).test_client()
    page = hurried.get("/?label=dog").get_data(as_text=True)
    assert f"about {estimate.value:,}" in page and f"± {estimate.margin:,}, estimated" in page, page
    assert f"{exact:,}</strong>" not in page
    assert 'href="/?label=dog&amp;count=exact"' in page
    assert f'href="/image/{first}' in page  # the page itself is listed as ever
    image = hurried.get(f"/image/{first}?label=dog").get_data(as_text=True)
    assert 'of <span class="estimate"' in image and f"about {estimate.value:,}" in image, image
    assert "one of <span" in image and "Results (from this file)" in image  # no time to count the files before it
    past = hurried.get("/?label=dog&page=500").get_data(as_text=True)
    assert "the list ends before it" in past
    counted = hurried.get("/?label=dog&count=exact").get_data(as_text=True)
    assert f"<strong>{exact:,}</strong> files" in counted and "estimated" not in counted
    # Counted exactly once, the count is kept while the case is unchanged: the next pages give it at once.
    again = hurried.get("/?label=dog&page=2").get_data(as_text=True)
    assert f"<strong>{exact:,}</strong> files" in again and "estimated" not in again.split("</strong> files")[0]
    patient = create_app(case_dir, {"TESTING": True, "COUNT_BUDGET_S": 60}).test_client()
    page = patient.get("/?label=dog").get_data(as_text=True)
    assert f"<strong>{exact:,}</strong> files" in page and "count exactly" not in page
    image = patient.get(f"/image/{first}?label=dog").get_data(as_text=True)
    assert f"1 of {exact:,}" in image


@pytest.mark.parametrize("sort", queries.SORTS)
def test_the_csv_export_reads_the_list_in_chunks_in_its_order(synthetic: Connection, sort: str) -> None:
    for filters in (SearchFilters(), SearchFilters(label="dog"), SearchFilters(make="Canon", date_from="2016")):
        expected = straightforward(synthetic, filters, sort)
        paths = dict(synthetic.execute(select(File.id, File.path)).all())
        rows = list(viewer.file_report_rows(synthetic, filters, sort, chunk=97))
        assert [row["path"] for row in rows] == [paths[file_id] for file_id in expected], filters
        assert len(rows) > 97 * 3 and all(row["mtime"] == "2020-01-01T00:00:00Z" for row in rows)


def _page_ids(html: str) -> list[int]:
    return list(dict.fromkeys(int(found) for found in re.findall(r'href="/image/(\d+)', html)))


@pytest.mark.parametrize("sort", queries.SORTS)
@pytest.mark.parametrize("query", ["", "label=dog&"], ids=["all", "label"])
def test_a_deep_page_past_the_budget_is_found_from_the_sample_and_said_to_be_about_there(
    synthetic: Connection, sort: str, query: str
) -> None:
    from cbis.web import create_app

    filters = SearchFilters(label="dog") if query else SearchFilters()
    whole = straightforward(synthetic, filters, sort)
    number = len(whole) // 2 // 24 + 1  # a page half-way down
    offset = (number - 1) * 24
    settings = {"COUNT_SAMPLE_FILES": SAMPLE, "JUMP_FROM_ROWS": 100, "PAGE_BUDGET_S": 0}
    hurried = create_app(synthetic.info["case_dir"], {"TESTING": True, "COUNT_BUDGET_S": 0, **settings})
    url = f"/?{query}sort={sort}&per_page=24&page={number}"
    page = hurried.test_client().get(url).get_data(as_text=True)
    listed = _page_ids(page)
    assert f"about {number:,}</span>" in page and "exact page and count" in page
    start = whole.index(listed[0])
    assert listed == whole[start : start + 24]  # a run of the list, in its order
    assert abs(start - offset) <= len(whole) // 5, (start, offset, len(whole))
    exact = hurried.test_client().get(url + "&count=exact").get_data(as_text=True)
    assert _page_ids(exact) == whole[offset : offset + 24] and "about" not in exact.split("labels from")[0]
    # Counted exactly in time, the page is still found by its number while that is quick
    patient = create_app(
        synthetic.info["case_dir"], {"TESTING": True, **settings, "COUNT_BUDGET_S": 60, "PAGE_BUDGET_S": 30}
    )
    assert _page_ids(patient.test_client().get(url).get_data(as_text=True)) == whole[offset : offset + 24]


def test_the_faces_page_pages_by_keyset_and_finds_a_deep_page_from_the_sample(synthetic: Connection) -> None:
    """The faces page lists what the gallery lists with faces=1, 60 files a page: next and previous after and
    before a file, and a page by number past the budget found from the sample, as the gallery does."""
    from cbis.web import create_app

    whole = straightforward(synthetic, SearchFilters(min_faces=1), "path")
    assert len(whole) > 60 * 4
    patient = create_app(synthetic.info["case_dir"], {"TESTING": True, "COUNT_BUDGET_S": 60}).test_client()
    first = patient.get("/faces").get_data(as_text=True)
    assert _page_ids(first) == whole[:60] and f"({len(whole):,} images with faces)" in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert f"after={whole[59]}" in next_url and "page=2" in next_url
    second = patient.get(next_url).get_data(as_text=True)
    assert _page_ids(second) == whole[60:120]
    previous_url = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert _page_ids(patient.get(previous_url).get_data(as_text=True)) == whole[:60]
    assert _page_ids(patient.get("/faces?page=3").get_data(as_text=True)) == whole[120:180]
    number = len(whole) // 2 // 60 + 1
    settings = {"COUNT_SAMPLE_FILES": SAMPLE, "JUMP_FROM_ROWS": 100, "PAGE_BUDGET_S": 0, "COUNT_BUDGET_S": 0}
    hurried = create_app(synthetic.info["case_dir"], {"TESTING": True, **settings}).test_client()
    deep = hurried.get(f"/faces?page={number}").get_data(as_text=True)
    listed = _page_ids(deep)
    assert f"about {number:,}</span>" in deep
    start = whole.index(listed[0])
    assert listed == whole[start : start + 60] and abs(start - (number - 1) * 60) <= len(whole) // 5
    exact = hurried.get(f"/faces?page={number}&count=exact").get_data(as_text=True)
    assert _page_ids(exact) == whole[(number - 1) * 60 : number * 60]


def test_a_page_by_number_that_ran_past_its_time_is_not_tried_again_at_that_depth(synthetic: Connection) -> None:
    """A list whose page by number ran past its time is found from the sample at once at that depth and deeper,
    instead of spending the budget again on every request; nearer its start, and for another list, it is tried."""
    slow = text(  # counting to 10^8 one row at a time: seconds on either database
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT count(*) FROM n"
    )
    tried: list[int] = []

    def by_number() -> int:
        tried.append(1)
        return int(synthetic.execute(slow).scalar_one())

    def quick() -> int:
        tried.append(1)
        return 7

    # What is remembered lasts while the case is unchanged; on PostgreSQL that is while nothing is written on the
    # whole server (db/freshness.py), where the other tests write too: an attempt counts only when nothing was.
    for _ in range(50):
        tried.clear()
        key = ("a list", uuid.uuid4().hex)
        token = freshness.state_token(synthetic)
        started = time.monotonic()
        assert estimates.page_within(synthetic, key, 5000, 0.05, by_number) is None and len(tried) == 1
        assert time.monotonic() - started < 5  # it was stopped, not run to its end
        again = estimates.page_within(synthetic, key, 5000, 0.05, quick), len(tried)
        deeper = estimates.page_within(synthetic, key, 9000, 0.05, quick), len(tried)
        assert estimates.page_within(synthetic, key, 100, 0.05, quick) == 7  # nearer the start: always tried
        assert estimates.page_within(synthetic, ("another list",), 5000, 0.05, quick) == 7
        if freshness.state_token(synthetic) == token:
            break
    else:
        pytest.fail("the database was written to during every attempt")
    assert again == (None, 1)  # not tried again
    assert deeper == (None, 1)  # nor deeper
    assert len(tried) == 3


def test_the_report_s_predictions_are_those_of_one_query_ordering_them_all(synthetic: Connection) -> None:
    """prediction.csv's rows, read file by file in report order with a lookup by key per thousand files, are the
    rows and the order of the one query that joins and sorts every prediction (unprocessed files have none)."""
    model_id = queries.model_for(synthetic, SearchFilters())
    assert model_id is not None
    joined = (
        select(File.path, File.sha256, Prediction.rank, Prediction.label, Prediction.wnid, Prediction.score,
               Model.name.label("model"))
        .join(Prediction, Prediction.file_id == File.id)
        .join(Model, Model.id == Prediction.model_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(Prediction.model_id == model_id)
        .order_by(queries.byte_order(Evidence.root), queries.byte_order(File.path), File.id, Prediction.rank)
    )  # fmt: skip
    expected = [dict(row) for row in synthetic.execute(joined).mappings()]
    assert len({row["sha256"] for row in expected}) > 1000  # more files than one lookup takes
    assert list(queries.prediction_rows(synthetic, model_id)) == expected
    assert list(queries.prediction_rows(synthetic, model_id + 1000)) == []  # no such model: no rows


def test_the_report_and_verify_queries_stream_their_rows(synthetic: Connection) -> None:
    """Each query a report or `verify` reads whole is fetched STREAMED_ROWS at a time: on PostgreSQL from a
    server-side cursor (the driver otherwise holds the whole result before the first row: 490 MB for a report of
    300,000 images against 120 MB streamed); SQLite steps through its result either way."""
    from cbis.db import engine, hashsets

    cursors: list[str] = []

    def seen(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        cursors.append(type(cursor).__name__)

    model_id = queries.model_for(synthetic, SearchFilters())
    assert model_id is not None
    readers = {
        "files": lambda: queries.file_rows(synthetic),
        "exif": lambda: queries.exif_rows(synthetic),
        "predictions": lambda: queries.prediction_rows(synthetic, model_id),
        "unprocessed": lambda: queries.unprocessed_rows(synthetic),
        "files under a root": lambda: queries.files_under(synthetic, queries.evidence_roots(synthetic)[0][0]),
        "hash-set matches": lambda: hashsets.report_rows(synthetic),
    }
    event.listen(synthetic, "before_cursor_execute", seen)
    try:
        for name, read in readers.items():
            cursors.clear()
            rows = list(read())
            assert rows or name == "hash-set matches", name
            if synthetic.dialect.name == "postgresql":  # the query read whole (predictions: looked up by key too)
                assert "ServerCursor" in cursors, (name, cursors)
    finally:
        event.remove(synthetic, "before_cursor_execute", seen)
    assert FILES_PER_ROOT * len(ROOTS) > engine.STREAMED_ROWS  # the synthetic case is more than one fetch
