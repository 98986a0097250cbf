"""`cbis index`: walk -> compare with the case -> read+hash -> decode+EXIF+prepare -> analyze batch -> store batch.

What is the same whichever executor runs the work is here: the checks, the plan, the recorded run, and the
writing of each batch in one transaction (so an interruption loses at most the batch in flight and a re-run picks
up exactly there). The executors: `LocalExecutor` below (a thread pool with a bounded window of files in flight,
so memory is flat whatever the corpus size, and the analyzers on the main thread) and services/distributed.py's
Ray Data executor. Both run the same examine and analyzer code.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cbis import analyzers as registry
from cbis.analyzers import Analyzer, AnalyzerSettings, check_outputs, ocr
from cbis.db import overview, queries, store
from cbis.errors import EvidenceError, UsageError
from cbis.ingest import atime
from cbis.ingest._text import escape_unprintable
from cbis.ingest.walk import UNLISTED, WalkEntry, WalkSkip, display_path, relpath_bytes, walk, walk_root
from cbis.services import hashsets, similarity_index
from cbis.services.cases import Case, check_case_outside_evidence, utc_now
from cbis.services.examine import Examined, ExamineSettings, base_row, examine, examine_existing
from cbis.services.index_defaults import DEFAULT_BATCH_SIZE, DEFAULT_MAX_PIXELS, MAX_TOP_K, default_workers
from cbis.services.locations import is_inside
from cbis.services.locking import index_lock
from cbis.services.workers import TimedOut, WorkerPool
from cbis.spool import Spool

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass
class IndexOptions:
    classify: bool = True  # False: an inventory (--no-classify): hashes and metadata, no analyzer at all
    analyze: tuple[str, ...] | None = None  # the analyzers to run (--analyze); None: the default ones
    model: str | None = None  # None: the registry's default
    weights: Path | None = None
    top_k: int = 5
    ocr_languages: str | None = None  # --ocr-lang (None: the OCR analyzer's default)
    ocr_mode: str | None = None  # --ocr auto|all (None: auto)
    workers: int = field(default_factory=default_workers)
    batch_size: int = DEFAULT_BATCH_SIZE
    max_pixels: int = DEFAULT_MAX_PIXELS
    allow_truncated: bool = False
    # A file whose read and decode take longer is recorded as unprocessed and the run goes on: a stuck
    # decoder or a failing disk must not stall a triage. Generous: a 100 MP TIFF decodes in a few seconds.
    file_time_limit: float | None = 120.0
    # Refuse any read that would change an access time (no O_NOATIME for a file cbis's user does not own, links).
    require_noatime: bool = False

    def analyzer_names(self) -> list[str]:
        if not self.classify:
            return []
        return list(self.analyze) if self.analyze is not None else registry.default_names()

    def analyzer_settings(self, inference_threads: int | None = None) -> AnalyzerSettings:
        return AnalyzerSettings(
            self.model, self.weights, self.top_k, inference_threads, self.ocr_languages, self.ocr_mode
        )


@dataclass
class IndexProgress:
    total: int = 0  # files that need work in this run (unchanged ones excluded)
    done: int = 0
    images: int = 0
    unprocessed: int = 0
    other: int = 0


@dataclass
class IndexSummary:
    evidence: str
    run_id: int
    analyzers: str | None  # the run's analyzers' names, comma-separated; None for an inventory
    files_walked: int = 0
    images_indexed: int = 0
    unprocessed: int = 0
    other_files: int = 0
    skipped_unchanged: int = 0
    not_walked: int = 0  # links, loops, special files, unreadable directories (recorded, not read)
    missing: int = 0  # recorded by an earlier run, gone from this walk (rows kept, flagged missing)
    content_changed: int = 0  # bytes no longer the recorded SHA-256 behind an unchanged stat (not analysed)
    hashset_matches: int = 0  # this run's files found in imported hash sets
    hashset_problems: list[str] = field(default_factory=list)  # sets that could not be searched (an RDS moved)
    seconds: float = 0.0
    status: str = "running"
    similarity_index_failed: str | None = None  # why the similarity index could not be brought up to date

    def line(self) -> str:
        text = (
            f"indexed {self.images_indexed} images, {self.unprocessed} unprocessed, "
            f"{self.skipped_unchanged} skipped as unchanged in {self.seconds:.1f} s"
        )
        extras = []
        if self.other_files:
            extras.append(f"{self.other_files} other files")
        if self.not_walked:
            extras.append(f"{self.not_walked} links or special entries not followed")
        if self.missing:
            extras.append(f"{self.missing} recorded before and now missing")
        if self.content_changed:
            extras.append(f"{self.content_changed} changed since indexed although size and mtime did not, not analysed")
        if self.hashset_matches:
            extras.append(f"{self.hashset_matches} hash-set matches")
        extras.extend(f"hash sets: {problem}" for problem in self.hashset_problems)
        if self.similarity_index_failed:
            extras.append(self.similarity_index_failed)
        return text + (f" ({', '.join(extras)})" if extras else "")


@dataclass(frozen=True)
class AnalyzeOnly:
    """A file the case holds, unchanged by `stat`, that lacks the output of some of the run's analyzers."""

    entry: WalkEntry
    file_id: int
    sha256: str | None  # as recorded: the file is checked against it as it is read again
    analyzers: tuple[str, ...]


