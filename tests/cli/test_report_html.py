"""`cbis report --html DIR` and `--case-uco FILE`: the court-ready report of the files `cbis search`'s filters
select, and the same files as CASE 1.4.0 JSON-LD, checked by case-utils' `case_validate` (offline: it ships the
ontology). Predictions are stored through the db layer's writer (the `classified` fixture), not by running the
model; the byte-for-byte rerun of both is in test_report_documents.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cbis.reports import html_format
from tests.cli.test_report_documents import stored_rows
from tests.helpers import cbis
from tests.hostile.corpus import build, camera_exif, small_jpeg

CASE_VALIDATE = shutil.which("case_validate") or str(Path(__import__("sys").executable).with_name("case_validate"))


def report(case_dir: Path, *args: str | Path) -> str:
    result = cbis("report", "--case", case_dir, *args)
    assert result.exit_code == 0, result.output
    return result.output


class Page(HTMLParser):
    """Every element's attributes, the text, and the articles (one a file) of a report page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    def files(self) -> list[str]:
        return [attrs["id"] or "" for tag, attrs in self.elements if tag == "article"]

    def addresses(self) -> list[str]:
        return [
            value or ""
            for _, attrs in self.elements
            for name, value in attrs.items()
            if name in ("src", "href", "action", "data", "poster", "srcset")
        ]


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def test_html_is_self_contained_with_case_tools_verify_and_every_image(classified: Path, tmp_path: Path) -> None:
    out = tmp_path / "html"
    printed = report(classified, "--html", out)
    assert f"{out / 'index.html'}: 12 files" in printed.replace("\n", "")
    assert sorted(path.name for path in out.iterdir()) == ["index.html", "manifest.json"]
    text = (out / "index.html").read_text(encoding="utf-8")
    page = Page(text)
    words = page.words
    for expected in ("Case T-1", "Test Examiner", "cbis 0.1.0", "model-a (litert)", "a" * 64, "PASS"):
        assert expected in words
    assert "15 recorded files re-hashed" in words  # cbis verify ran: every recorded file, images or not
    # Nothing to fetch: no script, every address a data: URI or a link within the page, a policy that says so.
    assert not any(tag == "script" for tag, _ in page.elements)
    assert page.addresses() and all(a.startswith(("data:image/", "#")) for a in page.addresses())
    policy = next(
        attrs["content"] for tag, attrs in page.elements if attrs.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy and policy.startswith("default-src 'none'; img-src data:; style-src 'sha256-")
    assert "unsafe-inline" not in policy
    # Every selected image with its hashes, the anomalies cbis anomalies finds, the EXIF and the top-5 labels.
    images = {row["path"]: row for row in stored_rows(classified, "file_rows") if row["status"] == "image"}
    assert len(page.files()) == len(images) == 12
    for row in images.values():
        assert row["sha256"] in words and row["md5"] in words and row["path"] in words
    canon = words[words.index("camera/Canon_40D.jpg") : words.index("camera/Fujifilm_FinePix_E500.jpg")]
    assert "editing_software (3)" in canon and "GIMP 2.4.5" in canon and "Canon EOS 40D" in canon
    assert "1. tabby 0.9000" in canon
    thumbnails = [attrs["src"] for tag, attrs in page.elements if tag == "img"]
    assert len(thumbnails) >= 10 and all((src or "").startswith("data:image/jpeg;base64,") for src in thumbnails)
    # The map: one point per image with GPS, each titled with its path.
    located = [row for row in stored_rows(classified, "exif_rows") if row["gps_latitude"] is not None]
    assert len(re.findall(r"<circle ", text)) == len(located) >= 3
    assert "Images by top-1 label" in words and "Images by camera" in words and "Images per year taken" in words


def test_the_search_filters_select_the_files(classified: Path, tmp_path: Path) -> None:
    report(classified, "--html", tmp_path / "nikon", "--make", "nikon")
    page = read_page(tmp_path / "nikon" / "index.html")
    makes = {row["path"] for row in stored_rows(classified, "exif_rows") if "nikon" in (row["make"] or "").lower()}
    assert len(page.files()) == len(makes) >= 2
    assert "Selection: --make nikon" in page.words
    report(classified, "--html", tmp_path / "tabby", "--label", "tabby", "--has-gps")
    assert "--label tabby --has-gps" in read_page(tmp_path / "tabby" / "index.html").words
    report(classified, "--html", tmp_path / "none", "--hash", "0" * 64)
    assert "No file matches the selection." in read_page(tmp_path / "none" / "index.html").words
    refused = cbis("report", "--case", classified, "--geojson", tmp_path / "x.geojson", "--make", "nikon")
    assert refused.exit_code == 2 and "select the files of --html, --pdf and --case-uco" in refused.output
    assert not (tmp_path / "x.geojson").exists()
    bad = cbis("report", "--case", classified, "--html", tmp_path / "bad", "--from", "2024-13")
    assert bad.exit_code == 2 and "no such date" in bad.output and not (tmp_path / "bad").exists()


def test_a_large_selection_is_paged(classified: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_format, "FILES_PER_PAGE", 5)
    out = tmp_path / "html"
    report(classified, "--html", out)
    names = ["index.html", "files-0002.html", "files-0003.html"]
    assert sorted(path.name for path in out.iterdir()) == sorted([*names, "manifest.json"])
    pages = [read_page(out / name) for name in names]
    assert [len(page.files()) for page in pages] == [5, 5, 2]
    assert len({file for page in pages for file in page.files()}) == 12
    assert "PASS" in pages[0].words and "PASS" not in pages[1].words  # custody and charts: on the first page
    assert "Files 6 to 10 of 12" in pages[1].words
    for page in pages:
        links = [a for a in page.addresses() if a.endswith(".html")]
        assert set(links) == set(names) - {names[pages.index(page)]}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(entry["name"], entry["rows"]) for entry in manifest["files"]] == list(zip(names, [5, 5, 2], strict=True))
    monkeypatch.setattr(html_format, "FILES_PER_PAGE", 500)
    report(classified, "--html", out)  # its own earlier report: fewer pages now, the old ones removed
    assert sorted(path.name for path in out.iterdir()) == ["index.html", "manifest.json"]


