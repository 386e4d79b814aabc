"""CeleryExecutor for real: Redis broker, PostgreSQL metadata DB, two workers, marts equal to LocalExecutor's.

On 127.0.0.1: Debian's `redis-server` on a free port (tests/fixtures/redis_server.py, installed by
`make redis`), a throw-away PostgreSQL holding the Airflow metadata and the Celery results
(tests/pg.py), and `riskradar.celery_services.CeleryServices`: scheduler, dag-processor,
api-server and **two** `airflow celery worker` processes with distinct hostnames. Two sample days
of `media_ingest`, then of `risk_metrics`, are backfilled through them, reading the sample feeds
over HTTP. Meanwhile a second data dir runs the same two days with `airflow dags test`
(LocalExecutor semantics, no scheduler), as test_backfill.py's sequential runs do.

Then, from the metadata DB: every task ran on a Celery worker, the mapped `fetch_source` tasks ran
on both, and the two days' `build_marts` ran in the 1-slot `duckdb_writer` pool, one after the
other. The warehouses must hold the same mart rows. The wall times of both two-day runs are
printed (README figures).

`risk_metrics` runs one day at a time (`--max-active-runs 1`, the DAG's own setting), so the pool
is not what keeps the two builds apart here. With both days at once the second build did wait in
the pool, but which day built first then depended on which day's sensor finished first, a reader
of one day failed on the DuckDB file lock while the other day built (and retried 2 minutes later),
and the marts gate's audit log (`fct_dq_results`) differed from the day-by-day run's.

Skips only where redis-server or the PostgreSQL server cannot be installed.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from conftest import BIN, FeedServer, run, write_served_config  # tests/ is on sys.path
from fixtures.redis_server import redis_server
from pg import postgres_database
from riskradar.airflow_runner import POOL
from riskradar.celery_services import CeleryServices, celery_env
from riskradar.config import Settings
from riskradar.scheduler import service_env, wait_for_runs
from test_backfill import airflow, assert_same_marts, backfill_env  # the LocalExecutor comparison

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
FIRST, LAST = "2026-08-01", "2026-08-02"
DAYS = ("2026-08-01", "2026-08-02")
MANUAL_LOGICAL_DATES = ("2026-08-02", "2026-08-03")  # `dags test D` processes the day before D
N_SOURCES = 3
WORKERS = ("worker-a", "worker-b")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Feeds over HTTP, Redis, PostgreSQL; a LocalExecutor and a CeleryExecutor Airflow home."""
    tmp = tmp_path_factory.mktemp("celery")
    feeds, config = tmp / "feeds", tmp / "config"
    local = Settings(home=REPO, data_dir=tmp / "local", config_dir=config)
    remote = Settings(home=REPO, data_dir=tmp / "celery", config_dir=config)
    local_env = backfill_env(local, tmp / "airflow-local", feeds)
    run([str(BIN / "riskradar"), "sample", "--start", FIRST, "--days", "3"], local_env)
    with redis_server() as broker, postgres_database("airflow") as metadata, FeedServer(feeds) as server:
        write_served_config(config, server.url, limit=N_SOURCES)
        run([str(BIN / "riskradar"), "setup"], local_env)
        env = celery_env(service_env(backfill_env(remote, tmp / "airflow-celery", feeds)),
                         broker_url=broker, metadata_url=metadata)
        airflow(["db", "migrate"], env)
        airflow(["pools", "set", *POOL], env)
        yield {"local": local, "celery": remote, "local_env": local_env, "env": env}


