"""`cbis serve`: --get renders one page without a server; a real server on a free port, localhost by default."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import cbis
from tests.web.conftest import ViewerCase


def test_get_prints_the_page_and_exits_zero(shared_case: ViewerCase) -> None:
    result = cbis("serve", "--case", shared_case.case_dir, "--get", "/")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!doctype html>") and "Case <strong>WEB-1</strong>" in result.stdout
    overview = cbis("serve", "--case", shared_case.case_dir, "--get", "/overview?has_gps=1")
    assert overview.exit_code == 0 and "Images over time" in overview.stdout


def test_get_exits_non_zero_unless_200(shared_case: ViewerCase) -> None:
    missing = cbis("serve", "--case", shared_case.case_dir, "--get", "/image/999999")
    assert missing.exit_code == 1
    assert "404 Not Found" in missing.stdout and "GET /image/999999 answered 404 NOT FOUND" in missing.stderr
    invalid = cbis("serve", "--case", shared_case.case_dir, "--get", "/?min_score=2")
    assert invalid.exit_code == 1 and "400 BAD REQUEST" in invalid.stderr
    relative = cbis("serve", "--case", shared_case.case_dir, "--get", "overview")
    assert relative.exit_code == 2 and "--get takes a path starting with /" in relative.stderr


def test_get_finds_the_case_like_other_commands(shared_case: ViewerCase, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CBIS_CASE", str(shared_case.case_dir))
    assert cbis("serve", "--get", "/overview").exit_code == 0
    monkeypatch.delenv("CBIS_CASE")
    monkeypatch.chdir(shared_case.case_dir)
    assert cbis("serve", "--get", "/overview").exit_code == 0


def test_not_a_case_and_newer_cases_are_refused(tmp_path: Path, case_dir: Path) -> None:
    result = cbis("serve", "--case", tmp_path / "nowhere", "--get", "/")
    assert result.exit_code == 2 and "is not a cbis case" in result.stderr
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        connection.execute("INSERT INTO schema_version VALUES (999, 'future', '2099-01-01', '99.0')")
    newer = cbis("serve", "--case", case_dir, "--get", "/")
    assert newer.exit_code == 4 and "newer cbis" in newer.stderr


@contextmanager
def serving(case_dir: Path, *args: str) -> Iterator[tuple[str, list[str]]]:
    """`python -m cbis serve` on a free port; yields its URL and the stderr lines so far."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cbis", "serve", "--case", str(case_dir), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith(("http://", "https://")), (url, errors)
        yield url, errors
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        reader.join(timeout=10)


def fetch(url: str, host: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serves_on_localhost_and_answers_only_local_host_names(shared_case: ViewerCase) -> None:
    with serving(shared_case.case_dir) as (url, errors):
        assert url.startswith("http://127.0.0.1:")
        port = url.rsplit(":", 1)[1].strip("/")
        status, body = fetch(url)
        assert status == 200 and b"Case <strong>WEB-1</strong>" in body
        assert fetch(url + "overview")[0] == 200
        assert fetch(url, host=f"localhost:{port}")[0] == 200
        # A page on another site cannot reach the viewer through DNS rebinding: foreign Host names are refused.
        assert fetch(url, host=f"attacker.example:{port}")[0] == 400
    assert not any("Warning" in line for line in errors)


def test_other_addresses_are_refused_without_accounts(shared_case: ViewerCase) -> None:
    """Served to the network only with examiner accounts and TLS: tests/web/test_auth_serve.py."""
    result = cbis("serve", "--case", shared_case.case_dir, "--host", "0.0.0.0")
    assert result.exit_code == 2 and "this case has no examiner accounts" in result.stderr
