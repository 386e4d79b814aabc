"""Alert lifecycle: new → acknowledged → escalated → resolved | false positive, with who, when, why.

The warehouse has one writer (dbt), so an analyst's action is never written into DuckDB here.
Each action becomes one small, immutable Parquet file in the `alert_events` zone
(`<data>/alert_events/date=<action day>/event-<stamp>-<event_id>.parquet`, written atomically,
never rewritten). dbt reads the zone as the source `alerts.alert_events`
(models/staging/alerts) and derives the current status (`fct_alert_status`) and the baseline
exclusions on its next build. This module computes the same "latest event wins" status from the
zone, so the CLI can answer immediately, before dbt has run.
"""

from __future__ import annotations

import getpass
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from riskradar import storage
from riskradar.config import Settings

TS = pa.timestamp("us", tz="UTC")

ALERT_EVENTS = pa.schema(
    [
        ("event_id", pa.string()),  # uuid4 hex; also in the file name
        ("alert_id", pa.string()),  # fct_risk_alerts.alert_id (md5 of topic_id[|language]|mention_date)
        ("topic_id", pa.string()),  # copied from the alert so dbt needs no join to find the spike day
        ("mention_date", pa.date32()),
        ("action", pa.string()),  # ack | escalate | resolve | dismiss
        ("status", pa.string()),  # the status the action leads to (see ACTIONS)
        ("actor", pa.string()),
        ("note", pa.string()),
        ("acted_at", TS),
    ]
)

# CLI verb -> the status it sets
ACTIONS: dict[str, str] = {
    "ack": "acknowledged",
    "escalate": "escalated",
    "resolve": "resolved",
    "dismiss": "false_positive",
}
STATUSES = ("new", "acknowledged", "escalated", "resolved", "false_positive")
# Where each status may go next. Closed alerts (resolved, false_positive) can be reopened only by
# escalating them, which keeps "who closed it and why" in the history instead of overwriting it.
TRANSITIONS: dict[str, set[str]] = {
    "new": {"acknowledged", "escalated", "resolved", "false_positive"},
    "acknowledged": {"escalated", "resolved", "false_positive"},
    "escalated": {"acknowledged", "resolved", "false_positive"},
    "resolved": {"escalated"},
    "false_positive": {"escalated"},
}
# Spike days with these statuses are left out of later baselines (see fct_alert_status).
BASELINE_EXCLUDED_STATUSES = ("resolved", "false_positive")
ZONE = "alert_events"


class AlertError(ValueError):
    """An action that cannot be applied (unknown alert, ambiguous id, invalid transition)."""


@dataclass(frozen=True)
class AlertRef:
    alert_id: str
    topic_id: str
    mention_date: date


def events_dir(settings: Settings) -> Path:
    return settings.data_dir / ZONE


def default_actor() -> str:
    """Who acts: RISKRADAR_ACTOR (set it in shared shells and bots), else the OS user."""
    try:
        return os.environ.get("RISKRADAR_ACTOR") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def read_events(settings: Settings) -> list[dict[str, Any]]:
    """Every recorded action, oldest first (acted_at, then event_id for a stable order)."""
    root = events_dir(settings)
    files = sorted(root.glob("date=*/event-*.parquet")) if root.exists() else []
    rows: list[dict[str, Any]] = []
    for f in files:
        rows.extend(storage.read_table(f, schema=ALERT_EVENTS).to_pylist())
    rows.sort(key=lambda r: (r["acted_at"], r["event_id"]))
    return rows


def current_statuses(settings: Settings) -> dict[str, dict[str, Any]]:
    """alert_id -> its latest event (the same rule as dbt's fct_alert_status)."""
    latest: dict[str, dict[str, Any]] = {}
    for ev in read_events(settings):
        latest[ev["alert_id"]] = ev
    return latest


def status_of(alert_id: str, statuses: dict[str, dict[str, Any]]) -> str:
    ev = statuses.get(alert_id)
    return ev["status"] if ev else "new"


def record_action(settings: Settings, alert: AlertRef, action: str, *, actor: str | None = None,
                  note: str | None = None, at: datetime | None = None) -> dict[str, Any]:
    """Validate the transition and append one event file; return the event.

    `at` defaults to now: an analyst's action is a real-world event, not a data-interval one.
    """
    if action not in ACTIONS:
        raise AlertError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    new_status = ACTIONS[action]
    current = status_of(alert.alert_id, current_statuses(settings))
    if new_status not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise AlertError(f"alert {alert.alert_id[:12]} is {current}; cannot {action} it "
                         f"(allowed next statuses: {allowed})")
    acted_at = storage.as_utc(at or datetime.now(UTC))
    event = {
        "event_id": uuid.uuid4().hex,
        "alert_id": alert.alert_id,
        "topic_id": alert.topic_id,
        "mention_date": alert.mention_date,
        "action": action,
        "status": new_status,
        "actor": (actor or default_actor())[:200],
        "note": (note or "")[:2000] or None,
        "acted_at": acted_at,
    }
    path = events_dir(settings) / f"date={acted_at:%Y-%m-%d}" / (
        f"event-{acted_at:%Y%m%dT%H%M%S%f}-{event['event_id']}.parquet")
    storage.write_table_atomic(storage.rows_to_table([event], ALERT_EVENTS), path)
    return {**event, "path": str(path), "previous_status": current}


