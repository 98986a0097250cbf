"""`cbis anomalies`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cbis.cli._common import CaseOption, audited_case, stdout, user_errors


def anomalies(
    ctx: typer.Context,
    case: CaseOption = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many files. Default: all.")] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Only files whose reasons weigh at least this much in all.")
    ] = 0.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object a line, highest first: path, score, every reason.")
    ] = False,
) -> None:
    """Files whose metadata deserves a second look (editing software, dates out of order, a thumbnail that is not
    the picture, GPS and time zone, maker note against make, extension against content), ranked, with reasons."""
    from cbis.services.anomalies import find_anomalies

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        found = find_anomalies(opened, limit=limit, min_score=min_score)
        if as_json:
            for anomaly in found:
                typer.echo(json.dumps(anomaly.as_json(), ensure_ascii=False))
            return
        table = Table(title="Files whose metadata deserves a second look, highest score first")
        table.add_column("score", justify="right")
        table.add_column("evidence root: path", overflow="fold", min_width=20)
        table.add_column("reasons (weight)", overflow="fold")
        rows = 0
        for anomaly in found:
            rows += 1
            reasons = "\n".join(f"{reason.detail} ({reason.weight:g})" for reason in anomaly.reasons)
            cells = (f"{anomaly.score:g}", f"{anomaly.facts.evidence}: {anomaly.facts.path}", reasons)
            table.add_row(*(Text(cell) for cell in cells))  # a file name is never markup
    table.caption = f"{rows} file(s)"
    stdout.print(table)
