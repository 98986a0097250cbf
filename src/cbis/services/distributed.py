"""`cbis index --ray`: the indexing pipeline on a Ray cluster, with the same results as a local run.

The driver (the machine running `cbis index`) does everything that touches the case, exactly as a local run:
it takes the case's index lock, walks the evidence and decides from `stat` what to read (`plan_work`), and
writes every batch in one transaction with the same `write_batch`. In between, Ray Data streams the work:

    plan rows (paths + stat) -> examine tasks: read+hash, sniff, decode, EXIF, prepare (services.examine)
                             -> analyze actors (ActorPoolStrategy, the run's analyzers loaded once each)
                             -> driver writes batches

This is the Ray executor; the local one is services.indexer.LocalExecutor. Both run the same examine code and
the same analyzers (cbis.analyzers), so no analysis is written twice. Rows cross the cluster as plain Arrow
columns declared from the record types (cbis.records.wire_kinds): the FileRow fields (text as UTF-8 bytes that
keep undecodable names exact, lists and dicts as JSON), each analyzer's prepared input (a numpy array in .npy
form), and each analyzer's output record, field by field. Execution is streaming with
Ray Data's backpressure, so memory stays bounded whatever the corpus; results arrive in plan order.

Every node reads the evidence itself, from a shared mount at the same path as on the driver: before starting,
a small task on each node compares what it sees with the driver's `stat`, and the run is refused when a
node sees something else. Ray is an optional dependency (`pip install 'cbis[ray]'`), imported only here,
only inside functions: `cbis --help` and a local index never import it.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import os
import re
import secrets
import socket
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cbis import __version__
from cbis import analyzers as registry
from cbis.analyzers import Analyzer, AnalyzerSettings
from cbis.errors import CbisError, UsageError
from cbis.ingest.walk import WalkEntry, stat_from
from cbis.records import FileRow, from_wire, to_wire, wire_kinds
from cbis.services.cases import Case
from cbis.services.examine import Examined, ExamineSettings, examine, examine_existing
from cbis.services.indexer import (
    Described,
    IndexOptions,
    IndexProgress,
    IndexSummary,
    Plan,
    RunIds,
    check_access_times,
    check_analyzers,
    check_request,
    examine_settings,
    execute,
    run_index,
    timed_out,
)
from cbis.services.locking import index_lock
from cbis.services.workers import TimedOut, WorkerPool

if TYPE_CHECKING:
    import threading

    import pyarrow as pa

LOCAL = "local"
# Files per examine task call. Small enough that a few hundred files already spread over every CPU.
SETTLE_BEFORE_SHUTDOWN_S = 1.0  # see ray_connection
EXAMINE_ROWS = 16
# Threads reading and decoding inside one examine task: hashing and decoding release the GIL, and a thread is
# also what the per-file time limit abandons when a decoder hangs.
EXAMINE_THREADS = 2
# Logical CPUs and memory one examine task reserves. Distinct resources from the classify actors' also keep
# Ray Data from fusing the two stages into one (decoding would then run inside the analyzers' actors, serially).
EXAMINE_CPUS = 0.5
EXAMINE_MEMORY = 512 * 2**20
# Plan rows per input block: a block is one examine task's input; at most this many blocks are created.
MAX_INPUT_BLOCKS = 10_000
# How long the driver waits for every node to answer the evidence check, and for the analyzers' probe.
NODE_CHECK_SECONDS = 120.0
CONNECT_SECONDS = 10.0
MODEL_PROBE_SECONDS = 900.0  # a node without a cached model converts it once (TensorFlow): minutes
# Far above any cluster's need; they keep a value beyond 64 bits from reaching Ray as a traceback.
MAX_RAY_ACTORS = 1024
MAX_RAY_THREADS = 256


class ClusterError(CbisError):
    """Ray is missing, the cluster can't be reached, or its nodes can't do this run as the driver would."""


@dataclass
class RayOptions:
    address: str = LOCAL  # "local": a private cluster on this machine for this run; else a Ray cluster address
    actors: int | None = None  # analyze actors; None: one per GPU in the cluster, else 2
    threads: int = 1  # inference threads per actor (TensorFlow intra-op threads, or LiteRT's)
    temp_dir: Path | None = None  # where a local cluster keeps its session files (default: the system temp dir)
    num_cpus: int | None = None  # CPUs a local cluster offers (default: all of this machine's)


def import_ray() -> Any:
    try:
        import ray.data  # binds `ray` too
    except ImportError as exc:
        raise ClusterError(
            f"--ray needs Ray Data, which is not installed ({exc}); install it with: pip install 'cbis[ray]'"
        ) from None
    return ray


# ---------------------------------------------------------------------------------------------------------------
# Connecting to a cluster


_TOKEN_ENV = ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")
_PROCESS_TOKEN = secrets.token_hex(32)


@contextmanager
def _private_token() -> Iterator[None]:
    """Token authentication for a local cluster without writing ~/.ray/auth_token.

    Ray 2.60 turns token authentication on for clusters started by `ray.init()` and, when no token is
    configured, writes a new one to ~/.ray/auth_token. A local cluster lives only as long as this process, so
    it gets a random token held in this process's environment (which Ray's own processes inherit). A token or
    mode the examiner configured (RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH, RAY_AUTH_MODE) is left as it is.
    """
    if any(os.environ.get(name) for name in _TOKEN_ENV) or os.environ.get("RAY_AUTH_MODE"):
        yield
        return
    os.environ["RAY_AUTH_TOKEN"] = _PROCESS_TOKEN
    # cbis turned the token on deliberately: Ray's notice that it did so is not news to the examiner.
    notice = logging.getLogger("ray._private.authentication.authentication_token_setup")
    level = notice.level
    notice.setLevel(logging.ERROR)
    try:
        yield
    finally:
        notice.setLevel(level)
        os.environ.pop("RAY_AUTH_TOKEN", None)


@contextmanager
def ray_connection(options: RayOptions) -> Iterator[None]:
    """Connect this process to Ray for the block: start a private local cluster, or join `options.address`.

    A process that is already connected (a notebook, the test suite's session cluster) keeps its connection and
    it is not shut down here. Otherwise the connection ends with the block, and with it the actors and tasks of
    this run; a local cluster is stopped and its session files removed.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield
        return
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    if options.address == LOCAL:
        if options.temp_dir is not None:
            options.temp_dir.mkdir(parents=True, exist_ok=True)
        # Short prefix: Ray's socket paths live under it and a Unix socket path is limited to 107 bytes.
        with (
            _private_token(),
            tempfile.TemporaryDirectory(prefix="cbr-", dir=options.temp_dir, ignore_cleanup_errors=True) as temp,
        ):
            with _quiet_core_worker():
                ray.init(address=LOCAL, _temp_dir=temp, include_dashboard=False, num_cpus=options.num_cpus, **quiet)
            try:
                yield
            except BaseException:
                # Stopped mid-run (Ctrl-C, an error): Ray Data is still cancelling the run's tasks and actors.
                # Tearing the local cluster down under them made the driver die inside ray.shutdown() with exit
                # status 1 and no message in 3 of 30 interrupted runs (Ray 2.60); with this pause, 0 of 30.
                time.sleep(SETTLE_BEFORE_SHUTDOWN_S)
                raise
            finally:
                ray.shutdown()
        return
    _check_reachable(options.address)
    try:
        with _quiet_core_worker():
            ray.init(address=options.address, **quiet)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
        if _refused_token(exc):
            raise ClusterError(
                f"the Ray cluster at {options.address} refused this machine's token (missing or not the cluster's): "
                "set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN_PATH to the cluster's token file (docs/scale-out.md)"
            ) from exc
        raise ClusterError(f"cannot join the Ray cluster at {options.address}: {exc}") from exc
    try:
        yield
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """Fail in seconds on a wrong address: Ray itself keeps retrying, for many minutes, a head that isn't there."""
    if "://" in address or address == "auto":  # Ray Client, or RAY_ADDRESS / a cluster started on this machine
        return
    host, colon, port = address.rpartition(":")
    if not colon or not port.isdigit() or not host:
        raise UsageError(f"--ray {address}: expected 'local' or the head's HOST:PORT, e.g. head.lab:6379")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        raise ClusterError(f"no Ray cluster answers at {address}: {exc.strerror or exc}") from None


def _refused_token(exc: BaseException) -> bool:
    """Whether joining failed on authentication (Ray wraps that in a ConnectionError, as text in its cause)."""
    error: BaseException | None = exc
    while error is not None:
        if type(error).__name__ == "AuthenticationError" or "InvalidAuthToken" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


@contextmanager
def _quiet_core_worker() -> Iterator[None]:
    """Connect with Ray's C++ logging in this process limited to fatal errors.

    Every Ray Data actor pool makes the driver's core worker log, at error level, a notice about where actor
    constructor arguments live (ray-project/ray#53727): it reads like a failure and is not one. The level is
    read from RAY_BACKEND_LOG_LEVEL when the process connects, and saying so is itself logged, to fd 2; so fd 2
    is muted while connecting. Failures still arrive as Python exceptions. An examiner's own setting stands.
    """
    if "RAY_BACKEND_LOG_LEVEL" in os.environ:
        yield
        return
    os.environ["RAY_BACKEND_LOG_LEVEL"] = "fatal"
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        del os.environ["RAY_BACKEND_LOG_LEVEL"]


# ---------------------------------------------------------------------------------------------------------------
# Checks before starting: every node sees the same evidence, runs the same cbis


def look_at_evidence(root: bytes, samples: Sequence[bytes]) -> dict[str, Any]:
    """What this machine sees at the evidence paths: runs on every node, and on the driver for comparison."""

    def seen(path: bytes) -> list[int] | str:
        try:
            st = os.stat(path)
        except OSError as exc:
            return f"cannot stat: {exc.strerror or exc}"
        return [st.st_size, st.st_mtime_ns]

    read_only: bool | None
    try:
        read_only = bool(os.statvfs(root).f_flag & os.ST_RDONLY)
        root_state = "directory" if os.path.isdir(root) else "not a directory"
    except OSError as exc:
        read_only = None
        root_state = f"cannot stat: {exc.strerror or exc}"
    return {
        "host": socket.gethostname(),
        "cbis": __version__,
        "root": root_state,
        "read_only": read_only,
        "samples": [seen(path) for path in samples],
    }


def _sample(plan: Plan, count: int = 3) -> list[WalkEntry]:
    total = len(plan.todo) + len(plan.analyze_only)

    def entry(index: int) -> WalkEntry:
        return plan.todo[index] if index < len(plan.todo) else plan.analyze_only[index - len(plan.todo)].entry

    if total <= count:
        return [entry(index) for index in range(total)]
    return [entry(round(i * (total - 1) / (count - 1))) for i in range(count)]


def _working_nodes(ray: Any) -> list[dict[str, Any]]:
    return [
        node
        for node in ray.nodes()
        if node.get("Alive") and (node["Resources"].get("CPU", 0) > 0 or node["Resources"].get("GPU", 0) > 0)
    ]


def check_nodes(root: Path, samples: Sequence[WalkEntry], *, expect_read_only: bool) -> list[str]:
    """Refuse the run unless every working node sees the evidence as the driver does; return warnings.

    Each node stats the evidence root and a few of the files to read, at the same paths, and must find the
    same sizes and modification times, and the same cbis version. A node that sees nothing (mount missing),
    or other files (another disk mounted there), would otherwise hash and classify the wrong evidence.
    """
    ray = import_ray()
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    root_bytes = os.fsencode(root)
    sample_paths = [os.fsencode(entry.path) for entry in samples]
    nodes = _working_nodes(ray)
    if not nodes:
        raise ClusterError("the Ray cluster has no alive node with CPUs or GPUs")
    probe = ray.remote(num_cpus=0, max_retries=0)(look_at_evidence)
    pending = {
        probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)).remote(
            root_bytes, sample_paths
        ): f"node {node['NodeManagerAddress']}"
        for node in nodes
    }
    ready, late = ray.wait(list(pending), num_returns=len(pending), timeout=NODE_CHECK_SECONDS)
    views: dict[str, dict[str, Any] | str] = {
        pending[ref]: f"did not answer within {NODE_CHECK_SECONDS:.0f} s" for ref in late
    }
    for ref in ready:
        try:
            views[pending[ref]] = ray.get(ref)
        except Exception as exc:  # the node could not even run the check
            views[pending[ref]] = f"could not run the evidence check: {exc}"
    mine = look_at_evidence(root_bytes, sample_paths)
    return compare_views(root, [entry.path for entry in samples], mine, views, expect_read_only=expect_read_only)


