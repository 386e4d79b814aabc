"""`riskradar alerts list|ack|escalate|resolve|dismiss`, `riskradar top-risks` and `riskradar evaluate`.

Hooked into the CLI by `register(subparsers)` (riskradar.cli.COMMAND_MODULES). Actions are
appended to the alert_events zone (riskradar.alerts.lifecycle); the warehouse picks them up on the
next dbt build, and `list` shows them at once because it reads the zone too. `top-risks` and
`evaluate` read the marts (fct_risk_alerts, fct_topic_spikes) through riskradar.warehouse.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from riskradar.config import Settings


def _say(msg: str) -> None:
    print(msg, flush=True)


def _label(status: str) -> str:
    return "false positive" if status == "false_positive" else status


def cmd_alerts_list(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.alerts.lifecycle import AlertError, alert_precision, list_alerts

    try:
        rows = list_alerts(settings, day=date.fromisoformat(args.date) if args.date else None,
                           status=args.status, open_only=args.open)
    except AlertError as exc:
        _say(f"error: {exc}")
        return 2
    rows = rows[: args.limit] if args.limit else rows
    if args.json:
        _say(json.dumps(rows, indent=2, default=str))
        return 0
    _say(f"{'alert':<12}  {'date':<10}  {'topic':<22} {'sev':<6} {'z':>6} {'mentions':>8}  status")
    for a in rows:
        who = f" ({a['status_actor']}, {a['status_at']:%Y-%m-%d %H:%M})" if a["status_actor"] else ""
        _say(f"{a['alert_id'][:12]:<12}  {a['mention_date']!s:<10}  {str(a.get('topic_name') or a['topic_id'])[:22]:<22} "
             f"{a.get('severity') or '-':<6} {a.get('z_score') or 0:>6.1f} {a.get('mentions') or 0:>8}  "
             f"{_label(a['status'])}{who}")
    p = alert_precision(settings)
    prec = "n/a" if p["alert_precision"] is None else f"{p['alert_precision']:.0%}"
    _say(f"{len(rows)} alert(s). Alert precision {prec} ({p['confirmed']} confirmed, {p['false_positive']} false positive).")
    return 0


def _cmd_action(action: str):
    def run(args: argparse.Namespace, settings: Settings) -> int:
        from riskradar.alerts.lifecycle import AlertError, incident_alerts, record_action, resolve_alert

        try:
            ref = resolve_alert(settings, args.alert)
            refs = incident_alerts(settings, ref) if args.incident else [ref]
        except AlertError as exc:
            _say(f"error: {exc}")
            return 2
        done = 0
        for i, r in enumerate(refs):
            try:
                event: dict[str, Any] = record_action(settings, r, action, actor=args.actor, note=args.note)
            except AlertError as exc:
                if i == 0:  # the alert named on the command line must accept the action
                    _say(f"error: {exc}")
                    return 2
                _say(f"  skipped {r.topic_id} {r.mention_date}: {exc}")
                continue
            done += 1
            _say(f"{r.topic_id} {r.mention_date} ({r.alert_id[:12]}): {_label(event['previous_status'])} -> "
                 f"{_label(event['status'])} by {event['actor']}. Recorded in {event['path']}")
        _say(f"{done} alert(s) updated; the warehouse (fct_alert_status, baselines) picks this up on the next dbt build.")
        return 0

    return run


def top_risks(settings: Settings, day: date | None = None, limit: int = 5) -> tuple[date | None, list[dict]]:
    from riskradar.brief.data import load_top_risks

    return load_top_risks(settings, day, limit)


def print_top_risks(settings: Settings, day: date | None = None) -> None:
    day, risks = top_risks(settings, day)
    if day is None:
        _say("(no marts yet)")
        return
    _say(f"\nTop risks on {day} (ranked by spike score; z = mentions vs 7-day baseline skipping 2 days)")
    header = f"{'topic':<22} {'mentions':>8} {'baseline':>8} {'z':>6} {'neg share':>9} {'alert':>5}  example headline"
    _say(header)
    _say("-" * len(header))
    for r in risks:
        neg = "" if r.get("negative_share") is None else f"{r['negative_share']:.0%}"
        base = "" if r.get("baseline_mean") is None else f"{r['baseline_mean']:.1f}"
        z = "" if r.get("z_score") is None else f"{r['z_score']:.1f}"
        _say(f"{r['topic_id']:<22} {r['mentions']:>8} {base:>8} {z:>6} {neg:>9} {'yes' if r.get('is_spike') else '':>5}"
             f"  {(r.get('example_title') or '')[:70]}")


def print_evaluation(settings: Settings) -> dict:
    from riskradar.alerts.evaluate import evaluate_sample, format_report

    result = evaluate_sample(settings, settings.sample_feeds_dir)
    _say(format_report(result))
    return result


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    result = print_evaluation(settings)
    if args.json:
        _say(json.dumps(result, indent=2, default=str))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("alerts", help="list alerts and manage their lifecycle (ack, escalate, resolve, dismiss)")
    sub = p.add_subparsers(dest="alerts_cmd", required=True)

    lp = sub.add_parser("list", help="alerts with their current status")
    lp.add_argument("--date", default=None, help="only alerts of this spike day (YYYY-MM-DD)")
    lp.add_argument("--status", default=None,
                    choices=["new", "acknowledged", "escalated", "resolved", "false_positive"])
    lp.add_argument("--open", action="store_true", help="hide resolved and false-positive alerts")
    lp.add_argument("--limit", type=int, default=50)
    lp.add_argument("--json", action="store_true")
    lp.set_defaults(fn=cmd_alerts_list)

    helps = {"ack": "acknowledge: someone is looking at it", "escalate": "escalate to the owning team",
             "resolve": "the issue is handled (the spike day leaves later baselines)",
             "dismiss": "a false positive (feeds alert precision; leaves later baselines)"}
    for action, text in helps.items():
        ap = sub.add_parser(action, help=text)
        ap.add_argument("alert", help="alert id (or a unique prefix of 6+ characters) or <topic_id>@<YYYY-MM-DD>")
        ap.add_argument("--note", "-m", default=None, help="why (kept with the event)")
        ap.add_argument("--actor", default=None, help="who (default: $RISKRADAR_ACTOR or the OS user)")
        ap.add_argument("--incident", action="store_true",
                        help="also the alerts of the same topic on the consecutive days before (the whole spike)")
        ap.set_defaults(fn=_cmd_action(action))

    p = subparsers.add_parser("top-risks", help="print the top risks table for a day (default: latest)")
    p.add_argument("--date", default=None)
    p.set_defaults(fn=lambda a, s: print_top_risks(s, date.fromisoformat(a.date) if a.date else None) or 0)

    p = subparsers.add_parser("evaluate", help="compare the marts with the sample corpus's injected incidents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_evaluate)
