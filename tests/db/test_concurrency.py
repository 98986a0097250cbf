"""One `cbis index` process writing while two viewers (two apps, two engines: two `cbis serve`s) and `cbis search`
read the same case, on each backend: no errors anywhere, and the readers only ever see whole batches."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

from flask.testing import FlaskClient

from cbis.web import create_app
from tests.db.support import cbis_command, make_corpus, run_cbis, scalar, wait_for

TOTAL = re.compile(r"<strong>([\d,]+)</strong> files?")
IMAGES = 1200
BATCH = 4


def listed(client: FlaskClient) -> int:
    response = client.get("/")
    assert response.status_code == 200
    match = TOTAL.search(response.get_data(as_text=True))
    assert match
    return int(match.group(1).replace(",", ""))


def test_index_with_two_viewers_and_a_search_loop(backend_case: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "ev"
    make_corpus(evidence, IMAGES)
    viewers = [create_app(backend_case, {"TESTING": True}).test_client() for _ in range(2)]
    failures: list[str] = []
    seen: dict[int, list[int]] = {0: [], 1: []}
    searches: list[int] = []
    stop = threading.Event()

    def browse(number: int) -> None:
        client = viewers[number]
        try:
            while not stop.is_set() or not seen[number]:
                for url in ("/overview", "/export/files.csv", "/?sort=date", "/?has_gps=1"):
                    response = client.get(url)
                    if response.status_code != 200:
                        failures.append(f"viewer {number}: GET {url} answered {response.status_code}")
                    # Counted after every request, not once a round: both viewers share this process's GIL, and
                    # on a loaded machine a round can outlast the run's whole writing phase.
                    seen[number].append(listed(client))
        except BaseException as exc:  # reported by the main thread
            failures.append(f"viewer {number}: {exc!r}")

    def search() -> None:
        while not stop.is_set() or not searches:
            result = run_cbis("search", "--case", backend_case, "--json", "--limit", str(IMAGES))
            if result.returncode != 0 or result.stderr:
                failures.append(f"cbis search: {result.returncode} {result.stderr}")
                return
            searches.append(len(result.stdout.splitlines()))

    threads = [threading.Thread(target=browse, args=(n,)) for n in range(2)] + [threading.Thread(target=search)]
    for thread in threads:
        thread.start()
    try:
        # The viewers' first requests (templates, reflection) happen before the run, not in its writing phase.
        assert wait_for(lambda: all(seen.values()) or bool(failures), timeout=60), "the viewers never answered"
        indexer = subprocess.Popen(
            cbis_command(
                "index", evidence, "--case", backend_case, "--no-classify", "--workers", "1", "--batch-size", str(BATCH)
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stdout, stderr = indexer.communicate(timeout=300)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert indexer.returncode == 0, stderr
    assert f"indexed {IMAGES} images" in stdout and "Error" not in stderr and "Traceback" not in stderr
    assert not failures, failures[:5]
    for number in (0, 1):
        counts = seen[number]
        assert counts == sorted(counts), "a viewer saw the count go down"
        assert all(count % BATCH == 0 for count in counts), "a viewer saw part of a batch"
        assert listed(viewers[number]) == IMAGES
    assert searches == sorted(searches) and all(count % BATCH == 0 for count in searches)
    assert wait_for(lambda: scalar(backend_case, "SELECT count(*) FROM files") == IMAGES, timeout=5)
    # The readers really read while the run wrote: they saw more than one state between empty and complete. (Not
    # three: with the other test worker busy, a CI run's readers once caught only 8 and 72 of its 300 commits.)
    assert len({count for count in seen[0] + seen[1] + searches if 0 < count < IMAGES}) >= 2, (seen, searches)
