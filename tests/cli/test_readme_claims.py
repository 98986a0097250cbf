"""README promises that had no test of their own: --debug, `cbis models`, the --limit default, the --workers
cap and "runs offline" (index and classify in a network namespace behave exactly as with the network)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import EXAMPLES, _session_home
from tests.hostile.helpers import cbis_command, cbis_run


def test_debug_shows_the_traceback_the_one_line_error_hides(tmp_path: Path) -> None:
    plain = cbis_run("case", "info", "--case", tmp_path / "nowhere")
    assert plain.returncode == 2
    [line] = plain.stderr.strip().splitlines()
    assert (
        line
        == f"Error: {tmp_path / 'nowhere'} is not a cbis case (no case.sqlite or case.toml); create one with "
        + ("`cbis case new`")
    )
    debug = cbis_run("--debug", "case", "info", "--case", tmp_path / "nowhere")
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr and "NoCaseError" in debug.stderr


def test_models_lists_the_table_the_default_and_why_a_model_is_unavailable(tmp_path: Path) -> None:
    environment = {**os.environ, "COLUMNS": "250", "KERAS_HOME": str(tmp_path / "no-keras")}
    result = subprocess.run(cbis_command("models"), capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode == 0, result.stderr
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in result.stdout.splitlines() if "│" in line]
    header = next(line for line in result.stdout.splitlines() if "┃" in line)
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == ["model", "input", "available", "description / reason"]
    rows = {cells_[0]: cells_ for cells_ in cells if cells_[0]}
    assert rows["efficientnet-lite0 (default)"][1:3] == ["224px", "yes"]
    assert rows["mobilenet-v2"][1:3] == ["224px", "yes"]
    assert rows["inception-v3"][1:3] == ["299px", "no"]
    reason = " ".join(line[3] for line in cells[[c[0] for c in cells].index("inception-v3") :])
    assert "no weights on this machine" in reason and "--weights PATH" in reason and "never" in reason


def test_search_limit_defaults_to_50(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for n in range(53):
        Image.new("RGB", (8, 8), (n, 2 * n, 3 * n)).save(evidence / f"img{n:02d}.png")
    case_dir = tmp_path / "case"
    assert cbis_run("case", "new", case_dir, "--number", "L-1", "--examiner", "E").returncode == 0
    assert cbis_run("index", evidence, "--case", case_dir, "--no-classify").returncode == 0
    default = cbis_run("search", "--case", case_dir, "--json")
    assert default.returncode == 0, default.stderr
    assert len(default.stdout.splitlines()) == 50
    assert len(cbis_run("search", "--case", case_dir, "--json", "--limit", "60").stdout.splitlines()) == 53


def test_default_workers_are_one_per_usable_cpu_up_to_8() -> None:
    probe = (
        "import os, cbis.services.index_defaults as defaults\n"
        "seen = [defaults.default_workers()]\n"
        "for cpus in (1, 3, 8, 9, 64):\n"
        "    defaults.usable_cpu_count = lambda cpus=cpus: cpus\n"
        "    seen.append(defaults.default_workers())\n"
        "print(*seen, len(os.sched_getaffinity(0)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    *seen, allowed = map(int, result.stdout.split())
    assert seen == [min(8, allowed), 1, 3, 8, 8, 8]


def _index_and_search(evidence: Path, case_dir: Path, home: Path, offline: bool) -> list[dict[str, object]]:
    prefix = ["unshare", "--net", "--"] if offline else []
    environment = {**os.environ, "CBIS_HOME": str(home)}
    for args in (
        ["case", "new", str(case_dir), "--number", "NET-1", "--examiner", "E"],
        ["index", str(evidence), "--case", str(case_dir), "--workers", "1"],
    ):
        done = subprocess.run(
            [*prefix, *cbis_command(*args)], capture_output=True, text=True, env=environment, timeout=600
        )
        assert done.returncode == 0, done.stderr
    found = subprocess.run(
        [*prefix, *cbis_command("search", "--case", str(case_dir), "--json", "--sort", "path")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert found.returncode == 0, found.stderr
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    return [{k: v for k, v in hit.items() if k not in ("id", "evidence")} for hit in hits]


@dataclass(frozen=True)
class OfflineRun:
    case_dir: Path
    home: Path  # the offline run's own model cache
    online: list[dict[str, object]]
    offline: list[dict[str, object]]


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory: pytest.TempPathFactory) -> OfflineRun:
    """The sample evidence indexed with the network, then again in a network namespace with a fresh CBIS_HOME,
    so the weights' one-time conversion runs offline too. Once per module: both offline tests read it."""
    root = tmp_path_factory.mktemp("offline")
    evidence = root / "evidence"
    shutil.copytree(EXAMPLES, evidence)
    # The online reference reuses the session's model cache: its conversion is not what this compares.
    online = _index_and_search(evidence, root / "online", _session_home(tmp_path_factory), offline=False)
    offline = _index_and_search(evidence, root / "offline", root / "home-offline", offline=True)
    return OfflineRun(root / "offline", root / "home-offline", online, offline)


