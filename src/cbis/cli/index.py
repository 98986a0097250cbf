"""`cbis index EVIDENCE_DIR`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cbis.cli._common import CaseOption, audited_case, fail, resolve_case_dir, stderr, stdout, user_errors
from cbis.services.index_defaults import DEFAULT_BATCH_SIZE, DEFAULT_MAX_PIXELS, default_workers
from cbis.status import ExitStatus

if TYPE_CHECKING:
    from cbis.services.distributed import RayOptions
    from cbis.services.indexer import IndexOptions, IndexProgress


def index(
    ctx: typer.Context,
    # Taken as text: a Path argument turns '' (an unset shell variable, say) into '.', the current directory.
    evidence_path: Annotated[
        str, typer.Argument(metavar="EVIDENCE_DIR", help="Evidence directory to walk (read-only).", show_default=False)
    ],
    case: CaseOption = None,
    analyze: Annotated[
        str | None,
        typer.Option(
            "--analyze",
            metavar="NAME[,NAME...]",
            help="Analyzers to run (see `cbis analyzers`). Default: the default ones (imagenet, perceptual, and ocr "
            "and faces where their engines are installed). On a case that "
            "has the files already, runs just the analyzers they lack.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Classifier (see `cbis models`). Default: efficientnet-lite0."),
    ] = None,
    weights: Annotated[
        Path | None, typer.Option("--weights", help="Weights file for models that need one (inception-v3).")
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k", help="Labels stored per image (1-20).")] = 5,
    ocr_lang: Annotated[
        str | None,
        typer.Option(
            "--ocr-lang", metavar="LANG[+LANG...]", help="Tesseract languages for the ocr analyzer. Default: eng."
        ),
    ] = None,
    ocr: Annotated[
        str | None,
        typer.Option(
            "--ocr",
            metavar="auto|all",
            help="Images the ocr analyzer reads: auto (screenshots and text-like pictures, see `cbis analyzers`) "
            "or all.",
        ),
    ] = None,
    no_classify: Annotated[
        bool, typer.Option("--no-classify", help="Quick inventory: hashes and EXIF only, no labels.")
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", help="Threads reading, hashing and decoding files.")
    ] = default_workers(),
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Images per inference batch and commit (raise it on a GPU).")
    ] = DEFAULT_BATCH_SIZE,
    max_pixels: Annotated[
        int, typer.Option("--max-pixels", help="Refuse images larger than this (decompression bombs).")
    ] = DEFAULT_MAX_PIXELS,
    file_time_limit: Annotated[
        float,
        typer.Option("--file-time-limit", help="Seconds a file may take to be read and decoded."),
    ] = 120.0,
    allow_truncated: Annotated[
        bool,
        typer.Option("--allow-truncated", help="Classify truncated images (flagged) instead of refusing them."),
    ] = False,
    require_noatime: Annotated[
        bool,
        typer.Option(
            "--require-noatime",
            help="Refuse to run (or to read a file or link) where reading would change an access time.",
        ),
    ] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="local|ADDRESS",
            help="Run on Ray: 'local' starts a private cluster on this machine, an ADDRESS (head:6379) joins one "
            "whose nodes mount the evidence at the same path. Needs the optional Ray extra; see docs/scale-out.md.",
        ),
    ] = None,
    ray_actors: Annotated[
        int | None,
        typer.Option("--ray-actors", help="With --ray: analyzer actors. Default: one per GPU, else 2."),
    ] = None,
    ray_threads: Annotated[
        int, typer.Option("--ray-threads", help="With --ray: inference threads per analyzer actor.")
    ] = 1,
) -> None:
    """Walk EVIDENCE_DIR read-only: hash every file, read EXIF, classify images, store all in the case."""
    from cbis.analyzers import parse_names
    from cbis.services.cases import check_case_outside_evidence
    from cbis.services.distributed import RayOptions
    from cbis.services.indexer import IndexOptions, index_evidence, load_analyzers

    if not evidence_path:
        raise fail("EVIDENCE_DIR is empty: name the evidence directory (use . for the current one)", ExitStatus.USAGE)
    evidence_dir = Path(evidence_path)
    with user_errors():
        analyzer_names = None if analyze is None else tuple(parse_names(analyze))
    options = IndexOptions(
        classify=not no_classify,
        analyze=analyzer_names,
        model=model,
        weights=weights,
        top_k=top_k,
        ocr_languages=ocr_lang,
        ocr_mode=ocr,
        workers=workers,
        batch_size=batch_size,
        max_pixels=max_pixels,
        allow_truncated=allow_truncated,
        file_time_limit=file_time_limit,
        require_noatime=require_noatime,
    )
    with user_errors():
        check_case_outside_evidence(resolve_case_dir(case), evidence_dir)
    if ray is not None:
        _index_on_ray(ctx, case, evidence_dir, options, RayOptions(ray, ray_actors, ray_threads))
        return
    started = time.monotonic()
    with user_errors(), audited_case(ctx, case) as opened:
        analyzers = load_analyzers(options, on_status=_note)
        with _progress_display() as on_progress:
            summary = index_evidence(
                opened,
                evidence_dir,
                options,
                analyzers=analyzers,
                on_progress=on_progress,
                on_warning=_warn,
                started=started,
            )
    stdout.print(summary.line(), highlight=False)


def _note(message: str) -> None:
    stderr.print(f"Note: {message}", highlight=False, markup=False)


def _warn(message: str) -> None:
    stderr.print(f"Warning: {message}", highlight=False, markup=False)


def _index_on_ray(
    ctx: typer.Context, case: Path | None, evidence_dir: Path, options: IndexOptions, ray_options: RayOptions
) -> None:
    from cbis.services.distributed import index_evidence_on_ray

    with user_errors(), audited_case(ctx, case) as opened, _progress_display() as on_progress:
        summary = index_evidence_on_ray(
            opened, evidence_dir, options, ray_options, on_progress=on_progress, on_warning=_warn
        )
    stdout.print(summary.line(), highlight=False)


@contextmanager
def _progress_display() -> Iterator[Callable[[IndexProgress], None] | None]:
    """A rich progress bar (files, images/s, ETA) on a terminal's stderr; nothing when redirected."""
    if not stderr.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("[bold]indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[rate]} img/s"),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    )
    task = progress.add_task("index", total=None, rate="-")

    def update(state: IndexProgress) -> None:
        elapsed = progress.tasks[0].elapsed or 0.0
        rate = f"{state.images / elapsed:.1f}" if elapsed > 0 else "-"
        progress.update(task, total=state.total, completed=state.done, rate=rate)

    with progress:
        yield update
