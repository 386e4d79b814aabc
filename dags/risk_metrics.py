"""
### risk_metrics — curated risk metrics, alerts and the daily brief

**What it does.** For one day (data interval 00:00–24:00 UTC) it waits until every enabled source
has been ingested and scored for that day, runs `dbt build` for exactly that interval
(`--event-time-start/--event-time-end`, microbatch models), checks the marts with the Great
Expectations marts gate, writes the daily brief (Markdown + HTML + charts) naming the top risks
with example headlines, and delivers it to the webhook / SMTP connections `riskradar_webhook` /
`riskradar_smtp` when they exist (skipped otherwise; every attempt in `data/ops/deliveries.jsonl`).

**Reads:** `data/scored/`, `data/source_health/`, `data/dq_results/`, `data/reference/`.
**Writes:** the DuckDB warehouse `data/warehouse.duckdb` (dbt is its only writer; the task runs in
the `duckdb_writer` pool with 1 slot) and `data/briefs/brief-<date>.{md,html}`.

**Triage notes.**
- `wait_for_scored` keeps rescheduling: a source has not been ingested for the day yet; check
  `media_ingest` for that date. A source that failed does not block (it is reported in the brief);
  to build from whatever is in the zones now, trigger with params `{"wait_for_ingest": false}`.
- `validate_marts` failed: a gate failure is not retried (same data, same result); the message
  names the expectation and sample rows. Fix the data, then *Clear* the task.
- `deliver_brief` failed: the brief is already written; the task retries only the failed channel.
- `build_marts` failed: the log names the failing dbt model or test (every model's status and
  time is logged, and returned in the task's XCom under `models`). An automatic retry continues
  the failed build with `dbt retry` (only failed and skipped models) when none of its inputs
  changed; after a fix, *Clear* the task and it builds the day afresh. The microbatch for that
  day is replaced, never appended.
- Rerun a day: select the run in the grid, *Clear* → *Clear Dag Run* (or the single task); CLI:
  `airflow tasks clear risk_metrics --start-date 2026-08-02 --end-date 2026-08-02 --yes` (dates are
  logical dates; for scheduled and backfill runs that is the day processed).
- Backfill: backfill `media_ingest` first (this DAG waits for it). UI: *Trigger* → *Backfill*, set
  the *Date Range* (first and last day to process), *Reprocess Behavior* (*Missing Runs* /
  *Missing and Errored Runs* / *All Runs*), keep *Max Active Runs* at 1, tick *Unpause on trigger*,
  *Run Backfill*. CLI (needs the scheduler, dag-processor and api-server from `make airflow`, and
  the DAG unpaused): `airflow backfill create --dag-id risk_metrics --from-date 2026-08-01
  --to-date 2026-08-31 --max-active-runs 1`; add `--reprocess-behavior completed` to recompute
  days that already ran (e.g. after a taxonomy change). `--dry-run` lists the runs first. The
  build task holds the 1-slot `duckdb_writer` pool either way; N backfilled days equal N daily runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, PokeReturnValue, dag, task
from riskradar_dag_defaults import ALERTS_ASSET, MARTS_ASSET, SCORED_ASSET, default_args, interval


@dag(
    dag_id="risk_metrics",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 8, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retry_delay=timedelta(minutes=2), max_retry_delay=timedelta(minutes=30),
                              execution_timeout=timedelta(minutes=60)),
    tags=["riskradar", "metrics"],
    doc_md=__doc__,
    params={
        "wait_for_ingest": Param(True, type="boolean",
                                 description="Wait until every enabled source has reported for the day. "
                                             "Off: build from whatever the zones hold now (a source is "
                                             "known to be gone for the day)."),
    },
)
def risk_metrics():
    @task.sensor(poke_interval=120, timeout=6 * 3600, mode="reschedule", inlets=[SCORED_ASSET])
    def wait_for_scored(**context) -> PokeReturnValue:
        from riskradar.ingest.task import ingest_complete

        start, end, _ = interval()
        status = ingest_complete(start, end)
        waiting = context["params"].get("wait_for_ingest", True)
        return PokeReturnValue(is_done=status["complete"] or not waiting, xcom_value=status)

    @task(pool="duckdb_writer")
    def build_marts(ready, **context) -> dict:
        from riskradar.marts.task import build_marts as build

        start, end, _ = interval()
        # a retry continues the failed dbt build (`dbt retry`: failed and skipped models only)
        # when nothing it reads changed since; otherwise it builds the interval afresh
        return build(start, end, resume=context["ti"].try_number > 1)

    @task(outlets=[ALERTS_ASSET])
    def validate_marts(built, **context) -> dict:
        from riskradar.quality.task import gate

        start, end, run_id = interval()
        result = gate("marts", start, end, run_id)
        context["outlet_events"][ALERTS_ASSET].extra = {"day": start[:10]}
        return result

    @task(outlets=[MARTS_ASSET])
    def write_brief(validated) -> dict:
        from riskradar.brief.task import brief

        start, end, _ = interval()
        return brief(start, end)

    @task
    def deliver_brief(written) -> dict:
        from riskradar.brief.task import deliver

        start, end, _ = interval()
        return deliver(start, end)

    deliver_brief(write_brief(validate_marts(build_marts(wait_for_scored()))))


risk_metrics()
