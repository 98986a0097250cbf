"""The viewer asked for what cannot exist: ids past any integer column (2**63, 2**64, 10**30, 2**31 on
PostgreSQL), negative and non-numeric ids, in every route that takes one and in `model=`; and Host headers other
than the served one. The answer is a 404 (or the 400 a bad filter gets), never a 500, on SQLite and PostgreSQL,
with and without a logged-in examiner (whose every request is written to the access log)."""

from __future__ import annotations

import html
import http.client
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from cbis.db.access import access_log_records
from cbis.services.cases import open_case
from cbis.services.indexer import IndexOptions, index_evidence
from cbis.services.users import add_user
from cbis.web import LOOPBACK_HOSTS, create_app
from tests.web.conftest import MODEL_A, classify
from tests.web.test_cli_serve import serving

PASSWORD = "a long examiner passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Each as it appears in a URL. 2**31 - 1 and 2**63 - 1 are the last ids PostgreSQL and SQLite can hold.
IMPOSSIBLE_IDS = [str(2**63), str(2**64), str(10**30), "9" * 5000, str(2**31), str(2**31 - 1), str(2**63 - 1)]
MALFORMED_IDS = ["-1", "-9223372036854775809", "abc", "1.5", "0x10", "1e3", "%201", "1%00"]
LARGEST_ID = {"sqlite": 2**63 - 1, "postgresql": 2**31 - 1}


def file_urls(file_id: str) -> list[str]:
    return [f"/image/{file_id}", *(f"/file/{file_id}/{kind}" for kind in ("thumb.jpg", "display.jpg", "original"))]


def model_urls(model_id: str, real_file: int) -> list[str]:
    return [
        f"/?model={model_id}",
        f"/overview?model={model_id}",
        f"/image/{real_file}?model={model_id}",
        f"/export/files.csv?model={model_id}",
    ]


def indexed_case(make_case: Callable[..., Path], evidence: Path) -> tuple[Path, int]:
    """A case on this test's backend with the sample evidence indexed and one model's predictions."""
    case_dir = make_case()
    case = open_case(case_dir)
    try:
        index_evidence(case, evidence, IndexOptions(classify=False, workers=1))
    finally:
        case.close()
    return case_dir, classify(case_dir, MODEL_A)


