"""Shared fixtures: real case databases in tmp dirs (SQLite files, and databases on a real PostgreSQL server),
real evidence trees, and isolation from the user's files."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# pytest-xdist's workers run with COLUMNS=80 and LINES=24 (execnet sets them), a plain pytest run without: rich's
# consoles in cbis.cli read $COLUMNS once, when first imported, so the same table came out folded at 80 columns
# under `make test` and unfolded in a single test run. Removed before anything imports cbis.cli: every test sees
# the console an examiner's redirected output gets (cli/_common._Console), whichever way pytest runs.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

# A shell starts a background job (`make test &`, nohup) with SIGINT ignored, and an ignored signal stays ignored
# across exec: every `cbis serve` and `cbis index` the tests stop with Ctrl-C would then never stop, and those
# tests fail after their 30 s wait. A handler of our own is reset to the default in each child, so the children
# see Ctrl-C as an examiner's terminal sends it, whichever way pytest was started.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from tests.hostile.helpers import Node, fingerprint

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "evidence"
EVIDENCE_SAMPLES = REPO / "tests" / "data" / "evidence-samples"  # real photos, shipped: see its README.md
PG_CLUSTER_SCRIPT = REPO / "scripts" / "pg-test-cluster"
PG_URL_ENV = "CBIS_TEST_PG_URL"  # set by `make test` and .ci/run (scripts/pg-test-cluster run)
PG_NOT_INSTALLED = "PostgreSQL not installed: apt-get install postgresql"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never read a developer's $CBIS_CASE or $CBIS_DB_URL or write to their cache; one model cache per session."""
    monkeypatch.delenv("CBIS_CASE", raising=False)
    monkeypatch.delenv("CBIS_EXAMINER", raising=False)
    monkeypatch.delenv("CBIS_DB_URL", raising=False)
    monkeypatch.setenv("CBIS_HOME", str(_session_home(tmp_path_factory)))


_home: dict[str, Path] = {}


def _session_home(factory: pytest.TempPathFactory) -> Path:
    if "path" not in _home:
        _home["path"] = factory.mktemp("cbis-home")
    return _home["path"]


def tree_fingerprint(root: Path) -> dict[bytes, Node]:
    """Names, kinds, modes, sizes, mtimes, atimes, content hashes and link targets of everything under root:
    evidence must never change. tests/hostile/helpers.py's fingerprint, which takes it without touching atimes."""
    return fingerprint(root)


@pytest.fixture
def evidence(tmp_path: Path) -> Iterator[Path]:
    """A copy of the bundled sample evidence, checked unchanged after the test."""
    root = tmp_path / "evidence"
    shutil.copytree(EXAMPLES, root)
    before = tree_fingerprint(root)
    yield root
    assert tree_fingerprint(root) == before, "the evidence tree changed"


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    from cbis.services.cases import create_case

    directory = tmp_path / "case"
    create_case(directory, number="T-1", examiner="Test Examiner", description="test case").close()
    return directory


# --- PostgreSQL: a real server, a fresh database per test ---


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The superuser URL of a PostgreSQL server for the tests: $CBIS_TEST_PG_URL when `make test` or .ci/run
    started one, else a throwaway cluster started here with scripts/pg-test-cluster (and stopped after)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg not installed: pip install -e '.[postgres]'")
    if os.environ.get(PG_URL_ENV):
        yield os.environ[PG_URL_ENV]
        return
    available = subprocess.run([PG_CLUSTER_SCRIPT, "available"], capture_output=True, text=True)
    if available.returncode != 0:
        pytest.skip(f"{PG_NOT_INSTALLED} ({available.stdout.strip()})")
    started = subprocess.run([PG_CLUSTER_SCRIPT, "start"], capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"PostgreSQL is installed but a test cluster did not start:\n{started.stderr}")
    exports = dict(re.findall(r"export (\w+)='([^']*)'", started.stdout))
    try:
        yield exports[PG_URL_ENV]
    finally:
        subprocess.run([PG_CLUSTER_SCRIPT, "stop", exports["CBIS_TEST_PG_DIR"]], check=False)


def libpq_url(url: str, database: str | None = None) -> str:
    """A SQLAlchemy postgresql+psycopg URL as psycopg.connect() takes it, optionally naming another database."""
    from sqlalchemy import make_url

    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


# Test databases sort text unlike SQLite (ICU en-US, as a server set up in en_US would): an ORDER BY that
# depends on the server's collation shows up as a difference between the backends.
_CREATE_DATABASE = (
    "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'",
    "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'",
    "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'",
)


@pytest.fixture
def pg_databases(pg_server: str) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test server (URLs without password); all dropped after the test."""
    import psycopg

    made: list[str] = []

    def make() -> str:
        name = f"cbis_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(libpq_url(pg_server), autocommit=True) as admin:
            for statement in _CREATE_DATABASE:
                try:
                    admin.execute(statement.format(name=name))  # type: ignore[arg-type]
                    break
                except psycopg.Error:
                    continue
            else:
                raise RuntimeError(f"could not create a test database on {pg_server}")
        made.append(name)
        from sqlalchemy import make_url

        return make_url(pg_server).set(database=name).render_as_string(hide_password=False)

    yield make
    with psycopg.connect(libpq_url(pg_server), autocommit=True) as admin:
        for name in made:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]


@pytest.fixture
def pg_database(pg_databases: Callable[[], str]) -> str:
    """An empty database on the test server, dropped after the test."""
    return pg_databases()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def make_case(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Path]:
    """Creates a case on this test's backend through the services: case.sqlite, or a fresh PostgreSQL database
    recorded in case.toml. Returns the case directory, which is all any command needs."""
    from cbis.services.cases import create_case

    def make(directory: Path | None = None, *, number: str = "T-1", examiner: str = "Test Examiner") -> Path:
        directory = directory or tmp_path / "case"
        database = request.getfixturevalue("pg_databases")() if backend == "postgresql" else None
        create_case(directory, number=number, examiner=examiner, description="test case", database=database).close()
        return directory

    return make


@pytest.fixture
def backend_case(make_case: Callable[..., Path]) -> Path:
    """A case directory on this test's backend (see `backend`)."""
    return make_case()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `make test` runs the suite on two pytest-xdist workers (--dist loadgroup). The Ray tests share one local
    # cluster per session, so they go to one worker together instead of starting a cluster on each.
    for item in items:
        if item.nodeid.startswith("tests/ray/"):
            item.add_marker(pytest.mark.xdist_group("ray"))