def compare_views(
    root: Path,
    samples: Sequence[Path],
    mine: dict[str, Any],
    views: dict[str, dict[str, Any] | str],
    *,
    expect_read_only: bool,
) -> list[str]:
    """ClusterError unless every node's `look_at_evidence` matches this machine's; warnings otherwise."""
    problems: list[str] = []
    writable: list[str] = []
    for node, theirs in views.items():
        if isinstance(theirs, str):
            problems.append(f"{node} {theirs}")
            continue
        where = f"{node} ({theirs['host']})"
        if theirs["cbis"] != mine["cbis"]:
            problems.append(f"{where} runs cbis {theirs['cbis']}, this machine {mine['cbis']}")
        if theirs["root"] != "directory":
            problems.append(f"{where}: {root}: {theirs['root']}")
            continue
        for path, seen, expected in zip(samples, theirs["samples"], mine["samples"], strict=True):
            if seen != expected:
                problems.append(f"{where}: {path}: {_describe(seen)}, here {_describe(expected)}")
        if theirs["read_only"] is False:
            writable.append(where)
    if problems:
        raise ClusterError(
            "the Ray nodes must read the evidence from a shared mount at the same path as this machine: "
            + "; ".join(problems)
        )
    if expect_read_only and writable:
        return [
            f"the evidence {root} is mounted read-write on {', '.join(writable)}; cbis only reads it, but a "
            "read-only mount (mount -o ro) makes that a property of the machines, not of the software"
        ]
    return []


