"""
### media_ingest — pull media feeds, land them, score them

**What it does.** For one data interval (hourly by default; `RISKRADAR_INGEST_CRON` sets the
cadence, and `make` targets set it to daily because the bundled sample feeds are daily snapshots)
it fetches every
enabled source in `config/sources.yml` (one mapped task per source, so a broken source fails and
retries alone), lands the items as Parquet, checks them with the Great Expectations landing gate,
scores sentiment (NLTK VADER + domain lexicon) and risk topics (taxonomy), clusters syndicated
copies into stories (`cluster_stories`: one story id per story, with the days before), and checks
the scored batch with the scored gate. It emits the `scored_mentions` asset.

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

from datetime import datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task
from riskradar_dag_defaults import SCORED_ASSET, default_args, ingest_cron, interval

INGEST_CRON = ingest_cron()


@dag(
    dag_id="media_ingest",
    schedule=CronDataIntervalTimetable(INGEST_CRON, timezone="UTC"),
    start_date=datetime(2026, 8, 1),
    catchup=False,
    # ingest dedups against intervals landed before: days must land in order (backfills too)
    max_active_runs=1,
    default_args=default_args(retry_delay=timedelta(minutes=2), max_retry_delay=timedelta(minutes=30),
                              execution_timeout=timedelta(minutes=30)),
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
        from riskradar.ingest.task import select_sources

        return select_sources(only=context["params"].get("sources") or None)

    @task(map_index_template="{{ source_id }}")
    def fetch_source(source_id: str) -> dict:
        from riskradar.ingest.task import ingest

        start, end, run_id = interval()
        return ingest(source_id, start, end, run_id)

    @task(trigger_rule="all_done")
    def validate_landing(fetched) -> dict:
        from riskradar.quality.task import gate

        start, end, run_id = interval()
        return gate("landing", start, end, run_id)

    @task
    def score_mentions(sources: list[str]) -> dict:
        from riskradar.score.task import score

        start, end, run_id = interval()
        return score(start, end, run_id, source_ids=sources)

    @task
    def cluster_stories(scored) -> dict:
        from riskradar.stories.task import cluster

        start, end, run_id = interval()
        return cluster(start, end, run_id)

    @task(outlets=[SCORED_ASSET])
    def validate_scored(clustered) -> dict:
        from riskradar.quality.task import gate

        start, end, run_id = interval()
        return gate("scored", start, end, run_id)

    sources = list_sources()
    fetched = fetch_source.expand(source_id=sources)
    landing_ok = validate_landing(fetched)
    scored = score_mentions(sources)
    landing_ok >> scored
    validate_scored(cluster_stories(scored))


media_ingest()