def log_in(client: FlaskClient, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = html.unescape(CSRF.search(page).group(1))  # type: ignore[union-attr]
    response = client.post("/login", data={"csrf_token": token, "username": username, "password": password})
    assert response.status_code == 303, response.status


@pytest.mark.parametrize("logged_in", [False, True], ids=["open", "logged-in"])
def test_ids_no_row_can_have_are_404_never_500(
    make_case: Callable[..., Path], evidence: Path, backend: str, logged_in: bool
) -> None:
    case_dir, model_id = indexed_case(make_case, evidence)
    if logged_in:
        case = open_case(case_dir)
        try:
            add_user(case, "examiner", PASSWORD)
        finally:
            case.close()
    client = create_app(case_dir).test_client()  # not TESTING: an exception is the 500 a browser would get
    if logged_in:
        log_in(client, "examiner", PASSWORD)
    real_file = 1
    assert client.get(f"/image/{real_file}").status_code == 200
    # What an id that no row has gets: the same answer for every impossible one.
    unknown_model = {url.split("?")[0]: client.get(url).status_code for url in model_urls("999999", real_file)}
    assert unknown_model == {"/": 400, "/overview": 200, f"/image/{real_file}": 200, "/export/files.csv": 400}
    answers: dict[str, int] = {}
    for file_id in IMPOSSIBLE_IDS + MALFORMED_IDS:
        for url in file_urls(file_id):
            answers[url] = client.get(url).status_code
    for model in IMPOSSIBLE_IDS + MALFORMED_IDS:
        if model == "%201":
            continue  # int(" 1") is 1: that is model 1, which exists
        for url in model_urls(model, real_file):
            status = client.get(url).status_code
            assert status == unknown_model[url.split("?")[0]], (url[:80], status)
    for extra in ("page", "per_page"):
        for value in IMPOSSIBLE_IDS + MALFORMED_IDS:
            for url in (f"/?{extra}={value}", f"/image/{real_file}?{extra}={value}"):
                answers[url] = client.get(url).status_code
    assert not {url[:80]: status for url, status in answers.items() if status >= 500}
    assert {status for url, status in answers.items() if url.startswith(("/image/9", "/image/2", "/file/"))} == {404}
    assert {answers[f"/?page={value}"] for value in IMPOSSIBLE_IDS + MALFORMED_IDS} == {200}  # the last page
    if logged_in:  # every one of those requests was logged; the id a column cannot hold only in the path
        logged = {record.path: record for record in read_access_log(case_dir)}
        for file_id in IMPOSSIBLE_IDS:
            if len(file_id) > 4000:  # more digits than Python turns into an int: not routed at all
                assert f"/image/{file_id}"[:2000] not in logged
                continue
            record = logged[f"/image/{file_id}"]
            assert record.status == 404 and record.event == "view"
            assert record.file_id == (int(file_id) if int(file_id) <= LARGEST_ID[backend] else None)
    assert model_id > 0


def read_access_log(case_dir: Path) -> list:  # type: ignore[type-arg]
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return access_log_records(connection)
    finally:
        case.close()


def every_route(file_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/"),
        ("GET", "/overview"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("GET", "/export/files.csv"),
        ("GET", "/static/style.css"),
        ("GET", "/no/such/page"),
        ("PUT", "/"),
        *(("GET", url) for url in file_urls(str(file_id))),
        ("HEAD", f"/image/{file_id}"),
    ]


FOREIGN_HOSTS = ("attacker.example", "attacker.example:8000", "127.0.0.1.attacker.example", "a b")


@pytest.mark.parametrize("accounts", [False, True], ids=["no-accounts", "accounts"])
def test_a_foreign_host_header_is_400_on_every_route(case_dir: Path, accounts: bool) -> None:
    if accounts:
        case = open_case(case_dir)
        try:
            add_user(case, "examiner", PASSWORD)
        finally:
            case.close()
    app = create_app(case_dir)
    app.config["TRUSTED_HOSTS"] = LOOPBACK_HOSTS  # as `cbis serve` on 127.0.0.1 sets it
    client = app.test_client()
    for method, url in every_route(1):
        assert client.open(url, method=method, headers={"Host": "localhost:8000"}).status_code < 500, (method, url)
        for host in FOREIGN_HOSTS:
            response = client.open(url, method=method, headers={"Host": host})
            assert response.status_code == 400, (method, url, host, response.status)
            assert b"Traceback" not in response.data


def test_a_real_server_with_accounts_answers_foreign_hosts_400(case_dir: Path) -> None:
    case = open_case(case_dir)
    try:
        add_user(case, "examiner", PASSWORD)
    finally:
        case.close()
    with serving(case_dir) as (url, errors):
        port = int(url.rsplit(":", 1)[1].strip("/"))
        answers = {}
        for method, path in every_route(1):
            for host in (f"localhost:{port}", f"attacker.example:{port}"):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    connection.request(method, path, headers={"Host": host})
                    answers[(host.split(":")[0], method, path)] = connection.getresponse().status
                finally:
                    connection.close()
    foreign = {key: status for key, status in answers.items() if key[0] == "attacker.example"}
    assert set(foreign.values()) == {400}, foreign
    local = {key: status for key, status in answers.items() if key[0] == "localhost"}
    assert max(local.values()) < 500 and local[("localhost", "GET", "/login")] == 200, local
    assert not any("Traceback" in line for line in errors), errors


FILTERS = ("label", "make", "camera_model", "min_score", "from", "to", "hash", "sort", "model", "per_page", "page")


def test_control_characters_in_filters_are_a_400_never_500(make_case: Callable[..., Path], evidence: Path) -> None:
    """PostgreSQL refuses a NUL in any text it is given, even to compare (before: /?label=%00 was a 500)."""
    case_dir, _ = indexed_case(make_case, evidence)
    client = create_app(case_dir).test_client()
    for name in FILTERS:
        for value in ("a%00b", "%1b%5b2J", "%e2%80%ae", "a%c2%85b"):
            for path in ("/", "/overview", "/image/1") if value == "a%00b" else ("/",):
                response = client.get(f"{path}?{name}={value}")
                assert response.status_code < 500, (path, name, value)
                if path == "/" and name in FILTERS[:7]:
                    assert response.status_code == 400, (path, name, value)
            if name in FILTERS[:7]:  # the export is streamed: a failure would come after the 200, in the body
                exported = client.get(f"/export/files.csv?{name}={value}")
                assert exported.status_code == 400, (name, value)