def _describe(seen: list[int] | str) -> str:
    if isinstance(seen, str):
        return seen
    size, mtime_ns = seen
    return f"{size} bytes, mtime {mtime_ns} ns"


# ---------------------------------------------------------------------------------------------------------------
# The analyzers: loaded once per actor, with its own thread count


def load_actor_analyzers(specs: Sequence[registry.AnalyzerSpec], settings: AnalyzerSettings) -> list[Analyzer]:
    """The run's analyzers as an actor loads them. The specs themselves travel (not their names), so an
    analyzer registered on the driver only (a plugin, a test) is the same one on every node."""
    return [spec.load(settings, None) for spec in specs]


def probe_analyzers(specs: Sequence[registry.AnalyzerSpec], settings: AnalyzerSettings) -> list[dict[str, Any]]:
    """Load the analyzers as an actor will, and say exactly which they are (recorded for the run)."""
    return [
        {"name": a.name, "version": a.version, "provenance": a.provenance(), "identity": a.identity()}
        for a in load_actor_analyzers(specs, settings)
    ]


# ---------------------------------------------------------------------------------------------------------------
# Rows as Arrow columns

_ARROW_TYPES = {
    "text": "binary",
    "bytes": "binary",
    "int": "int64",
    "float": "float64",
    "bool": "bool_",
    "json": "string",
}