@dataclass
class Plan:
    """What a run will do, decided from `stat` alone. The files to read are kept on disk (cbis.spool), so the
    plan of a million new files holds about as much memory as the plan of a thousand; what stays in memory is
    what the case already held (the known files and their ids)."""

    todo: Spool[WalkEntry]
    analyze_only: Spool[AnalyzeOnly]
    changed_ids: dict[bytes, int] = field(default_factory=dict)
    unchanged_ids: array[int] = field(default_factory=lambda: array("q"))
    skips: list[WalkSkip] = field(default_factory=list)
    files_walked: int = 0
    missing_ids: list[int] = field(default_factory=list)  # known files this walk did not find
    found_again_ids: list[int] = field(default_factory=list)  # flagged missing before, found by this walk

    @classmethod
    def empty(cls, root: Path, spool_dir: Path | None = None) -> Plan:
        return cls(
            Spool(spool_dir, WalkEntry.record, partial(WalkEntry.from_record, root)),
            Spool(
                spool_dir,
                lambda item: (item.entry.record(), item.file_id, item.sha256, item.analyzers),
                lambda record: AnalyzeOnly(WalkEntry.from_record(root, record[0]), *record[1:]),
            ),
        )

    def close(self) -> None:
        self.todo.close()
        self.analyze_only.close()

    def unlisted_prefixes(self) -> tuple[bytes, ...]:
        """Directories this walk could not (fully) list: what was recorded below them is not known to be gone."""
        return tuple(
            relpath_bytes(skip.relpath).rstrip(b"/") + b"/" if skip.relpath != "." else b""
            for skip in self.skips
            if skip.reason.startswith(UNLISTED)
        )


@dataclass(frozen=True)
class RunIds:
    """Where a run's rows go: its evidence root, the run itself, and where each of its analyzers keeps outputs."""

    evidence_id: int
    run_id: int
    analyzers: tuple[store.RunAnalyzerIds, ...] = ()


@dataclass(frozen=True)
class Described:
    """An analyzer as the case records it (from the analyzer itself, or from a Ray node that loaded it)."""

    name: str
    version: str
    output: type
    provenance: dict[str, Any]
    identity: dict[str, Any]


def describe(analyzer: Analyzer) -> Described:
    return Described(analyzer.name, analyzer.version, analyzer.output, analyzer.provenance(), analyzer.identity())


