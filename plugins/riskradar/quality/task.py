"""Quality stage task (media_ingest validate_landing / validate_scored, risk_metrics validate_marts):
a step's GX gate for one interval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.config import Settings, get_settings


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
