"""`cbis similarity rebuild`: the nearest-neighbour index beside the case, for `cbis search --similar-to`."""

from __future__ import annotations

import typer

from cbis.cli._common import CaseOption, CbisCommand, CbisGroup, audited_case, stdout, user_errors

app = typer.Typer(cls=CbisGroup, no_args_is_help=True, help="The similarity index for `cbis search --similar-to`.")


@app.command("rebuild", cls=CbisCommand)
def rebuild(ctx: typer.Context, case: CaseOption = None) -> None:
    """Build each model's similarity index afresh from the case's stored embeddings (CASE_DIR/similarity/)."""
    from cbis.services.similarity_index import rebuild_indexes

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        results = rebuild_indexes(opened)
        opened.audit_outcome = "ok: " + ("; ".join(result.line() for result in results) or "no embeddings")
    if not results:
        stdout.print("no embeddings in this case: nothing to index (exact search needs none)", highlight=False)
    for result in results:
        stdout.print(result.line(), highlight=False, markup=False)