# Reasons that say nothing about the file itself, only about that run (a busy machine, a failing read, a file
# being written): a re-run reads such a file again even when `stat` says it is unchanged.
TRANSIENT_REASONS = ("timed out:", "cannot read:", "file changed while being read", "file changed during the run")


def is_transient(error: str | None) -> bool:
    return error is not None and error.startswith(TRANSIENT_REASONS)


def plan_work(
    root: Path,
    known: dict[bytes, store.KnownFile],
    analyzer_names: Sequence[str] = (),
    spool_dir: Path | None = None,
) -> Plan:
    """Decide from `stat` alone what to read: unchanged files (same size and mtime) are not opened, unless what
    stopped them last time was transient or an image lacks the output of one of the run's analyzers.

    `known` is consumed: each file the walk finds is taken out of it, so what is left are the files the walk did
    not find, and memory falls as the walk goes instead of growing by a set of the paths found. `spool_dir`: where
    the files to read are kept while the run lasts (the case directory: never the evidence)."""
    plan = Plan.empty(walk_root(root), spool_dir)
    for item in walk(root):
        path_bytes = relpath_bytes(item.relpath)
        # A file now a link or unstat-able is found too, not gone: its skip says what it is now.
        previous = known.pop(path_bytes, None)
        if isinstance(item, WalkSkip):
            plan.skips.append(item)
            continue
        plan.files_walked += 1
        if previous is not None and previous.missing:
            plan.found_again_ids.append(previous.id)
        if previous is None:
            plan.todo.append(item)
        elif (
            previous.size != item.stat.st_size
            or previous.mtime_ns != item.stat.st_mtime_ns
            or (previous.status == "unprocessed" and is_transient(previous.error))
        ):
            plan.todo.append(item)
            plan.changed_ids[path_bytes] = previous.id
        elif previous.status == "image" and (
            lacking := tuple(name for name in analyzer_names if name not in previous.analysed_by)
        ):
            plan.analyze_only.append(AnalyzeOnly(item, previous.id, previous.sha256, lacking))
        else:
            plan.unchanged_ids.append(previous.id)
    unlisted = plan.unlisted_prefixes()
    plan.missing_ids = [
        previous.id
        for path_bytes, previous in known.items()
        if not previous.missing and not path_bytes.startswith(unlisted)
    ]
    return plan


# Upper bounds for the numeric options. Without them a value beyond 64 bits (or merely absurd) reached a thread
# pool ("can't start new thread"), SQLite ("int too large") or a wait() (OverflowError) as a traceback. Each is far
# above any useful setting: threads that mostly wait on I/O, a GPU batch, the largest image a camera or scanner
# makes, a day per file.
MAX_WORKERS = 1024
MAX_BATCH_SIZE = 4096
MAX_MAX_PIXELS = 10**12
MAX_FILE_TIME_LIMIT = 86_400.0


def validate_options(options: IndexOptions) -> None:
    if not 1 <= options.top_k <= MAX_TOP_K:
        raise UsageError(f"--top-k must be between 1 and {MAX_TOP_K}")
    if options.ocr_languages is not None:
        ocr.parse_languages(options.ocr_languages)
    if options.ocr_mode is not None:
        ocr.parse_mode(options.ocr_mode)
    if not 1 <= options.workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be between 1 and {MAX_WORKERS}")
    if not 1 <= options.batch_size <= MAX_BATCH_SIZE:
        raise UsageError(f"--batch-size must be between 1 and {MAX_BATCH_SIZE}")
    if not 1 <= options.max_pixels <= MAX_MAX_PIXELS:
        raise UsageError(f"--max-pixels must be between 1 and {MAX_MAX_PIXELS} (width x height)")
    # Written as "not inside" so that NaN, which compares false with everything, is refused too: it used to pass
    # `<= 0` and switch the limit off. None (the Python API's "no limit") is not reachable from the command line.
    limit = options.file_time_limit
    if limit is not None and not 0 < limit <= MAX_FILE_TIME_LIMIT:
        raise UsageError(f"--file-time-limit must be a number of seconds above 0 and at most {MAX_FILE_TIME_LIMIT:g}")


