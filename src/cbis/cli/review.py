"""`cbis review categories|add-category|set|tag|untag|note|show|conflicts|rollups|import`: the examiner's decisions,
as append-only review events."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from cbis.cli import _filters as f
from cbis.cli._common import CaseOption, CbisCommand, CbisGroup, audited_case, stdout, user_errors

if TYPE_CHECKING:
    from cbis.services import review

app = typer.Typer(
    cls=CbisGroup, no_args_is_help=True, help="Examiner review: categories, tags and notes (append-only events)."
)

Files = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files: a path relative to the evidence root (as `cbis search` shows it), a SHA-256/SHA-1/MD5, or a file "
        "id. Or none, and any `cbis search` filter selects them.",
        show_default=False,
    ),
]
Examiner = Annotated[
    str | None,
    typer.Option("--examiner", help="Who decides (default: $CBIS_EXAMINER, else the case's examiner)."),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Change nothing; say how many files would change.")]


def _report(result: review.ChangeResult, what: str) -> None:
    verb = "would change" if result.dry_run else "changed"
    conflicts = f"; {result.conflicts} recorded as conflicts" if result.conflicts else ""
    stdout.print(
        f"{result.changed} of {result.matched} files {verb} ({what}){conflicts}", highlight=False, markup=False
    )


def _bulk(
    ctx: typer.Context,
    case: CaseOption,
    files: list[str] | None,
    kind: str,
    value: str | None,
    examiner: str | None,
    dry_run: bool,
    options: dict[str, object],
) -> None:
    from cbis.services import review

    filters = f.make_filters(**options)
    with user_errors(), audited_case(ctx, case) as opened:
        result = review.apply_change(opened, files or [], filters, kind, value, examiner=examiner, dry_run=dry_run)
    _report(result, f"{kind.replace('_', ' ')} {result.value!r}" if result.value is not None else kind)


@app.command("categories", cls=CbisCommand)
def categories(ctx: typer.Context, case: CaseOption = None) -> None:
    """List the review categories (the Project VIC scheme, locked, then the case's own) with their file counts."""
    from cbis.services import review

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        listed = review.category_listing(opened)
    table = Table(title="review categories")
    for column in ("code", "name", "VICS", "pertinent", "files", "defined by"):
        table.add_column(column)
    for category, count in listed:
        table.add_row(
            *(
                Text(value)
                for value in (
                    category.code,
                    category.name,
                    "" if category.vics_category is None else str(category.vics_category),
                    "yes" if category.pertinent else "no",
                    str(count),
                    "Project VIC (locked)" if category.locked else category.created_by,
                )
            )
        )
    stdout.print(table)


@app.command("add-category", cls=CbisCommand)
def add_category(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The code (letters, digits, . _ -; not CAT-), e.g. WEAPON.")],
    name: Annotated[str, typer.Argument(help="What it means, e.g. 'Weapons'.")],
    description: Annotated[str, typer.Option("--description", help="A longer description.")] = "",
    not_pertinent: Annotated[
        bool, typer.Option("--not-pertinent", help="Files given it are not pertinent (as CAT-5).")
    ] = False,
    examiner: Examiner = None,
    case: CaseOption = None,
) -> None:
    """Add a case-defined review category (categories are never changed or removed: a code keeps its meaning)."""
    from cbis.services import review

    with user_errors(), audited_case(ctx, case) as opened:
        made = review.create_category(
            opened, code, name, description=description, pertinent=not not_pertinent, examiner=examiner
        )
    stdout.print(f"added category {made.code}: {made.name}", highlight=False, markup=False)


@app.command("set", cls=CbisCommand)
def set_(
    ctx: typer.Context,
    files: Files = None,
    category_code: Annotated[
        str, typer.Option("--category", help="CAT-0..CAT-5 or a case category (`cbis review categories`).")
    ] = "",
    examiner: Examiner = None,
    dry_run: DryRun = False,
    case: CaseOption = None,
    label: f.Label = None,
    min_score: f.MinScore = None,
    make: f.Make = None,
    camera_model: f.CameraModel = None,
    has_gps: f.HasGps = False,
    hash_: f.Hash = None,
    date_from: f.DateFrom = None,
    date_to: f.DateTo = None,
    ext_mismatch: f.ExtMismatch = False,
    unprocessed: f.Unprocessed = False,
    metadata_conflict: f.MetadataConflict = False,
    thumbnail_mismatch: f.ThumbnailMismatch = False,
    missing: f.Missing = "include",
    known: f.Known = False,
    notable: f.Notable = False,
    hashset: f.HashSetName = None,
    in_category: Annotated[str | None, typer.Option("--in-category", help="Files whose category is this now.")] = None,
    tag: f.Tag = None,
    rollup: f.RollupName = None,
    text: f.Text = None,
    screenshot: f.Screenshot = False,
    faces: f.Faces = False,
    min_faces: f.MinFaces = None,
) -> None:
    """Set the category of files (CAT-0 sets one back to uncategorised), named or selected by search filters."""
    options = {**locals(), "category": in_category}
    if not category_code:
        raise _missing("--category")
    _bulk(ctx, case, files, "category", category_code, examiner, dry_run, options)


def _missing(option: str) -> typer.Exit:
    typer.echo(f"Error: {option} is required", err=True)
    return typer.Exit(2)


def _tagging(kind: str):  # type: ignore[no-untyped-def]
    def command(
        ctx: typer.Context,
        files: Files = None,
        tag_text: Annotated[str, typer.Option("--tag-text", "-t", help="The tag.", show_default=False)] = "",
        examiner: Examiner = None,
        dry_run: DryRun = False,
        case: CaseOption = None,
        label: f.Label = None,
        min_score: f.MinScore = None,
        make: f.Make = None,
        camera_model: f.CameraModel = None,
        has_gps: f.HasGps = False,
        hash_: f.Hash = None,
        date_from: f.DateFrom = None,
        date_to: f.DateTo = None,
        ext_mismatch: f.ExtMismatch = False,
        unprocessed: f.Unprocessed = False,
        metadata_conflict: f.MetadataConflict = False,
        thumbnail_mismatch: f.ThumbnailMismatch = False,
        missing: f.Missing = "include",
        known: f.Known = False,
        notable: f.Notable = False,
        hashset: f.HashSetName = None,
        category: f.Category = None,
        tag: f.Tag = None,
        rollup: f.RollupName = None,
        text: f.Text = None,
        screenshot: f.Screenshot = False,
        faces: f.Faces = False,
        min_faces: f.MinFaces = None,
    ) -> None:
        options = dict(locals())
        listed = list(files or [])
        tag_value = tag_text
        if not tag_value:
            if not listed:
                raise _missing("the tag (FILE... TAG, or --tag-text with filters)")
            tag_value = listed.pop()  # `cbis review tag FILE TAG`: the last argument is the tag
        _bulk(ctx, case, listed, kind, tag_value, examiner, dry_run, options)

    return command


tag_command = _tagging("tag_add")
tag_command.__doc__ = "Add a tag to files: `cbis review tag FILE... TAG`, or `--tag-text TAG` with search filters."
app.command("tag", cls=CbisCommand)(tag_command)
untag_command = _tagging("tag_remove")
untag_command.__doc__ = "Remove a tag from files: `cbis review untag FILE... TAG`, or `--tag-text TAG` with filters."
app.command("untag", cls=CbisCommand)(untag_command)


@app.command("note", cls=CbisCommand)
def note(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The file: a path relative to the evidence root, a hash or a file id.")],
    text: Annotated[str, typer.Argument(help="The note (the file's note is replaced; '' clears it).")],
    examiner: Examiner = None,
    dry_run: DryRun = False,
    case: CaseOption = None,
) -> None:
    """Set a file's note (one note per file; the earlier ones stay in the file's history)."""
    _bulk(ctx, case, [file], "note", text, examiner, dry_run, {})


@app.command("show", cls=CbisCommand)
def show(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The file: a path relative to the evidence root, a hash or a file id.")],
    case: CaseOption = None,
) -> None:
    """Show a file's review: category, tags, note, hash-set pre-categories, and every event in order."""
    from cbis.services import review

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        found = review.show(opened, file)
    for item in found:
        state = item.state
        lines = [
            f"{item.path} (file {item.file_id})",
            f"  category: {state.category or 'CAT-0 (uncategorised)'}"
            + (f" by {state.category_by}" if state.category_by else ""),
            f"  tags: {', '.join(state.tags) or '-'}",
            f"  note: {state.note or '-'}",
        ]
        lines += [
            f"  pre-categorised by hash set {p.set_name}: {p.code or 'category ' + p.category}"
            + (" (the examiner's category stands)" if state.category else "")
            for p in state.precategorized_from
        ]
        for event in item.history:
            change = f"{event.before_value!r} -> {event.after_value!r}"
            tag = f" {event.tag!r}" if event.tag else ""
            conflict = f"  CONFLICT (based on event {event.based_on})" if event.conflict else ""
            lines.append(
                f"  #{event.id} {event.at} {event.examiner} ({event.origin}) {event.kind}{tag}: {change}{conflict}"
            )
        for line in lines:
            stdout.print(line, highlight=False, markup=False)


@app.command("conflicts", cls=CbisCommand)
def conflicts(ctx: typer.Context, case: CaseOption = None) -> None:
    """List the review changes made on a stale view (another examiner had changed the file since): both are kept."""
    from cbis.services import review

    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        listed = review.conflict_listing(opened)
    if not listed:
        stdout.print("no conflicting review changes", markup=False)
    for event in listed:
        stdout.print(
            f"#{event.id} file {event.file_id} {event.kind} {event.at} {event.examiner}: {event.before_value!r} -> "
            f"{event.after_value!r} (the examiner had seen event {event.based_on})",
            highlight=False,
            markup=False,
        )


@app.command("rollups", cls=CbisCommand)
def rollups(
    ctx: typer.Context,
    import_file: Annotated[
        Path | None,
        typer.Option(
            "--import", help="A rollups JSON file (as cbis/data/rollups.json) to add to or replace in the case."
        ),
    ] = None,
    examiner: Examiner = None,
    case: CaseOption = None,
) -> None:
    """List the forensic rollups (sets of WordNet synsets) with how often examiners agreed: of the files in each
    (by top-1 class) that were categorised, how many got a pertinent category. --import edits them for this case."""
    from cbis.services import review

    if import_file is not None:
        with user_errors(), audited_case(ctx, case) as opened:
            done = review.import_rollups(opened, import_file, examiner=examiner)
        stdout.print(f"imported {len(done)} rollups: {', '.join(r.name for r in done)}", markup=False)
        return
    with user_errors(), audited_case(ctx, case, readonly=True) as opened:
        listed = review.rollup_listing(opened)
    table = Table(title="rollups")
    for column in ("name", "classes", "files", "categorised", "pertinent", "agreement", "source"):
        table.add_column(column)
    for rollup, agreed in listed:
        precision = "" if agreed.precision is None else f"{agreed.precision:.0%}"
        table.add_row(
            *(
                Text(value)
                for value in (
                    rollup.name,
                    str(len(rollup.classes)),
                    str(agreed.files),
                    str(agreed.categorised),
                    str(agreed.pertinent),
                    precision,
                    rollup.source,
                )
            )
        )
    stdout.print(table)


@app.command("import", cls=CbisCommand)
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A VICS JSON export (cbis report --vics, or another tool's).")],
    examiner: Examiner = None,
    case: CaseOption = None,
) -> None:
    """Import the review in a Project VIC VICS JSON export into the case's files with the same hashes (additive;
    a hash set's pre-category is not a decision and is left out)."""
    from cbis.services import review

    with user_errors(), audited_case(ctx, case) as opened:
        done = review.import_vics(opened, file, examiner=examiner)
    stdout.print(
        f"{done.changed} review changes from {done.media} media ({done.matched_files} files matched, "
        f"{done.unmatched_media} media matching no file, {done.skipped_precategorized} pre-categorised only)",
        highlight=False,
        markup=False,
    )
