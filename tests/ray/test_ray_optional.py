"""Ray is an optional extra: nothing imports it unless --ray is given, and without it --ray says what to install.

These run whether Ray is installed or not (each in a fresh interpreter, so nothing else has imported it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.conftest import _session_home

# Runs the CLI in-process and reports whether Ray (or its Arrow) got imported; `block_ray` makes `import ray`
# fail as it does where Ray is not installed.
PROBE = """
import sys
if sys.argv[1] == "block_ray":
    sys.modules["ray"] = None
from cbis.cli.main import app
try:
    app(sys.argv[2:], prog_name="cbis")
except SystemExit as exit:
    code = exit.code
print("imported:", sorted(m for m in ("ray", "pyarrow") if m in sys.modules), file=sys.stderr)
sys.exit(code)
"""


def run_cbis(*args: str | Path, block_ray: bool = False, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, "block_ray" if block_ray else "-", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "CBIS_HOME": str(home)},
        timeout=120,
    )


def test_help_and_a_local_index_never_import_ray(tmp_path: Path, tmp_path_factory) -> None:
    home = _session_home(tmp_path_factory)
    assert "imported: []" in run_cbis("--help", home=home).stderr
    help_text = run_cbis("index", "--help", home=home)
    assert "--ray" in help_text.stdout and "imported: []" in help_text.stderr

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    Image.new("RGB", (32, 24), (1, 2, 3)).save(evidence / "a.png")
    assert run_cbis("case", "new", tmp_path / "case", "--number", "1", "--examiner", "E", home=home).returncode == 0
    index = run_cbis("index", evidence, "--case", tmp_path / "case", "--no-classify", home=home)
    assert index.returncode == 0, index.stderr
    assert "indexed 1 images" in index.stdout
    assert "imported: []" in index.stderr


def test_ray_option_without_ray_installed_says_what_to_install(tmp_path: Path, tmp_path_factory) -> None:
    home = _session_home(tmp_path_factory)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    Image.new("RGB", (32, 24), (1, 2, 3)).save(evidence / "a.png")
    assert run_cbis("case", "new", tmp_path / "case", "--number", "1", "--examiner", "E", home=home).returncode == 0
    result = run_cbis("index", evidence, "--case", tmp_path / "case", "--ray", "local", block_ray=True, home=home)
    assert result.returncode == 1
    assert "Error: --ray needs Ray Data, which is not installed" in result.stderr
    assert "pip install 'cbis[ray]'" in result.stderr
    assert "Traceback" not in result.stderr
