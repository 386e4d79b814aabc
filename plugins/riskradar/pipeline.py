"""The pipeline's task bodies in DAG order, for what runs it without Airflow (tools/build_sample.py,
tests, benchmarks). Each stage owns its body; the DAGs import them from the stage:

    media_ingest   list_sources -> ingest.task.select_sources, fetch_source -> ingest.task.ingest,
                   validate_landing -> quality.task.gate("landing"), score_mentions -> score.task.score,
                   cluster_stories -> stories.task.cluster, validate_scored -> gate("scored")
    risk_metrics   wait_for_scored -> ingest.task.ingest_complete, build_marts -> marts.task.build_marts,
                   validate_marts -> gate("marts"), write_brief -> brief.task.brief, deliver -> brief.task.deliver

Each takes the data interval explicitly and returns a small dict (it travels through XCom).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskradar.brief.task import brief, deliver
from riskradar.config import Settings
from riskradar.ingest.task import ingest, ingest_complete, select_sources
from riskradar.marts.task import build_marts
from riskradar.quality.task import gate
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
