"""Brief stage tasks (risk_metrics): write the day's brief, then deliver it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.config import Settings, get_settings


def brief(start: datetime | str, end: datetime | str, settings: Settings | None = None) -> dict[str, Any]:
    from riskradar.brief.render import write_brief

    return write_brief(storage.as_utc(start).date(), settings or get_settings())


def deliver(start: datetime | str, end: datetime | str, settings: Settings | None = None) -> dict[str, Any]:
    """Send the day's brief to the configured webhook / SMTP connections (skipped when none)."""
    from riskradar.brief.delivery import deliver_brief

    return deliver_brief(storage.as_utc(start).date(), settings or get_settings())
