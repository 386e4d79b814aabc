"""What the daily brief shows, as plain data: read from the marts (riskradar.warehouse), the zones and
the alert events. Nothing here ranks or re-derives evidence: examples, top terms with their lift,
top sources and platforms are the columns of `fct_topic_evidence_daily` (dbt), the same ones
`fct_risk_alerts` and `riskradar alerts` carry. SQL is portable (DuckDB and PostgreSQL).

A risk is a topic in one language (fct_topic_spikes is per topic x language x day): rows carry
`language` and `key` (the topic id for English, `<topic>-<language>` otherwise: the chart's name),
and a non-English row's name says its language ("Scam ads (id)").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from riskradar import schemas, storage, warehouse
from riskradar.config import Settings

TREND_DAYS = 30
MAX_TREND_CHARTS = 6
RISKS_IN_BRIEF = 8

_EVIDENCE = """
    select topic_id, language, example_titles, example_urls, example_source_ids, example_sentiment_compounds,
           example_story_copies, top_terms, top_term_lifts, top_term_mentions, top_source_ids, top_source_mentions
    from fct_topic_evidence_daily
    where mention_date = ?"""


def status_label(status: str | None) -> str:
    return {"false_positive": "false positive"}.get(status or "", status or "")


def evidence_of(row: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The evidence columns of one fct_topic_evidence_daily row as lists of dicts, in the mart's order."""
    def column(name: str) -> list:
        return list(row.get(name) or [])

    titles = column("example_titles")
    examples = [{"title": t, "url": u, "source_id": s, "sentiment_compound": c, "copies": n}
                for t, u, s, c, n in zip(titles, column("example_urls"), column("example_source_ids"),
                                         column("example_sentiment_compounds"), column("example_story_copies"),
                                         strict=True)]
    terms = [{"term": t, "lift": lift, "mentions": m}
             for t, lift, m in zip(column("top_terms"), column("top_term_lifts"), column("top_term_mentions"),
                                   strict=True)]
    sources = [{"source_id": s, "mentions": m}
               for s, m in zip(column("top_source_ids"), column("top_source_mentions"), strict=True)]
    return {"examples": examples, "terms": terms, "sources": sources}


ENGLISH = "en"


def risk_key(topic_id: str, language: str | None) -> str:
    """A risk's key: the topic id for English (the names English charts always had), else topic-language."""
    return topic_id if language in (None, ENGLISH) else f"{topic_id}-{language}"


def _with_language(row: dict[str, Any]) -> dict[str, Any]:
    """`key` on a topic x language row, and the language in a non-English row's name."""
    row["key"] = risk_key(row["topic_id"], row.get("language"))
    if row.get("language") not in (None, ENGLISH) and row.get("topic_name"):
        row["topic_name"] = f"{row['topic_name']} ({row['language']})"
    return row


def _day_evidence(wh: warehouse.Warehouse, day: date) -> dict[str, dict[str, list[dict[str, Any]]]]:
    return {risk_key(r["topic_id"], r["language"]): evidence_of(r) for r in wh.query(_EVIDENCE, [day])}


def latest_day(wh: warehouse.Warehouse) -> date | None:
    return wh.scalar("select max(mention_date) from fct_topic_spikes")


def top_risks(wh: warehouse.Warehouse, day: date, limit: int = 5) -> list[dict[str, Any]]:
    """Topics (per language) of a day ranked by spike score (the mart's order), each with its evidence."""
    risks = wh.query("""
        select s.topic_id, s.language, coalesce(t.topic_name, s.topic_id) as topic_name, s.mentions,
               s.baseline_mean, s.z_score, s.negative_share, s.baseline_negative_share,
               s.negative_share_delta, s.spike_streak_days, s.is_spike, s.severity, s.spike_score
        from fct_topic_spikes as s
        left join dim_topics as t on t.topic_id = s.topic_id
        where s.mention_date = ? and s.mentions > 0
        order by s.is_spike desc, s.spike_score desc nulls last, s.mentions desc, s.topic_id, s.language
        limit ?""", [day, limit])
    evidence = _day_evidence(wh, day)
    empty = {"examples": [], "terms": [], "sources": []}
    for r in map(_with_language, risks):
        r.update(evidence.get(r["key"], empty))
        r["example_title"] = r["examples"][0]["title"] if r["examples"] else None
    return risks


