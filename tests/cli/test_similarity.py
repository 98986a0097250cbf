"""The similarity index beside the case (`CASE_DIR/similarity/`), `cbis similarity rebuild`, and `--similar-to`
with an image from outside the case: real model, real photos, real case files.

EXACT_BELOW is set to 0 here so that these five-image cases use the index, as a case of 20,000 images would."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cbis.db import similarity_index as index_search  # the read side: what a search consults
from tests.conftest import tree_fingerprint
from tests.helpers import cbis

pytestmark = pytest.mark.slow

MODEL_DATA = Path(__file__).resolve().parents[1] / "data" / "model"


@pytest.fixture(autouse=True)
def index_every_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_search, "EXACT_BELOW", 0)


def _photos(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(MODEL_DATA / "chelsea.png", root / "chelsea.png")
    shutil.copy(MODEL_DATA / "coffee.png", root / "coffee.png")
    with Image.open(MODEL_DATA / "chelsea.png") as chelsea:
        chelsea.convert("RGB").save(root / "chelsea.jpg", quality=85)
        chelsea.convert("RGB").resize((200, 150)).save(root / "chelsea-small.jpg", quality=80)
    with Image.open(MODEL_DATA / "coffee.png") as coffee:
        coffee.convert("RGB").save(root / "coffee.jpg", quality=85)
    return root


@pytest.fixture
def indexed(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    evidence = _photos(tmp_path / "evidence")
    case_dir = tmp_path / "case"
    assert cbis("case", "new", case_dir, "--number", "S-1", "--examiner", "E").exit_code == 0
    result = cbis("index", evidence, "--case", case_dir)
    assert result.exit_code == 0, result.output
    yield case_dir, evidence


def ranking(case_dir: Path, reference: str | Path, *extra: str) -> tuple[list[tuple[str, float]], str]:
    result = cbis("search", "--case", case_dir, "--json", "--similar-to", reference, *extra)
    assert result.exit_code == 0, result.output
    return [(hit["path"], hit["similarity"]) for hit in map(json.loads, result.stdout.splitlines())], result.stderr


def exact_ranking(case_dir: Path, reference: str | Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    with monkeypatch.context() as patch:
        patch.setattr(index_search, "EXACT_BELOW", 10**9)
        hits, note = ranking(case_dir, reference)
    assert note == ""
    return hits


def manifest(case_dir: Path) -> dict:
    [path] = (case_dir / "similarity").glob("model-*.json")
    return json.loads(path.read_text())


def current_ids(case_dir: Path) -> list[int]:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        return [
            row[0]
            for row in connection.execute(
                "SELECT file_id FROM embeddings JOIN files ON files.id = file_id WHERE status = 'image' ORDER BY 1"
            )
        ]


def index_keys(case_dir: Path) -> list[int]:
    from usearch.index import Index

    index = Index.restore(str(case_dir / "similarity" / manifest(case_dir)["index_file"]), view=True)
    return sorted(int(key) for key in np.asarray(index.keys))


def test_the_index_is_written_beside_the_case_and_agrees_with_exact_search(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir, _ = indexed
    recorded = manifest(case_dir)
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        [(model_id, name, weights)] = connection.execute("SELECT id, name, weights_sha256 FROM models").fetchall()
    assert (recorded["model_id"], recorded["model_name"], recorded["weights_sha256"]) == (model_id, name, weights)
    assert recorded["dim"] == 1280 and recorded["count"] == 5 and recorded["max_file_id"] == max(current_ids(case_dir))
    assert recorded["library"] == "usearch" and recorded["library_version"]
    index_file = case_dir / "similarity" / recorded["index_file"]
    assert hashlib.sha256(index_file.read_bytes()).hexdigest() == recorded["index_sha256"]
    assert index_keys(case_dir) == current_ids(case_dir)
    for reference in ("chelsea.png", "coffee.jpg"):
        from_index, note = ranking(case_dir, reference)
        assert note == "", note  # the index answered: no fallback was needed
        assert from_index == exact_ranking(case_dir, reference, monkeypatch)
    cats = [path for path, _ in ranking(case_dir, "chelsea.png")[0]][:3]
    assert set(cats) == {"chelsea.png", "chelsea.jpg", "chelsea-small.jpg"}


def test_a_second_index_run_adds_new_files_and_drops_replaced_ones(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir, evidence = indexed
    before = current_ids(case_dir)
    with Image.open(MODEL_DATA / "chelsea.png") as chelsea:
        chelsea.convert("RGB").rotate(90, expand=True).save(evidence / "new-cat.jpg", quality=90)
    # chelsea.jpg replaced by a coffee picture: its old row (and vector) must never come back as a cat
    with Image.open(MODEL_DATA / "coffee.png") as coffee:
        coffee.convert("RGB").resize((300, 300)).save(evidence / "chelsea.jpg", quality=70)
    result = cbis("index", evidence, "--case", case_dir)
    assert result.exit_code == 0, result.output
    after = current_ids(case_dir)
    assert len(after) == 6 and set(after) != set(before)
    assert index_keys(case_dir) == after
    assert manifest(case_dir)["count"] == 6
    hits, note = ranking(case_dir, "chelsea.png")
    assert note == ""
    assert hits == exact_ranking(case_dir, "chelsea.png", monkeypatch)
    order = [path for path, _ in hits]
    assert order.index("new-cat.jpg") < order.index("chelsea.jpg")  # the replaced file is a coffee now
    # a run that stores nothing new keeps the index file and moves the manifest on to the new run
    written = manifest(case_dir)
    assert cbis("index", evidence, "--case", case_dir).exit_code == 0
    assert manifest(case_dir)["index_file"] == written["index_file"]
    assert manifest(case_dir)["last_run_id"] == written["last_run_id"] + 1
    assert ranking(case_dir, "chelsea.png") == (hits, "")


def test_a_deleted_or_damaged_index_is_never_trusted_and_is_rebuilt(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir, evidence = indexed
    expected = exact_ranking(case_dir, "chelsea.png", monkeypatch)
    index_file = case_dir / "similarity" / manifest(case_dir)["index_file"]
    data = bytearray(index_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    index_file.write_bytes(bytes(data))
    hits, note = ranking(case_dir, "chelsea.png")
    assert hits == expected and "SHA-256 differs" in note and "exact search was used" in note
    rebuilt = cbis("similarity", "rebuild", "--case", case_dir)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "built, 5 vectors" in rebuilt.stdout
    assert ranking(case_dir, "chelsea.png") == (expected, "")

    (case_dir / "similarity" / manifest(case_dir)["index_file"]).unlink()
    hits, note = ranking(case_dir, "chelsea.png")
    assert hits == expected and "missing" in note
    again = cbis("index", evidence, "--case", case_dir)  # nothing new: the run still repairs the index
    assert again.exit_code == 0, again.output
    assert ranking(case_dir, "chelsea.png") == (expected, "")
    assert len(list((case_dir / "similarity").iterdir())) == 2  # one manifest, one index file: no leftovers

    (case_dir / "similarity" / manifest(case_dir)["index_file"]).write_bytes(b"")
    (case_dir / "similarity" / "model-1.json").write_text("{not json")
    hits, note = ranking(case_dir, "chelsea.png")
    assert hits == expected and "manifest cannot be read" in note
    assert cbis("index", evidence, "--case", case_dir).exit_code == 0
    assert ranking(case_dir, "chelsea.png") == (expected, "")
    assert len(list((case_dir / "similarity").iterdir())) == 2  # the file the unreadable manifest named is gone


def test_a_search_hashes_the_index_file_only_when_it_is_not_as_written(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million images the index is gigabytes: a search that finds it as it was written (size, inode and
    modification time in the manifest) does not hash it again; a file touched since is hashed before use."""
    case_dir, _ = indexed
    hashed: list[Path] = []
    real = index_search._sha256

    def counted(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(index_search, "_sha256", counted)
    expected, note = ranking(case_dir, "chelsea.png")
    assert note == "" and hashed == []
    index_file = case_dir / "similarity" / manifest(case_dir)["index_file"]
    index_file.write_bytes(index_file.read_bytes())  # the same bytes, rewritten: a new modification time
    assert ranking(case_dir, "chelsea.png") == (expected, "")
    assert hashed == [index_file]


def _case_state(case_dir: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def test_an_image_from_outside_the_case_is_embedded_for_the_query_and_only_audited(
    indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    case_dir, evidence = indexed
    brought = tmp_path / "brought" / "suspect cat.jpg"
    brought.parent.mkdir()
    with Image.open(MODEL_DATA / "chelsea.png") as chelsea:
        chelsea.convert("RGB").crop((20, 10, 430, 290)).save(brought, quality=75)
    digest = hashlib.sha256(brought.read_bytes()).hexdigest()
    state, evidence_before = _case_state(case_dir), tree_fingerprint(evidence)
    files_before = sorted(p.name for p in case_dir.rglob("*") if not p.name.startswith("case.sqlite"))
    hits, note = ranking(case_dir, brought)
    assert note == ""
    order = [path for path, _ in hits]
    assert set(order[:3]) == {"chelsea.png", "chelsea.jpg", "chelsea-small.jpg"}, hits
    assert hits[0][1] < 0.9999  # not one of the case's own files
    after = _case_state(case_dir)
    audit = after.pop("audit_log")
    assert {k: v for k, v in state.items() if k != "audit_log"} == after
    assert len(audit) == len(state["audit_log"]) + 2  # started, then the outcome
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        [(command, outcome)] = connection.execute(
            "SELECT command, outcome FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchall()
    assert "--similar-to" in command and digest in outcome and "outside the case" in outcome
    assert "not stored" in outcome
    assert tree_fingerprint(evidence) == evidence_before
    assert sorted(p.name for p in case_dir.rglob("*") if not p.name.startswith("case.sqlite")) == files_before
    # a path below the evidence root still means the recorded file, and one it does not hold is refused, not read
    assert ranking(case_dir, evidence / "coffee.png")[0][0][0] in ("coffee.png", "coffee.jpg")
    shutil.copy(brought, evidence / "not-indexed.jpg")
    refused = cbis("search", "--case", case_dir, "--similar-to", evidence / "not-indexed.jpg")
    assert refused.exit_code == 2 and "no file in this case" in refused.stderr
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    unreadable = cbis("search", "--case", case_dir, "--similar-to", text)
    assert unreadable.exit_code == 2 and "not an image" in unreadable.stderr and "Traceback" not in unreadable.output


def test_similarity_rebuild_on_both_backends(backend_case: Path, tmp_path: Path) -> None:
    evidence = _photos(tmp_path / "evidence")
    assert cbis("index", evidence, "--case", backend_case).exit_code == 0
    shutil.rmtree(backend_case / "similarity")
    expected, note = ranking(backend_case, "chelsea.png")
    assert "no similarity index" in note
    result = cbis("similarity", "rebuild", "--case", backend_case)
    assert result.exit_code == 0, result.output
    assert "efficientnet-lite0: built, 5 vectors" in result.stdout
    assert ranking(backend_case, "chelsea.png") == (expected, "")
    audit = cbis("case", "info", "--case", backend_case)
    assert audit.exit_code == 0
    assert cbis("similarity", "--help").exit_code == 0


def test_searches_in_one_process_open_the_index_once_while_its_file_is_as_it_was_checked(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The viewer searches on every image page: the index is opened (memory-mapped and checked) once, and again
    only when its file has changed or the manifest names another."""
    case_dir, _ = indexed
    opened: list[str] = []
    real = index_search.load_index

    def counted(case_dir: Path, manifest: index_search.Manifest, *, view: bool) -> tuple[object, str]:
        opened.append(manifest.index_file)
        return real(case_dir, manifest, view=view)

    monkeypatch.setattr(index_search, "load_index", counted)
    expected = ranking(case_dir, "chelsea.png")
    assert expected[1] == "" and ranking(case_dir, "chelsea.png") == expected and len(opened) == 1
    index_file = case_dir / "similarity" / manifest(case_dir)["index_file"]
    index_file.write_bytes(index_file.read_bytes())  # the same bytes, a new modification time: checked again
    assert ranking(case_dir, "chelsea.png") == expected and len(opened) == 2
    data = bytearray(index_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    index_file.write_bytes(bytes(data))
    hits, note = ranking(case_dir, "chelsea.png")
    assert hits == expected[0] and "SHA-256 differs" in note and len(opened) == 3  # never the view held before
    assert cbis("similarity", "rebuild", "--case", case_dir).exit_code == 0
    assert ranking(case_dir, "chelsea.png") == expected and opened[-1] == manifest(case_dir)["index_file"]
    held = [path for path in index_search._VIEWS if path.parent == index_file.parent.resolve()]
    assert [path.name for path in held] == [manifest(case_dir)["index_file"]]


def test_a_limited_or_filtered_similarity_search_is_the_head_of_the_full_ranking(tmp_path: Path) -> None:
    """The neighbours are narrowed by the filters before any is listed, and only the page is listed: the same
    files, similarities and order as the full ranking (identical pictures tie, in path order)."""
    evidence = _photos(tmp_path / "evidence")
    shutil.copy(evidence / "chelsea.png", evidence / "a-copy.png")
    case_dir = tmp_path / "case"
    assert cbis("case", "new", case_dir, "--number", "S-2", "--examiner", "E").exit_code == 0
    assert cbis("index", evidence, "--case", case_dir).exit_code == 0
    full, note = ranking(case_dir, "chelsea.png")
    assert note == "" and len(full) == 6
    assert [path for path, _ in full[:2]] == ["a-copy.png", "chelsea.png"] and full[0][1] == full[1][1]
    for limit in (1, 2, 3, 5):
        assert ranking(case_dir, "chelsea.png", "--limit", str(limit)) == (full[:limit], "")
    digest = hashlib.sha256((evidence / "coffee.jpg").read_bytes()).hexdigest()
    assert ranking(case_dir, "chelsea.png", "--hash", digest) == ([hit for hit in full if hit[0] == "coffee.jpg"], "")


def _write_embedded_files(case_dir: Path, vectors: np.ndarray, makes: list[str | None]) -> list[str]:
    """One image per vector (stored as float16, as the model's are), written through the store; their SHA-256s."""
    from cbis.db import store
    from cbis.records import Classification, PredictionRow
    from cbis.services.cases import open_case, utc_now
    from tests.db.support import model_provenance

    provenance = model_provenance("synthetic")
    case = open_case(case_dir)
    digests = [hashlib.sha256(f"file {n}".encode()).hexdigest() for n in range(len(vectors))]
    try:
        with case.engine.begin() as connection:
            now = utc_now()
            ids = store.run_analyzer_ids(connection, "imagenet", "1", Classification, provenance, provenance, now)
            root = store.evidence_id_for(connection, "/evidence", b"/evidence", now)
            run_id = store.start_run(connection, root, [ids], now)
            rows = [
                store.FileRow(
                    path=f"img_{n:04d}.jpg",
                    path_bytes=f"img_{n:04d}.jpg".encode(),
                    extension="jpg",
                    size=100,
                    mtime_ns=0,
                    mtime="2020-01-01T00:00:00Z",
                    ctime="2020-01-01T00:00:00Z",
                    atime="2020-01-01T00:00:00Z",
                    status="image",
                    md5=digest[:32],
                    sha1=digest[:40],
                    sha256=digest,
                    format="jpeg",
                    width=64,
                    height=64,
                    error=None,
                    exif={"make": make, "tags": {}},
                )
                for n, (digest, make) in enumerate(zip(digests, makes, strict=True))
            ]
            file_ids = store.write_files(connection, rows, evidence_id=root, run_id=run_id)
            outputs = [
                (file_id, Classification([PredictionRow(1, "n02085620", "Chihuahua", 0.5)], vector.tobytes(), 64))
                for file_id, vector in zip(file_ids, vectors.astype("<f2"), strict=True)
            ]
            store.write_outputs(connection, ids, outputs, run_id=run_id)
    finally:
        case.close()
    return digests


def test_an_index_search_scores_only_the_neighbours_that_can_be_listed_and_lists_what_exact_search_does(
    backend_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Of the index's thousand candidates only those that could be on the page are read back and scored: in the
    index's order, until the page is full and no unread one is within the index's rounding bound of its last.
    Forty neighbours lie within that bound of each other (every one is read for any page) and three are exact
    copies of the query (a tie, listed in path order): every page, filtered or not, is the exact ranking's head,
    with the same similarities, to the last digit."""
    from cbis.db import similarity
    from cbis.db.queries import SearchFilters
    from cbis.services import similarity_index
    from cbis.services.cases import open_case
    from cbis.services.search import search_case

    rng = np.random.default_rng(19)
    query = rng.standard_normal(64)
    near = query + rng.standard_normal((40, 64)) * rng.uniform(0.002, 0.006, (40, 1))
    far = rng.standard_normal((357, 64))
    vectors = np.concatenate([far[:100], near[:20], [query] * 2, far[100:], near[20:], [query]])
    makes = ["Canon" if n % 3 == 0 else None for n in range(len(vectors))]
    digests = _write_embedded_files(backend_case, vectors, makes)
    case = open_case(backend_case)
    try:
        similarity_index.rebuild_indexes(case)
    finally:
        case.close()

    def listed(filters: SearchFilters, limit: int) -> list[tuple[str, float | None]]:
        case = open_case(backend_case, readonly=True)
        notes: list[str] = []
        try:
            hits, _ = search_case(case, filters, limit=limit, similar_to=digests[-1], on_note=notes.append)
        finally:
            case.close()
        assert notes == [], notes  # the index answered
        return [(hit.path, hit.similarity) for hit in hits]

    read: list[int] = []
    real = similarity.embeddings_of

    def counted(connection, model_id, file_ids):  # type: ignore[no-untyped-def]
        read.extend(file_ids)
        return real(connection, model_id, file_ids)

    for filters in (SearchFilters(), SearchFilters(make="canon")):
        with monkeypatch.context() as patch:
            patch.setattr(index_search, "EXACT_BELOW", 10**9)
            exact = listed(filters, 100)
        assert len(exact) == 100
        copy_paths = ("img_0120.jpg", "img_0121.jpg", f"img_{len(vectors) - 1:04d}.jpg")
        copies = [path for path, _ in exact if path in copy_paths]
        assert [path for path, _ in exact[: len(copies)]] == sorted(copies)  # the tie at the top, in path order
        monkeypatch.setattr(similarity, "embeddings_of", counted)
        # The near ones and the copies: the graph finds all of these; which far ones it finds is its recall.
        close = sum(1 for _, similarity_ in exact if similarity_ is not None and similarity_ > 0.9)
        assert close > 10
        for limit in (1, 2, 3, 10, close):
            read.clear()
            assert listed(filters, limit) == exact[:limit], (filters, limit)
            assert 0 < len(read) <= limit + 60, (filters, limit, len(read))  # not the thousand candidates
        monkeypatch.setattr(similarity, "embeddings_of", real)