def _columns(record_type: type, prefix: str = "") -> list[tuple[str, pa.DataType]]:
    import pyarrow as pa

    return [(prefix + name, getattr(pa, _ARROW_TYPES[kind])()) for name, kind in wire_kinds(record_type).items()]


def row_schema(*extra: tuple[str, pa.DataType]) -> pa.Schema:
    """Every FileRow field as a column (its type from cbis.records.wire_kinds), plus `extra` columns."""
    import pyarrow as pa

    return pa.schema(_columns(FileRow) + list(extra))


def input_column(name: str) -> str:
    return f"input:{name}"


def output_prefix(name: str) -> str:
    return f"output:{name}:"


def output_columns(name: str, output: type) -> list[tuple[str, pa.DataType]]:
    """An analyzer's output record as columns: a flag (has an output) and each field by its wire kind."""
    import pyarrow as pa

    return [(f"output:{name}", pa.bool_()), *_columns(output, output_prefix(name))]


def row_to_record(row: FileRow) -> dict[str, Any]:
    return to_wire(row)


def record_to_row(record: dict[str, Any]) -> FileRow:
    return from_wire(FileRow, record)


def array_to_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def bytes_to_array(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def outputs_from_record(record: dict[str, Any], outputs: dict[str, type]) -> dict[str, Any]:
    found = {}
    for name, output in outputs.items():
        if record.get(f"output:{name}"):
            prefix = output_prefix(name)
            found[name] = from_wire(output, {field: record[prefix + field] for field in wire_kinds(output)})
    return found


def _input_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("seq", pa.int64()),
            ("path", pa.binary()),
            ("relpath", pa.binary()),
            ("root", pa.binary()),
            ("dev", pa.uint64()),
            ("ino", pa.uint64()),
            ("mode", pa.int64()),
            ("size", pa.int64()),
            ("atime_ns", pa.int64()),
            ("mtime_ns", pa.int64()),
            ("ctime_ns", pa.int64()),
            ("existing_id", pa.int64()),
            ("sha256", pa.string()),
            ("analyzers", pa.list_(pa.string())),
        ]
    )


