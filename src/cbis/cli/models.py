"""`cbis models`."""

from __future__ import annotations

from rich.table import Table

from cbis.cli._common import stdout


def models() -> None:
    """List the classifiers, whether each is available here, and why not."""
    from cbis.model.registry import DEFAULT_MODEL, list_models

    table = Table()
    for column in ("model", "input", "available", "description / reason"):
        table.add_column(column)
    for status in list_models():
        name = status.name + (" (default)" if status.name == DEFAULT_MODEL else "")
        available = "yes" if status.available else "no"
        detail = status.description if status.available else f"{status.description}\n{status.reason}"
        table.add_row(name, f"{status.input_size}px", available, detail)
    stdout.print(table)