def test_two_days_on_two_celery_workers_equal_local_runs(world):
    env = world["env"]
    errors: list[BaseException] = []
    seconds: dict[str, float] = {}

    def local_runs() -> None:
        started = time.monotonic()
        try:
            for logical in MANUAL_LOGICAL_DATES:
                for dag_id in ("media_ingest", "risk_metrics"):
                    airflow(["dags", "test", dag_id, logical], world["local_env"], attempts=1)
            seconds["local"] = time.monotonic() - started
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)

    local = threading.Thread(target=local_runs, daemon=True)
    local.start()  # the longer leg: it starts while the Celery services come up
    with CeleryServices(env, workers=WORKERS) as services:
        services.wait_serialized(["media_ingest", "risk_metrics"])
        started = time.monotonic()
        # one day at a time (ingest dedups against earlier days; risk_metrics as its DAG runs);
        # risk_metrics stays paused until both days are scored, so its sensor passes at once.
        # The Celery time runs from here (services up) to the last run; the local one from its
        # first `dags test` to its last
        airflow(["dags", "unpause", "media_ingest"], env)
        airflow(["backfill", "create", "--dag-id", "media_ingest", "--from-date", FIRST, "--to-date", LAST,
                 "--max-active-runs", "1"], env, attempts=1)
        airflow(["backfill", "create", "--dag-id", "risk_metrics", "--from-date", FIRST, "--to-date", LAST,
                 "--max-active-runs", "1"], env, attempts=1)
        ingest_runs = wait_for_runs(services, "media_ingest", len(DAYS), timeout=420)
        airflow(["dags", "unpause", "risk_metrics"], env)
        metric_runs = wait_for_runs(services, "risk_metrics", len(DAYS), timeout=420)
        seconds["celery"] = time.monotonic() - started
        local.join(timeout=420)
        assert not errors, errors
        assert not local.is_alive(), "LocalExecutor dags test runs did not finish"
        tis = services.query("select dag_id, task_id, map_index, hostname, state, external_executor_id, "
                             "pool, start_date, end_date, try_number from task_instance")
        slots = services.query("select slots from slot_pool where pool = ?", (POOL[0],))
        worker_logs = {name: services.tail(f"worker-{name}", chars=400_000) for name in WORKERS}
    retried = sorted(f"{t[0]}.{t[1]}" for t in tis if t[9] > 1)
    print(f"\ntwo sample days, {N_SOURCES} sources: LocalExecutor (dags test) {seconds['local']:.0f}s, "
          f"CeleryExecutor with {len(WORKERS)} workers {seconds['celery']:.0f}s (retried: {retried or 'none'})")

    for runs in (ingest_runs, metric_runs):
        assert [r["run_type"] for r in runs] == ["backfill"] * len(DAYS)
        assert [r["data_interval_start"].date().isoformat() for r in runs] == list(DAYS)

    # every task ran through Celery (a Celery task id) on one of the two workers
    assert {t[4] for t in tis} == {"success"}, [t[:5] for t in tis if t[4] != "success"]
    assert all(t[5] for t in tis), [t[:4] for t in tis if not t[5]]
    assert {t[3] for t in tis} <= set(WORKERS), {t[3] for t in tis}
    for name, log in worker_logs.items():
        assert f"celery@{name} ready." in log, name
    # the mapped fetch_source tasks spread over both workers
    fetches = [t for t in tis if t[0] == "media_ingest" and t[1] == "fetch_source"]
    assert len(fetches) == N_SOURCES * len(DAYS) and {t[2] for t in fetches} == set(range(N_SOURCES))
    assert {t[3] for t in fetches} == set(WORKERS), [(t[2], t[3]) for t in fetches]

    # the dbt builds ran one after the other, in the 1-slot duckdb_writer pool
    assert slots == [(int(POOL[1]),)]
    builds = sorted((t[7], t[8], t[6]) for t in tis if t[1] == "build_marts")
    assert len(builds) == len(DAYS) and {b[2] for b in builds} == {POOL[0]}
    assert builds[1][0] >= builds[0][1], f"dbt builds overlapped: {builds}"

    # the same marts as the LocalExecutor run
    counts = assert_same_marts(world["local"].warehouse_path, world["celery"].warehouse_path)
    assert counts["main.fct_mentions"] > 0 and counts["main.fct_topic_daily"] > 0
    for settings in (world["local"], world["celery"]):
        parts = list(settings.scored_dir.glob("source=*/date=*/*.parquet"))
        assert len(parts) == N_SOURCES * len(DAYS), parts