def _examined_schema(analyzer_names: Sequence[str]) -> pa.Schema:
    import pyarrow as pa

    inputs = [(input_column(name), pa.binary()) for name in analyzer_names]
    return row_schema(("seq", pa.int64()), ("existing_id", pa.int64()), ("changed", pa.bool_()), *inputs)


def _plan_record(
    seq: int, entry: WalkEntry, existing_id: int | None, sha256: str | None, wanted: Sequence[str] | None
) -> dict[str, Any]:
    st = entry.stat
    return {
        "seq": seq,
        "path": os.fsencode(entry.path),
        "relpath": os.fsencode(entry.relpath),
        "root": os.fsencode(entry.root) if entry.root is not None else b"",
        "dev": st.st_dev,
        "ino": st.st_ino,
        "mode": st.st_mode,
        "size": st.st_size,
        "atime_ns": st.st_atime_ns,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "existing_id": existing_id,
        "sha256": sha256,
        "analyzers": None if wanted is None else list(wanted),
    }


def _entry_from_record(record: dict[str, Any]) -> WalkEntry:
    """The driver's WalkEntry again, with its `stat` as the driver took it (the rows record the driver's view)."""
    ns = (record["atime_ns"], record["mtime_ns"], record["ctime_ns"])
    stat = stat_from((record["mode"], record["ino"], record["dev"], 1, 0, 0, record["size"]), ns)
    return WalkEntry(
        path=Path(os.fsdecode(record["path"])),
        relpath=os.fsdecode(record["relpath"]),
        stat=stat,
        root=Path(os.fsdecode(record["root"])) if record["root"] else None,
    )


def _plan_blocks(plan: Plan) -> list[pa.Table]:
    """The files to examine as Arrow tables of a few rows each: each table is one examine task's input.

    Built table by table, not sliced from one: a sliced table is pickled with its parent's whole buffers.
    """
    import pyarrow as pa

    work = itertools.chain(
        ((entry, None, None, None) for entry in plan.todo),
        ((item.entry, item.file_id, item.sha256, item.analyzers) for item in plan.analyze_only),
    )
    total = len(plan.todo) + len(plan.analyze_only)
    rows_per_block = max(EXAMINE_ROWS, math.ceil(total / MAX_INPUT_BLOCKS))
    schema = _input_schema()
    numbered = enumerate(work)
    blocks = []
    while block := list(itertools.islice(numbered, rows_per_block)):
        blocks.append(pa.Table.from_pylist([_plan_record(seq, *item) for seq, item in block], schema=schema))
    return blocks


