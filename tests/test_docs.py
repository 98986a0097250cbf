"""Every command has help text and appears in the README (as sqlite-utils' tests/test_docs.py does)."""

from __future__ import annotations

import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from cbis.cli.main import app
from tests.conftest import EXAMPLES
from tests.helpers import cbis

README = Path(__file__).resolve().parents[1] / "README.md"


def commands(t: typer.Typer, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str | None]]:
    for command in t.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        yield (*prefix, name), command.help or inspect.getdoc(command.callback)
    for group in t.registered_groups:
        yield from commands(group.typer_instance, (*prefix, group.name))


ALL_COMMANDS = list(commands(app))


def test_the_cli_has_the_commands_the_issues_name() -> None:
    names = {" ".join(path) for path, _ in ALL_COMMANDS}
    assert {"case new", "case info", "index", "search", "report", "models"} <= names


@pytest.mark.parametrize(("path", "help_text"), ALL_COMMANDS, ids=[" ".join(p) for p, _ in ALL_COMMANDS])
def test_command_has_help_and_is_documented(path: tuple[str, ...], help_text: str | None) -> None:
    assert help_text, f"cbis {' '.join(path)} has no help text"
    result = cbis(*path, "--help")
    assert result.exit_code == 0 and "Usage" in result.stdout
    assert f"cbis {' '.join(path)}" in README.read_text(encoding="utf-8")


def test_readme_quick_start_has_exactly_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands_shown = [line.strip() for line in quick_start.splitlines() if line.strip().startswith("make ")]
    assert commands_shown == ["make demo", "make test"]


# --- The README's sample outputs are what the demo commands print ---------------------------------------------

DEMO_CASE = "build/demo-case"
# What differs from one run to the next, or from one machine to the next, is replaced before comparing; counts,
# column names, labels, hashes of the evidence and messages are compared as they are.
VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z"), "<time UTC>"),  # when the case was created
    (re.compile(r"in \d+\.\d s"), "in <seconds> s"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),  # the audit head: depends on the times hashed in
    (re.compile(r"\b0\.\d{3}(\d{3})?\b"), "<score>"),  # model scores, similarities: last digits vary by CPU
    (re.compile(r"(audit entries +)\d+"), r"\1<n>"),  # how many commands ran before: the README's are not all here
    (re.compile(r"audit log: \d+ entries"), "audit log: <n> entries"),
    (re.compile(r"audit log head: entry \d+"), "audit log head: entry <n>"),
]


def readme_sessions() -> list[tuple[str, list[str]]]:
    """Each `$ cbis ...` line of the README's examples on the demo case, with the output shown under it."""
    sessions: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                sessions.append((line[2:], []))
            elif sessions and block.startswith("$ "):
                sessions[-1][1].append(line)
    return [(command, output) for command, output in sessions if command.startswith("cbis ") and DEMO_CASE in command]


BOX_DRAWING = re.compile("[\u2500-\u257f]")


def normalised(lines: list[str], project: Path) -> list[str]:
    """The lines in shape: the README's /work/main as this test's project, volatile values replaced, tables
    without their box drawing (the README leaves it out) and runs of spaces (column widths) as one."""
    result = []
    for line in lines:
        line = BOX_DRAWING.sub(" ", line.replace("/work/main", str(project)))
        for pattern, replacement in VOLATILE:
            line = pattern.sub(replacement, line)
        if line.strip():
            result.append(" ".join(line.split()))
    return result


def run_in(project: Path, command: str) -> list[str]:
    argv = shlex.split(command)
    wide = {**os.environ, "COLUMNS": "200"}  # a terminal wide enough for the tables: no cell wraps
    result = subprocess.run(
        [sys.executable, "-m", "cbis", *argv[1:]], cwd=project, capture_output=True, text=True, timeout=600, env=wide
    )
    assert result.returncode == 0, f"{command}: {result.stderr}"
    return result.stdout.splitlines()


@pytest.mark.slow
def test_the_readme_shows_what_the_demo_commands_print(tmp_path: Path) -> None:
    """The README's demo session replayed on a fresh copy of the sample evidence: every output it shows (not the
    ones it elides with '...', pipes to other tools or needs a password for) is what the command prints."""
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES, project / "examples" / "evidence")
    sessions = readme_sessions()
    # The README shows `case info` where it explains cases, but its output is that of the indexed case: the
    # demo's order (Makefile: case new, index, ...) comes first.
    first = [s for s in sessions if s[0].startswith(("cbis case new", "cbis index"))]
    rest = [s for s in sessions if s not in first]
    compared, differences = [], []
    for command, shown in first + rest:
        if "|" in command or any("..." in line for line in shown) or command.startswith(("cbis user", "cbis serve")):
            continue
        printed = run_in(project, command)
        if normalised(printed, project) != normalised(shown, project):
            differences.append(f"$ {command}\nREADME:\n" + "\n".join(shown) + "\nprinted:\n" + "\n".join(printed))
        compared.append(command.split(" --")[0])
    head = (project / "build" / "demo-report" / "prediction.csv").read_text(encoding="utf-8").splitlines()[:4]
    [(_, shown_head)] = readme_sessions_head()
    if normalised(head, project) != normalised(shown_head, project):
        differences.append("head -4 prediction.csv\nREADME:\n" + "\n".join(shown_head) + "\nfile:\n" + "\n".join(head))
    assert not differences, "\n\n".join(differences)
    # The README's main examples were all compared, not skipped by the rules above.
    assert {"cbis case new build/demo-case", "cbis case info", "cbis index examples/evidence", "cbis search",
            "cbis report", "cbis verify"} <= set(compared)  # fmt: skip


def readme_sessions_head() -> list[tuple[str, list[str]]]:
    """The README's `head -4` of prediction.csv, with its output."""
    found = []
    for block in re.findall(r"^```\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M):
        lines = block.splitlines()
        for n, line in enumerate(lines):
            if line.startswith("$ head -4 build/demo-report/prediction.csv"):
                found.append((line, lines[n + 1 : n + 5]))
    return found
