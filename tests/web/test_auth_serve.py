"""`python -m cbis serve` on a network address: only with examiner accounts and TLS, and then a real HTTPS server
whose cookies are Secure, HttpOnly and SameSite=Strict, and which shows nothing before a login."""

from __future__ import annotations

import http.client
import re
import shutil
import ssl
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from cbis.services.cases import open_case
from cbis.services.users import add_user
from tests.web.conftest import ViewerCase
from tests.web.test_cli_serve import serving

PASSWORD = "alice's long passphrase"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class HttpsBrowser:
    """Requests over real TLS with one cookie jar of one cookie, the session's."""

    def __init__(self, port: int, cafile: Path) -> None:
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.cookie: str | None = None

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            found = dict(response.getheaders())
        finally:
            connection.close()
        if "Set-Cookie" in found:
            self.cookie = found["Set-Cookie"].split(";", 1)[0]
        return response.status, found, data


def test_a_network_address_is_served_over_tls_with_login(
    fresh_case: ViewerCase, certificate: tuple[Path, Path]
) -> None:
    case = open_case(fresh_case.case_dir)
    try:
        add_user(case, "alice", PASSWORD)
    finally:
        case.close()
    cert, key = certificate
    file_id = fresh_case.ids["camera/Canon_40D.jpg"]
    with serving(fresh_case.case_dir, "--host", "0.0.0.0", "--certfile", str(cert), "--keyfile", str(key)) as (
        url,
        errors,
    ):
        assert url.startswith("https://0.0.0.0:"), (url, errors)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        browser = HttpsBrowser(port, cert)
        status, headers, body = browser.request("GET", "/")
        assert status == 302 and headers["Location"] == "/login?next=/"
        assert browser.request("GET", f"/file/{file_id}/original")[0] == 401
        status, headers, body = browser.request("GET", "/login")
        assert status == 200
        flags = [flag.strip().lower() for flag in headers["Set-Cookie"].split(";")[1:]]
        assert {"secure", "httponly", "samesite=strict"} <= set(flags)
        token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
        status, headers, _ = browser.request(
            "POST", "/login", {"csrf_token": token, "username": "alice", "password": PASSWORD, "next": "/"}
        )
        assert status == 303 and "secure" in headers["Set-Cookie"].lower()
        status, _, body = browser.request("GET", f"/image/{file_id}")
        assert status == 200 and "Canon_40D.jpg" in body
        # Plain HTTP to the same port gets no page.
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            plain.request("GET", "/")
            assert plain.getresponse().status != 200
        except (http.client.HTTPException, ConnectionError):
            pass
        finally:
            plain.close()
