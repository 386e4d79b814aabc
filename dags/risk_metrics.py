"""
### risk_metrics — curated risk metrics, alerts and the daily brief

**What it does.** For one day (data interval 00:00–24:00 UTC) it waits until every enabled source
has been ingested and scored for that day, runs `dbt build` for exactly that interval
(`--event-time-start/--event-time-end`, microbatch models), checks the marts with the Great
Expectations marts gate, and writes the daily brief (Markdown + HTML) naming the top risks with
example headlines.

**Reads:** `data/scored/`, `data/source_health/`, `data/dq_results/`, `data/reference/`.
**Writes:** the DuckDB warehouse `data/warehouse.duckdb` (dbt is its only writer; the task runs in
the `duckdb_writer` pool with 1 slot) and `data/briefs/brief-<date>.{md,html}`.

**Triage notes.**
- `wait_for_scored` keeps rescheduling: a source has not been ingested for the day yet; check
  `media_ingest` for that date.
- `build_marts` failed: the log names the failing dbt model or test. Fix, then *Clear* the task;
  the microbatch for that day is replaced, never appended.
- Backfill N days from the UI (*Trigger → Backfill*) or CLI: `airflow backfill create --dag-id
  risk_metrics --from-date 2026-08-01 --to-date 2026-08-31`. Runs are serialised
  (`max_active_runs=1`) so baselines see earlier days first; N backfilled days equal N daily runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, CronDataIntervalTimetable, PokeReturnValue, dag, get_current_context, task

SCORED_ASSET = Asset("scored_mentions")
MARTS_ASSET = Asset("risk_marts")


def _record_failure(context):
    from riskradar.pipeline import record_failure

    record_failure(context)


default_args = {
    "owner": "monetization-integrity",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(minutes=60),
    "on_failure_callback": _record_failure,
}


def _interval() -> tuple[str, str, str]:
    ctx = get_current_context()
    return ctx["data_interval_start"].isoformat(), ctx["data_interval_end"].isoformat(), ctx["run_id"]


@dag(
    dag_id="risk_metrics",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 8, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["riskradar", "metrics"],
    doc_md=__doc__,
)
def risk_metrics():
    @task.sensor(poke_interval=120, timeout=6 * 3600, mode="reschedule", inlets=[SCORED_ASSET])
    def wait_for_scored() -> PokeReturnValue:
        from riskradar.pipeline import ingest_complete

        start, end, _ = _interval()
        status = ingest_complete(start, end)
        return PokeReturnValue(is_done=status["complete"], xcom_value=status)

    @task(pool="duckdb_writer")
    def build_marts(ready) -> dict:
        from riskradar.pipeline import build_marts as build

        start, end, _ = _interval()
        return build(start, end)

    @task
    def validate_marts(built) -> dict:
        from riskradar.pipeline import gate

        start, end, run_id = _interval()
        return gate("marts", start, end, run_id)

    @task(outlets=[MARTS_ASSET])
    def write_brief(validated) -> dict:
        from riskradar.pipeline import brief

        start, end, _ = _interval()
        return brief(start, end)

    write_brief(validate_marts(build_marts(wait_for_scored())))


risk_metrics()
