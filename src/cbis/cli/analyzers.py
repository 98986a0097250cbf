"""`cbis analyzers`."""

from __future__ import annotations

from rich.table import Table

from cbis.cli._common import stdout


def analyzers() -> None:
    """List the analyzers `cbis index --analyze` can run, whether each is available here, and why not."""
    from cbis.analyzers import statuses

    table = Table()
    for column in ("analyzer", "available", "description / reason"):
        table.add_column(column)
    for status in statuses():
        name = status.name + (" (default)" if status.in_default else "")
        detail = "\n".join(part for part in (status.description, status.what_it_does) if part)
        if not status.available:
            detail += f"\n{status.reason}"
        table.add_row(name, "yes" if status.available else "no", detail)
    stdout.print(table)
