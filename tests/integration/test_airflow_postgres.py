"""Airflow's metadata DB on PostgreSQL with the LocalExecutor: a throw-away PostgreSQL server on
127.0.0.1 (tests/pg.py; Debian's `postgresql`, installed by `make postgres`) holds a temporary
AIRFLOW_HOME's metadata (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://...).
`airflow db migrate` creates the schema there, then `airflow dags test` runs one sample day of
media_ingest and risk_metrics exactly as test_airflow_e2e.py does. Both runs, their task
instances and the pool must be rows in PostgreSQL (no SQLite file appears), and the marts built.

Skips only where the PostgreSQL server binaries are missing and cannot be installed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
import yaml
from conftest import (  # tests/ is on sys.path
    BIN,
    FeedServer,
    json_output,
    project_env,
    run,
    write_served_config,
)
from pg import postgres_database
from riskradar.airflow_runner import POOL
from riskradar.config import Settings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
DAY = "2026-08-02"
LOGICAL_DATE = "2026-08-03"  # manual-run semantics: logical date D + 1 processes day D
EXPECTED_TASKS = {
    "media_ingest": {"list_sources", "fetch_source", "validate_landing", "score_mentions", "cluster_stories",
                     "validate_scored"},
    "risk_metrics": {"wait_for_scored", "build_marts", "validate_marts", "write_brief", "deliver_brief"},
}


@pytest.fixture(scope="module")
def pg_airflow(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pg_airflow")
    feeds = tmp / "feeds"
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=tmp / "config")
    with postgres_database("airflow") as url:
        env = project_env(settings, tmp / "airflow", feeds)
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = url
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        run([str(BIN / "riskradar"), "sample", "--start", "2026-08-01", "--days", "3"], env)
        run([str(BIN / "airflow"), "db", "migrate"], env)
        run([str(BIN / "airflow"), "pools", "set", *POOL], env)
        with FeedServer(feeds) as server:
            write_served_config(settings.config_dir, server.url)
            yield settings, env, url


def test_airflow_runs_on_postgres_metadata(pg_airflow):
    settings, env, url = pg_airflow
    airflow_home = Path(env["AIRFLOW_HOME"])
    for dag_id in ("media_ingest", "risk_metrics"):
        run([str(BIN / "airflow"), "dags", "test", dag_id, LOGICAL_DATE], env)
        runs = json_output(run([str(BIN / "airflow"), "dags", "list-runs", dag_id, "-o", "json"], env).stdout)
        assert [r["state"] for r in runs] == ["success"], (dag_id, runs)

    # the metadata went to PostgreSQL: the runs, task instances, XComs and pool are rows there
    n_sources = len(yaml.safe_load((settings.config_dir / "sources.yml").read_text())["sources"])
    engine = sa.create_engine(url)
    try:
        with engine.connect() as con:
            server = con.execute(sa.text("select version()")).scalar_one()
            runs = con.execute(sa.text(
                "select dag_id, state, logical_date, data_interval_start from dag_run order by dag_id")).all()
            tis = con.execute(sa.text(
                "select dag_id, task_id, map_index, state from task_instance")).all()
            xcoms = con.execute(sa.text(
                "select dag_id, count(*) from xcom where key = 'return_value' group by dag_id")).all()
            pool = con.execute(sa.text("select slots from slot_pool where pool = :p"), {"p": POOL[0]}).all()
    finally:
        engine.dispose()
    assert server.startswith("PostgreSQL")
    assert [(r.dag_id, r.state) for r in runs] == [("media_ingest", "success"), ("risk_metrics", "success")]
    assert {r.logical_date.date().isoformat() for r in runs} == {LOGICAL_DATE}
    assert {r.data_interval_start.date().isoformat() for r in runs} == {DAY}
    for dag_id, expected in EXPECTED_TASKS.items():
        dag_tis = [t for t in tis if t.dag_id == dag_id]
        assert {t.task_id for t in dag_tis} == expected, dag_id
        assert {t.state for t in dag_tis} == {"success"}, [(t.task_id, t.map_index, t.state) for t in dag_tis]
    assert len([t for t in tis if t.task_id == "fetch_source"]) == n_sources
    assert dict(xcoms).keys() == {"media_ingest", "risk_metrics"}
    assert pool == [(int(POOL[1]),)]
    # and nowhere else: no SQLite metadata DB appeared in the Airflow home
    assert not (airflow_home / "airflow.db").exists()

    # the runs really did the work: the day's marts are in the DuckDB warehouse
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        topics = con.execute("select count(*) from dim_topics").fetchone()[0]
        daily = con.execute("select count(*), sum(mentions) from fct_topic_daily where mention_date = ?",
                            [DAY]).fetchone()
    assert topics >= 12
    assert daily[0] == topics and daily[1] > 0
