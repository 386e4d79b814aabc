"""Marts stage task (risk_metrics): the interval's dbt build."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.config import Settings, get_settings


def build_marts(start: datetime | str, end: datetime | str, settings: Settings | None = None,
                resume: bool = False) -> dict[str, Any]:
    """dbt build for the interval; `resume` (a retry) continues a failed build of it with `dbt retry`
    when none of its inputs changed since (see riskradar.marts.build.build_interval)."""
    from riskradar.marts.build import build_interval

    s = settings or get_settings()
    storage.check(s.data_dir)
    return build_interval(storage.as_utc(start), storage.as_utc(end), s, resume=resume)