NEEDS_NAMESPACE = pytest.mark.skipif(
    os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("ip") and shutil.which("curl")),
    reason="a network namespace needs root, unshare, ip and curl",
)


@pytest.mark.slow
@pytest.mark.xdist_group("offline")
@NEEDS_NAMESPACE
def test_index_and_classify_run_offline_exactly_as_online(offline_run: OfflineRun) -> None:
    """`unshare --net`: no interface but a downed loopback, so any connection attempt fails at once."""
    probe = subprocess.run(
        ["unshare", "--net", "--", sys.executable, "-c", "import socket; socket.create_connection(('1.1.1.1', 80), 2)"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "unreachable" in probe.stderr.lower(), probe.stderr  # the namespace has no route
    assert len(offline_run.offline) == 12 and any(hit["predictions"] for hit in offline_run.offline)
    assert offline_run.offline == offline_run.online
    assert any(offline_run.home.rglob("*")), "the offline run's model cache is empty: nothing was converted offline"


SERVE_OFFLINE = r"""
set -e
ip link set lo up
"$PYTHON" -m cbis serve --case "$CASE" --port 8765 > "$OUT/serve.log" 2>&1 &
server=$!
for attempt in $(seq 100); do
  curl -s -o /dev/null http://127.0.0.1:8765/ && break
  sleep 0.2
done
for page in / /overview /image/$IMAGE /file/$IMAGE/thumb.jpg; do
  name=$(echo "$page" | tr / _)
  curl -s -o "$OUT/page$name" -w "%{http_code} $page\n" "http://127.0.0.1:8765$page" >> "$OUT/codes"
done
kill $server
"""


@pytest.mark.slow
@pytest.mark.xdist_group("offline")
@NEEDS_NAMESPACE
def test_the_viewer_serves_offline(tmp_path: Path, offline_run: OfflineRun) -> None:
    """`cbis serve` in a network namespace with only a loopback: every page answers, and none names anything
    beyond the viewer itself (no CDN, no font or script from elsewhere)."""
    case_dir, home = offline_run.case_dir, offline_run.home
    out = tmp_path / "out"
    out.mkdir()
    with sqlite3.connect(case_dir / "case.sqlite") as connection:
        [(image,)] = connection.execute("SELECT min(id) FROM files WHERE status = 'image'").fetchall()
    environment = {**os.environ, "PYTHON": sys.executable, "CASE": str(case_dir), "OUT": str(out),
                   "CBIS_HOME": str(home), "IMAGE": str(image)}  # fmt: skip
    done = subprocess.run(["unshare", "--net", "--", "sh", "-c", SERVE_OFFLINE], env=environment, timeout=300)
    assert done.returncode == 0
    codes = (out / "codes").read_text().split("\n")
    assert [line.split()[0] for line in codes if line] == ["200"] * 4, (codes, (out / "serve.log").read_text())
    for page in ("page_", "page_overview", f"page_image_{image}"):
        html = (out / page).read_text(encoding="utf-8")
        elsewhere = re.findall(r"""(?:src|href)=["'](?:https?:)?//([^"'/]+)""", html)
        assert not [host for host in elsewhere if host not in ("127.0.0.1:8765", "localhost:8765")], (page, elsewhere)
    assert (out / f"page_file_{image}_thumb.jpg").read_bytes()[:2] == b"\xff\xd8"
