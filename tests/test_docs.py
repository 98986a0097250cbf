"""Every command has help text and appears in the README (as sqlite-utils' tests/test_docs.py does)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from cbis.cli.main import app
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
