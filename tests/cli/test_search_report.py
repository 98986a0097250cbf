from __future__ import annotations

import csv
import html
import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from flask.testing import FlaskClient

from cbis.db import migrations
from cbis.reports.cells import safe_cell
from cbis.web import create_app
from tests.helpers import cbis


@pytest.fixture
def indexed_case(evidence: Path, case_dir: Path) -> Path:
    result = cbis("index", evidence, "--case", case_dir, "--no-classify")
    assert result.exit_code == 0, result.output
    return case_dir


def search_json(case_dir: Path, *args: str) -> list[dict]:
    result = cbis("search", "--case", case_dir, "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_search_filters_combine(indexed_case: Path) -> None:
    gps = {hit["path"] for hit in search_json(indexed_case, "--has-gps")}
    assert {"gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "misc/holiday-notes.txt"} <= gps
    assert "camera/Canon_40D.jpg" not in gps
    nikon = {hit["path"] for hit in search_json(indexed_case, "--make", "nikon")}
    assert "camera/Nikon_D70.jpg" in nikon and "camera/Canon_40D.jpg" not in nikon
    both = {hit["path"] for hit in search_json(indexed_case, "--make", "nikon", "--has-gps")}
    assert both == nikon & gps
    assert {hit["path"] for hit in search_json(indexed_case, "--camera-model", "EOS 40D")} == {"camera/Canon_40D.jpg"}


def test_search_by_each_hash_kind(indexed_case: Path) -> None:
    with sqlite3.connect(indexed_case / "case.sqlite") as connection:
        md5, sha1, sha256 = connection.execute(
            "SELECT md5, sha1, sha256 FROM files WHERE path = 'misc/IMG_0001.jpg'"
        ).fetchone()
    for digest in (md5, sha1, sha256.upper()):
        assert [hit["path"] for hit in search_json(indexed_case, "--hash", digest)] == ["misc/IMG_0001.jpg"]
    bad = cbis("search", "--case", indexed_case, "--hash", "abc")
    assert bad.exit_code == 2 and "--hash takes" in bad.stderr


def test_search_dates_mismatch_and_unprocessed(indexed_case: Path) -> None:
    in_2008 = search_json(indexed_case, "--from", "2008-01-01", "--to", "2008-12-31")
    assert "camera/Canon_40D.jpg" in {hit["path"] for hit in in_2008}
    assert all(hit["datetime_original"].startswith("2008") for hit in in_2008)
    on_day = search_json(indexed_case, "--from", "2008-05-30", "--to", "2008-05-30")
    assert "camera/Canon_40D.jpg" in {hit["path"] for hit in on_day}
    mismatched = {hit["path"] for hit in search_json(indexed_case, "--ext-mismatch")}
    assert mismatched == {"misc/holiday-notes.txt", "misc/IMG_0001.jpg"}
    unprocessed = search_json(indexed_case, "--unprocessed")
    assert {hit["path"] for hit in unprocessed} >= {"misc/IMG_0001.jpg"}
    assert all(hit["error"] for hit in unprocessed)
    assert cbis("search", "--case", indexed_case, "--from", "yesterday").exit_code == 2


def test_search_table_and_limit(indexed_case: Path) -> None:
    result = cbis("search", "--case", indexed_case, "--limit", "2")
    assert result.exit_code == 0
    assert "2 result(s)" in result.stdout
    assert len(search_json(indexed_case, "--limit", "3")) == 3


def test_report_csv_columns_and_determinism(indexed_case: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "r1", tmp_path / "r2"
    assert cbis("report", "--case", indexed_case, "--csv", first).exit_code == 0
    assert cbis("report", "--case", indexed_case, "--csv", second).exit_code == 0
    expected_headers = {
        "files.csv": "evidence,path,size,md5,sha1,sha256,format,extension,extension_mismatch,mtime,status,error,"
        "missing_since_run",
        "exif.csv": "path,sha256,make,model,software,datetime_original,gps_latitude,gps_longitude,gps_altitude,"
        "orientation,width,height,tags_json,lens_model,body_serial,datetime_digitized,modify_date,displayed_width,"
        "displayed_height,sources_json,metadata_conflict,conflicts_json",
        "prediction.csv": "path,sha256,rank,label,wnid,score,model",
        "unprocessed.csv": "path,reason",
        "summary.csv": "label,count",
    }
    for name, header in expected_headers.items():
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes(), f"{name} differs between two runs"
        assert data.decode("utf-8").splitlines()[0] == header
    with open(first / "files.csv", encoding="utf-8") as stream:
        files = list(csv.DictReader(stream))
    assert [row["path"] for row in files] == sorted(row["path"] for row in files)
    assert {row["status"] for row in files} == {"image", "unprocessed", "other"}
    with open(first / "exif.csv", encoding="utf-8") as stream:
        exif = {row["path"]: row for row in csv.DictReader(stream)}
    assert exif["gps/DSCN0010.jpg"]["gps_latitude"] == "43.467448"
    assert json.loads(exif["camera/Canon_40D.jpg"]["tags_json"])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # A leading tab or CR is how OWASP's list starts a formula that a spreadsheet trims and then runs.
        ("\t=SUM(A1)", "'\t=SUM(A1)"),
        ("\tplain text", "'\tplain text"),
        ("\r=SUM(A1)", "'=SUM(A1)"),  # CR is a control character: removed, and what follows is still guarded
        ("\r\n+1+cmd", "'+1+cmd"),
        ("\rplain", "plain"),
        ("-12.5", "-12.5"),
        (-3, "-3"),
        ("Canon\x00\x1b[31m", "Canon[31m"),
        (0.5, "0.500000"),
        (None, ""),
        (True, "true"),
    ],
)
def test_report_cells_are_safe_for_spreadsheets(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_a_cell_loses_exactly_the_control_characters_whichever_way_it_is_checked() -> None:
    """Printable ASCII is passed through unsearched; every other text is searched: each code point of the first
    planes, between letters, is removed exactly when it is a control character other than tab, or a line or
    paragraph separator, and kept otherwise. Other types give the text their value gives."""
    removed = {*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029}
    for code in (*range(0x0000, 0x3100), 0xFEFF, 0xFFFD, 0x1F600, 0x10FFFF):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates: not text
        expected = "ab" if code in removed else f"a{chr(code)}b"
        assert safe_cell(f"a{chr(code)}b") == expected, hex(code)
    assert [safe_cell(value) for value in ("", "plain", "x" * 10_000)] == ["", "plain", "x" * 10_000]

    class Name(str):
        pass

    assert safe_cell(Name("=cmd\x1b")) == "'=cmd"  # a subclass of str is still text
    assert [safe_cell(value) for value in (np.float64(2.5), np.int64(-7), np.bool_(True), 10**30)] == [
        "2.500000",
        "-7",
        "True",
        str(10**30),
    ]


# --- `cbis report --logs`: the chain-of-custody logs, outside the byte-identical promise ---

DEFAULT_REPORT_FILES = (
    "files.csv",
    "exif.csv",
    "prediction.csv",
    "unprocessed.csv",
    "summary.csv",
    "hashset_matches.csv",
    "anomalies.csv",  # added with `cbis anomalies` (issue 17): written always
    "review.csv",  # added with examiner review (issue 16): written always
    "ocr.csv",  # added with the ocr and faces analyzers (issue 18): written always
    "faces.csv",
)
LOG_FILES = ("audit_log.csv", "access_log.csv", "login_refusals.csv", "review_events.csv")
FORMULA = '=HYPERLINK("http://x","y")'
HEX_64 = re.compile(r"[0-9a-f]{64}")


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def test_report_logs_export_the_whole_audit_chain(
    evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CBIS_EXAMINER", raising=False)
    case_dir, out = tmp_path / "case", tmp_path / "report"
    assert cbis("case", "new", case_dir, "--number", "L-1", "--examiner", "Ada").exit_code == 0
    with monkeypatch.context() as colleague:  # an examiner name a spreadsheet would run as a formula
        colleague.setenv("CBIS_EXAMINER", FORMULA)
        assert cbis("index", evidence, "--case", case_dir, "--no-classify").exit_code == 0
    result = cbis("report", "--case", case_dir, "--csv", out, "--logs")
    assert result.exit_code == 0, result.output

    columns, rows = read_csv(out / "audit_log.csv")
    assert columns == [
        "id", "time_utc", "examiner", "os_user", "host", "cbis_version", "command", "outcome", "prev_hash", "row_hash",
    ]  # fmt: skip
    assert [(row["command"].split(" ")[1], row["outcome"]) for row in rows] == [
        ("case", "started"), ("case", "ok"), ("index", "started"), ("index", "ok"), ("report", "started"),
    ]  # fmt: skip
    assert rows[0]["command"].startswith(f"cbis case new {case_dir} --number L-1")
    assert rows[-1]["command"] == f"cbis report --case {case_dir} --csv {out} --logs"  # its outcome comes later
    assert [int(row["id"]) for row in rows] == sorted(int(row["id"]) for row in rows)
    assert [row["examiner"] for row in rows] == ["Ada", "Ada", "'" + FORMULA, "'" + FORMULA, "Ada"]
    previous = "0" * 64
    for row in rows:
        assert HEX_64.fullmatch(row["prev_hash"]) and HEX_64.fullmatch(row["row_hash"])
        assert row["prev_hash"] == previous
        previous = row["row_hash"]
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        stored = connection.execute("SELECT id, row_hash FROM audit_log ORDER BY id").fetchall()
    assert [(int(row["id"]), row["row_hash"]) for row in rows] == stored[: len(rows)]
    assert f"{out / 'audit_log.csv'}: 5 rows" in result.stdout
    assert f"{out / 'access_log.csv'}: 0 rows" in result.stdout


def test_report_logs_export_the_viewer_access_log(indexed_case: Path, tmp_path: Path) -> None:
    added = cbis("user", "add", "alice", "--case", indexed_case, "--password-stdin", input="alice's passphrase\n")
    assert added.exit_code == 0, added.output
    app = create_app(indexed_case, {"TESTING": True})
    viewer = app.test_client()

    def login(username: str, password: str, browser: FlaskClient = viewer) -> int:
        page = browser.get("/login").get_data(as_text=True)
        token = html.unescape(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        form = {"csrf_token": token, "username": username, "password": password, "next": "/"}
        return browser.post("/login", data=form).status_code

    assert login(FORMULA, "wrong") == 401
    assert login("alice", "alice's passphrase") == 303
    with sqlite3.connect(indexed_case / "case.sqlite") as connection:
        (file_id,) = connection.execute("SELECT id FROM files WHERE path = 'camera/Canon_40D.jpg'").fetchone()
    assert viewer.get(f"/image/{file_id}").status_code == 200
    # Four more failures make five from this address: the next two attempts are refused, counted, logged once.
    guesser = app.test_client()
    assert [login("mallory", "wrong", guesser) for _ in range(6)] == [401] * 4 + [429] * 2

    out = tmp_path / "report"
    assert cbis("report", "--case", indexed_case, "--csv", out, "--logs").exit_code == 0
    columns, rows = read_csv(out / "access_log.csv")
    assert columns == ["id", "time_utc", "username", "remote_addr", "method", "path", "file_id", "status", "event"]
    assert [(row["username"], row["method"], row["status"], row["event"]) for row in rows] == [
        ("'" + FORMULA, "POST", "401", "login_failed"),
        ("alice", "POST", "303", "login_ok"),
        ("alice", "GET", "200", "view"),
        *[("mallory", "POST", "401", "login_failed")] * 4,
        ("mallory", "POST", "429", "login_limited"),
    ]
    columns, refusals = read_csv(out / "login_refusals.csv")
    assert columns == ["remote_addr", "window_start", "refused", "last_at", "last_username"]
    assert [(row["remote_addr"], row["refused"], row["last_username"]) for row in refusals] == [
        ("127.0.0.1", "2", "mallory")
    ]
    assert refusals[0]["window_start"] == rows[-1]["time_utc"] <= refusals[0]["last_at"]
    assert [int(row["id"]) for row in rows] == sorted(int(row["id"]) for row in rows)
    assert rows[2]["path"] == f"/image/{file_id}" and rows[2]["file_id"] == str(file_id)
    assert rows[0]["file_id"] == "" and rows[0]["remote_addr"] == "127.0.0.1"
    _, audit = read_csv(out / "audit_log.csv")
    assert (f"cbis user add alice --case {indexed_case} --password-stdin", "ok") in {
        (row["command"], row["outcome"]) for row in audit
    }


def test_report_logs_are_opt_in_and_leave_the_default_files_byte_identical(indexed_case: Path, tmp_path: Path) -> None:
    first, with_logs, again_with_logs, second = (tmp_path / name for name in ("r1", "logs1", "logs2", "r2"))
    assert cbis("report", "--case", indexed_case, "--csv", first).exit_code == 0
    assert cbis("report", "--case", indexed_case, "--csv", with_logs, "--logs").exit_code == 0
    assert cbis("report", "--case", indexed_case, "--csv", again_with_logs, "--logs").exit_code == 0
    assert cbis("report", "--case", indexed_case, "--csv", second).exit_code == 0
    # The manifest is in every report folder, and outside the promise too (it records when and the audit head).
    assert sorted(path.name for path in first.iterdir()) == sorted((*DEFAULT_REPORT_FILES, "manifest.json"))
    assert sorted(path.name for path in second.iterdir()) == sorted((*DEFAULT_REPORT_FILES, "manifest.json"))
    assert sorted(path.name for path in with_logs.iterdir()) == sorted(
        (*DEFAULT_REPORT_FILES, *LOG_FILES, "manifest.json")
    )
    for name in DEFAULT_REPORT_FILES:
        expected = (first / name).read_bytes()
        assert (second / name).read_bytes() == expected, name
        assert (with_logs / name).read_bytes() == expected, name
    # Why the logs stay out of the promise: the first --logs run (and its outcome) is in the second's audit log.
    _, earlier = read_csv(with_logs / "audit_log.csv")
    _, later = read_csv(again_with_logs / "audit_log.csv")
    assert later[: len(earlier)] == earlier and len(later) == len(earlier) + 2


def test_report_logs_of_a_case_without_an_access_log_write_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir, out = tmp_path / "case", tmp_path / "report"
    with monkeypatch.context() as before_accounts:  # a case without schema 2's access log (today's other tables)
        # Without 2 and 4, which adds the access log's index and the tally of refused logins beside it.
        without_accounts = [migration for migration in migrations.MIGRATIONS if migration[0] not in (2, 4)]
        before_accounts.setattr(migrations, "MIGRATIONS", without_accounts)
        assert cbis("case", "new", case_dir, "--number", "V-1", "--examiner", "Ada").exit_code == 0
        result = cbis("report", "--case", case_dir, "--csv", out, "--logs")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "access_log" not in tables and "audit_log" in tables
    assert (out / "access_log.csv").read_text(encoding="utf-8") == (
        "id,time_utc,username,remote_addr,method,path,file_id,status,event\n"
    )
    assert (out / "login_refusals.csv").read_text(encoding="utf-8") == (
        "remote_addr,window_start,refused,last_at,last_username\n"
    )
    assert len(read_csv(out / "audit_log.csv")[1]) == 3  # case new started and ok, this report started
