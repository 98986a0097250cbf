"""The viewer is safe to point at hostile evidence and to bind to a LAN: escaping, headers, methods, paths."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text

from cbis.db import store
from cbis.db.engine import open_readwrite
from cbis.db.models import Evidence, Run
from cbis.web import CONTENT_SECURITY_POLICY, create_app
from cbis.web.db import ENGINE_KEY
from tests.conftest import tree_fingerprint
from tests.web.conftest import HOSTILE_PATHS, IMG_ONERROR, PAYLOADS, SCRIPT, ViewerCase, database_state, sha256_of

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "img-src 'self' data:; style-src 'self'"
)


def assert_escaped(html: str, payload: str, *, at_least: int = 1) -> None:
    assert payload not in html, "a payload reached the page unescaped"
    assert "<script>alert" not in html and "<img src=x" not in html
    assert html.count(str(escape(payload))) >= at_least


def crawl(client: FlaskClient, case: ViewerCase) -> list[tuple[str, object]]:
    """Every kind of page and file the viewer serves, for checks that must hold on all responses."""
    urls = ["/", "/?per_page=240", "/overview", "/export/files.csv", "/static/style.css", "/static/keys.js"]
    urls += ["/static/map/world-110m.svg", "/image/999999", "/nope", "/?min_score=x", "/?label=%3Cscript%3E"]
    for file_id in case.ids.values():
        urls += [f"/image/{file_id}", f"/file/{file_id}/thumb.jpg", f"/file/{file_id}/display.jpg"]
        urls.append(f"/file/{file_id}/original")
    return [(url, client.get(url)) for url in urls]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_exif_file_names_and_labels_are_escaped(
    client: FlaskClient, shared_case: ViewerCase, payload: str
) -> None:
    file_id = shared_case.ids[HOSTILE_PATHS[payload]]
    escaped = str(escape(payload))
    page = client.get(f"/image/{file_id}").get_data(as_text=True)
    assert_escaped(page, payload, at_least=10)
    # Each EXIF text field, the tags_json table, the prediction label (chart and table) and the file name.
    source = ' <span class="source" title="where this value came from">EXIF</span></td></tr>'
    for field in ("make", "model", "lens", "software"):
        assert f"<tr><th>{field}</th><td>{escaped}{source}" in page
    assert f'<tr><th>body serial</th><td class="mono">{escaped}{source}' in page
    assert f'<tr><th scope="row">ImageDescription</th><td class="wrap">{escaped}</td></tr>' in page
    assert f"<title>{escaped}: " in page  # the prediction bar's full label
    assert str(escape(HOSTILE_PATHS[payload])) in page
    gallery = client.get("/?per_page=240").get_data(as_text=True)
    assert_escaped(gallery, payload, at_least=3)
    overview = client.get("/overview").get_data(as_text=True)
    assert_escaped(overview, payload, at_least=2)  # label chart and camera chart
    # Reflected through the query string: the form, the filter chip and the listing.
    reflected = client.get("/", query_string={"label": payload, "make": payload}).get_data(as_text=True)
    assert_escaped(reflected, payload, at_least=4)
    assert f'value="{escaped}"' in reflected


def test_every_response_carries_the_security_headers(client: FlaskClient, shared_case: ViewerCase) -> None:
    responses = crawl(client, shared_case)
    responses += [("POST /", client.post("/")), ("HEAD /", client.head("/"))]
    statuses = set()
    for url, response in responses:
        statuses.add(response.status_code)
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith(EXPECTED_CSP), url
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Referrer-Policy"] == "no-referrer", url
        assert headers["X-Frame-Options"] == "DENY", url
    assert CONTENT_SECURITY_POLICY.startswith(EXPECTED_CSP)
    assert {200, 400, 404, 405} <= statuses


class _Tags(HTMLParser):
    """Collects what a browser would run or style from the markup itself."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name in names:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{name}= on <{tag}>")
        for name, value in attrs:
            if name in ("href", "src") and value and value.strip().lower().startswith(("javascript:", "data:text")):
                self.problems.append(f"{name}={value}")


