"""The viewer reads while `cbis index` writes the same case (WAL): no errors, new rows on the next request."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from cbis.db import store
from cbis.db.engine import open_readwrite
from cbis.db.models import Evidence, Run
from cbis.services.cases import open_case
from cbis.services.indexer import IndexOptions, index_evidence
from cbis.web import create_app
from tests.web.conftest import ViewerCase

TOTAL = re.compile(r"<strong>([\d,]+)</strong> files?")


def images_listed(client) -> int:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    match = TOTAL.search(response.get_data(as_text=True))
    assert match
    return int(match.group(1).replace(",", ""))


def test_uncommitted_writes_do_not_block_or_show_and_committed_ones_appear(fresh_case: ViewerCase) -> None:
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()
    before = images_listed(client)
    writer = open_readwrite(fresh_case.database)
    try:
        with writer.connect() as connection:
            transaction = connection.begin()  # BEGIN IMMEDIATE: the writer holds the write lock
            evidence_id = connection.execute(select(Evidence.id)).scalar_one()
            run_id = connection.execute(select(Run.id)).scalar_one()
            row = store.FileRow(
                path="late/new.jpg",
                path_bytes=b"late/new.jpg",
                extension="jpg",
                size=1,
                mtime_ns=0,
                mtime="",
                ctime="",
                atime="",
                status="image",
                sha256="0" * 64,
                format="jpeg",
                width=1,
                height=1,
                exif={"make": "Late Camera", "tags": {}},
            )
            store.write_files(connection, [row], evidence_id=evidence_id, run_id=run_id)
            for url in ("/", "/overview", "/export/files.csv", f"/image/{fresh_case.ids['camera/Canon_40D.jpg']}"):
                assert client.get(url).status_code == 200, url
            assert images_listed(client) == before
            transaction.commit()
        assert images_listed(client) == before + 1
        assert "Late Camera" in client.get("/overview").get_data(as_text=True)
        assert "late/new.jpg" in client.get("/?make=late").get_data(as_text=True)
    finally:
        writer.dispose()


def test_pages_render_throughout_a_real_index_run(fresh_case: ViewerCase, tmp_path: Path) -> None:
    more = tmp_path / "more-evidence"
    more.mkdir()
    for index in range(40):
        Image.new("RGB", (32, 24), (index * 6, 90, 200)).save(more / f"new_{index:02d}.jpg", "JPEG")
    shutil.copy(fresh_case.evidence / "gps" / "DSCN0010.jpg", more / "gps-copy.jpg")
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()
    before = images_listed(client)
    failures: list[BaseException] = []

    def index() -> None:
        case = open_case(fresh_case.case_dir)
        try:
            index_evidence(case, more, IndexOptions(classify=False, workers=2, batch_size=2))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            case.close()

    thread = threading.Thread(target=index)
    thread.start()
    seen = []
    while thread.is_alive() or not seen:
        for url in ("/", "/overview", "/export/files.csv", "/?has_gps=1"):
            assert client.get(url).status_code == 200, url
        seen.append(images_listed(client))
    thread.join()
    assert not failures
    assert seen == sorted(seen)  # counts only grow while the indexer commits batch after batch
    assert images_listed(client) == before + 41
    assert "more-evidence" in client.get("/overview").get_data(as_text=True)
