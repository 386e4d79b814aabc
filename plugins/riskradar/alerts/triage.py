"""Human-in-the-loop triage (DAG alert_triage): each new high-severity alert of the day becomes a
Required Action whose body is its evidence from fct_risk_alerts; the chosen option becomes an
ordinary alert event (riskradar.alerts.lifecycle), so the CLI, the pages and dbt see it alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from riskradar.alerts.lifecycle import (
    ACTIONS,
    TRANSITIONS,
    AlertError,
    AlertRef,
    _warehouse_alerts,
    current_statuses,
    record_action,
    status_of,
)
from riskradar.config import Settings

TRIAGE_OPTIONS: dict[str, tuple[str, str]] = {  # option shown in Required Actions -> (action, label)
    "Escalate to Policy": ("escalate", "escalated to Policy"),
    "Escalate to Product": ("escalate", "escalated to Product"),
    "Watch": ("ack", "watch"),
    "False positive": ("dismiss", "false positive"),
}
TRIAGE_DEFAULT = "Watch"


def apply_triage(settings: Settings, alert: AlertRef, option: str, *, actor: str | None,
                 note: str | None = None, timed_out: bool = False) -> dict[str, Any]:
    """Record a triage answer as an alert event; `actor` None = nobody answered in time.

    A choice the alert's current status already covers (watch on an acknowledged alert) records
    nothing and says so, instead of failing the task.
    """
    if option not in TRIAGE_OPTIONS:
        raise AlertError(f"unknown triage option {option!r}; expected one of {', '.join(TRIAGE_OPTIONS)}")
    action, label = TRIAGE_OPTIONS[option]
    prefix = (f"triage timed out: default '{label}' applied" if timed_out else f"triage: {label}")
    text = f"{prefix}. {note.strip()}" if note and note.strip() else prefix
    current = status_of(alert.alert_id, current_statuses(settings))
    if ACTIONS[action] == current or ACTIONS[action] not in TRANSITIONS[current]:
        return {"recorded": False, "status": current, "reason": f"alert is already {current}; {prefix}"}
    event = record_action(settings, alert, action, actor=actor or "alert_triage (no response)", note=text)
    return {"recorded": True, **event}


TRIAGE_SEVERITIES = ("high",)  # fct_risk_alerts.severity is low | medium | high: "high or above"


def triage_requests(settings: Settings, day: date) -> list[dict[str, Any]]:
    """One human-in-the-loop request per new alert of `day` with a triage severity, evidence in its body.

    Everything comes from fct_risk_alerts (examples, term lift, sources, platforms); the body is
    Markdown with every feed-supplied text escaped."""
    from riskradar.brief.render import _md_escape, _md_link

    statuses = current_statuses(settings)
    out = []
    for a in _warehouse_alerts(settings, day):
        if a["severity"] not in TRIAGE_SEVERITIES or status_of(a["alert_id"], statuses) != "new":
            continue
        lines = [f"**{_md_escape(a['topic_name'])}** on {a['mention_date']}: {a['mentions']} mentions against a "
                 f"baseline of {a['baseline_mean'] or 0:.1f} a day (z {a['z_score'] or 0:.1f}), negative share "
                 f"{(a['negative_share'] or 0):.0%} vs {(a['baseline_negative_share'] or 0):.0%}; "
                 f"day {a['spike_streak_days']} of the spike.", "", "**Examples (most negative first)**", ""]
        lines += [f"- {_md_link(t, u)} ({_md_escape(s)})" for t, u, s in
                  zip(a["example_titles"] or [], a["example_urls"] or [], a["example_source_ids"] or [], strict=False)]
        terms = ", ".join(f"{_md_escape(t)} ×{lift:.1f}" for t, lift in
                          zip(a["top_terms"] or [], a["top_term_lifts"] or [], strict=False))
        sources = ", ".join(f"{_md_escape(s)} ({n})" for s, n in
                            zip(a["top_source_ids"] or [], a["top_source_mentions"] or [], strict=False))
        platforms = ", ".join(f"{_md_escape(p)} ({n})" for p, n in
                              zip(a["top_platform_ids"] or [], a["top_platform_mentions"] or [], strict=False))
        lines += ["", f"**Terms by lift:** {terms or 'none'}", f"**Sources:** {sources or 'none'}",
                  f"**Platforms:** {platforms or 'none'}", "",
                  f"Alert `{a['alert_id']}`: the Risk Radar page /riskradar/alerts/{a['alert_id']} has the trend."]
        out.append({"alert_id": a["alert_id"], "topic_id": a["topic_id"], "mention_date": a["mention_date"].isoformat(),
                    "subject": f"Triage: {a['topic_name']} spike on {a['mention_date']} ({a['severity']})",
                    "body": "\n".join(lines)})
    return out


def record_triage_answer(settings: Settings, request: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """A HITL task's result (chosen option, note, who) as an alert event; no responder = timeout default."""
    ref = AlertRef(alert_id=request["alert_id"], topic_id=request["topic_id"],
                   mention_date=date.fromisoformat(str(request["mention_date"])[:10]))
    chosen = (answer.get("chosen_options") or [TRIAGE_DEFAULT])[0]
    user = answer.get("responded_by_user") or {}
    note = (answer.get("params_input") or {}).get("note")
    return apply_triage(settings, ref, chosen, actor=user.get("name") or user.get("id"), note=note,
                        timed_out=not user)