def load_top_risks(settings: Settings, day: date | None = None, limit: int = 5) -> tuple[date | None, list[dict]]:
    """The day's top risks (default: the latest day of the marts)."""
    with warehouse.connect(settings) as wh:
        day = day or latest_day(wh)
        return (None, []) if day is None else (day, top_risks(wh, day, limit))


def _trend(wh: warehouse.Warehouse, topic_id: str, language: str, day: date) -> list[dict]:
    return wh.query("""
        select * from fct_topic_spikes
        where topic_id = ? and language = ? and mention_date between ? and ?
        order by mention_date""", [topic_id, language, day - timedelta(days=TREND_DAYS - 1), day])


def _platforms(wh: warehouse.Warehouse, day: date) -> list[dict]:
    """Share of voice by platform: of the day's mentions naming any platform, the share naming
    each one (an item naming two platforms counts for both), with yesterday for comparison."""
    return wh.query("""
        with named as (
            select mentions.mention_date, platform.platform_id, mentions.is_negative
            from fct_mentions as mentions
            cross join unnest(mentions.platforms) as platform(platform_id)
            where mentions.mention_date in (?, ?)
        ),
        counts as (
            select platform_id,
                   sum(case when mention_date = ? then 1 else 0 end) as mentions,
                   sum(case when mention_date = ? and is_negative then 1 else 0 end) as negative_mentions,
                   sum(case when mention_date = ? then 1 else 0 end) as mentions_yesterday
            from named group by platform_id
        )
        select c.platform_id, coalesce(p.platform_name, c.platform_id) as platform_name,
               coalesce(p.is_own_platform, false) as is_own_platform, c.mentions, c.mentions_yesterday,
               cast(c.mentions as double precision) / nullif(sum(c.mentions) over (), 0) as share_of_voice,
               cast(c.mentions_yesterday as double precision) / nullif(sum(c.mentions_yesterday) over (), 0)
                   as share_of_voice_yesterday,
               cast(c.negative_mentions as double precision) / nullif(c.mentions, 0) as negative_share
        from counts as c left join dim_platforms as p on p.platform_id = c.platform_id
        order by c.mentions desc, c.platform_id""", [day, day - timedelta(days=1), day, day, day - timedelta(days=1)])


def _changes(wh: warehouse.Warehouse, day: date) -> dict[str, Any]:
    """What changed since yesterday: alerts that started or ended, and the biggest movers."""
    rows = wh.query("""
        select t.topic_id, t.language, coalesce(d.topic_name, t.topic_id) as topic_name,
               t.mentions, coalesce(y.mentions, 0) as mentions_yesterday,
               t.is_spike, coalesce(y.is_spike, false) as was_spike,
               t.negative_share, y.negative_share as negative_share_yesterday
        from fct_topic_spikes as t
        left join fct_topic_spikes as y
            on y.topic_id = t.topic_id and y.language = t.language and y.mention_date = ?
        left join dim_topics as d on d.topic_id = t.topic_id
        where t.mention_date = ?""", [day - timedelta(days=1), day])
    for r in map(_with_language, rows):
        r["delta"] = r["mentions"] - r["mentions_yesterday"]
    movers = sorted((r for r in rows if r["delta"]), key=lambda r: (-abs(r["delta"]), r["key"]))[:5]
    return {"new_alerts": [r for r in rows if r["is_spike"] and not r["was_spike"]],
            "continuing_alerts": [r for r in rows if r["is_spike"] and r["was_spike"]],
            "ended_alerts": [r for r in rows if r["was_spike"] and not r["is_spike"]],
            "movers": movers}


