"""Hash sets end to end, on SQLite and PostgreSQL: every format imported through the CLI, matched at import, at
index time and by `cbis hashset match` (idempotent), searched, shown by case info, the viewer and the report."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from cbis.web import create_app
from tests.db.support import rows
from tests.helpers import cbis

# The NSRL RDSv3 schema as NIST publishes it (RDS_*.db, schema.sql): FILE, MFG, OS, PKG, VERSION, DISTINCT_HASH.
RDS_SCHEMA = """
CREATE TABLE FILE (
 sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, crc32 VARCHAR NOT NULL,
 file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL, package_id INTEGER NOT NULL,
 CONSTRAINT PK_FILE__FILE PRIMARY KEY (sha256, sha1, md5, crc32, file_name, file_size, package_id)
);
CREATE TABLE MFG (manufacturer_id INTEGER NOT NULL, name VARCHAR NOT NULL,
 CONSTRAINT PK_MFG__MFG_ID PRIMARY KEY (manufacturer_id));
CREATE TABLE OS (operating_system_id INTEGER NOT NULL, name VARCHAR NOT NULL, version VARCHAR NOT NULL,
 manufacturer_id INTEGER NOT NULL, CONSTRAINT PK_OS__OS_ID PRIMARY KEY (operating_system_id, manufacturer_id));
CREATE TABLE PKG (package_id INTEGER NOT NULL, name VARCHAR NOT NULL, version VARCHAR NOT NULL,
 operating_system_id INTEGER NOT NULL, manufacturer_id INTEGER NOT NULL, language VARCHAR NOT NULL,
 application_type VARCHAR NOT NULL,
 CONSTRAINT PK_PGK__PKG_ID PRIMARY KEY (package_id, operating_system_id, manufacturer_id, language, application_type));
CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL,
 build_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, release_date TIMESTAMP NOT NULL,
 description VARCHAR NOT NULL, CONSTRAINT PK_VERSION__VERSION PRIMARY KEY (version));
CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5, crc32 FROM FILE;
"""

VICS_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"
CAID_METADATA = "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml#Media"


def digests(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {name: hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha256")}


def make_rds(path: Path, files: list[tuple[dict[str, str], str]], extra: int = 50) -> Path:
    """An RDSv3 database holding these files (digests upper case, as NSRL writes them) and unrelated rows."""
    connection = sqlite3.connect(path)
    connection.executescript(RDS_SCHEMA)
    connection.execute("INSERT INTO MFG VALUES (1, 'Microsoft')")
    connection.execute("INSERT INTO OS VALUES (1, 'Windows', '11', 1)")
    connection.execute("INSERT INTO PKG VALUES (7, 'Windows', '11 23H2', 1, 1, 'English', 'Operating System')")
    connection.execute("INSERT INTO VERSION VALUES ('2024.12.1', 'modern', '2024-12-01', '2024-12-01', 'test')")
    rows_ = [(d["sha256"].upper(), d["sha1"].upper(), d["md5"].upper(), "00000000", name, 100, 7) for d, name in files]
    rows_ += [(f"{i:064X}", f"{i:040X}", f"{i:032X}", "00000000", f"f{i}.dll", i, 7) for i in range(1, extra)]
    connection.executemany("INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?, ?)", rows_)
    connection.commit()
    connection.close()
    return path


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    (root / "icons").mkdir(parents=True)
    for name, colour in (("icons/os.png", "red"), ("photo.png", "green"), ("flagged.png", "blue")):
        Image.new("RGB", (24, 24), colour).save(root / name)
    (root / "icons" / "system.dll").write_bytes(b"MZ not an image")
    return root


def index(case: Path, root: Path) -> None:
    result = cbis("index", root, "--case", case, "--no-classify")
    assert result.exit_code == 0, result.stderr


def matches(case: Path) -> list[tuple[str, str, str, str | None, int | None]]:
    return sorted(
        rows(
            case,
            "SELECT f.path, s.name, m.algorithm, m.category, m.run_id FROM hash_set_matches m "
            "JOIN files f ON f.id = m.file_id JOIN hash_sets s ON s.id = m.set_id",
        )
    )


def searched(case: Path, *args: str) -> list[str]:
    result = cbis("search", "--case", case, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return sorted(json.loads(line)["path"] for line in result.stdout.splitlines())


def test_every_format_imports_matches_and_is_searchable(backend_case: Path, evidence: Path, tmp_path: Path) -> None:
    case = backend_case
    index(case, evidence)
    os_png, flagged, dll = (digests(evidence / p) for p in ("icons/os.png", "flagged.png", "icons/system.dll"))

    rds = make_rds(tmp_path / "RDS_2024.12.1_modern_minimal.db", [(os_png, "os.png"), (dll, "system.dll")])
    rds_bytes = rds.read_bytes()
    result = cbis("hashset", "import", "NSRL", rds, "--kind", "known", "--case", case)
    assert result.exit_code == 0, result.stderr
    assert "nsrl-rds, version 2024.12.1" in result.stdout and "2 files in the case match it" in result.stdout
    assert rds.read_bytes() == rds_bytes  # queried in place, read-only
    assert rows(case, "SELECT count(*) FROM hash_set_entries") == [(0,)]  # never copied

    vics = tmp_path / "vics.json"
    vics.write_text(
        json.dumps(
            {
                "@odata.context": VICS_CONTEXT,
                "value": [
                    {
                        "MediaID": 1,
                        "Category": 1,
                        "MD5": flagged["md5"].upper(),
                        "SHA1": flagged["sha1"].upper(),
                        "MediaSize": 100,
                        "MediaFiles": [{"FileName": "b.png", "FilePath": "x"}],
                    },
                    {"MediaID": 2, "Category": 0, "MD5": "0" * 32, "SHA1": "1" * 40, "MediaSize": 3},
                ],
            }
        )
    )
    result = cbis("hashset", "import", "VIC", vics, "--kind", "notable", "--case", case)
    assert result.exit_code == 0, result.stderr
    assert "vics, version VICS 2.0" in result.stdout and "4 entries" in result.stdout

    caid = tmp_path / "caid.json"
    caid.write_text(
        json.dumps({"odata.metadata": CAID_METADATA, "value": [{"MediaID": 9, "Category": 2, "MD5": flagged["md5"]}]})
    )
    assert cbis("hashset", "import", "CAID", caid, "--kind", "notable", "--case", case).exit_code == 0

    listing = tmp_path / "list.txt"
    listing.write_text(f"# notable list\n\n{flagged['sha256']}  flagged.png\n{'a' * 40},elsewhere.jpg\n")
    assert cbis("hashset", "import", "mylist", listing, "--kind", "notable", "--case", case).exit_code == 0

    nsrl_csv = tmp_path / "NSRLFile.txt"
    with nsrl_csv.open("w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["SHA-1", "MD5", "CRC32", "FileName", "FileSize", "ProductCode", "OpSystemCode", "SpecialCode"])
        writer.writerow([dll["sha1"].upper(), dll["md5"].upper(), "00000000", "system.dll", "15", "1234", "358", ""])
    assert cbis("hashset", "import", "legacy", nsrl_csv, "--kind", "known", "--case", case).exit_code == 0

    assert matches(case) == [
        ("flagged.png", "CAID", "md5", "2", None),
        ("flagged.png", "VIC", "sha1", "1", None),
        ("flagged.png", "mylist", "sha256", None, None),
        ("icons/os.png", "NSRL", "sha256", "Windows 11 23H2", None),
        ("icons/system.dll", "NSRL", "sha256", "Windows 11 23H2", None),
        ("icons/system.dll", "legacy", "sha1", None, None),
    ]
    [(version, sha256, count)] = rows(
        case, "SELECT version, file_sha256, entry_count FROM hash_sets WHERE name = 'NSRL'"
    )
    assert (version, sha256, count) == ("2024.12.1", hashlib.sha256(rds_bytes).hexdigest(), 51)

    # `hashset match` again adds nothing.
    again = cbis("hashset", "match", "--case", case)
    assert again.exit_code == 0 and again.stdout.startswith("0 new matches"), again.stderr
    assert len(matches(case)) == 6

    assert searched(case, "--known") == ["icons/os.png", "icons/system.dll"]
    assert searched(case, "--notable") == ["flagged.png"]
    assert searched(case, "--hashset", "legacy") == ["icons/system.dll"]
    [hit] = [json.loads(line) for line in cbis("search", "--case", case, "--json", "--notable").stdout.splitlines()]
    assert {m["set_name"] for m in hit["hashsets"]} == {"CAID", "VIC", "mylist"}
    unknown = cbis("search", "--case", case, "--hashset", "nope")
    assert unknown.exit_code == 2 and "no hash set named 'nope'" in unknown.stderr

    info = cbis("case", "info", "--case", case).stdout
    assert re.search(r"notable hash-set matches\s+1 files \(CAID: 1, VIC: 1, mylist: 1\)", info)
    listed = cbis("hashset", "list", "--case", case).stdout
    assert "NSRL" in listed and "known" in listed and "nsrl-rds" in listed

    audit = rows(case, "SELECT command, outcome FROM audit_log WHERE command LIKE 'cbis hashset import NSRL%'")
    assert any(hashlib.sha256(rds_bytes).hexdigest() in outcome for _, outcome in audit)

    # The report has a table of matches.
    out = tmp_path / "report"
    assert cbis("report", "--case", case, "--csv", out).exit_code == 0
    with (out / "hashset_matches.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert {(r["path"], r["hash_set"], r["kind"]) for r in table} >= {("icons/os.png", "NSRL", "known")}


def test_index_time_matching_and_matches_follow_their_files(backend_case: Path, evidence: Path, tmp_path: Path) -> None:
    case = backend_case
    listing = tmp_path / "list.txt"
    listing.write_text(digests(evidence / "photo.png")["md5"] + "\n")
    assert cbis("hashset", "import", "early", listing, "--kind", "notable", "--case", case).exit_code == 0
    result = cbis("index", evidence, "--case", case, "--no-classify")
    assert result.exit_code == 0 and "1 hash-set matches" in result.stdout, result.stdout
    [(path, name, algorithm, _, run_id)] = matches(case)
    assert (path, name, algorithm) == ("photo.png", "early", "md5") and run_id == 1

    # The file changes: its old record (and match) goes; the new content is in no set.
    Image.new("RGB", (24, 24), "yellow").save(evidence / "photo.png")
    index(case, evidence)
    assert matches(case) == []


def test_bad_lines_are_refused_with_their_line_number_and_nothing_is_kept(backend_case: Path, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("# ok\n" + "b" * 32 + "\nnot-a-hash here\n")
    result = cbis("hashset", "import", "bad", listing, "--kind", "notable", "--case", backend_case)
    assert result.exit_code == 1 and "list.txt line 3" in result.stderr and "Traceback" not in result.stderr
    assert rows(backend_case, "SELECT count(*) FROM hash_sets") == [(0,)]
    assert rows(backend_case, "SELECT count(*) FROM hash_set_entries") == [(0,)]
    good = tmp_path / "good.txt"
    good.write_text("b" * 32 + "\n")
    assert cbis("hashset", "import", "bad", good, "--kind", "notable", "--case", backend_case).exit_code == 0
    taken = cbis("hashset", "import", "bad", good, "--kind", "notable", "--case", backend_case)
    assert taken.exit_code == 1 and "was imported at" in taken.stderr
    wrong_kind = cbis("hashset", "import", "x", good, "--kind", "good", "--case", backend_case)
    assert wrong_kind.exit_code == 2 and "--kind takes one of: known, notable" in wrong_kind.stderr


def test_a_moved_nsrl_database_is_said_clearly(backend_case: Path, evidence: Path, tmp_path: Path) -> None:
    index(backend_case, evidence)
    rds = make_rds(tmp_path / "rds.db", [(digests(evidence / "photo.png"), "photo.png")])
    assert cbis("hashset", "import", "NSRL", rds, "--kind", "known", "--case", backend_case).exit_code == 0
    shutil.move(rds, tmp_path / "elsewhere.db")
    result = cbis("hashset", "match", "--case", backend_case)
    assert result.exit_code == 1
    assert f"is no longer at {rds}" in result.stderr and "move it back" in result.stderr
    # An index run still completes, and says so.
    indexed = cbis("index", evidence, "--case", backend_case, "--no-classify")
    assert indexed.exit_code == 0 and "is no longer at" in indexed.stdout


def test_the_viewer_hides_known_files_and_alerts_on_notable_ones(
    backend_case: Path, evidence: Path, tmp_path: Path
) -> None:
    case = backend_case
    index(case, evidence)
    make_rds(tmp_path / "rds.db", [(digests(evidence / "icons/os.png"), "os.png")])
    assert cbis("hashset", "import", "NSRL", tmp_path / "rds.db", "--kind", "known", "--case", case).exit_code == 0
    notable = tmp_path / "vic.txt"
    notable.write_text(digests(evidence / "flagged.png")["sha1"] + " flagged.png\n")
    assert cbis("hashset", "import", "VIC<b>", notable, "--kind", "notable", "--case", case).exit_code == 0
    [(known_id,)] = rows(case, "SELECT id FROM files WHERE path = 'icons/os.png'")
    [(flagged_id,)] = rows(case, "SELECT id FROM files WHERE path = 'flagged.png'")
    client = create_app(case, {"TESTING": True}).test_client()

    def listed(query: str) -> set[int]:
        return {int(n) for n in re.findall(r'href="/image/(\d+)', client.get(query).get_data(as_text=True))}

    page = client.get("/").get_data(as_text=True)
    assert known_id not in listed("/") and flagged_id in listed("/")
    assert "1 file in known hash sets" in page and "known=show" in page
    assert "1 file match notable hash sets" in page and "VIC&lt;b&gt;: 1" in page  # escaped
    assert "notable: VIC&lt;b&gt;" in page  # the tile's badge
    assert known_id in listed("/?known=show") and listed("/?known=only") == {known_id}
    shown = client.get("/?known=show&label=x").get_data(as_text=True)
    assert 'value="show" selected' in shown  # the form keeps the switch
    assert listed("/?notable=1") == {flagged_id}
    assert client.get("/?known=sometimes").status_code == 400
    image = client.get(f"/image/{known_id}?known=show").get_data(as_text=True)
    assert "in NSRL, category Windows 11 23H2" in image and "does not mean harmless" in image
    overview = client.get("/overview").get_data(as_text=True)
    assert "1 file match notable hash sets" in overview