def test_no_inline_script_handlers_or_styles(client: FlaskClient, shared_case: ViewerCase) -> None:
    for url, response in crawl(client, shared_case):
        if response.mimetype == "text/html":
            parser = _Tags()
            parser.feed(response.get_data(as_text=True))
            assert parser.problems == [], url


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("url", ["/", "/image/1", "/overview", "/export/files.csv", "/file/2/original", "/x"])
def test_only_get_and_head(client: FlaskClient, method: str, url: str) -> None:
    response = client.open(url, method=method, data={"label": "x"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_head_answers_without_a_body(client: FlaskClient) -> None:
    response = client.head("/")
    assert response.status_code == 200 and response.data == b""


@pytest.mark.parametrize(
    "url",
    [
        "/image/0",
        "/image/999999",
        "/image/-1",
        "/image/1.5",
        "/image/%2e%2e",
        "/file/999999/original",
        "/file/999999/thumb.jpg",
        "/file/-3/display.jpg",
        "/file/..%2F..%2Fcase.sqlite/original",
        "/file/%2e%2e/%2e%2e/case.sqlite",
        "/file/2/../../case.sqlite",
        "/static/../case.sqlite",
        "/static/%2e%2e/%2e%2e/%2e%2e/case.sqlite",
        "/static/..%2f..%2f..%2fcase.sqlite",
        "/static//etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/file/2/original/../../../../etc/passwd",
    ],
)
def test_traversal_urls_and_unknown_ids_are_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, url
    assert b"SQLite format 3" not in response.data and b"root:" not in response.data


def test_recorded_paths_that_leave_the_root_are_never_served(fresh_case: ViewerCase, tmp_path: Path) -> None:
    """Rows whose path_bytes escape the evidence root, go through links or name non-files: 404 for bytes."""
    evidence = fresh_case.evidence
    outside = tmp_path / "outside.jpg"
    outside.write_bytes((evidence / "camera" / "Canon_40D.jpg").read_bytes())
    (tmp_path / "outside-dir").mkdir()
    (tmp_path / "outside-dir" / "outside.jpg").write_bytes(outside.read_bytes())
    # The walker records links but does not index them; rows pointing at them simulate a tampered case.
    (evidence / "link-out.jpg").symlink_to(outside)
    (evidence / "link-in.jpg").symlink_to(evidence / "camera" / "Canon_40D.jpg")
    (evidence / "linkdir").symlink_to(tmp_path / "outside-dir", target_is_directory=True)
    os.mkfifo(evidence / "fifo.jpg")
    bad_paths = [
        b"../outside.jpg",
        b"camera/../../outside.jpg",
        os.fsencode(outside),
        b"link-out.jpg",
        b"link-in.jpg",
        b"linkdir/outside.jpg",
        b"camera",
        b"fifo.jpg",
        b"./camera/Canon_40D.jpg",
        b"camera//Canon_40D.jpg",
        b"camera/Canon_40D.jpg\x00.png",
        b"",
    ]
    sha256 = sha256_of(outside)
    engine = open_readwrite(fresh_case.database)
    with engine.begin() as connection:
        evidence_id = connection.execute(select(Evidence.id)).scalar_one()
        run_id = connection.execute(select(Run.id)).scalar_one()
        rows = [
            store.FileRow(
                path=f"bad-{index}",
                path_bytes=path,
                extension="jpg",
                size=outside.stat().st_size,
                mtime_ns=0,
                mtime="",
                ctime="",
                atime="",
                status="image",
                sha256=sha256,
                format="jpeg",
                width=100,
                height=68,
            )
            for index, path in enumerate(bad_paths)
        ]
        store.write_files(connection, rows, evidence_id=evidence_id, run_id=run_id)
        ids = dict(connection.execute(text("SELECT path, id FROM files WHERE path LIKE 'bad-%'")).all())
    engine.dispose()
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()
    for index, path in enumerate(bad_paths):
        file_id = ids[f"bad-{index}"]
        for kind in ("original", "thumb.jpg", "display.jpg"):
            response = client.get(f"/file/{file_id}/{kind}")
            assert response.status_code == 404, (path, kind)
        assert client.get(f"/image/{file_id}").status_code == 200  # the record itself can be shown
    assert not (fresh_case.case_dir / "thumbnails").exists() or not any(
        name.startswith(sha256) for name in os.listdir(fresh_case.case_dir / "thumbnails")
    )


def test_nothing_the_viewer_does_changes_the_case_or_the_evidence(client: FlaskClient, shared_case: ViewerCase) -> None:
    database = database_state(shared_case.database)
    before = tree_fingerprint(shared_case.evidence)
    responses = crawl(client, shared_case)
    assert all(response.status_code != 500 for _, response in responses)
    assert database_state(shared_case.database) == database
    assert tree_fingerprint(shared_case.evidence) == before


def test_the_app_engine_cannot_write(app) -> None:  # type: ignore[no-untyped-def]
    with app.extensions[ENGINE_KEY].connect() as connection, pytest.raises(sa_exc.OperationalError, match="readonly"):
        connection.execute(text("INSERT INTO evidence (root, root_bytes, first_indexed_at) VALUES ('x', x'00', 'y')"))


def test_the_viewer_never_imports_tensorflow(shared_case: ViewerCase) -> None:
    script = (
        "import sys\n"
        "import cbis.web, cbis.cli.serve\n"
        "from cbis.web import create_app\n"
        "client = create_app(sys.argv[1]).test_client()\n"
        "for url in ('/', '/overview', '/image/2', '/file/2/thumb.jpg', '/export/files.csv'):\n"
        "    assert client.get(url).status_code == 200, url\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
        "assert 'keras' not in sys.modules, 'keras imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(shared_case.case_dir)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_downloads_name_hostile_files_safely(client: FlaskClient, shared_case: ViewerCase) -> None:
    for payload in (SCRIPT, IMG_ONERROR):
        response = client.get(f"/file/{shared_case.ids[HOSTILE_PATHS[payload]]}/original")
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment; filename=")
        name = disposition.split("filename=", 1)[1]
        assert name.count('"') in (0, 2) and "\n" not in disposition and "/" not in name.strip('"')