def test_the_report_says_when_verify_fails_and_why(tmp_path: Path, backend_case: Path) -> None:
    evidence = tmp_path / "gps"
    build(evidence, [(f"p{n}.jpg", small_jpeg(n, exif=camera_exif(n))) for n in range(2)])
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    (evidence / "p1.jpg").write_bytes(small_jpeg(5, exif=camera_exif(5)))  # not what was hashed
    out = tmp_path / "html"
    report(backend_case, "--html", out)
    page = read_page(out / "index.html")
    assert "Result: FAIL : 1 changed." in page.words and "changed (1) p1.jpg" in page.words
    assert "no thumbnail: the file's content changed since it was indexed (SHA-256 differs)" in page.words
    assert "none: this case holds no labels" in page.words
    assert len([tag for tag, _ in page.elements if tag == "img"]) == 1


def test_file_names_and_exif_are_text_never_markup(tmp_path: Path, backend_case: Path) -> None:
    evidence = tmp_path / "hostile"
    payload = '<script>alert(1)</script><img src="http://example.com/x">'
    from tests.web.conftest import hostile_jpeg

    hostile_jpeg(evidence / "a<b>.jpg", payload)
    assert cbis("index", evidence, "--case", backend_case, "--no-classify").exit_code == 0
    out = tmp_path / "html"
    report(backend_case, "--html", out)
    page = read_page(out / "index.html")
    assert not any(tag == "script" for tag, _ in page.elements)
    assert all(a.startswith(("data:image/", "#")) for a in page.addresses())
    assert payload in page.words and "a<b>.jpg" in page.words


def case_validate(document: Path) -> subprocess.CompletedProcess[str]:
    """case-utils' validator against the CASE 1.4.0 ontology it bundles (no network: it ships the ontology)."""
    return subprocess.run(
        [CASE_VALIDATE, "--built-version", "case-1.4.0", str(document)], capture_output=True, text=True, timeout=300
    )