# ---------------------------------------------------------------------------------------------------------------
# The two stages, as Ray Data runs them


def examine_batch(table: pa.Table, *, settings: ExamineSettings, file_time_limit: float | None) -> pa.Table:
    """Examine stage (Ray tasks): services.examine on each file, the per-file time limit as in a local run."""
    import pyarrow as pa

    records = table.to_pylist()

    def jobs() -> Iterator[tuple[Callable[..., Examined], tuple[Any, ...]]]:
        for record in records:
            entry = _entry_from_record(record)
            if record["existing_id"] is None:
                yield examine, (entry, settings)
            else:
                wanted = tuple(record["analyzers"])
                yield examine_existing, (entry, record["existing_id"], record["sha256"], wanted, settings)

    names = [name for name, _ in settings.preparers]
    pool = WorkerPool(min(EXAMINE_THREADS, len(records)) or 1, name="cbis-ray-examine")
    out = []
    try:
        results = pool.map_ordered(jobs(), window=EXAMINE_THREADS * 2, time_limit=file_time_limit)
        for record, result in zip(records, results, strict=True):
            examined = timed_out(result) if isinstance(result, TimedOut) else result
            inputs = {input_column(name): examined.inputs.get(name) for name in names}
            out.append(
                {
                    **row_to_record(examined.row),
                    "seq": record["seq"],
                    "existing_id": examined.existing_id,
                    "changed": examined.changed,
                    **{column: None if data is None else array_to_bytes(data) for column, data in inputs.items()},
                }
            )
    finally:
        pool.shutdown()
    return pa.Table.from_pylist(out, schema=_examined_schema(names))


class AnalyzeBatch:
    """Analyze stage (a Ray actor each): the run's analyzers, loaded once per actor, with `threads` inference
    threads, run on the inputs the examine tasks prepared, by services.indexer.analyze as in a local run."""

    def __init__(
        self,
        specs: Sequence[registry.AnalyzerSpec],
        settings: AnalyzerSettings,
        expected: dict[str, dict[str, Any]],
    ) -> None:
        self._analyzers = load_actor_analyzers(specs, settings)
        self._mismatch = {}
        for analyzer in self._analyzers:
            mine, recorded = analyzer.identity(), expected.get(analyzer.name, {})
            for key in sorted(set(mine) | set(recorded)):
                if mine.get(key) != recorded.get(key):
                    self._mismatch[f"{analyzer.name}.{key}"] = (mine.get(key), recorded.get(key))

    def __call__(self, table: pa.Table) -> pa.Table:
        import pyarrow as pa

        from cbis.services.indexer import analyze

        if self._mismatch:  # raised here, not in __init__, so that the driver receives the error itself
            raise ClusterError(
                f"an analyzer on {socket.gethostname()} is not the one recorded for this run (here, recorded): "
                f"{self._mismatch}; install the same cbis, TensorFlow and weights on every node"
            )
        items = [Examined(FileRow("", b"", "", 0, 0, "", "", "", "")) for _ in range(table.num_rows)]
        for analyzer in self._analyzers:
            column = input_column(analyzer.name)
            if column in table.column_names:
                for item, data in zip(items, table.column(column).to_pylist(), strict=True):
                    if data is not None:
                        item.inputs[analyzer.name] = bytes_to_array(data)
        analyze(items, self._analyzers)
        table = table.drop_columns([name for name in table.column_names if name.startswith("input:")])
        for analyzer in self._analyzers:
            columns = output_columns(analyzer.name, analyzer.output)
            wires = [to_wire(item.outputs[analyzer.name]) if analyzer.name in item.outputs else None for item in items]
            table = table.append_column(columns[0][0], pa.array([wire is not None for wire in wires], pa.bool_()))
            prefix = output_prefix(analyzer.name)
            for column_name, arrow_type in columns[1:]:
                field_name = column_name[len(prefix) :]
                values = [None if wire is None else wire[field_name] for wire in wires]
                table = table.append_column(column_name, pa.array(values, arrow_type))
        return table


