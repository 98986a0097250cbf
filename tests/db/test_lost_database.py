"""The PostgreSQL server goes away under cbis (a restart, a failover, an administrator's pg_terminate_backend).

`cbis index`: the examiner gets one line saying what happened and that committed work is kept, the audit log says
the run failed, and running the command again finishes the index exactly. The viewer: 503 with a reason while the
server is away, never a 500, and pages again once it is back, without restarting `cbis serve`."""

from __future__ import annotations

import subprocess
import time
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import make_url

from cbis.services.cases import create_case
from cbis.web import create_app
from tests.conftest import libpq_url
from tests.db.support import cbis_command, make_corpus, run_cbis, scalar, wait_for

FILES = 3000


@pytest.mark.postgres
def test_index_survives_losing_its_database_connection(pg_database: str, tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    create_case(case_dir, number="L-1", examiner="E", description="lost connection", database=pg_database).close()
    evidence = tmp_path / "ev"
    make_corpus(evidence, FILES)
    database = make_url(pg_database).database
    import psycopg  # present whenever pg_database is (that fixture skips without it)

    indexer = subprocess.Popen(
        cbis_command("index", evidence, "--case", case_dir, "--no-classify", "--workers", "1", "--batch-size", "4"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(lambda: scalar(case_dir, "SELECT count(*) FROM files") > 0, timeout=60), "nothing committed"
        # The writer's connections carry application_name 'cbis'; the index lock's session has its own name and
        # stays, as it would when only the writer's TCP connection broke. Only a connection busy in a statement or
        # transaction is dropped: one idling in the pool would be replaced unnoticed (pool_pre_ping). After a
        # drop the run should end at once; if it goes on (the drop came just after a commit), drop again.
        with psycopg.connect(libpq_url(pg_database), autocommit=True) as admin:
            while indexer.poll() is None:
                dropped = admin.execute(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = 'cbis' AND state <> 'idle' AND pid <> pg_backend_pid()",
                    (database,),
                ).fetchone()
                if dropped and dropped[0]:
                    with suppress(subprocess.TimeoutExpired):
                        indexer.wait(timeout=0.5)
                time.sleep(0.005)
        _, stderr = indexer.communicate(timeout=120)
    finally:
        if indexer.poll() is None:
            indexer.kill()
            indexer.wait()

    committed = scalar(case_dir, "SELECT count(*) FROM files")
    assert committed < FILES, "the run finished before its connection was dropped; the test proves nothing"
    assert indexer.returncode == 1, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "the case database" in lines[0] and "everything committed before is kept" in lines[0]
    # The reason is the server's or the driver's own ("terminating connection ...", "the connection is lost").
    assert "connection" in lines[0].split("failed during the command", 1)[1], lines[0]
    outcome = scalar(
        case_dir, "SELECT outcome FROM audit_log WHERE command LIKE 'cbis index%' ORDER BY id DESC LIMIT 1"
    )
    assert outcome.startswith("failed: OperationalError"), outcome

    again = run_cbis("index", evidence, "--case", case_dir, "--no-classify", timeout=300)
    assert again.returncode == 0, again.stderr
    assert scalar(case_dir, "SELECT count(*) FROM files") == FILES
    assert scalar(case_dir, "SELECT count(DISTINCT path) FROM files") == FILES
    assert f"{committed} skipped as unchanged" in again.stdout


@pytest.mark.postgres
def test_viewer_answers_503_while_the_database_is_away_and_recovers(
    pg_server: str, pg_database: str, tmp_path: Path
) -> None:
    import psycopg

    case_dir = tmp_path / "case"
    create_case(case_dir, number="L-2", examiner="E", description="server away", database=pg_database).close()
    client = create_app(case_dir, {"TESTING": True}).test_client()
    assert client.get("/").status_code == 200
    database = make_url(pg_database).database
    with psycopg.connect(libpq_url(pg_server), autocommit=True) as admin:
        # The server refuses new connections to the case and drops the viewer's pooled ones, as during a restart.
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')  # type: ignore[arg-type]
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
            for path in ("/", "/overview", "/export/files.csv"):
                away = client.get(path)
                assert away.status_code == 503, (path, away.status_code)
                assert "The case database is not answering" in away.get_data(as_text=True)
                assert away.headers["Retry-After"] == "5"
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')  # type: ignore[arg-type]
    back = client.get("/")
    assert back.status_code == 200, back.get_data(as_text=True)[:500]