def test_case_uco_holds_every_selected_file_its_hashes_position_and_labels(classified: Path, tmp_path: Path) -> None:
    out = tmp_path / "case.jsonld"
    report(classified, "--case-uco", out)
    graph = json.loads(out.read_text(encoding="utf-8"))["@graph"]
    by_type: dict[str, list[dict]] = {}
    for node in graph:
        for kind in node["@type"] if isinstance(node["@type"], list) else [node["@type"]]:
            by_type.setdefault(kind, []).append(node)
    assert all(node["@id"].startswith("urn:uuid:") for node in graph)
    files = by_type["uco-observable:File"]
    images = {row["path"]: row for row in stored_rows(classified, "file_rows") if row["status"] == "image"}
    assert len(files) == len(images) == 12
    hashes = {
        h["uco-types:hashMethod"]: h["uco-types:hashValue"]["@value"].lower()
        for node in files
        for facet in node["uco-core:hasFacet"]
        for h in facet.get("uco-observable:hash", [])
        if facet["uco-observable:sizeInBytes"]
    }
    assert hashes  # one sample of each method at least
    sha256s = {
        h["uco-types:hashValue"]["@value"].lower()
        for node in files
        for facet in node["uco-core:hasFacet"]
        for h in facet.get("uco-observable:hash", [])
        if h["uco-types:hashMethod"] == "SHA256"
    }
    assert sha256s == {row["sha256"] for row in images.values()}
    facets = {facet["@type"] for node in files for facet in node["uco-core:hasFacet"]}
    assert facets == {
        "uco-observable:FileFacet",
        "uco-observable:ContentDataFacet",
        "uco-observable:RasterPictureFacet",
        "uco-observable:EXIFFacet",
    }
    located = {row["path"]: row for row in stored_rows(classified, "exif_rows") if row["gps_latitude"] is not None}
    positions = sorted(
        (float(facet["uco-location:latitude"]["@value"]), float(facet["uco-location:longitude"]["@value"]))
        for node in by_type["uco-location:Location"]
        for facet in node["uco-core:hasFacet"]
    )
    assert positions == sorted((row["gps_latitude"], row["gps_longitude"]) for row in located.values())
    assert len(by_type["uco-core:Relationship"]) == len(located)
    (action,) = by_type["case-investigation:InvestigativeAction"]
    tools = {node["@id"]: node for node in by_type["uco-tool:Tool"]}
    assert {tools[i["@id"]]["uco-core:name"] for i in action["uco-action:instrument"]} == {"cbis", "model-a"}
    assert "a" * 64 in json.dumps(tools)
    results = by_type["uco-analysis:AnalyticResult"]
    assert len(results) == len(action["uco-action:result"]) == 12
    classes = [
        c["uco-analysis:class"]
        for r in results
        for f in r["uco-core:hasFacet"]
        for c in f["uco-analysis:classification"]
    ]
    assert len(classes) == 60 and "tabby" in classes
    (investigation,) = by_type["case-investigation:Investigation"]
    assert investigation["uco-core:name"] == "T-1"
    report(classified, "--case-uco", tmp_path / "nikon.jsonld", "--make", "nikon")
    nikon = json.loads((tmp_path / "nikon.jsonld").read_text(encoding="utf-8"))["@graph"]
    assert 2 <= sum(node["@type"] == "uco-observable:File" for node in nikon) < 12


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the document's shape, not the database's
def test_case_uco_passes_case_validate_and_a_broken_one_does_not(classified: Path, tmp_path: Path) -> None:
    if not Path(CASE_VALIDATE).exists():
        pytest.skip("case_validate is missing (pip install -e '.[dev]' installs case-utils)")
    out = tmp_path / "case.jsonld"
    report(classified, "--case-uco", out)
    valid = case_validate(out)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "Conforms: True" in valid.stdout
    text = out.read_text(encoding="utf-8")
    # A misspelt property (a concept CASE 1.4.0 does not define), and a hash that is not hexBinary: both refused.
    misspelt = tmp_path / "misspelt.jsonld"
    misspelt.write_text(text.replace('"uco-observable:pictureWidth"', '"uco-observable:pictureWidht"'), "utf-8")
    document = json.loads(text)
    for node in document["@graph"]:
        for facet in node.get("uco-core:hasFacet", []):
            for digest in facet.get("uco-observable:hash", []):
                digest["uco-types:hashValue"] = {"@type": "xsd:hexBinary", "@value": "not hex"}
    not_hex = tmp_path / "not-hex.jsonld"
    not_hex.write_text(json.dumps(document), "utf-8")
    refused = case_validate(misspelt)
    assert refused.returncode != 0 and "pictureWidht" in refused.stderr  # an undefined concept, named
    refused = case_validate(not_hex)
    assert refused.returncode != 0 and "Conforms: False" in refused.stdout and "hexBinary" in refused.stdout


def test_review_decisions_are_in_the_report_and_select_its_files(classified: Path, tmp_path: Path) -> None:
    nikon = sorted(
        row["path"] for row in stored_rows(classified, "exif_rows") if "nikon" in (row["make"] or "").lower()
    )
    assert len(nikon) >= 2
    for args in (
        ("set", "--make", "nikon", "--category", "CAT-5"),
        ("tag", nikon[0], "holiday-set"),
        ("note", nikon[0], "same <b>beach</b> as the others"),
    ):
        result = cbis("review", *args, "--case", classified, "--examiner", "alice")
        assert result.exit_code == 0, result.output
    report(classified, "--html", tmp_path / "reviewed", "--category", "CAT-5")
    page = read_page(tmp_path / "reviewed" / "index.html")
    assert len(page.files()) == len(nikon)
    assert "Selection: --category CAT-5" in page.words
    assert page.words.count("Review category CAT-5") == len(nikon)
    assert "tags holiday-set" in page.words and "note same <b>beach</b> as the others" in page.words
    report(classified, "--html", tmp_path / "tagged", "--tag", "holiday-set")
    assert len(read_page(tmp_path / "tagged" / "index.html").files()) == 1
