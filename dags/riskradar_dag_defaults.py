"""What the RiskRadar DAGs share: their Assets, default_args, the failure callback, the data
interval of the running task and the ingest cadence.

Imported by every file in dags/ at parse time, so it imports nothing heavy: the Task SDK, and the
cadence rule from riskradar.ingest.cadence and the config location from riskradar.config (both
standard library + PyYAML). Not a DAG file itself
(`.airflowignore`).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, get_current_context
from riskradar.config import Settings
from riskradar.ingest.cadence import cron_at_parse_time

SCORED_ASSET = Asset("scored_mentions")  # media_ingest's validate_scored passed: risk_metrics may build
MARTS_ASSET = Asset("risk_marts")  # risk_metrics wrote the day's brief
ALERTS_ASSET = Asset("risk_alerts")  # the day's fct_risk_alerts passed the gate: alert_triage runs
OWNER = "monetization-integrity"


def record_failure(context) -> None:
    """on_failure_callback: append the failure to data/ops/task_failures.jsonl (riskradar.failures)."""
    from riskradar.failures import record_failure as record

    record(context)


def default_args(*, retry_delay: timedelta, max_retry_delay: timedelta, execution_timeout: timedelta,
                 retries: int = 2) -> dict:
    """Retries with exponential backoff (transient errors; permanent ones raise AirflowFailException),
    a time limit, and every failure recorded."""
    return {
        "owner": OWNER,
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": True,
        "max_retry_delay": max_retry_delay,
        "execution_timeout": execution_timeout,
        "on_failure_callback": record_failure,
    }


def interval() -> tuple[str, str, str]:
    """(data interval start, end, run id) of the running task, as ISO strings for the task bodies."""
    ctx = get_current_context()
    return ctx["data_interval_start"].isoformat(), ctx["data_interval_end"].isoformat(), ctx["run_id"]


def ingest_cron() -> str:
    """media_ingest's cadence: RISKRADAR_INGEST_CRON, else `ingest_cron` in config/sources.yml, else
    hourly. Any cron whose intervals tile the UTC day works: risk_metrics waits until every source's
    ingest intervals cover its day."""
    return cron_at_parse_time(Settings.from_env().config_dir)
