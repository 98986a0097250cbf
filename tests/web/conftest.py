"""Viewer fixtures: real cases built by the services (create_case, index_evidence) over a copy of the sample
evidence plus hostile and bulk images made with Pillow; predictions stored through the db layer's own writer
(`store.model_id_for`, `store.write_classifications`), so no test needs TensorFlow."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import Connection, func, select

from cbis.db import overview, store
from cbis.db.engine import open_readonly
from cbis.db.models import File, Run
from cbis.services.cases import create_case, open_case, utc_now
from cbis.services.indexer import IndexOptions, index_evidence
from cbis.web import create_app
from tests.conftest import EXAMPLES, tree_fingerprint

SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, IMG_ONERROR)
# Where each payload ends up as a file name (a "/" cannot be in a name, so the script tag spans a directory).
HOSTILE_PATHS = {SCRIPT: "hostile/<script>alert(1)</script>.jpg", IMG_ONERROR: f"hostile/{IMG_ONERROR}.jpg"}
LABELS = (
    ("n02123045", "tabby"),
    ("n02099601", "golden retriever"),
    ("n09428293", "seashore"),
    ("n03792782", "mountain bike"),
    ("n07920052", "espresso"),
    ("n04037443", "racer"),
)
BULK_IMAGES = 30  # more than one page of 24


def provenance(name: str, weights_sha256: str) -> dict[str, object]:
    return {
        "name": name,
        "architecture": f"{name} (test fixture)",
        "weights_sha256": weights_sha256,
        "weights_file": f"/models/{name}.pth",
        "source_package": f"{name}-weights",
        "source_version": "1.2.3",
        "tensorflow_version": "2.99.0",
        "keras_version": "3.99.0",
        "preprocessing": "resize to 224x224, (x - 127) / 128",
        "input_size": 224,
        "backend": "litert",
    }


MODEL_A = provenance("model-a", "a" * 64)
MODEL_B = provenance("model-b", "b" * 64)


def hostile_jpeg(path: Path, payload: str) -> None:
    """A real JPEG whose every EXIF text field (and ImageDescription, which only tags_json keeps) is the payload."""
    exif = Image.Exif()
    for tag in (0x010F, 0x0110, 0x0131, 0x010E):  # Make, Model, Software, ImageDescription
        exif[tag] = payload
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0xA434] = payload  # LensModel
    exif_ifd[0xA431] = payload  # BodySerialNumber
    exif_ifd[0x9003] = "2021:03:04 05:06:07"  # DateTimeOriginal
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path, "JPEG", exif=exif.tobytes())


def bulk_images(directory: Path) -> None:
    """Small JPEGs taken a month apart, so that paging and the timeline have something to show."""
    directory.mkdir(parents=True)
    for index in range(BULK_IMAGES):
        exif = Image.Exif()
        exif[0x010F] = "Acme"
        exif[0x0110] = "Bulk 1"
        year, month = 2019 + index // 12, index % 12 + 1
        exif.get_ifd(0x8769)[0x9003] = f"{year}:{month:02d}:15 12:00:00"
        colour = (index * 8 % 256, 120, 255 - index * 8 % 256)
        Image.new("RGB", (40, 30), colour).save(directory / f"bulk_{index:02d}.jpg", "JPEG", exif=exif.tobytes())


def classify(case_dir: Path, model: dict[str, object], *, shift: int = 0) -> int:
    """Store top-5 predictions for every image, as `cbis index` would, through the db layer's writer."""
    case = open_case(case_dir)
    try:
        with case.engine.begin() as connection:
            model_id = store.model_id_for(connection, model, utc_now())
            images = connection.execute(
                select(File.id, File.path).where(File.status == "image").order_by(File.path)
            ).all()
            items = []
            for index, (file_id, path) in enumerate(images):
                predictions = []
                for rank in range(1, 6):
                    wnid, label = LABELS[(index + shift + rank - 1) % len(LABELS)]
                    if rank == 1 and path in HOSTILE_PATHS.values():
                        label = next(p for p, hostile in HOSTILE_PATHS.items() if hostile == path)
                    score = round(0.9 / rank - (index % 7) * 0.01, 4)
                    predictions.append(store.PredictionRow(rank, wnid, label, score))
                items.append((file_id, store.Classification(predictions, b"", 0)))
            store.write_classifications(connection, items, model_id)
            # As if the last run had stored them: it keeps the overview's counts with its predictions.
            overview.record(connection, connection.execute(select(func.max(Run.id))).scalar_one())
        return model_id
    finally:
        case.close()


