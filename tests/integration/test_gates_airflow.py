"""Quality gates inside real Airflow: a critical failure stops the DAG run, a row-level one does not.

`airflow dags test media_ingest` runs in a temporary AIRFLOW_HOME against sample feeds served by a
real HTTP server on 127.0.0.1. The bad data reaches the gate the way it would in production: a feed
whose items lost their `<link>` (ingest keeps them, they are addressable by guid, but the landing
gate's row-level `url is null` expectation quarantines them).

- 2026-08-01: one item without a link -> quarantined, the gate passes, scoring runs, counts add up.
- 2026-08-02: a whole source without links (> 5% of the interval) -> the landing gate fails without
  retrying, score_mentions and validate_scored are upstream_failed, nothing moved or lost.
- 2026-08-03: every feed answers with no items (a missing day) -> ingest and its gates pass (each
  source reported "empty"), dbt builds a zero-filled day, the marts gate fails
  (`every_day_has_mentions`) and the brief is not written.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import (  # tests/ is on sys.path
    BIN,
    FeedServer,
    json_output,
    project_env,
    run,
    write_served_config,
)
from riskradar.config import Settings
from riskradar.quality import landing_accounting
from riskradar.storage import as_utc

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(BIN / "airflow")
DOWNSTREAM_OF_LANDING_GATE = ("score_mentions", "cluster_stories", "validate_scored")


def strip_item_links(feed: Path, keep: int | None = None) -> int:
    """Remove `<link>` from the feed's items (RSS) or entries (Atom); return how many lost it.

    `keep=None` strips every item; `keep=n` strips the first n items only.
    """
    text = feed.read_text(encoding="utf-8")
    stripped = 0

    def strip(block: re.Match) -> str:
        nonlocal stripped
        if keep is not None and stripped >= keep:
            return block.group(0)
        new = re.sub(r"\s*<link>[^<]*</link>|\s*<link\b[^>]*/>", "", block.group(0))
        stripped += new != block.group(0)
        return new

    text = re.sub(r"<item>.*?</item>|<entry\b.*?</entry>", strip, text, flags=re.S)
    feed.write_text(text, encoding="utf-8")
    return stripped


def dag_run(dag_id: str, day: str, env: dict) -> tuple[dict, dict[str, list[str]], str]:
    """Run `airflow dags test` for the interval starting on `day`; return (run, task states, output)."""
    logical = (as_utc(day) + timedelta(days=1)).date().isoformat()  # manual run: interval = the day before
    proc = run([AIRFLOW, "dags", "test", dag_id, logical], env, check=False)
    runs = json_output(run([AIRFLOW, "dags", "list-runs", dag_id, "-o", "json"], env).stdout)
    [this] = [r for r in runs if str(r.get("logical_date", "")).startswith(logical)]
    tis = json_output(run([AIRFLOW, "tasks", "states-for-dag-run", dag_id, this["run_id"], "-o", "json"],
                          env).stdout)
    states: dict[str, list[str]] = {}
    for ti in tis:
        states.setdefault(ti["task_id"], []).append(ti["state"])
    return this, states, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gates")
    feeds = tmp / "feeds"
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=tmp / "config")
    env = project_env(settings, tmp / "airflow", feeds)
    run([str(BIN / "riskradar"), "sample", "--start", "2026-08-01", "--days", "3"], env)
    with FeedServer(feeds) as server:
        write_served_config(settings.config_dir, server.url)
        run([str(BIN / "riskradar"), "setup"], env)
        yield settings, env, feeds


def accounting_for(settings: Settings, day: str):
    start = as_utc(day)
    return landing_accounting(settings, start, start + timedelta(days=1))


def failures(settings: Settings, task_id: str) -> list[dict]:
    path = settings.data_dir / "ops" / "task_failures.jsonl"
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in records if r["task_id"] == task_id]


def test_a_few_bad_rows_are_quarantined_and_the_run_goes_on(airflow_home):
    settings, env, feeds = airflow_home
    assert strip_item_links(feeds / "metro_daily" / "2026-08-01.xml", keep=1) == 1

    run_info, states, out = dag_run("media_ingest", "2026-08-01", env)

    assert run_info["state"] == "success", (states, out[-3000:])
    assert states["validate_landing"] == ["success"]
    assert states["score_mentions"] == ["success"] and states["validate_scored"] == ["success"]
    # the item without a link left the landing zone for the quarantine, with its reason (for an Atom
    # entry feedparser falls back to the entry id, here a tag: URI, which is no http(s) URL)
    [qpart] = (settings.quarantine_dir / "stage=landing_gate").rglob("*.parquet")
    [row] = pq.read_table(qpart).to_pylist()
    assert row["source_id"] == "metro_daily" and row["reason"] == "url is not an http(s) URL"
    assert row["expectation"] == "expect_column_values_to_match_regex:url"
    assert json.loads(row["raw"])["url"].startswith("tag:metro-daily.example,2026-08-01:")
    # counts add up: ingest's items_landed = landing rows + landing-gate quarantine, for every source
    accounting = accounting_for(settings, "2026-08-01")
    assert len(accounting) == 10 and accounting["balanced"].all(), accounting.to_string()
    metro = accounting.set_index("source_id").loc["metro_daily"]
    assert metro["gate_quarantined"] == 1 and metro["landing_rows"] == metro["items_landed"] - 1
    # scoring saw exactly what stayed in landing
    scored = sum(pq.read_metadata(p).num_rows for p in settings.scored_dir.glob("source=*/date=2026-08-01/*.parquet"))
    assert scored == int(accounting["landing_rows"].sum())


def test_a_critical_landing_failure_stops_downstream_and_loses_nothing(airflow_home):
    settings, env, feeds = airflow_home
    stripped = strip_item_links(feeds / "social_stream" / "2026-08-02.xml")
    assert stripped > 20

    run_info, states, out = dag_run("media_ingest", "2026-08-02", env)

    assert run_info["state"] == "failed", (states, out[-3000:])
    assert set(states["fetch_source"]) == {"success"} and len(states["fetch_source"]) == 10
    assert states["validate_landing"] == ["failed"]
    for task_id in DOWNSTREAM_OF_LANDING_GATE:
        assert states[task_id] == ["upstream_failed"], (task_id, states)
    # no scored part for the day: dbt and the brief have nothing to read
    assert not list(settings.scored_dir.glob("source=*/date=2026-08-02/*.parquet"))

    # the failure message names the suite, the expectation, the observed value and failing rows;
    # a gate failure is not retried (the same data would fail the same way)
    [failure] = failures(settings, "validate_landing")
    assert failure["try_number"] == 1
    error = failure["error"]
    assert "quality gate 'landing' failed" in error and "2026-08-02T00:00:00+00:00" in error
    assert "quarantined_share_at_most:0.05" in error
    assert "expect_column_values_to_match_regex:url" in error and "tag:social" in error
    assert "social_stream/" in error  # sample of failing rows
    assert "dq_results/step=landing/date=2026-08-02" in error

    # results recorded, nothing moved, nothing lost: landing = items_landed for every source
    results = {r["expectation"]: r for r in pq.read_table(next(
        settings.dq_results_dir.glob("step=landing/date=2026-08-02/*.parquet"))).to_pylist()}
    share = results["quarantined_share_at_most:0.05"]
    social = accounting_for(settings, "2026-08-02").set_index("source_id").loc["social_stream"]
    assert share["success"] is False and share["unexpected_count"] == social["items_landed"] > 20
    assert results["landing_rows_plus_gate_quarantine_equal_items_landed"]["success"] is True
    assert not list((settings.quarantine_dir / "stage=landing_gate").glob("source=*/date=2026-08-02/*"))
    accounting = accounting_for(settings, "2026-08-02")
    assert len(accounting) == 10 and accounting["balanced"].all(), accounting.to_string()
    assert (accounting["gate_quarantined"] == 0).all() and social["landing_rows"] == social["items_landed"]


def test_a_day_without_data_fails_the_marts_gate_and_no_brief_is_written(airflow_home):
    settings, env, feeds = airflow_home
    for feed in feeds.glob("*/2026-08-03.xml"):
        text = feed.read_text(encoding="utf-8")
        feed.write_text(re.sub(r"\s*<item>.*?</item>|\s*<entry\b.*?</entry>", "", text, flags=re.S),
                        encoding="utf-8")

    ingest_run, ingest_states, out = dag_run("media_ingest", "2026-08-03", env)
    assert ingest_run["state"] == "success", (ingest_states, out[-3000:])
    metrics_run, states, out = dag_run("risk_metrics", "2026-08-03", env)

    assert metrics_run["state"] == "failed", (states, out[-3000:])
    assert states["build_marts"] == ["success"] and states["validate_marts"] == ["failed"]
    assert states["write_brief"] == ["upstream_failed"]
    assert not list(settings.briefs_dir.glob("brief-2026-08-03.*"))
    [failure] = failures(settings, "validate_marts")
    assert failure["try_number"] == 1
    assert "quality gate 'marts' failed" in failure["error"]
    assert "every_day_has_mentions" in failure["error"] and "2026-08-03/0" in failure["error"]
    results = {r["expectation"]: r for r in pq.read_table(next(
        settings.dq_results_dir.glob("step=marts/date=2026-08-03/*.parquet"))).to_pylist()}
    assert results["every_day_has_mentions"]["success"] is False
    assert results["one_topic_daily_row_per_topic_and_day"]["success"] is True  # the grid alone looks fine
