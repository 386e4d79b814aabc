"""The pipeline's task bodies in DAG order, for what runs it without Airflow (tools/build_sample.py,
tests, benchmarks). Each stage owns its body; the DAGs import them from the stage:

    media_ingest   list_sources -> ingest.task.select_sources, fetch_source -> ingest.task.ingest,
                   validate_landing -> gate("landing"), score_mentions -> score.task.score,
                   cluster_stories -> stories.task.cluster, validate_scored -> gate("scored")
    risk_metrics   wait_for_scored -> ingest.task.ingest_complete, build_marts -> marts.task.build_marts,
                   validate_marts -> gate("marts"), write_brief -> brief.task.brief, deliver -> brief.task.deliver

Each takes the data interval explicitly and returns a small dict (it travels through XCom).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.brief.task import brief, deliver
from riskradar.config import Settings, get_settings
from riskradar.ingest.task import ingest, ingest_complete, select_sources
from riskradar.marts.task import build_marts
from riskradar.stories.task import cluster

__all__ = ["brief", "build_marts", "cluster", "deliver", "gate", "ingest", "ingest_complete", "score",
           "select_sources"]


def score(start: datetime | str, end: datetime | str, run_id: str, settings: Settings | None = None,
          source_ids: list[str] | None = None) -> dict[str, Any]:
    """media_ingest after the landing gate: score_mentions, then cluster_stories (their two results)."""
    from riskradar.score.task import score as score_task

    result = score_task(start, end, run_id, settings, source_ids=source_ids)
    result["stories"] = cluster(start, end, run_id, settings)
    return result


def gate(step: str, start: datetime | str, end: datetime | str, run_id: str,
         settings: Settings | None = None) -> dict[str, Any]:
    """Run a step's GX gate. The landing gate also fails (without retries) when every source that
    reported for the interval failed: a run with no data must not show green, or a dead feed
    would read as "the risk went away"."""
    from riskradar.quality import gate_error, run_gate

    s = settings or get_settings()
    start, end = storage.as_utc(start), storage.as_utc(end)
    if step == "landing":
        from riskradar.ingest.landing import health_for_interval

        reports = health_for_interval(s, start, end)
        if reports and all(h["status"] == "error" for h in reports):
            detail = "; ".join(f"{h['source_id']}: {str(h.get('error') or '')[:160]}" for h in reports)
            raise gate_error(f"landing gate: every source failed for {start.isoformat()}..{end.isoformat()} "
                             f"({len(reports)} sources), nothing to validate or score: {detail}")
    result = run_gate(step, start, end, run_id, s)
    return result.to_dict()