def _alert_rows(wh: warehouse.Warehouse, day: date, lookback_days: int = 7) -> list[dict]:
    """fct_risk_alerts of the day and the week before."""
    if not wh.has("fct_risk_alerts"):
        return []
    return wh.query("select * from fct_risk_alerts where mention_date between ? and ? "
                    "order by mention_date desc, spike_score desc nulls last, topic_id, language",
                    [day - timedelta(days=lookback_days), day])


def _versions(wh: warehouse.Warehouse, day: date) -> dict[str, str]:
    row = wh.query("""select string_agg(distinct taxonomy_version, ', ') as taxonomy,
                             string_agg(distinct lexicon_version, ', ') as lexicon
                      from fct_mentions where mention_date = ?""", [day])[0]
    return {"taxonomy": row["taxonomy"] or "-", "lexicon": row["lexicon"] or "-"}


def _source_health(settings: Settings, day: date) -> list[dict]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    parts = storage.parts_for_interval(settings.source_health_dir, start, start + timedelta(days=1))
    return sorted(storage.read_parts(parts, schemas.SOURCE_HEALTH).to_pylist(), key=lambda r: r["source_id"])


def _coverage(settings: Settings, health: list[dict]) -> list[str]:
    """Plain-language notes on what the day's numbers may be missing."""
    from riskradar.ingest.sources import load_sources

    notes: list[str] = []
    try:
        enabled = {s.id for s in load_sources(settings, enabled_only=True)}
    except Exception as exc:  # a broken sources.yml must not stop the brief
        return [f"sources.yml could not be read: {exc}"]
    reported: dict[str, list[dict]] = {}
    for h in health:
        reported.setdefault(h["source_id"], []).append(h)
    missing = sorted(enabled - set(reported))
    if missing:
        notes.append(f"{len(missing)} enabled source(s) did not report: {', '.join(missing)}.")
    failed = sorted(s for s, hs in reported.items() if any(h["status"] == "error" for h in hs))
    if failed:
        notes.append(f"Fetch errors (counts may be low): {', '.join(failed)}.")
    empty = sorted(s for s, hs in reported.items() if sum(h["items_landed"] or 0 for h in hs) == 0
                   and s not in failed)
    if empty:
        notes.append(f"No new items landed from: {', '.join(empty)}.")
    quarantined = sum(h["items_quarantined"] or 0 for h in health)
    if quarantined:
        notes.append(f"{quarantined} item(s) quarantined at ingest (see data/quarantine/).")
    if not notes:
        notes.append(f"All {len(enabled)} enabled sources reported and landed items.")
    return notes


def _dq_status(settings: Settings, day: date) -> list[dict]:
    rows: list[dict] = []
    for part in sorted(settings.dq_results_dir.glob(f"step=*/date={day.isoformat()}/*.parquet")):
        rows.extend(storage.read_table(part).to_pylist())
    return rows


def _dq_summary(dq: list[dict]) -> list[dict]:
    steps: dict[str, dict[str, Any]] = {}
    for d in dq:
        s = steps.setdefault(d["step"], {"step": d["step"], "checked": 0, "critical_failed": 0, "warnings": 0})
        s["checked"] += 1
        if not d["success"]:
            s["critical_failed" if d["severity"] == "critical" else "warnings"] += 1
    for s in steps.values():
        s["status"] = "failed" if s["critical_failed"] else ("warning" if s["warnings"] else "passed")
    order = ("landing", "scored", "marts")
    return sorted(steps.values(), key=lambda s: order.index(s["step"]) if s["step"] in order else 9)


