"""Stories stage task (media_ingest `cluster_stories`, after `score_mentions`): cluster the interval's
scored news and trade-press items with the days before and rewrite their `story_id`
(riskradar.stories.cluster)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.config import Settings, get_settings


def cluster(start: datetime | str, end: datetime | str, run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    from riskradar.stories.cluster import cluster_interval

    result = cluster_interval(storage.as_utc(start), storage.as_utc(end), settings or get_settings())
    return {"run_id": run_id, "interval_start": storage.as_utc(start).isoformat(), **result}
