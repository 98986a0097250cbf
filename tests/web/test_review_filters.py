"""The viewer's gallery filters by review category, tag and rollup through the same query as `cbis search`."""

from __future__ import annotations

from cbis.db import queries
from cbis.db import review as review_db
from cbis.db.queries import SearchFilters
from cbis.db.review import NewReviewEvent
from cbis.rollups import find
from cbis.services import review
from cbis.services.cases import open_case, utc_now
from cbis.web import create_app
from tests.web.conftest import ViewerCase, listed_ids, reading


def test_gallery_filters_by_category_tag_and_rollup(fresh_case: ViewerCase) -> None:
    chosen = sorted(path for path in fresh_case.with_status("image") if path.startswith("bulk/"))[:3]
    ids = [fresh_case.ids[path] for path in chosen]
    case = open_case(fresh_case.case_dir)
    try:
        with case.engine.begin() as connection:
            for file_id, (kind, value) in zip(
                ids, (("category", "CAT-1"), ("category", "CAT-5"), ("tag_add", "kitchen")), strict=True
            ):
                event = NewReviewEvent(file_id, kind, value, "Web Examiner", "viewer", utc_now(), None, "s")
                review.append_review_event(connection, event)
    finally:
        case.close()
    client = create_app(fresh_case.case_dir, {"TESTING": True}).test_client()

    def listed(query: str) -> list[int]:
        response = client.get(f"/?{query}&per_page=120")
        assert response.status_code == 200
        return listed_ids(response.get_data(as_text=True))

    assert listed("category=cat-1") == [ids[0]]
    assert listed("category=CAT-5") == [ids[1]]
    assert listed("tag=kitchen") == [ids[2]]
    assert ids[0] not in listed("category=CAT-0") and ids[2] in listed("category=CAT-0")
    with reading(fresh_case) as connection:
        classes = sorted(find(review_db.rollups(connection), "animals").classes)
        expected = [hit.id for hit in queries.search(connection, SearchFilters(rollup_classes=classes), limit=120)]
    assert listed("rollup=animals") == expected
    refused = client.get("/?category=CAT-9").get_data(as_text=True)
    assert "one of CAT-0, CAT-1" in refused