# ---------------------------------------------------------------------------------------------------------------
# The run


@dataclass
class _Stages:
    actors: int
    actor_cpus: float
    actor_gpus: float


def _stages(ray: Any, options: RayOptions) -> _Stages:
    resources = ray.cluster_resources()
    cpus = float(resources.get("CPU", 0))
    gpus = int(resources.get("GPU", 0))
    if cpus <= 0:
        raise ClusterError("the Ray cluster offers no CPUs")
    actors = options.actors or gpus or 2
    if gpus and actors > gpus:
        raise UsageError(f"--ray-actors {actors}: the cluster has {gpus} GPUs, one per actor")
    if actors > cpus:
        raise UsageError(f"--ray-actors {actors} is too many for the cluster's {cpus:g} CPUs")
    # Actors never hold more than half the cluster's CPUs: the examine tasks need the rest, or nothing would
    # feed the models (and Ray would wait forever for CPUs the actors hold).
    actor_cpus = round(min(float(options.threads), cpus / (2 * actors)), 2)
    return _Stages(actors, actor_cpus, 1.0 if gpus else 0.0)


def index_evidence_on_ray(
    case: Case,
    evidence_dir: Path,
    options: IndexOptions,
    ray_options: RayOptions,
    *,
    on_progress: Callable[[IndexProgress], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> IndexSummary:
    """`cbis index --ray`: what index_evidence does, with examining and analysing spread over a Ray cluster."""
    if ray_options.actors is not None and not 1 <= ray_options.actors <= MAX_RAY_ACTORS:
        raise UsageError(f"--ray-actors must be between 1 and {MAX_RAY_ACTORS}")
    if not 1 <= ray_options.threads <= MAX_RAY_THREADS:
        raise UsageError(f"--ray-threads must be between 1 and {MAX_RAY_THREADS}")
    root = check_request(case, evidence_dir, options)
    access = check_access_times(root, options, on_warning)
    if options.require_noatime and not access.protected_by_mount:
        raise UsageError(
            "--require-noatime cannot be enforced on Ray workers: index from a read-only or noatime mount, "
            "or without --ray"
        )
    ray = import_ray()
    specs = [registry.get(name) for name in check_analyzers(options)]
    settings = options.analyzer_settings(ray_options.threads)
    # Built here, cheaply (no model): an unknown model is refused before any cluster starts.
    preparers = [(spec.name, spec.preparer(settings)) for spec in specs]
    started = time.monotonic()
    with index_lock(case.directory), ray_connection(ray_options):
        stages = _stages(ray, ray_options)
        described = _probe(ray, specs, settings, stages) if specs else []
        executor = RayExecutor(ray, options, stages, specs, settings, preparers, described)

        def process(plan: Plan, summary: IndexSummary, ids: RunIds) -> None:
            for warning in check_nodes(root, _sample(plan), expect_read_only=ray_options.address != LOCAL):
                if on_warning:
                    on_warning(warning)
            execute(executor, case, plan, summary, ids, on_progress, on_warning)

        return run_index(case, root, described, process, started, access, reads_counted=False)


def _probe(
    ray: Any, specs: Sequence[registry.AnalyzerSpec], settings: AnalyzerSettings, stages: _Stages
) -> list[Described]:
    """Load the analyzers on a node as an actor will: what the run records, and what every actor must match."""
    task = ray.remote(num_cpus=stages.actor_cpus, num_gpus=stages.actor_gpus, max_retries=0)(probe_analyzers)
    reference = task.remote(specs, settings)
    names = ", ".join(spec.name for spec in specs)
    try:
        found = ray.get(reference, timeout=MODEL_PROBE_SECONDS)
    except ray.exceptions.GetTimeoutError:
        raise ClusterError(f"no Ray node loaded the analyzers {names} within {MODEL_PROBE_SECONDS:.0f} s") from None
    except ray.exceptions.RayError as exc:
        raise _from_cluster(exc) from exc
    return [
        Described(item["name"], item["version"], spec.output, item["provenance"], item["identity"])
        for spec, item in zip(specs, found, strict=True)
    ]


class RayExecutor:
    """Ray Data: examine tasks, then analyze actors; batches come back to the driver in plan order."""

    def __init__(
        self,
        ray: Any,
        options: IndexOptions,
        stages: _Stages,
        specs: Sequence[registry.AnalyzerSpec],
        settings: AnalyzerSettings,
        preparers: Sequence[tuple[str, Any]],
        described: Sequence[Described],
    ) -> None:
        self._ray = ray
        self._options = options
        self._stages = stages
        self._specs = list(specs)
        self._settings = settings
        self._preparers = list(preparers)
        self._expected = {d.name: d.identity for d in described}
        self._outputs = {spec.name: spec.output for spec in specs}

    def batches(self, plan: Plan, stop: threading.Event) -> Iterator[list[Examined]]:
        ray, options, stages = self._ray, self._options, self._stages
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows reach the case in plan order, as in a local run
        context.enable_progress_bars = False  # cbis draws its own
        context.print_on_execution_start = False
        # Ray Data's notices are for whoever tunes a pipeline (its failures still arrive as exceptions), and a
        # corpus smaller than one examine batch can't keep every actor busy, which is no news either.
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)

        settings = examine_settings(options, self._preparers)
        dataset = ray.data.from_arrow(_plan_blocks(plan)).map_batches(
            examine_batch,
            batch_size=EXAMINE_ROWS,
            batch_format="pyarrow",
            fn_kwargs={"settings": settings, "file_time_limit": options.file_time_limit},
            num_cpus=EXAMINE_CPUS,
            memory=EXAMINE_MEMORY,
            udf_modifying_row_count=False,
        )
        if self._specs:
            dataset = dataset.map_batches(
                AnalyzeBatch,
                batch_size=options.batch_size,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=stages.actors),
                fn_constructor_kwargs={"specs": self._specs, "settings": self._settings, "expected": self._expected},
                num_cpus=stages.actor_cpus,
                num_gpus=stages.actor_gpus,
                udf_modifying_row_count=False,
            )
        batches = iter(dataset.iter_batches(batch_size=options.batch_size, batch_format="pyarrow"))
        try:
            for table in batches:
                yield [
                    Examined(
                        record_to_row(record),
                        existing_id=record["existing_id"],
                        outputs=outputs_from_record(record, self._outputs),
                        changed=bool(record["changed"]),
                    )
                    for record in table.to_pylist()
                ]
                if stop.is_set():
                    return
        except ray.exceptions.RayError as exc:
            raise _from_cluster(exc) from exc
        finally:
            # Ray Data's executor runs until its iterator is closed or collected, and on Ctrl-C the traceback would
            # keep it alive while the cluster is shut down: stop it here, as Ray's documentation advises.
            close = getattr(batches, "close", None)
            if close is not None:
                with suppress(Exception):  # a failure to stop is no news next to the error or interrupt in flight
                    close()


def _from_cluster(exc: BaseException) -> CbisError:
    """The error a failed Ray run stands for: a CbisError raised on a node as it was, else its last line."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, CbisError):
            return error
        pending += [e for e in (getattr(error, "cause", None), error.__cause__, error.__context__) if e is not None]
    # An actor that died while loading its model carries its error as text only.
    raised = re.findall(r"^([\w.]+(?:Error|Exception): .+)$", str(exc), flags=re.MULTILINE)
    return ClusterError(f"the Ray run failed: {raised[-1] if raised else str(exc).splitlines()[0]}")
