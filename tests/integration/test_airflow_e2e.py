"""End to end through real Airflow: `airflow dags test` in a temporary AIRFLOW_HOME runs
media_ingest and risk_metrics for one sample day, fetching the sample feeds from a real HTTP
server on 127.0.0.1; the landing/scored zones, gate results, marts and brief must be there."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import (  # tests/ is on sys.path
    BIN,
    FeedServer,
    json_output,
    project_env,
    run,
    write_served_config,
)
from riskradar.config import Settings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def run_states(dag_id: str, env: dict) -> list[dict]:
    return json_output(run([str(BIN / "airflow"), "dags", "list-runs", dag_id, "-o", "json"], env).stdout)


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    feeds = tmp / "feeds"
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=tmp / "config")
    env = project_env(settings, tmp / "airflow", feeds)
    # three days of the bundled corpus, served over HTTP; the DAGs process the second day
    run([str(BIN / "riskradar"), "sample", "--start", "2026-08-01", "--days", "3"], env)
    with FeedServer(feeds) as server:
        write_served_config(settings.config_dir, server.url)
        run([str(BIN / "riskradar"), "setup"], env)
        yield settings, env, server


def test_no_import_errors(e2e):
    _, env, _ = e2e
    out = run([str(BIN / "airflow"), "dags", "list-import-errors", "-o", "json"], env).stdout
    assert json_output(out) == []


def test_one_day_through_airflow(e2e):
    settings, env, server = e2e
    day = "2026-08-02"
    # manual-run semantics: logical date 2026-08-03 -> data interval [2026-08-02, 2026-08-03)
    for dag_id in ("media_ingest", "risk_metrics"):
        run([str(BIN / "airflow"), "dags", "test", dag_id, "2026-08-03"], env)
        states = [r["state"] for r in run_states(dag_id, env)]
        assert states == ["success"], (dag_id, states)
    source_ids = [s["id"] for s in yaml.safe_load((settings.config_dir / "sources.yml").read_text())["sources"]]
    # every source was fetched over HTTP for the interval's date (no retries needed)
    assert sorted(p for p in server.requests if p.endswith(f"/{day}.xml")) == sorted(
        f"/{sid}/{day}.xml" for sid in source_ids)
    assert len(list(settings.landing_dir.glob("source=*/date=2026-08-02/part-20260802T0000.parquet"))) == len(source_ids)
    assert list((settings.scored_dir).glob("source=*/date=2026-08-02/part-20260802T0000.parquet"))
    assert list(settings.dq_results_dir.glob("step=landing/date=2026-08-02/*.parquet"))
    assert list(settings.dq_results_dir.glob("step=marts/date=2026-08-02/*.parquet"))
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        topics = con.execute("select count(*) from dim_topics").fetchone()[0]
        daily = con.execute("select count(*), sum(mentions) from fct_topic_daily where mention_date = ?",
                            [day]).fetchone()
        mentions = con.execute("select count(*) from fct_mentions where mention_date = ?", [day]).fetchone()[0]
    assert topics >= 12
    assert daily[0] == topics and daily[1] > 0
    assert mentions > 50
    brief = settings.briefs_dir / f"brief-{day}.md"
    assert brief.exists() and "RiskRadar daily brief" in brief.read_text()

    # a rerun of the same day replaces, never duplicates
    run([str(BIN / "airflow"), "dags", "test", "risk_metrics", "2026-08-03"], env)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        again = con.execute("select count(*), sum(mentions) from fct_topic_daily where mention_date = ?",
                            [day]).fetchone()
        dupes = con.execute("select count(*) - count(distinct item_id) from fct_mentions").fetchone()[0]
    assert again == daily and dupes == 0


def test_sub_daily_ingest_cadence_through_airflow(e2e):
    """With a 6-hourly media_ingest (RISKRADAR_INGEST_CRON), a day is four real ingest runs; the
    daily risk_metrics waits for all four and then builds the day. The day snapshot lands in the
    first interval; the later polls find only items already landed (counted as duplicates)."""
    settings, env, _ = e2e
    day = "2026-08-03"
    env = {**env, "RISKRADAR_INGEST_CRON": "0 */6 * * *"}
    run([str(BIN / "riskradar"), "run", "--start", day, "--days", "1"], env)
    # manual runs: logical date = interval end
    ends = ["2026-08-03T06:00", "2026-08-03T12:00", "2026-08-03T18:00", "2026-08-04T00:00"]
    runs = {r["logical_date"][:16]: r["state"] for r in run_states("media_ingest", env)}
    assert {end: runs.get(end) for end in ends} == dict.fromkeys(ends, "success")
    metrics = {r["logical_date"][:16]: r["state"] for r in run_states("risk_metrics", env)}
    assert metrics.get("2026-08-04T00:00") == "success"
    n_sources = len(yaml.safe_load((settings.config_dir / "sources.yml").read_text())["sources"])
    for stamp in ("0000", "0600", "1200", "1800"):
        parts = list(settings.scored_dir.glob(f"source=*/date={day}/part-20260803T{stamp}.parquet"))
        assert len(parts) == n_sources, stamp
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        mentions = con.execute("select count(*) from fct_mentions where mention_date = ?", [day]).fetchone()[0]
        dupes = con.execute("select count(*) - count(distinct item_id) from fct_mentions").fetchone()[0]
    assert mentions > 50 and dupes == 0
