"""
### media_ingest — pull media feeds, land them, score them

**What it does.** For one data interval (hourly by default; `RISKRADAR_INGEST_CRON` sets the
cadence, and `make` targets set it to daily because the bundled sample feeds are daily snapshots)
it fetches every
enabled source in `config/sources.yml` (one mapped task per source, so a broken source fails and
retries alone), lands the items as Parquet, checks them with the Great Expectations landing gate,
scores sentiment (NLTK VADER + domain lexicon) and risk topics (taxonomy), and checks the scored
batch with the scored gate. It emits the `scored_mentions` asset.

**Reads:** `config/sources.yml`, `config/taxonomy.yml`, `config/lexicon.yml`, the feeds.
**Writes:** `data/landing/`, `data/scored/`, `data/quarantine/`, `data/source_health/`,
`data/dq_results/` — one part file per source and interval, atomically replaced on rerun. It never
writes the DuckDB warehouse.

**Triage notes.**
- A source task failed: open its log; the message names the source, the URL and the cause. Its
  `source_health` row says `error`. Fix the feed or disable the source, then *Clear* the task.
- A gate failed: the message names the suite, the expectation, the observed value and sample rows;
  row-level problems are in `data/quarantine/stage=landing_gate|scored_gate/`.
- Rerun or backfill freely: every task rewrites only its own interval's files, so a rerun never
  duplicates rows. Rerun an interval: *Clear* its run in the grid, or `airflow tasks clear
  media_ingest --start-date 2026-08-02T00:00 --end-date 2026-08-02T23:59 --yes` for every run of
  that day (the logical date of a scheduled or backfill run is the start of the interval it
  processes).
- Backfill: UI *Trigger* → *Backfill*, *Date Range* = first and last interval to process, keep *Max
  Active Runs* at 1 (an item is landed once, in the first interval that saw it, so days must land
  in order), *Unpause on trigger*, *Run Backfill*. CLI (needs the scheduler, dag-processor and
  api-server from `make airflow`, and the DAG unpaused): `airflow backfill create --dag-id
  media_ingest --from-date 2026-08-01 --to-date 2026-08-07T23:00 --max-active-runs 1` (hourly:
  the last run starts at 23:00; daily: `--to-date 2026-08-07`), then backfill `risk_metrics` for
  the same days.
- Manual run for some sources only: trigger with params `{"sources": ["global_newswire"]}`.
  A manual run with logical date T processes the interval that ends at T (the hour, or with the
  daily cadence the day, before T).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, get_current_context, task

SCORED_ASSET = Asset("scored_mentions")
HOURLY = "0 * * * *"


def _ingest_cron() -> str:
    """How often to poll: RISKRADAR_INGEST_CRON, else `ingest_cron` in config/sources.yml, else
    hourly (live feeds). Any cron whose intervals tile the UTC day works: risk_metrics waits until
    every source's ingest intervals cover its day. Same rule as riskradar.ingest.sources.ingest_cron,
    which validates it (`riskradar sources check`); repeated here because parsing a DAG file must
    not import the riskradar package."""
    value = os.environ.get("RISKRADAR_INGEST_CRON", "").strip()
    if value:
        return value
    home = Path(os.environ.get("RISKRADAR_HOME") or Path(__file__).resolve().parents[1])
    config = Path(os.environ.get("RISKRADAR_CONFIG_DIR") or home / "config")
    try:
        data = yaml.safe_load((config / "sources.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return HOURLY  # the ingest tasks report the broken file with a clear message
    return str(data.get("ingest_cron") or HOURLY).strip() if isinstance(data, dict) else HOURLY


INGEST_CRON = _ingest_cron()


def _record_failure(context):
    from riskradar.pipeline import record_failure

    record_failure(context)


default_args = {
    "owner": "monetization-integrity",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(minutes=30),
    "on_failure_callback": _record_failure,
}


def _interval() -> tuple[str, str, str]:
    ctx = get_current_context()
    return ctx["data_interval_start"].isoformat(), ctx["data_interval_end"].isoformat(), ctx["run_id"]


@dag(
    dag_id="media_ingest",
    schedule=CronDataIntervalTimetable(INGEST_CRON, timezone="UTC"),
    start_date=datetime(2026, 8, 1),
    catchup=False,
    # ingest dedups against intervals landed before: days must land in order (backfills too)
    max_active_runs=1,
    default_args=default_args,
    tags=["riskradar", "ingest"],
    doc_md=__doc__,
    params={
        "sources": Param([], type="array", items={"type": "string"},
                         description="Only these source ids (empty = every enabled source)."),
    },
)
def media_ingest():
    @task
    def list_sources(**context) -> list[str]:
        from riskradar.pipeline import select_sources

        return select_sources(only=context["params"].get("sources") or None)

    @task(map_index_template="{{ source_id }}")
    def fetch_source(source_id: str) -> dict:
        from riskradar.pipeline import ingest

        start, end, run_id = _interval()
        return ingest(source_id, start, end, run_id)

    @task(trigger_rule="all_done")
    def validate_landing(fetched) -> dict:
        from riskradar.pipeline import gate

        start, end, run_id = _interval()
        return gate("landing", start, end, run_id)

    @task
    def score_mentions(sources: list[str]) -> dict:
        from riskradar.pipeline import score

        start, end, run_id = _interval()
        return score(start, end, run_id, source_ids=sources)

    @task(outlets=[SCORED_ASSET])
    def validate_scored(scored) -> dict:
        from riskradar.pipeline import gate

        start, end, run_id = _interval()
        return gate("scored", start, end, run_id)

    sources = list_sources()
    fetched = fetch_source.expand(source_id=sources)
    landing_ok = validate_landing(fetched)
    scored = score_mentions(sources)
    landing_ok >> scored
    validate_scored(scored)


media_ingest()
