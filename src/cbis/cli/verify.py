"""`cbis verify`."""

from __future__ import annotations

import typer

from cbis.cli._common import CaseOption, audited_case, stdout, user_errors
from cbis.status import ExitStatus


def verify(ctx: typer.Context, case: CaseOption = None) -> None:
    """Check the case database's integrity (exit 6 if damaged), the audit log's hash chain, and re-hash the
    evidence against the case (exit 5 if anything differs)."""
    from cbis.services.verify import verify_case

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        result = verify_case(opened)
        if result.damaged:
            opened.audit_outcome = "damaged: " + result.summary()
        elif not result.ok:
            opened.audit_outcome = "differs: " + result.summary()
    if result.damaged:
        stdout.print(f"case database: {result.integrity_checked} FAILED", highlight=False)
        for problem in result.integrity_problems:
            stdout.print(f"  DAMAGED  {problem}", highlight=False, markup=False)
        stdout.print(
            "DAMAGED: the case database fails its own integrity check, so nothing in it can be vouched for; restore "
            "it from a backup or the original copy and run `cbis verify` on that (the evidence was not compared)",
            highlight=False,
        )
        raise typer.Exit(int(ExitStatus.DAMAGED))
    stdout.print(
        f"audit log: {result.audit_entries} entries, "
        + ("chain intact" if not result.audit_problems else f"{len(result.audit_problems)} problem(s)"),
        highlight=False,
    )
    for problem in result.audit_problems:
        stdout.print(f"  AUDIT    {problem}", highlight=False, markup=False)
    if result.audit_head is not None:
        entry, row_hash = result.audit_head
        stdout.print(f"audit log head: entry {entry}, sha256 {row_hash}", highlight=False)
    stdout.print(
        f"review log: {result.review_events} events, "
        + ("chain intact, replays" if not result.review_problems else f"{len(result.review_problems)} problem(s)"),
        highlight=False,
    )
    for problem in result.review_problems:
        stdout.print(f"  REVIEW   {problem}", highlight=False, markup=False)
    if result.review_head is not None:
        entry, row_hash = result.review_head
        stdout.print(f"review log head: event {entry}, sha256 {row_hash}", highlight=False)
    stdout.print(f"evidence: {result.files_checked} recorded files checked", highlight=False)
    for label, paths in (
        ("MISSING ROOT", result.missing_roots),
        ("CHANGED", result.changed),
        ("MISSING", result.missing),
        ("ADDED", result.added),
        ("UNREADABLE", result.unreadable),
    ):
        for path in paths:
            stdout.print(f"  {label:<12} {path}", highlight=False, markup=False)
    stdout.print(f"case database: {result.integrity_checked} ok", highlight=False)
    if result.ok:
        stdout.print("OK: the audit and review chains are intact and the evidence matches the case", highlight=False)
        return
    stdout.print("DIFFERS: see the lines above", highlight=False)
    raise typer.Exit(int(ExitStatus.DIFFERS))
