"""Wrong passwords against the viewer: many at once, from many addresses, against two `cbis serve` on one case,
and hundreds from people without an account. The limit holds (five failures in five minutes per address and
per user name), every password that was checked is in the access log, and what a refused attempt can add to the
case is bounded whatever it sends."""

from __future__ import annotations

import html
import http.client
import random
import re
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from cbis.db.access import AccessLogRecord, RefusalRecord, access_log_records, refusal_records
from cbis.services.cases import open_case
from cbis.services.users import add_user
from cbis.web import create_app
from tests.web.test_cli_serve import serving

PASSWORD = "the examiner's long passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LIMIT = 5


def add_accounts(case_dir: Path, *names: str) -> None:
    case = open_case(case_dir)
    try:
        for name in names:
            add_user(case, name, PASSWORD)
    finally:
        case.close()


def access_log(case_dir: Path) -> list[AccessLogRecord]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return access_log_records(connection)
    finally:
        case.close()


class LoginForm:
    """The login form of a real server: one browser's session cookie and CSRF token, posted from any loopback
    address (Linux answers the whole of 127.0.0.0/8), each post on a connection of its own."""

    def __init__(self, port: int) -> None:
        self.port = port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", "/login")
            response = connection.getresponse()
            page = response.read().decode()
            self.cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        finally:
            connection.close()
        self.token = html.unescape(CSRF.search(page).group(1))  # type: ignore[union-attr]

    def post(self, username: str, password: str, source: str = "127.0.0.1") -> int:
        body = urllib.parse.urlencode({"csrf_token": self.token, "username": username, "password": password})
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120, source_address=(source, 0))
        try:
            connection.request("POST", "/login", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()


def at_once(attempts: list[Callable[[], int]]) -> Counter[int]:
    """Run every attempt on its own thread, all released together; the statuses they got."""
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(attempt: Callable[[], int]) -> None:
        barrier.wait()
        status = attempt()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(statuses) == len(attempts)
    return Counter(statuses)


@pytest.fixture
def served(case_dir: Path) -> Iterator[tuple[Path, LoginForm]]:
    """`python -m cbis serve` (werkzeug, one thread per request) on a case with two examiner accounts."""
    add_accounts(case_dir, "alice", "bob")
    with serving(case_dir) as (url, _errors):
        yield case_dir, LoginForm(int(url.rsplit(":", 1)[1].strip("/")))


def refusals(case_dir: Path) -> list[RefusalRecord]:
    case = open_case(case_dir, readonly=True)
    try:
        with case.engine.connect() as connection:
            return refusal_records(connection)
    finally:
        case.close()


def failures(case_dir: Path) -> list[AccessLogRecord]:
    return [record for record in access_log(case_dir) if record.event == "login_failed"]


def test_twenty_simultaneous_wrong_passwords_for_one_account_get_five_checks(
    served: tuple[Path, LoginForm],
) -> None:
    case_dir, form = served
    statuses = at_once([lambda: form.post("alice", "not the password")] * 20)
    assert statuses == {401: LIMIT, 429: 20 - LIMIT}  # before: 20 checked, none refused
    assert len(failures(case_dir)) == LIMIT  # every password checked is logged
    # The right password is refused too now: it is not even checked.
    assert form.post("alice", PASSWORD) == 429


def test_simultaneous_guesses_from_twenty_addresses_count_for_the_one_user_name(
    served: tuple[Path, LoginForm],
) -> None:
    case_dir, form = served
    sources = [f"127.0.0.{n}" for n in range(2, 22)]
    statuses = at_once([lambda source=source: form.post("BOB", "not the password", source) for source in sources])
    assert statuses == {401: LIMIT, 429: 20 - LIMIT}  # user names without case: BOB is bob
    logged = failures(case_dir)
    assert len(logged) == LIMIT and len({record.remote_addr for record in logged}) == LIMIT
    assert form.post("alice", PASSWORD, "127.0.0.30") == 303  # another account is not affected


def test_simultaneous_guesses_at_twenty_user_names_count_for_the_one_address(
    served: tuple[Path, LoginForm],
) -> None:
    case_dir, form = served
    names = [f"user{n}" for n in range(20)]
    statuses = at_once([lambda name=name: form.post(name, "not the password", "127.0.0.40") for name in names])
    assert statuses == {401: LIMIT, 429: 20 - LIMIT}
    assert len(failures(case_dir)) == LIMIT
    assert form.post("alice", PASSWORD, "127.0.0.40") == 429  # this address has used its five
    assert form.post("alice", PASSWORD, "127.0.0.41") == 303


@pytest.mark.slow  # three server starts
def test_two_servers_on_one_case_share_the_limit(case_dir: Path) -> None:
    """The failures are the case's: a second `cbis serve` (or a restarted one) counts the first one's."""
    add_accounts(case_dir, "alice")
    with ExitStack() as stack:
        forms = []
        for _ in range(2):
            url, _errors = stack.enter_context(serving(case_dir))
            forms.append(LoginForm(int(url.rsplit(":", 1)[1].strip("/"))))
        statuses = [forms[n % 2].post("alice", "not the password") for n in range(12)]
    assert Counter(statuses) == {401: LIMIT, 429: 12 - LIMIT}  # before: 5 checked by each server
    with serving(case_dir) as (url, _errors):  # and after a restart
        assert LoginForm(int(url.rsplit(":", 1)[1].strip("/"))).post("alice", PASSWORD) == 429
    assert len(failures(case_dir)) == LIMIT
    # The refusals of all three processes: one window, one access log row.
    assert [(r.remote_addr, r.refused) for r in refusals(case_dir)] == [("127.0.0.1", 12 - LIMIT + 1)]
    assert [r.event for r in access_log(case_dir)].count("login_limited") == 1


# --- what people without an account can write to the case ---


def hostile_name(generator: random.Random) -> str:
    """A 200-character user name of control characters, terminal escapes, bidi overrides and plain letters."""
    pieces = ["\x1b[2J", "\u202e", "\x00", "\n", "\u200b", "=cmd|' /C calc'!A0", "<script>", "é", "a"]
    name = ""
    while len(name) < 200:
        name += generator.choice(pieces)
    return name[:200]


TEXT_COLUMNS = ("time_utc", "username", "remote_addr", "method", "path", "event")


def row_bytes(record: AccessLogRecord) -> int:
    return sum(len(str(getattr(record, column) or "").encode()) for column in TEXT_COLUMNS) + 24  # 3 integers


@pytest.mark.slow  # 300 requests and 15 real password checks
def test_hundreds_of_anonymous_failed_logins_add_a_bounded_log_and_every_real_attempt(
    make_case: Callable[..., Path],
) -> None:
    case_dir = make_case()
    add_accounts(case_dir, "alice")
    before = access_log(case_dir)
    app = create_app(case_dir)  # not TESTING: what a real server does
    generator = random.Random(12)
    addresses = ["198.51.100.1", "198.51.100.2", "2001:db8::7"]
    sent: Counter[int] = Counter()
    next_url = "/?label=" + "x" * 3000  # ?next= makes the logged path as long as the attacker likes
    for address in addresses:
        client = app.test_client()
        page = client.get("/login", environ_overrides={"REMOTE_ADDR": address}).get_data(as_text=True)
        token = html.unescape(CSRF.search(page).group(1))  # type: ignore[union-attr]
        for _ in range(100):
            response = client.post(
                "/login?next=" + urllib.parse.quote(next_url),
                data={"csrf_token": token, "username": hostile_name(generator), "password": "guess"},
                environ_overrides={"REMOTE_ADDR": address},
            )
            sent[response.status_code] += 1
    assert sent == {401: LIMIT * len(addresses), 429: (100 - LIMIT) * len(addresses)}
    added = access_log(case_dir)[len(before) :]
    real = [record for record in added if record.event == "login_failed"]
    refused = [record for record in added if record.event == "login_limited"]
    # Every real attempt (a password checked) has its row; the refused ones one row per address (in 5 minutes).
    assert Counter(record.remote_addr for record in real) == {address: LIMIT for address in addresses}
    assert sorted(record.remote_addr for record in refused) == sorted(addresses)
    assert len(added) == len(real) + len(refused)  # before: 300 rows
    for record in added:
        assert record.username is not None and len(record.username) <= 200 and record.username.isprintable()
        assert "\x1b" not in record.username and "\u202e" not in record.username
        assert record.path.startswith("/login?next=") and len(record.path) <= 256
        assert record.status in (401, 429) and record.file_id is None
    assert sum(row_bytes(record) for record in added) <= len(added) * 600  # before: about 2,300 bytes a row
    # The refused attempts are counted: one tally row per address, whatever was sent.
    tally = refusals(case_dir)
    assert sorted((r.remote_addr, r.refused) for r in tally) == sorted((a, 100 - LIMIT) for a in addresses)
    assert all(len(r.last_username) <= 200 and r.last_username.isprintable() for r in tally)
