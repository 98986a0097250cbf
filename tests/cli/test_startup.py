"""Start-up: each command loads what it needs and nothing else, so `cbis --help` answers at once and a search
does not wait for numpy, Pillow or TensorFlow (issue: "begin work within 0.5 s"; bench/bench_startup.py prints
the times). What is imported is checked here, not how long it takes: module lists are exact, timings are not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import cbis

HEAVY = ("sqlalchemy", "numpy", "PIL", "tensorflow", "ai_edge_litert", "flask", "ray", "pyarrow", "usearch")

PROBE = """
import json, sys
from cbis.cli.main import main
sys.argv = ["cbis", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(name for name in {heavy!r} if name in sys.modules)), file=sys.stderr)
"""


def loaded_by(*args: str | Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps([str(a) for a in args])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


def test_help_loads_no_database_library_model_or_web_framework() -> None:
    assert loaded_by("--help") == []
    assert loaded_by("index", "--help") == []
    assert loaded_by("report", "--help") == []


def test_a_search_loads_the_database_layer_only(case_dir: Path) -> None:
    assert cbis("search", "--case", case_dir).exit_code == 0
    assert loaded_by("search", "--case", case_dir, "--limit", "1") == ["sqlalchemy"]
    assert loaded_by("case", "info", "--case", case_dir) == ["sqlalchemy"]