@dataclass
class ViewerCase:
    case_dir: Path
    evidence: Path
    ids: dict[str, int]  # path -> file id
    statuses: dict[str, tuple[str, str | None]]  # path -> (status, detected format), as indexed
    model_id: int

    @property
    def images(self) -> int:
        return sum(status == "image" for status, _ in self.statuses.values())

    def with_status(self, status: str) -> set[str]:
        return {path for path, (found, _) in self.statuses.items() if found == status}

    @property
    def database(self) -> Path:
        return self.case_dir / "case.sqlite"

    def paths(self) -> dict[int, str]:
        return {file_id: path for path, file_id in self.ids.items()}


def build_case(root: Path) -> ViewerCase:
    evidence = root / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    for payload, relative in HOSTILE_PATHS.items():
        hostile_jpeg(evidence / relative, payload)
    bulk_images(evidence / "bulk")
    case_dir = root / "case"
    create_case(case_dir, number="WEB-1", examiner="Web Examiner", description="viewer tests").close()
    case = open_case(case_dir)
    try:
        index_evidence(case, evidence, IndexOptions(classify=False, workers=2))
        with case.engine.connect() as connection:
            rows = connection.execute(select(File.id, File.path, File.status, File.format)).all()
    finally:
        case.close()
    model_id = classify(case_dir, MODEL_A)
    ids = {path: file_id for file_id, path, _, _ in rows}
    statuses = {path: (status, detected) for _, path, status, detected in rows}
    return ViewerCase(case_dir, evidence, ids, statuses, model_id)


@contextmanager
def reading(case: ViewerCase) -> Iterator[Connection]:
    """A read-only connection on the case, for tests to compare the viewer with the db layer's answers."""
    engine = open_readonly(case.database)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def database_state(database: Path) -> tuple[str, str, str]:
    """What a write to the case would change: its content, dumped through a read-only connection (which reads
    the WAL too), and the bytes of case.sqlite and of case.sqlite-wal.

    Hashing case.sqlite alone is not enough: in WAL mode a committed write sits in case.sqlite-wal until a
    checkpoint, so the main file stays byte-identical while the database has changed. The -shm file is left
    out: readers update their marks in it.
    """
    reader = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        content = hashlib.sha256("\n".join(reader.iterdump()).encode("utf-8", "surrogateescape")).hexdigest()
    finally:
        reader.close()
    wal = database.with_name(database.name + "-wal")
    return content, sha256_of(database), sha256_of(wal) if wal.exists() else ""


@pytest.fixture(scope="session")
def shared_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ViewerCase]:
    """One case for the tests that only read (the viewer cannot write to it); evidence checked unchanged."""
    built = build_case(tmp_path_factory.mktemp("viewer"))
    before = tree_fingerprint(built.evidence)
    database = database_state(built.database)
    yield built
    assert tree_fingerprint(built.evidence) == before, "the viewer changed the evidence tree"
    assert database_state(built.database) == database, "the viewer changed the case database"


@pytest.fixture
def fresh_case(tmp_path: Path) -> ViewerCase:
    """A case of this test's own, for tests that change the case or the evidence behind the viewer's back."""
    return build_case(tmp_path)


@pytest.fixture(scope="session")
def app(shared_case: ViewerCase) -> Flask:
    return create_app(shared_case.case_dir, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


LISTED = re.compile(r'<a class="name" href="/image/(\d+)')


def listed_ids(html: str) -> list[int]:
    """The file ids of the gallery's tiles, in order."""
    return [int(match) for match in LISTED.findall(html)]