def load_analyzers(options: IndexOptions, on_status: Callable[[str], None] | None = None) -> list[Analyzer]:
    """The run's analyzers, loaded (models included): what the options ask for, refused when it cannot run."""
    validate_options(options)
    return registry.load(check_analyzers(options), options.analyzer_settings(), on_status)


def check_analyzers(options: IndexOptions) -> list[str]:
    """The analyzer names a run uses, refused before anything starts when the options contradict them."""
    if options.analyze is not None and not options.classify:
        raise UsageError("--no-classify is an inventory without any analyzer: leave out --analyze, or --no-classify")
    names = options.analyzer_names()
    used = set().union(*(registry.get(name).settings_used for name in names))
    for option, setting, value in (
        ("--model", "model", options.model),
        ("--weights", "weights", options.weights),
        ("--ocr-lang", "ocr_languages", options.ocr_languages),
        ("--ocr", "ocr_mode", options.ocr_mode),
    ):
        if value is not None and setting not in used:
            raise UsageError(f"{option} is a setting of no analyzer this run uses ({', '.join(names) or 'none'})")
    return names


def index_evidence(
    case: Case,
    evidence_dir: Path,
    options: IndexOptions,
    *,
    analyzers: Sequence[Analyzer] | None = None,
    on_progress: Callable[[IndexProgress], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    started: float | None = None,
) -> IndexSummary:
    """`analyzers` are the ones `load_analyzers(options)` gives, when the caller loaded them before; `started`
    (time.monotonic()) is when the command began: the run's time is then the examiner's wait, model loading (or
    its first conversion) included."""
    started = time.monotonic() if started is None else started
    root = check_request(case, evidence_dir, options)
    access = check_access_times(root, options, on_warning)
    if analyzers is None:
        analyzers = load_analyzers(options)
    executor = LocalExecutor(options, analyzers)

    def process(plan: Plan, summary: IndexSummary, ids: RunIds) -> None:
        execute(executor, case, plan, summary, ids, on_progress, on_warning)

    with index_lock(case.directory):
        return run_index(
            case, root, [describe(a) for a in analyzers], process, started, access, options.require_noatime
        )


def check_access_times(root: Path, options: IndexOptions, on_warning: Callable[[str], None] | None) -> atime.Assessment:
    """Say before the run when reading may change the evidence's access times, or refuse if told to."""
    access = atime.assess(root)
    if access.may_change and not access.owner_or_root:
        if options.require_noatime:
            raise EvidenceError(
                f"--require-noatime: {access.note}. Index from a read-only or noatime mount (see the README), or as "
                "the evidence's owner or root"
            )
        if on_warning:
            on_warning(
                f"access times: {access.note}. A read-only or noatime mount keeps them (see the README); "
                "--require-noatime refuses instead. The case records what happened."
            )
    return access


def check_request(case: Case, evidence_dir: Path, options: IndexOptions) -> Path:
    """Refuse bad options and evidence before anything starts; the evidence root, resolved."""
    if not evidence_dir.exists():
        raise EvidenceError(f"evidence directory not found: {evidence_dir}")
    if not evidence_dir.is_dir():
        raise EvidenceError(f"evidence path is not a directory: {evidence_dir}")
    validate_options(options)
    check_analyzers(options)
    root = evidence_dir.resolve()
    check_case_outside_evidence(case, root)
    check_not_nested(case, root)
    return root


def check_not_nested(case: Case, root: Path) -> None:
    """Refuse a root inside, around, or the same directory as (by another path) a root the case already holds.

    Each root's files are recorded under it, so such a root would record the same files a second time, as new rows
    with other paths, and the overview and reports would count them twice. Compared by device and inode, so a bind
    mount or a link to the same directory is recognised; a root that no longer exists is compared by its path.
    """
    with case.engine.connect() as connection:
        indexed = [Path(os.fsdecode(root_bytes)) for _, _, root_bytes in queries.evidence_roots(connection)]
    for other in indexed:
        if other == root:
            continue  # the same root again: a re-run, which adds only what is new or changed
        shown = escape_unprintable(str(other))
        again = f"run `cbis index {shown}` to bring it up to date"
        if is_inside(root, other) and is_inside(other, root):
            raise EvidenceError(
                f"{escape_unprintable(str(root))} is the evidence root {shown} already indexed into this case, reached"
                f" by another path (the same directory by device and inode): {again}"
            )
        if is_inside(root, other):
            raise EvidenceError(
                f"{escape_unprintable(str(root))} is inside the evidence root {shown} already indexed into this case"
                f" (compared by device and inode): its files are in the case already; {again}"
            )
        if is_inside(other, root):
            raise EvidenceError(
                f"{escape_unprintable(str(root))} holds the evidence root {shown} already indexed into this case"
                " (compared by device and inode): its files would be recorded twice; index the rest of it folder by"
                " folder, or the whole into a new case"
            )


def run_index(
    case: Case,
    root: Path,
    described: Sequence[Described],
    process: Callable[[Plan, IndexSummary, RunIds], None],
    started: float,
    access: atime.Assessment | None = None,
    require_noatime: bool = False,
    *,
    reads_counted: bool = True,
) -> IndexSummary:
    """One recorded run: start it, plan from `stat`, let `process` examine and write the files, finish it.

    `described` are the run's analyzers (none for --no-classify). The caller holds the case's index lock. The
    run is recorded as completed, interrupted or failed whatever `process` does.
    """
    with case.engine.begin() as connection:
        now = utc_now()
        # The root's exact bytes are the key; its text is for people and reports (undecodable bytes escaped).
        evidence_id = store.evidence_id_for(connection, escape_unprintable(str(root)), os.fsencode(root), now)
        analyzer_ids = tuple(
            store.run_analyzer_ids(connection, d.name, d.version, d.output, d.provenance, d.identity, now)
            for d in described
        )
        run_id = store.start_run(connection, evidence_id, analyzer_ids, now)
        known = store.known_files(connection, evidence_id, analyzer_ids)
    summary = IndexSummary(escape_unprintable(str(root)), run_id, ",".join(d.name for d in described) or None)
    access = access or atime.assess(root)
    atime.GUARD.reset(require=require_noatime, protected_by_mount=access.protected_by_mount)
    try:
        plan = plan_work(root, known, [d.name for d in described], spool_dir=case.directory)
        del known
        summary.files_walked = plan.files_walked
        summary.not_walked = len(plan.skips)
        summary.skipped_unchanged = len(plan.unchanged_ids)
        summary.missing = len(plan.missing_ids)
        with case.engine.begin() as connection:
            store.mark_seen(connection, run_id, plan.unchanged_ids)
            store.mark_missing(connection, run_id, plan.missing_ids, plan.found_again_ids)
            store.record_skips(
                connection,
                [(display_path(s.relpath), relpath_bytes(s.relpath), s.reason) for s in plan.skips],
                evidence_id=evidence_id,
                run_id=run_id,
            )
            store.mark_skips_missing(connection, evidence_id, run_id, plan.unlisted_prefixes())
        try:
            process(plan, summary, RunIds(evidence_id, run_id, analyzer_ids))
        finally:
            plan.close()
        # The files this run wrote, against every imported set: one query per set (an RDS: batched lookups).
        matched = hashsets.match_sets(case.engine, run_id=run_id)
        summary.hashset_matches, summary.hashset_problems = matched.total, matched.problems
        summary.status = "completed"
    except KeyboardInterrupt:
        summary.status = "interrupted"
        raise
    except BaseException:
        summary.status = "failed"
        raise
    finally:
        summary.seconds = time.monotonic() - started
        with case.engine.begin() as connection:
            store.finish_run(
                connection,
                run_id,
                summary.status,
                utc_now(),
                {
                    "files_walked": summary.files_walked,
                    "images_indexed": summary.images_indexed,
                    "unprocessed": summary.unprocessed,
                    "other_files": summary.other_files,
                    "skipped_unchanged": summary.skipped_unchanged,
                    "not_walked": summary.not_walked,
                    "files_missing": summary.missing,
                    "content_changed": summary.content_changed,
                    "access_times": atime.outcome(access)
                    if reads_counted
                    else f"{access.note} (files read on Ray workers are not counted)",
                },
            )
        _record_overview(case, run_id, summary.status)
    # Both executors end here, holding the index lock: the similarity index takes in what this run stored.
    summary.similarity_index_failed = similarity_index.update_after_run(case)
    return summary


def _record_overview(case: Case, run_id: int, status: str) -> None:
    """Keep the overview's counts as this run left the case (db/overview.py), once its end is recorded: until
    then the overview counts the rows itself. Derived data: when a run that failed or was interrupted cannot
    record them, its own error is the one reported, and the overview goes on counting the rows."""
    try:
        with case.engine.begin() as connection:
            overview.record(connection, run_id)
    except Exception:
        if status == "completed":
            raise


class Executor(Protocol):
    """Runs a plan's examine and analyze work and hands back batches of examined, analysed files, in plan order,
    for the driver to write. `stop` set (Ctrl-C): hand back what is in hand at once, then stop."""

    def batches(self, plan: Plan, stop: threading.Event) -> Iterator[list[Examined]]: ...


def execute(
    executor: Executor,
    case: Case,
    plan: Plan,
    summary: IndexSummary,
    ids: RunIds,
    on_progress: Callable[[IndexProgress], None] | None,
    on_warning: Callable[[str], None] | None,
) -> None:
    """Write each batch an executor hands back, in one transaction, as it arrives."""
    progress = IndexProgress(total=len(plan.todo) + len(plan.analyze_only))
    if on_progress:
        on_progress(progress)
    if not progress.total:
        return
    with stop_on_interrupt() as stop:
        for batch in executor.batches(plan, stop):
            write_batch(case, batch, plan, summary, ids)
            for item in batch:
                if item.changed and on_warning:
                    on_warning(f"{item.row.path}: {item.row.error}")
            advance(progress, batch, on_progress)
            if stop.is_set():
                raise KeyboardInterrupt


def examine_jobs(plan: Plan, settings: ExamineSettings) -> Iterator[tuple[Callable[..., Examined], tuple[Any, ...]]]:
    for entry in plan.todo:
        yield examine, (entry, settings)
    for item in plan.analyze_only:
        yield examine_existing, (item.entry, item.file_id, item.sha256, item.analyzers, settings)


def examine_settings(options: IndexOptions, preparers: Sequence[tuple[str, Any]]) -> ExamineSettings:
    return ExamineSettings(
        max_pixels=options.max_pixels, allow_truncated=options.allow_truncated, preparers=tuple(preparers)
    )


class LocalExecutor:
    """This machine: examine on a thread pool (a bounded window of files in flight), analyze on this thread."""

    def __init__(self, options: IndexOptions, analyzers: Sequence[Analyzer]) -> None:
        self._options = options
        self._analyzers = list(analyzers)

    def batches(self, plan: Plan, stop: threading.Event) -> Iterator[list[Examined]]:
        options = self._options
        settings = examine_settings(options, [(a.name, a) for a in self._analyzers])
        window = max(options.batch_size * 2, options.workers * 4)
        pool = WorkerPool(options.workers, name="cbis-examine")
        batch: list[Examined] = []
        results = pool.map_ordered(examine_jobs(plan, settings), window=window, time_limit=options.file_time_limit)
        for result in results:
            batch.append(timed_out(result) if isinstance(result, TimedOut) else result)
            if len(batch) >= options.batch_size or stop.is_set():
                analyze(batch, self._analyzers)
                yield batch
                batch = []
            if stop.is_set():
                return
        if batch:
            analyze(batch, self._analyzers)
            yield batch
        pool.shutdown()


def analyze(batch: Sequence[Examined], analyzers: Sequence[Analyzer]) -> None:
    """Each analyzer on the inputs prepared for it in this batch (in its own batch size), outputs onto the files;
    the inputs are released as soon as they are used: batches are the only prepared inputs held."""
    for analyzer in analyzers:
        ready = [item for item in batch if analyzer.name in item.inputs]
        step = analyzer.batch_size or len(ready) or 1
        for start in range(0, len(ready), step):
            chunk = ready[start : start + step]
            inputs = [item.inputs.pop(analyzer.name) for item in chunk]
            for item, output in zip(chunk, check_outputs(analyzer, inputs, analyzer.analyze(inputs)), strict=True):
                if output is not None:
                    item.outputs[analyzer.name] = output


def timed_out(result: TimedOut) -> Examined:
    """What is recorded for a file whose read and decode ran past --file-time-limit."""
    entry = result.args[0]
    existing_id = result.args[1] if isinstance(result.args[1], int) else None
    row = base_row(entry)
    row.error = (
        f"timed out: reading and decoding took over {result.seconds:.0f} s (limit --file-time-limit); "
        "the file was left as it is"
    )
    return Examined(row, existing_id=existing_id)


@contextmanager
def stop_on_interrupt() -> Iterator[threading.Event]:
    """Ctrl-C stops the run at the next file boundary, after committing what was examined, instead of
    interrupting a database transaction half-way. A second Ctrl-C interrupts at once."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def request_stop(signum: int, frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, previous)

    previous = signal.signal(signal.SIGINT, request_stop)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def tally(batch: list[Examined]) -> tuple[int, int, int]:
    """(images, other files, unprocessed) in a batch: every examined file is exactly one of them, but for a
    file whose content changed behind an unchanged stat (counted apart)."""
    statuses = [item.row.status for item in batch if not item.changed]
    images, other = statuses.count("image"), statuses.count("other")
    return images, other, len(statuses) - images - other


def advance(
    progress: IndexProgress, batch: list[Examined], on_progress: Callable[[IndexProgress], None] | None
) -> None:
    progress.done += len(batch)
    images, other, unprocessed = tally(batch)
    progress.images += images
    progress.other += other
    progress.unprocessed += unprocessed
    if on_progress:
        on_progress(progress)


def write_batch(case: Case, batch: list[Examined], plan: Plan, summary: IndexSummary, ids: RunIds) -> None:
    """Store one batch of examined and analysed files in one transaction: new (or changed) files with their
    outputs, and the outputs new to files the case already held."""
    new = [item for item in batch if item.existing_id is None]
    existing = [item for item in batch if item.existing_id is not None]
    replace_ids = [plan.changed_ids[item.row.path_bytes] for item in new if item.row.path_bytes in plan.changed_ids]
    with case.engine.begin() as connection:
        file_ids = store.write_files(
            connection,
            [item.row for item in new],
            evidence_id=ids.evidence_id,
            run_id=ids.run_id,
            replace_ids=replace_ids,
        )
        analysed = [*zip(file_ids, new, strict=True), *((item.existing_id, item) for item in existing)]
        for analyzer_ids in ids.analyzers:
            outputs = [
                (file_id, item.outputs[analyzer_ids.name])
                for file_id, item in analysed
                if analyzer_ids.name in item.outputs
            ]
            store.write_outputs(connection, analyzer_ids, outputs, run_id=ids.run_id)
        store.mark_seen(connection, ids.run_id, [item.existing_id for item in existing if item.existing_id])
    images, other, unprocessed = tally(batch)
    summary.images_indexed += images
    summary.other_files += other
    summary.unprocessed += unprocessed
    summary.content_changed += sum(item.changed for item in batch)
