"""Score the warehouse against the sample corpus's ground truth: are the injected incidents visible?

For each incident in `ground_truth.json` it compares the incident days with the 14 days before
(volume and negative share of the incident's language, `fct_topic_language_daily`: English unless
the incident names another `language`) and checks whether `fct_risk_alerts` raised an alert for the
topic in that language inside the incident window (detection delay in days). Alerts outside every
incident window count as unexplained: on real data some are real, on the synthetic corpus they
measure the false-alarm rate of the spike rule.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from riskradar import warehouse
from riskradar.config import Settings

PRE_DAYS = 14


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def evaluate_incidents(source: Settings | Path, truth: dict[str, Any]) -> dict[str, Any]:
    """Per-incident volume lift, negative-share shift and alert detection; plus unexplained alerts.

    `source`: the settings of the configured warehouse (riskradar.warehouse), or a DuckDB file."""
    settings, path = (source, None) if isinstance(source, Settings) else (None, Path(source))
    with warehouse.connect(settings, duckdb_path=path) as wh:
        daily = wh.query("select topic_id, language, mention_date, mentions, negative_mentions, scored_mentions "
                         "from fct_topic_language_daily")
        alerts = wh.query("select topic_id, language, mention_date from fct_risk_alerts")
    by_key = {((r["topic_id"], r["language"]), r["mention_date"]):
              (r["mentions"], r["negative_mentions"], r["scored_mentions"]) for r in daily}
    alert_days = {((r["topic_id"], r["language"]), r["mention_date"]) for r in alerts}
    rows, explained = [], set()
    for inc in truth.get("incidents", []):
        topic = (inc["topic"], inc.get("language", "en"))  # a topic in one language
        start, end = date.fromisoformat(inc["start_date"]), date.fromisoformat(inc["end_date"])
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        before = [start - timedelta(days=i) for i in range(1, PRE_DAYS + 1)]

        def stats(ds: list[date], topic: tuple[str, str] = topic) -> tuple[float | None, float | None]:
            cells = [by_key[(topic, d)] for d in ds if (topic, d) in by_key]
            neg = sum(c[1] for c in cells)
            scored = sum(c[2] for c in cells)
            return _mean([c[0] for c in cells]), (neg / scored if scored else None)

        vol_in, neg_in = stats(days)
        vol_pre, neg_pre = stats(before)
        hits = sorted(d for d in days if (topic, d) in alert_days)
        explained |= {(topic, d) for d in days}
        rows.append({
            "incident_id": inc["incident_id"], "topic_id": topic[0], "language": topic[1],
            "start_date": start.isoformat(),
            "end_date": end.isoformat(), "magnitude": inc.get("magnitude"),
            "mentions_per_day": vol_in, "baseline_per_day": vol_pre,
            "volume_lift": (vol_in / vol_pre) if vol_in is not None and vol_pre else None,
            "negative_share": neg_in, "baseline_negative_share": neg_pre,
            "detected": bool(hits), "first_alert": hits[0].isoformat() if hits else None,
            "delay_days": (hits[0] - start).days if hits else None,
        })
    unexplained = sorted((t, lang, d.isoformat()) for (t, lang), d in alert_days - explained)
    detected = sum(r["detected"] for r in rows)
    hits = alert_days & explained
    return {
        "incidents": rows, "detected": detected, "total": len(rows),
        # day level: an alert on (topic, language, day) is right when that day is inside an
        # incident of that topic in that language; recall counts incident days that raised an alert
        "day_precision": len(hits) / len(alert_days) if alert_days else None,
        "day_recall": len(hits) / len(explained) if explained else None,
        "alerts": len(alert_days), "unexplained_alerts": len(unexplained),
        "unexplained": unexplained,
    }


def evaluate_sample(source: Settings | Path, sample_dir: Path) -> dict[str, Any]:
    truth = json.loads((Path(sample_dir) / "ground_truth.json").read_text())
    return evaluate_incidents(source, truth)


def format_report(result: dict[str, Any]) -> str:
    def num(v: float | None, fmt: str) -> str:
        return "" if v is None else format(v, fmt)

    lines = [f"{'incident':<28} {'days':<23} {'mag':>4} {'per day':>8} {'before':>7} {'lift':>5} "
             f"{'neg':>5} {'neg before':>10}  alert"]
    lines.append("-" * len(lines[0]))
    for r in result["incidents"]:
        alert = f"day +{r['delay_days']}" if r["detected"] else "missed"
        lines.append(
            f"{r['incident_id']:<28} {r['start_date'] + '..' + r['end_date'][5:]:<23} "
            f"{num(r['magnitude'], '.0f'):>4} {num(r['mentions_per_day'], '.1f'):>8} "
            f"{num(r['baseline_per_day'], '.1f'):>7} {num(r['volume_lift'], '.1f'):>5} "
            f"{num(r['negative_share'], '.0%'):>5} {num(r['baseline_negative_share'], '.0%'):>10}  {alert}")
    lines.append(f"detected {result['detected']}/{result['total']} incidents; {result['alerts']} alerts in all, "
                 f"{result['unexplained_alerts']} outside any incident window")
    if result.get("day_precision") is not None and result.get("day_recall") is not None:
        lines.append(f"day level: precision {result['day_precision']:.2f}, recall {result['day_recall']:.2f}")
    return "\n".join(lines)
