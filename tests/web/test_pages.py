"""Gallery, image page and overview through Flask's test client, on a case built by the services."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from cbis.db import queries
from cbis.db.models import File
from cbis.db.queries import SearchFilters
from cbis.web import create_app
from tests.web.conftest import BULK_IMAGES, LABELS, MODEL_B, ViewerCase, classify, listed_ids, reading

TOTAL = re.compile(r"<strong>([\d,]+)</strong> files?")


def total_of(html: str) -> int:
    match = TOTAL.search(html)
    assert match, "no result count on the page"
    return int(match.group(1).replace(",", ""))


def search_ids(case: ViewerCase, filters: SearchFilters, sort: str = "path", limit: int = 60) -> tuple[list[int], int]:
    """What `cbis search` finds for the same filters: the viewer must list exactly these, in this order."""
    with reading(case) as connection:
        hits = queries.search(connection, filters, limit=limit, sort=sort)
        return [hit.id for hit in hits], queries.count(connection, filters)


def test_gallery_shows_tiles_with_top1_label_and_score(client: FlaskClient, shared_case: ViewerCase) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    images = len([p for p in shared_case.ids if p.startswith("bulk/")])
    assert images == BULK_IMAGES
    assert total_of(html) == shared_case.images  # the non-image and the unreadable files are not listed
    canon = shared_case.ids["camera/Canon_40D.jpg"]
    tile = html[html.index(f'href="/image/{canon}"') :]
    tile = tile[: tile.index("</li>")]
    assert f'src="/file/{canon}/thumb.jpg"' in tile
    label_line = re.search(r'<span class="label">([^<]+)</span><span class="score">([\d.]+)%</span>', tile)
    assert label_line is not None
    assert label_line.group(1) in {label for _, label in LABELS}
    assert '<span title="camera: Canon / Canon EOS 40D">Canon EOS 40D</span>' in tile
    assert "2008-05-30 15:56" in tile and "100×68" in tile
    assert 'labels from <span class="mono">model-a</span>' in html


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", SearchFilters()),
        ("label=retriever", SearchFilters(label="retriever")),
        ("label=tabby&min_score=0.85", SearchFilters(label="tabby", min_score=0.85)),
        ("min_score=0.86", SearchFilters(min_score=0.86)),
        ("make=nikon", SearchFilters(make="nikon")),
        ("camera_model=EOS+40D", SearchFilters(camera_model="EOS 40D")),
        ("make=acme&from=2020-03&to=2020-08", SearchFilters(make="acme", date_from="2020-03", date_to="2020-08")),
        ("from=2008&to=2008", SearchFilters(date_from="2008", date_to="2008")),
        ("has_gps=1", SearchFilters(has_gps=True)),
        ("has_gps=1&make=nikon", SearchFilters(has_gps=True, make="nikon")),
        ("ext_mismatch=1", SearchFilters(ext_mismatch=True)),
        ("unprocessed=1", SearchFilters(unprocessed=True)),
    ],
)
def test_filters_list_what_cbis_search_finds(
    client: FlaskClient, shared_case: ViewerCase, query: str, filters: SearchFilters
) -> None:
    html = client.get(f"/?{query}").get_data(as_text=True)
    expected, count = search_ids(shared_case, filters)
    assert listed_ids(html) == expected
    assert total_of(html) == count


def test_filters_have_the_expected_matches(client: FlaskClient, shared_case: ViewerCase) -> None:
    paths = shared_case.paths()

    def listed(query: str) -> set[str]:
        return {paths[i] for i in listed_ids(client.get(f"/?{query}&per_page=120").get_data(as_text=True))}

    assert listed("has_gps=1") == {
        "gps/DSCN0010.jpg",
        "gps/DSCN0021.jpg",
        "misc/holiday-notes.txt",
        "phone/IMG_5195.HEIC",
    }
    assert listed("make=nikon&has_gps=1") == {"gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "misc/holiday-notes.txt"}
    assert listed("ext_mismatch=1") == {"misc/holiday-notes.txt", "misc/IMG_0001.jpg"}
    assert listed("unprocessed=1") == shared_case.with_status("unprocessed") >= {"misc/IMG_0001.jpg"}
    assert listed("from=2020-03&to=2020-05") == {"bulk/bulk_14.jpg", "bulk/bulk_15.jpg", "bulk/bulk_16.jpg"}
    with reading(shared_case) as connection:
        md5 = connection.execute(select(File.md5).where(File.path == "LICENSE.md")).scalar_one()
    assert listed(f"hash={md5.upper()}") == {"LICENSE.md"}  # hash search covers every file, any case


@pytest.mark.parametrize("sort", ["path", "date", "score"])
def test_sorts_follow_cbis_search(client: FlaskClient, shared_case: ViewerCase, sort: str) -> None:
    html = client.get(f"/?sort={sort}&per_page=120").get_data(as_text=True)
    expected, _ = search_ids(shared_case, SearchFilters(), sort=sort, limit=120)
    assert listed_ids(html) == expected
    if sort == "score":
        scores = [float(s) for s in re.findall(r'<span class="score">([\d.]+)%</span>', html)]
        assert scores == sorted(scores, reverse=True)


def test_pages_and_page_links_keep_the_filter(client: FlaskClient, shared_case: ViewerCase) -> None:
    first = client.get("/?make=acme&per_page=24").get_data(as_text=True)
    second = client.get("/?make=acme&per_page=24&page=2").get_data(as_text=True)
    assert total_of(first) == BULK_IMAGES
    ids = listed_ids(first) + listed_ids(second)
    assert len(listed_ids(first)) == 24 and len(ids) == BULK_IMAGES and len(set(ids)) == BULK_IMAGES
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert next_link is not None
    params = parse_qs(urlsplit(next_link.group(1).replace("&amp;", "&")).query)
    assert params == {"make": ["acme"], "per_page": ["24"], "page": ["2"], "after": [str(listed_ids(first)[-1])]}
    # A page past the end shows the last page instead of nothing.
    assert listed_ids(client.get("/?make=acme&per_page=24&page=99").get_data(as_text=True)) == listed_ids(second)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize("sort", ["path", "date", "score"])
def test_next_and_previous_walk_the_list_by_keyset(client: FlaskClient, shared_case: ViewerCase, sort: str) -> None:
    """Next and previous name the file the page starts after (ends before), so a page 10,000 deep skips no rows;
    the page number rides along for the pager."""
    expected, total = search_ids(shared_case, SearchFilters(), sort=sort, limit=1000)
    assert total == len(expected) > 3 * 12
    url: str | None = f"/?sort={sort}&per_page=24&page=1"
    walked: list[int] = []
    pages: list[str] = []
    while url is not None:
        html = client.get(url).get_data(as_text=True)
        walked.extend(listed_ids(html))
        pages.append(url)
        url = _link(html, "next")
        if url is not None:
            params = parse_qs(urlsplit(url).query)
            assert params["after"] == [str(walked[-1])] and params["page"] == [str(len(pages) + 1)], url
    assert walked == expected and len(pages) == -(-total // 24)
    back: list[int] = []
    html = client.get(pages[-1]).get_data(as_text=True)
    while (url := _link(html, "prev")) is not None:
        assert "after=" not in url
        html = client.get(url).get_data(as_text=True)
        back[:0] = listed_ids(html)
    assert back == expected[: 24 * (len(pages) - 1)]
    # A bookmarked keyset link whose file is gone shows the page by its number.
    by_number = client.get(f"/?sort={sort}&per_page=24&page=2").get_data(as_text=True)
    gone = client.get(f"/?sort={sort}&per_page=24&page=2&after=987654321").get_data(as_text=True)
    assert listed_ids(gone) == listed_ids(by_number) == expected[24:48]


def test_invalid_filters_are_explained_not_searched(client: FlaskClient) -> None:
    response = client.get("/?min_score=high&from=yesterday&hash=abc&sort=size&model=x&per_page=7")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in ("a score between 0 and 1", "a date like 2024", "a hex MD5", "one of path, date, score"):
        assert message in html
    assert "no such model in this case" in html
    assert listed_ids(html) == []
    assert 'aria-invalid="true"' in html


def test_image_page_shows_file_predictions_provenance_exif_and_map(
    client: FlaskClient, shared_case: ViewerCase
) -> None:
    file_id = shared_case.ids["gps/DSCN0010.jpg"]
    response = client.get(f"/image/{file_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with reading(shared_case) as connection:
        row = connection.execute(select(File.__table__).where(File.id == file_id)).one()
        predictions = queries.search(connection, SearchFilters(hash=row.sha256), with_predictions=True)[0].predictions
    for value in (row.md5, row.sha1, row.sha256, row.mtime, row.ctime, row.atime, row.path):
        assert value in html
    # Predictions: a server-side SVG bar chart with one bar per prediction, and the table.
    chart = html[html.index('<svg class="chart bars"') :]
    chart = chart[: chart.index("</svg>")]
    assert chart.count('class="bar"') == len(predictions) == 5
    for prediction in predictions:
        assert f"{prediction['score']:.1%}" in chart and prediction["label"] in chart
    # Provenance of the model.
    for value in ("model-a", "model-a (test fixture)", "a" * 64, "model-a-weights", "1.2.3", "2.99.0", "3.99.0"):
        assert value in html
    assert "resize to 224x224, (x - 127) / 128" in html
    # The full EXIF table, grouped by IFD.
    for group in ("Image (IFD0)", "Exif", "GPS", "Thumbnail (IFD1)"):
        assert f"<caption>{group} " in html
    assert "GPSLatitude" in html and "ExposureTime" in html
    # The map: offline outline and a point, plus the outbound link.
    assert html.count('<svg class="map ') == 2
    assert 'href="/static/map/world-110m.svg"' in html
    assert html.count("<circle ") == 2
    assert "https://www.openstreetmap.org/?mlat=43.467448&amp;mlon=11.885127#map=15/43.467448/11.885127" in html
    assert f'src="/file/{file_id}/display.jpg"' in html
    assert f'href="/file/{file_id}/original"' in html


def test_image_page_of_unprocessed_and_other_files(client: FlaskClient, shared_case: ViewerCase) -> None:
    html = client.get(f"/image/{shared_case.ids['misc/IMG_0001.jpg']}").get_data(as_text=True)
    assert "not an image: the content is no known image format" in html
    assert "display.jpg" not in html
    html = client.get(f"/image/{shared_case.ids['LICENSE.md']}").get_data(as_text=True)
    assert "Not an image" in html and "/original" in html


def test_previous_next_walk_the_filtered_list_and_keep_the_filter(client: FlaskClient, shared_case: ViewerCase) -> None:
    query = "has_gps=1&sort=date"
    expected = listed_ids(client.get(f"/?{query}").get_data(as_text=True))
    assert len(expected) == 4
    walked = [expected[0]]
    url = f"/image/{expected[0]}?{query}"
    while True:
        html = client.get(url).get_data(as_text=True)
        assert f"{len(walked)} of 4" in html
        link = re.search(r'<a class="button" rel="next" href="([^"]+)"', html)
        if link is None:
            break
        url = link.group(1).replace("&amp;", "&")
        assert parse_qs(urlsplit(url).query) == {"has_gps": ["1"], "sort": ["date"]}
        walked.append(int(urlsplit(url).path.rsplit("/", 1)[1]))
    assert walked == expected
    html = client.get(url).get_data(as_text=True)
    previous = re.search(r'<a class="button" rel="prev" href="([^"]+)"', html)
    assert previous is not None and previous.group(1).replace("&amp;", "&") == f"/image/{expected[-2]}?{query}"


def test_back_link_returns_to_the_page_holding_the_image(client: FlaskClient, shared_case: ViewerCase) -> None:
    second_page = listed_ids(client.get("/?per_page=24&page=2").get_data(as_text=True))
    html = client.get(f"/image/{second_page[3]}?per_page=24").get_data(as_text=True)
    assert 'href="/?per_page=24&amp;page=2">↑ Results (page 2)' in html
    assert f"{24 + 4} of {shared_case.images}" in html


def test_image_outside_the_filter_has_no_neighbours(client: FlaskClient, shared_case: ViewerCase) -> None:
    html = client.get(f"/image/{shared_case.ids['camera/Canon_40D.jpg']}?has_gps=1").get_data(as_text=True)
    assert "not in the current filter" in html
    assert 'rel="next"' not in html and 'rel="prev"' not in html


def test_overview_counts_charts_map_and_unprocessed(client: FlaskClient, shared_case: ViewerCase) -> None:
    response = client.get("/overview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Case WEB-1" in html and "Web Examiner" in html
    with reading(shared_case) as connection:
        labels = queries.top1_label_counts(connection, shared_case.model_id)
    labels_chart = html[html.index('aria-label="Images by top-1 label"') :]
    labels_chart = labels_chart[: labels_chart.index("</svg>")]
    for label, n in labels:
        assert re.search(rf"<title>{re.escape(str(escape_text(label)))}: {n}</title>", labels_chart), label
    cameras = html[html.index('aria-label="Images by camera make and model"') :]
    assert "<title>Acme Bulk 1: 30</title>" in cameras[: cameras.index("</svg>")]
    types = html[html.index('aria-label="Files by detected type and status"') :]
    types = types[: types.index("</svg>")]
    jpegs = sum(found == ("image", "jpeg") for found in shared_case.statuses.values())
    assert f"<title>jpeg (image): {jpegs}</title>" in types and "<title>heif (image): 1</title>" in types
    timeline = html[html.index('aria-label="Images per year"') :]
    timeline = timeline[: timeline.index("</svg>")]
    assert "<title>2019: 12 images</title>" in timeline and "<title>2020: 12 images</title>" in timeline
    assert 'href="/?from=2019&amp;to=2019"' in timeline
    gps = html[html.index('<svg class="map map-overview"') :]
    assert gps[: gps.index("</svg>")].count("<circle ") == 4
    assert "misc/IMG_0001.jpg" in html and "not an image: the content is no known image format" in html
    for path in shared_case.with_status("unprocessed"):
        assert str(escape(path)) in html


def escape_text(text: str) -> str:
    return str(escape(text))


def test_model_choice_defaults_to_the_most_recent(fresh_case: ViewerCase) -> None:
    model_b = classify(fresh_case.case_dir, MODEL_B, shift=1)
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()
    file_id = fresh_case.ids["camera/Canon_40D.jpg"]
    with reading(fresh_case) as connection:
        top = {
            model: queries.search(connection, SearchFilters(model_id=model, camera_model="EOS 40D"))[0].label
            for model in (fresh_case.model_id, model_b)
        }
    assert top[fresh_case.model_id] != top[model_b]
    default = client.get(f"/image/{file_id}").get_data(as_text=True)
    assert "Top-5 predictions of model-b" in default and "b" * 64 in default
    chosen = client.get(f"/image/{file_id}?model={fresh_case.model_id}").get_data(as_text=True)
    assert "Top-5 predictions of model-a" in chosen and "a" * 64 in chosen
    gallery = client.get(f"/?camera_model=EOS+40D&model={fresh_case.model_id}").get_data(as_text=True)
    assert f'<span class="label">{top[fresh_case.model_id]}</span>' in gallery
    assert f'<option value="{fresh_case.model_id}" selected>' in gallery
    assert client.get("/?model=999").status_code == 400
