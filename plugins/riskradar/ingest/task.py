"""Ingest stage tasks (media_ingest): which sources run, one source's interval, and whether a day's
ingest is complete (risk_metrics waits on it). Each takes the data interval explicitly and returns a
small dict (it travels through XCom); the items stay in the zones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.config import Settings, get_settings


def select_sources(settings: Settings | None = None, only: list[str] | None = None) -> list[str]:
    """Enabled source ids, optionally narrowed to a subset (a manual run's `sources` param)."""
    from riskradar.ingest.sources import load_sources

    s = settings or get_settings()
    storage.check(s.data_dir)
    enabled = [src.id for src in load_sources(s, enabled_only=True)]
    if only:
        unknown = sorted(set(only) - {src.id for src in load_sources(s)})
        if unknown:
            raise ValueError(f"unknown source ids in params: {', '.join(unknown)}")
        return [sid for sid in enabled if sid in set(only)]
    return enabled


def ingest(source_id: str, start: datetime | str, end: datetime | str, run_id: str,
           settings: Settings | None = None) -> dict[str, Any]:
    from riskradar.ingest.landing import ingest_source

    s = settings or get_settings()
    storage.check(s.data_dir)
    return ingest_source(source_id, start, end, run_id, s)


def ingest_complete(start: datetime | str, end: datetime | str, settings: Settings | None = None) -> dict[str, Any]:
    """Has every enabled source reported for every ingest interval inside [start, end)?

    Cadence-agnostic: a source is complete when the ingest intervals it reported (ok, empty or
    error) tile [start, end) without a gap, so 24 hourly runs complete a day as one daily run
    does. Every interval that did not fail must also have its scored part. A dead source does
    not block the metrics; a source (or an hour) not yet run does.
    """
    s = settings or get_settings()
    storage.check(s.data_dir)
    start, end = storage.as_utc(start), storage.as_utc(end)
    expected = set(select_sources(s))
    from riskradar.ingest.landing import health_for_interval

    reports = health_for_interval(s, start, end)  # one read of the health zone
    intervals: dict[str, list[tuple[datetime, datetime]]] = {}
    failed: set[str] = set()
    unscored: set[str] = set()
    scored_parts = set(storage.parts_for_interval(s.scored_dir, start, end))
    for h in reports:
        sid = h["source_id"]
        intervals.setdefault(sid, []).append((storage.as_utc(h["interval_start"]), storage.as_utc(h["interval_end"])))
        if h["status"] == "error":
            failed.add(sid)
        elif storage.partition_path(s.scored_dir, h["interval_start"], source_id=sid) not in scored_parts:
            unscored.add(sid)
    gaps = {sid: _first_gap(intervals.get(sid, []), start, end) for sid in sorted(expected)}
    missing_health = sorted(sid for sid, gap in gaps.items() if gap is not None)
    missing_scored = sorted((expected & unscored) - set(missing_health))
    return {"complete": not missing_health and not missing_scored, "missing_health": missing_health,
            "missing_scored": missing_scored, "failed_sources": sorted(failed),
            "first_missing_interval": {sid: gap.isoformat() for sid, gap in gaps.items() if gap is not None}}


def _first_gap(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> datetime | None:
    """The first instant of [start, end) no interval covers, or None when they cover it all."""
    covered = start
    for s_, e_ in sorted(intervals):
        if s_ > covered:
            break
        covered = max(covered, e_)
        if covered >= end:
            return None
    return covered if covered < end else None
