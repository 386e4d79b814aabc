"""Task bodies called by the DAGs. Each takes the data interval explicitly and returns a small dict
(it travels through XCom); large data stays in the zones."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.config import Settings, get_settings

log = logging.getLogger(__name__)


def select_sources(settings: Settings | None = None, only: list[str] | None = None) -> list[str]:
    """Enabled source ids, optionally narrowed to a subset (a manual run's `sources` param)."""
    from riskradar.ingest.sources import load_sources

    s = settings or get_settings()
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

    return ingest_source(source_id, start, end, run_id, settings or get_settings())


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


def score(start: datetime | str, end: datetime | str, run_id: str, settings: Settings | None = None,
          source_ids: list[str] | None = None) -> dict[str, Any]:
    """Score the interval's landing parts, then cluster syndicated copies into stories (rewrites
    story_id in the scored parts; see riskradar.stories)."""
    from riskradar.score import score_interval
    from riskradar.stories import cluster_interval

    s = settings or get_settings()
    result = score_interval(storage.as_utc(start), storage.as_utc(end), run_id, s, source_ids=source_ids)
    result["stories"] = cluster_interval(storage.as_utc(start), storage.as_utc(end), s)
    return result


def ingest_complete(start: datetime | str, end: datetime | str, settings: Settings | None = None) -> dict[str, Any]:
    """Has every enabled source reported for every ingest interval inside [start, end)?

    Cadence-agnostic: a source is complete when the ingest intervals it reported (ok, empty or
    error) tile [start, end) without a gap, so 24 hourly runs complete a day as one daily run
    does. Every interval that did not fail must also have its scored part. A dead source does
    not block the metrics; a source (or an hour) not yet run does.
    """
    s = settings or get_settings()
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


def build_marts(start: datetime | str, end: datetime | str, settings: Settings | None = None,
                resume: bool = False) -> dict[str, Any]:
    """dbt build for the interval; `resume` (a retry) continues a failed build of it with `dbt retry`
    when none of its inputs changed since (see transform.build_interval)."""
    from riskradar.transform import build_interval

    return build_interval(storage.as_utc(start), storage.as_utc(end), settings or get_settings(), resume=resume)


def brief(start: datetime | str, end: datetime | str, settings: Settings | None = None) -> dict[str, Any]:
    from riskradar.brief.render import write_brief

    return write_brief(storage.as_utc(start).date(), settings or get_settings())


def deliver(start: datetime | str, end: datetime | str, settings: Settings | None = None) -> dict[str, Any]:
    """Send the day's brief to the configured webhook / SMTP connections (skipped when none)."""
    from riskradar.brief.delivery import deliver_brief

    return deliver_brief(storage.as_utc(start).date(), settings or get_settings())


def record_failure(context: dict[str, Any]) -> None:
    """Airflow on_failure_callback: append the failure where the brief and an operator see it."""
    s = get_settings()
    ti = context.get("task_instance") or context.get("ti")
    exc = context.get("exception")
    dag_run = context.get("dag_run")
    record = {
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "run_id": getattr(ti, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "data_interval_start": str(getattr(dag_run, "data_interval_start", "") or ""),
        "data_interval_end": str(getattr(dag_run, "data_interval_end", "") or ""),
        "error": str(exc)[:2000] if exc else None,
    }
    path = s.data_dir / "ops" / "task_failures.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")
    log.error("task failure recorded in %s: %s", path, record)