# ---- alerts as dbt published them (read-only) ----

def _warehouse_alerts(settings: Settings, day: date | None = None) -> list[dict[str, Any]]:
    from riskradar import warehouse

    sql = "select * from fct_risk_alerts"
    params: list[Any] = []
    if day is not None:
        sql += " where mention_date = ?"
        params.append(day)
    sql += " order by mention_date desc, spike_score desc nulls last, topic_id"
    try:
        with warehouse.connect(settings) as wh:
            return wh.query(sql, params)
    except warehouse.WarehouseMissing as exc:
        raise AlertError(f"{exc}: run risk_metrics first") from exc


def list_alerts(settings: Settings, *, day: date | None = None, status: str | None = None,
                open_only: bool = False) -> list[dict[str, Any]]:
    """Alerts from fct_risk_alerts with their current status from the event zone."""
    statuses = current_statuses(settings)
    out = []
    for a in _warehouse_alerts(settings, day):
        ev = statuses.get(a["alert_id"])
        a = {**a, "status": ev["status"] if ev else "new",
             "status_actor": ev["actor"] if ev else None,
             "status_at": ev["acted_at"] if ev else None,
             "status_note": ev["note"] if ev else None}
        if status and a["status"] != status:
            continue
        if open_only and a["status"] in BASELINE_EXCLUDED_STATUSES:
            continue
        out.append(a)
    return out


def resolve_alert(settings: Settings, ref: str) -> AlertRef:
    """An alert from a full id, a unique id prefix (>= 6 characters) or `<topic_id>@<YYYY-MM-DD>`."""
    ref = ref.strip()
    alerts = _warehouse_alerts(settings)
    if "@" in ref:
        topic_id, _, day = ref.partition("@")
        try:
            wanted = date.fromisoformat(day)
        except ValueError as exc:
            raise AlertError(f"{ref!r}: expected <topic_id>@YYYY-MM-DD") from exc
        matches = [a for a in alerts if a["topic_id"] == topic_id and a["mention_date"] == wanted]
    else:
        if len(ref) < 6:
            raise AlertError(f"alert id {ref!r} is too short: give at least 6 characters")
        matches = [a for a in alerts if a["alert_id"].startswith(ref.lower())]
    if not matches:
        raise AlertError(f"no alert {ref!r} in fct_risk_alerts ({settings.warehouse_path}); "
                         "see `riskradar alerts list`")
    if len(matches) > 1:
        ids = ", ".join(a["alert_id"][:12] for a in matches[:5])
        raise AlertError(f"alert id {ref!r} is ambiguous ({ids}...): give more characters")
    a = matches[0]
    return AlertRef(alert_id=a["alert_id"], topic_id=a["topic_id"], mention_date=a["mention_date"])


def incident_alerts(settings: Settings, ref: AlertRef) -> list[AlertRef]:
    """The alert and the alerts of the same topic and language on the consecutive days before it.

    A multi-day spike raises one alert per day; an analyst closes the incident, not each day."""
    from datetime import timedelta

    alerts = _warehouse_alerts(settings)
    language = next((a.get("language") for a in alerts if a["alert_id"] == ref.alert_id), None)
    days = {a["mention_date"]: a["alert_id"] for a in alerts
            if a["topic_id"] == ref.topic_id and a.get("language") == language}
    out, day = [], ref.mention_date
    while day in days:
        out.append(AlertRef(alert_id=days[day], topic_id=ref.topic_id, mention_date=day))
        day -= timedelta(days=1)
    return out or [ref]


def alert_precision(settings: Settings) -> dict[str, Any]:
    """Share of triaged alerts that analysts kept (not dismissed as false positives).

    Same definition as the `alert_precision` column docs of fct_alert_status: confirmed =
    acknowledged, escalated or resolved; precision = confirmed / (confirmed + false_positive);
    alerts still `new` are not counted. None while nothing has been triaged.
    """
    latest = current_statuses(settings)
    confirmed = sum(1 for e in latest.values() if e["status"] in {"acknowledged", "escalated", "resolved"})
    dismissed = sum(1 for e in latest.values() if e["status"] == "false_positive")
    total = confirmed + dismissed
    return {"confirmed": confirmed, "false_positive": dismissed,
            "alert_precision": (confirmed / total) if total else None}


def history(settings: Settings, alert_id: str) -> list[dict[str, Any]]:
    """Every action on one alert, oldest first (who, when, what, note): the alert page's history."""
    return [e for e in read_events(settings) if e["alert_id"] == alert_id]