def _spike_vars(settings: Settings) -> tuple[float, float]:
    """The spike rule's z threshold and std floor from dbt_project.yml (the band on the charts)."""
    from riskradar.brief.charts import DEFAULT_MIN_STD, DEFAULT_Z_THRESHOLD

    try:
        import yaml

        cfg = yaml.safe_load((settings.dbt_project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
        v = cfg.get("vars", {})
        return float(v.get("spike_z_threshold", DEFAULT_Z_THRESHOLD)), float(v.get("spike_min_std", DEFAULT_MIN_STD))
    except (OSError, ValueError, AttributeError):
        return DEFAULT_Z_THRESHOLD, DEFAULT_MIN_STD


def _open_earlier(alert_rows: list[dict], statuses: dict[str, dict], day: date,
                  alerting_today: set[str]) -> list[dict]:
    """Open alerts of the past week for topics (per language) not alerting today, one line each.

    A multi-day incident raises one alert per spike day; listing each would bury the signal.
    `alerting_today` holds risk keys (risk_key)."""
    by_topic: dict[str, dict[str, Any]] = {}
    for a in alert_rows:
        key = risk_key(a["topic_id"], a.get("language"))
        if a["mention_date"] == day or key in alerting_today:
            continue
        ev = statuses.get(a["alert_id"])
        status = ev["status"] if ev else "new"
        if status not in ("new", "acknowledged", "escalated"):
            continue
        t = by_topic.setdefault(key, _with_language(
            {"topic_id": a["topic_id"], "language": a.get("language"), "topic_name": a.get("topic_name") or a["topic_id"],
             "open_alerts": 0, "last_day": a["mention_date"], "statuses": set()}))
        t["open_alerts"] += 1
        t["last_day"] = max(t["last_day"], a["mention_date"])
        t["statuses"].add(status)
    out = sorted(by_topic.values(), key=lambda t: (t["last_day"], t["key"]), reverse=True)
    for t in out:
        t["status"] = ", ".join(status_label(x) for x in sorted(t.pop("statuses")))
    return out


def gather(day: date, settings: Settings) -> dict[str, Any]:
    """Everything the brief shows, as plain data (the renderers only format it)."""
    from riskradar.alerts.lifecycle import current_statuses

    statuses = current_statuses(settings)
    with warehouse.connect(settings) as wh:
        wh.require("fct_topic_spikes", "fct_topic_evidence_daily", "fct_mentions", "dim_topics")
        risks = top_risks(wh, day, limit=RISKS_IN_BRIEF)
        totals = wh.query("""select count(*) as mentions, sum(case when is_scored then 1 else 0 end) as scored,
                                    count(distinct story_id) as stories, count(distinct source_id) as sources
                             from fct_mentions where mention_date = ?""", [day])[0]
        totals["scored"] = totals["scored"] or 0
        totals["mentions_yesterday"] = wh.scalar("select count(*) from fct_mentions where mention_date = ?",
                                                 [day - timedelta(days=1)])
        versions = _versions(wh, day)
        alert_rows = _alert_rows(wh, day)
        alert_by_key = {risk_key(a["topic_id"], a["language"]): a for a in alert_rows if a["mention_date"] == day}
        for r in risks:
            a = alert_by_key.get(r["key"])
            r["alert_id"] = a["alert_id"] if a else None
            ev = statuses.get(r["alert_id"]) if a else None
            r["status"] = ev["status"] if ev else ("new" if a else None)
            r["status_actor"] = ev["actor"] if ev else None
            r["status_note"] = ev["note"] if ev else None
        chart_topics = [r for r in risks if r["is_spike"]][:MAX_TREND_CHARTS] or risks[:3]
        trends = {r["key"]: _trend(wh, r["topic_id"], r["language"], day) for r in chart_topics}
        platforms = _platforms(wh, day)
        changes = _changes(wh, day)
    earlier = _open_earlier(alert_rows, statuses, day, {r["key"] for r in risks if r["is_spike"]})
    health = _source_health(settings, day)
    dq = _dq_status(settings, day)
    return {"day": day, "totals": totals, "risks": risks, "alerts": [r for r in risks if r["is_spike"]],
            "trends": trends, "platforms": platforms, "changes": changes, "open_earlier": earlier,
            "health": health, "coverage": _coverage(settings, health), "dq": dq,
            "dq_summary": _dq_summary(dq), "versions": versions, "spike_vars": _spike_vars(settings)}
