"""Examiner review from the viewer through the Flask test client, on SQLite and PostgreSQL: `POST /review` needs a
login and a CSRF token, appends one event per change naming the examiner (origin viewer, the web session), a
change made on a stale page is recorded as a conflict and each examiner sees the other's decision on reload, undo
sets the field back, and neither the browsing connection nor the review writer can write anything else."""

from __future__ import annotations

import html
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cbis.db import review as review_db
from cbis.services import review
from cbis.services.cases import open_case
from cbis.services.users import add_user
from cbis.web import create_app
from cbis.web.db import ENGINE_KEY
from cbis.web.review import ENGINE_KEY as REVIEW_ENGINE_KEY
from cbis.web.review import NO_ACCOUNT
from tests.helpers import cbis
from tests.web.test_auth import Browser, make_app

PASSWORDS = {"alice": "alice's long passphrase", "bob": "bob's longer passphrase"}
SEEN = re.compile(r'name="seen" value="(\d*)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def review_case(backend_case: Path, evidence: Path) -> Path:
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    case = open_case(backend_case)
    try:
        for name, password in PASSWORDS.items():
            add_user(case, name, password)
    finally:
        case.close()
    return backend_case


def image_ids(case_dir: Path) -> list[int]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return list(connection.execute(text("SELECT id FROM files WHERE status = 'image' ORDER BY path")).scalars())
    finally:
        case.close()


def events(case_dir: Path) -> list[review_db.StoredReviewEvent]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return list(review_db.events(connection))
    finally:
        case.close()


def state(case_dir: Path, file_id: int) -> review_db.ReviewState:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return review.review_state(connection, [file_id])[file_id]
    finally:
        case.close()


class Examiner:
    """One examiner's browser: logged in, reading a page's form fields, posting review changes."""

    def __init__(self, case_dir: Path, name: str) -> None:
        self.browser = Browser(make_app(case_dir))
        assert self.browser.login(name, PASSWORDS[name]).status_code == 303
        self.page = ""

    def load(self, url: str) -> str:
        response = self.browser.get(url)
        assert response.status_code == 200, response.status
        self.page = response.get_data(as_text=True)
        return self.page

    def post(self, file_ids: list[int] | None = None, **fields: str) -> int:
        csrf = html.unescape(CSRF.search(self.page).group(1))  # type: ignore[union-attr]
        data: dict[str, object] = {"csrf_token": csrf, "next": "/", **fields}
        if file_ids is not None:
            data["file"] = [str(i) for i in file_ids]
        if "seen" not in fields:
            found = SEEN.search(self.page)
            data["seen"] = found.group(1) if found else ""
        return self.browser.post("/review", data=data).status_code


def test_a_post_needs_a_login_and_its_csrf_token(review_case: Path) -> None:
    file_id = image_ids(review_case)[0]
    anonymous = Browser(make_app(review_case))
    token = anonymous.csrf()  # the login form's: a token, but no login
    refused = anonymous.post("/review", data={"csrf_token": token, "file": str(file_id), "set": "CAT-1"})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    alice = Examiner(review_case, "alice")
    alice.load(f"/image/{file_id}")
    no_token = alice.browser.post("/review", data={"file": str(file_id), "set": "CAT-1"})
    assert no_token.status_code == 400
    wrong = alice.browser.post("/review", data={"csrf_token": "x" * 43, "file": str(file_id), "set": "CAT-1"})
    assert wrong.status_code == 400
    as_get = alice.browser.get(f"/review?file={file_id}&set=CAT-1")
    assert as_get.status_code == 405
    assert events(review_case) == []


def test_a_post_appends_one_event_naming_the_examiner(review_case: Path) -> None:
    first, second = image_ids(review_case)[:2]
    alice = Examiner(review_case, "alice")
    page = alice.load(f"/image/{first}")
    assert 'id="review-category-form"' in page and "CAT-0</span> uncategorised" in page
    assert f'name="next" value="/image/{second}"' in page  # a category moves on to the next image
    assert f'name="next" value="/image/{first}"' in page  # a tag, a note, an undo come back here
    response = alice.browser.post(
        "/review",
        data={
            "csrf_token": html.unescape(CSRF.search(page).group(1)),  # type: ignore[union-attr]
            "file": str(first),
            "set": "CAT-1",
            "seen": SEEN.search(page).group(1),  # type: ignore[union-attr]
            "next": f"/image/{second}",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/image/{second}"  # advanced
    [event] = events(review_case)
    assert (event.file_id, event.kind, event.after_value, event.examiner, event.origin) == (
        first, "category", "CAT-1", "alice", "viewer",
    )  # fmt: skip
    assert event.based_on is None and not event.conflict
    case = open_case(review_case, readonly=True)
    try:
        with case.engine.connect() as connection:
            sessions = list(connection.execute(text("SELECT id FROM web_sessions WHERE username = 'alice'")).scalars())
    finally:
        case.close()
    assert event.session_id in sessions
    shown = alice.load(f"/image/{first}")
    assert "CAT-1</span> Child Abuse Material" in shown and "(by alice)" in shown
    # Tag, untag, note, a bad category (refused in a line, nothing appended), and the next change is based on
    # the last: no conflict within one examiner's own loop.
    assert alice.post([first], kind="tag_add", value="bedroom") == 303
    alice.load(f"/image/{first}")
    assert alice.post([first], kind="note", value="same window as the other") == 303
    alice.load(f"/image/{first}")
    assert alice.post([first], set="CAT-9") == 400
    assert alice.post([first], set="CAT-2") == 303
    after = state(review_case, first)
    assert (after.category, after.tags, after.note) == ("CAT-2", ("bedroom",), "same window as the other")
    assert after.conflicts == 0
    assert len(events(review_case)) == 4
    assert alice.post(kind="undo") == 303  # the last change only: CAT-2 back to CAT-1
    assert state(review_case, first).category == "CAT-1"
    undo = events(review_case)[-1]
    assert (undo.kind, undo.before_value, undo.after_value) == ("category", "CAT-2", "CAT-1")
    assert undo.based_on == undo.id - 1  # the event undone
    alice.load(f"/image/{first}")
    assert alice.post([first], kind="tag_remove", value="bedroom") == 303
    assert state(review_case, first).tags == ()
    result = cbis("verify", "--case", review_case)
    assert result.exit_code == 0, result.output


def test_two_examiners_on_one_stale_page_record_a_conflict_and_see_each_other(review_case: Path) -> None:
    file_id = image_ids(review_case)[0]
    alice, bob = Examiner(review_case, "alice"), Examiner(review_case, "bob")
    alice.load(f"/image/{file_id}")
    bob.load(f"/image/{file_id}")  # both pages show the file uncategorised
    assert alice.post([file_id], set="CAT-1") == 303
    assert bob.post([file_id], set="CAT-5") == 303  # from his page, which never showed alice's decision
    first, second = events(review_case)
    assert (first.examiner, first.conflict) == ("alice", False)
    assert (second.examiner, second.conflict, second.before_value, second.based_on) == ("bob", True, "CAT-1", None)
    for examiner in (alice, bob):
        page = examiner.load(f"/image/{file_id}")
        assert "CAT-5</span> Non-pertinent" in page and "(by bob)" in page  # the last one wins the state
        assert f"event {second.id}: bob set category to CAT-5 over CAT-1" in page  # and nothing is lost
    gallery = alice.load("/?category=CAT-5")
    assert f'data-file="{file_id}"' in gallery and ">conflict</span>" in gallery
    assert 'name="next" value="/?category=CAT-5"' in gallery
    overview = alice.load("/overview")
    assert 'id="overview-agreement"' in overview and "Weapons" in overview
    assert re.search(r'category=CAT-5">CAT-5</a></td><td>Non-pertinent.*?</td><td class="num">1</td>', overview)
    # A bulk change from the gallery: one event per selected file, each based on what the page showed.
    ids = image_ids(review_case)[1:3]
    alice.load("/")
    assert alice.post(ids, set="CAT-4") == 303
    assert [state(review_case, i).category for i in ids] == ["CAT-4", "CAT-4"]
    assert alice.post(kind="undo") == 303  # both, as one change
    assert [state(review_case, i).category for i in ids] == [None, None]
    case = open_case(review_case, readonly=True)
    try:
        with case.engine.connect() as connection:
            assert review.replay(connection).problems == []
    finally:
        case.close()


def test_the_browsing_connection_cannot_write_review_events(review_case: Path) -> None:
    app = create_app(review_case, {"TESTING": True})
    with app.app_context(), app.extensions[ENGINE_KEY].connect() as connection, pytest.raises(DBAPIError):
        connection.execute(
            text(
                "INSERT INTO review_events (file_id, kind, examiner, at, origin, conflict, prev_hash, row_hash) "
                "VALUES (1, 'category', 'x', 't', 'viewer', false, 'p', 'r')"
            )
        )
    assert events(review_case) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_review_writer_can_append_review_events_and_nothing_else(review_case: Path) -> None:
    # On SQLite by construction (an authorizer); on PostgreSQL the viewer role's grants (tests/db/test_postgres_role).
    app = create_app(review_case, {"TESTING": True})
    writer = app.extensions[REVIEW_ENGINE_KEY]
    for statement in (
        "UPDATE files SET sha256 = NULL",
        "DELETE FROM exif",
        "INSERT INTO web_sessions (id, username, created_at, last_seen_at) VALUES ('s', 'alice', 't', 't')",
        "INSERT INTO review_categories (code, name, description, pertinent, locked, created_at, created_by) "
        "VALUES ('X', 'x', '', 1, 0, 't', 'e')",
        "CREATE TABLE intruder (id integer)",
    ):
        with writer.begin() as connection, pytest.raises(DBAPIError, match="not authorized"):
            connection.execute(text(statement))
    file_id = image_ids(review_case)[0]
    with writer.begin() as connection:
        review.append_review_event(
            connection,
            review_db.NewReviewEvent(file_id, "category", "CAT-3", "alice", "viewer", "2026-01-01T00:00:00Z", None),
        )
    assert [e.after_value for e in events(review_case)] == ["CAT-3"]


def test_without_accounts_review_is_shown_read_only(backend_case: Path, evidence: Path) -> None:
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    file_id = image_ids(backend_case)[0]
    client = create_app(backend_case, {"TESTING": True}).test_client()
    page = client.get(f"/image/{file_id}").get_data(as_text=True)
    assert NO_ACCOUNT in html.unescape(page)
    assert 'id="review-category-form"' not in page
    assert NO_ACCOUNT in html.unescape(client.get("/").get_data(as_text=True))
    with client.session_transaction() as session:
        session["csrf"] = "t" * 43
    refused = client.post("/review", data={"csrf_token": "t" * 43, "file": str(file_id), "set": "CAT-1"})
    assert refused.status_code == 403 and "cbis user add" in refused.get_data(as_text=True)
    assert events(backend_case) == []


def test_a_hash_set_category_is_shown_as_the_sets_and_never_as_the_examiners(review_case: Path, tmp_path: Path) -> None:
    file_id = image_ids(review_case)[0]
    case = open_case(review_case, readonly=True)
    try:
        with case.engine.connect() as connection:
            md5, size = connection.execute(text("SELECT md5, size FROM files WHERE id = :i"), {"i": file_id}).one()
    finally:
        case.close()  # the digest as indexed: reading the evidence again would change its access time
    vics = tmp_path / "vics.json"
    vics.write_text(
        json.dumps(
            {
                "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
                "value": [{"MediaID": 7, "Category": 3, "MD5": md5, "MediaSize": size}],
            }
        )
    )
    result = cbis("hashset", "import", "PV-US", vics, "--kind", "notable", "--case", review_case)
    assert result.exit_code == 0, result.stderr
    alice = Examiner(review_case, "alice")
    page = alice.load(f"/image/{file_id}")
    assert "pre-categorised CAT-3 from PV-US" in page and "CAT-0</span> uncategorised" in page
    assert "pre CAT-3" in alice.load("/?notable=1")
    assert alice.post([file_id], set="CAT-4") == 303
    page = alice.load(f"/image/{file_id}")
    assert "CAT-4</span> Comparison / Exemplar" in page
    assert "pre-categorised CAT-3 from PV-US" in page and "category stands" in page
    assert state(review_case, file_id).category == "CAT-4"


def test_hostile_tags_and_notes_are_escaped_and_case_categories_get_the_next_keys(review_case: Path) -> None:
    file_id = image_ids(review_case)[0]
    case = open_case(review_case)
    try:
        with case.engine.begin() as connection:
            review.add_category(connection, "WEAPON", "Weapons seen", examiner="lead")
    finally:
        case.close()
    alice = Examiner(review_case, "alice")
    page = alice.load(f"/image/{file_id}")
    assert 'name="set" value="CAT-5" data-key="5"' in page and 'name="set" value="WEAPON" data-key="6"' in page
    script = "<script>alert(1)</script>"
    assert alice.post([file_id], kind="tag_add", value=script) == 303
    alice.load(f"/image/{file_id}")
    note = "line one\n" + "é" * 9_990  # a note of 10,000 characters fits the form's limit
    assert alice.post([file_id], kind="note", value=note) == 303
    for url in (f"/image/{file_id}", "/"):
        page = alice.load(url)
        assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert state(review_case, file_id).note == note
    assert alice.post([file_id], set="WEAPON") == 303
    assert state(review_case, file_id).category == "WEAPON"
    assert alice.post([file_id], kind="note", value="\x00") == 400  # refused in a line, as by the CLI


def test_simultaneous_posts_from_two_viewers_keep_the_chain_and_record_the_conflict(review_case: Path) -> None:
    ids = image_ids(review_case)
    alice, bob = Examiner(review_case, "alice"), Examiner(review_case, "bob")  # two viewer processes' apps
    alice.load("/")
    bob.load("/")  # the same state on both pages
    barrier = threading.Barrier(2)

    def post(examiner: Examiner, category: str) -> list[int]:
        barrier.wait()
        return [examiner.post([file_id], set=category) for file_id in ids]

    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(post, alice, "CAT-1"), pool.submit(post, bob, "CAT-5")]
        assert [future.result() for future in done] == [[303] * len(ids)] * 2
    stored = events(review_case)
    assert len(stored) == 2 * len(ids)
    for file_id in ids:
        mine = [e for e in stored if e.file_id == file_id]
        assert [e.conflict for e in mine] == [False, True]  # whoever came second wrote on a stale page
        assert mine[1].before_value == mine[0].after_value
    case = open_case(review_case, readonly=True)
    try:
        with case.engine.connect() as connection:
            assert review.replay(connection).problems == []
    finally:
        case.close()
