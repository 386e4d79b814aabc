"""The daily brief: what is emerging, how big, why the system thinks so, and the posts behind it.

Reads the warehouse read-only (dbt is its only writer), the zones and the alert events; writes
`data/briefs/brief-<date>.md`, `.html` (self-contained: charts inline as base64 PNG, no external
asset, a CSP that forbids scripts), `.json` (the summary delivery sends) and the chart PNGs in
`data/briefs/<date>/`. Every piece of feed text is escaped: in HTML by Jinja's autoescape, in
Markdown by `_md_escape`; links keep only http(s) URLs.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import duckdb
import pyarrow.parquet as pq

from riskradar import schemas, storage
from riskradar.config import Settings

EXAMPLES_PER_RISK = 3
TREND_DAYS = 30
MAX_TREND_CHARTS = 6
TOP_TERMS = 5
TOP_SOURCES = 3


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"warehouse {settings.warehouse_path} does not exist: run risk_metrics first")
    return duckdb.connect(str(settings.warehouse_path), read_only=True)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}


def load_top_risks(settings: Settings, day: date | None = None, limit: int = 5) -> tuple[date | None, list[dict]]:
    """Topics of a day ranked by spike score, each with its most negative example headline."""
    with _connect(settings) as con:
        if day is None:
            latest = con.execute("select max(mention_date) from fct_topic_spikes").fetchone()[0]
            if latest is None:
                return None, []
            day = latest
        risks = _rows(con, """
            select s.topic_id, coalesce(t.topic_name, s.topic_id) as topic_name, s.mentions,
                   s.baseline_mean, s.z_score, s.negative_share, s.baseline_negative_share,
                   s.negative_share_delta, s.spike_streak_days,
                   s.is_spike, s.severity, s.spike_score
            from fct_topic_spikes s
            left join dim_topics t using (topic_id)
            where s.mention_date = ? and s.mentions > 0
            order by s.is_spike desc, s.spike_score desc nulls last, s.mentions desc
            limit ?""", [day, limit])
        for r in risks:
            ex = examples(con, r["topic_id"], day, 1)
            r["example_title"] = ex[0]["title"] if ex else None
    return day, risks


def examples(con: duckdb.DuckDBPyConnection, topic_id: str, day: date, n: int = EXAMPLES_PER_RISK) -> list[dict]:
    """The most negative scored items of a topic that day: the posts behind the number.

    One item per story, so syndicated copies of one article do not fill the list; `copies` says
    how many outlets carried it."""
    return _rows(con, """
        with topic_items as (
            select title, url, source_id, sentiment_compound, published_at, is_scored, item_id,
                   count(*) over (partition by story_id) as copies,
                   row_number() over (partition by story_id
                                      order by published_at, item_id) as copy_rank,
            from fct_mentions
            where mention_date = ? and list_contains(topics, ?)
        )
        select title, url, source_id, sentiment_compound, published_at, copies
        from topic_items
        where copy_rank = 1
        order by is_scored desc, sentiment_compound asc nulls last, published_at, item_id
        limit ?""", [day, topic_id, n])


def _explanation(con: duckdb.DuckDBPyConnection, topic_id: str, day: date) -> dict[str, list[dict]]:
    """Why the system thinks so: the taxonomy terms that matched and the sources that carried it."""
    terms = _rows(con, """
        select substr(term, length(?) + 2) as term, count(*) as mentions
        from (select unnest(matched_terms) as term from fct_mentions
              where mention_date = ? and list_contains(topics, ?))
        where starts_with(term, ? || ':')
        group by 1 order by mentions desc, term limit ?""", [topic_id, day, topic_id, topic_id, TOP_TERMS])
    sources = _rows(con, """
        select source_id, count(*) as mentions from fct_mentions
        where mention_date = ? and list_contains(topics, ?)
        group by 1 order by mentions desc, source_id limit ?""", [day, topic_id, TOP_SOURCES])
    return {"terms": terms, "sources": sources}


def _trend(con: duckdb.DuckDBPyConnection, topic_id: str, day: date) -> list[dict]:
    return _rows(con, """
        select *  -- spike_threshold_mentions when the warehouse has it (older marts lack it)
        from fct_topic_spikes
        where topic_id = ? and mention_date between ? and ?
        order by mention_date""", [topic_id, day - timedelta(days=TREND_DAYS - 1), day])


def _platforms(con: duckdb.DuckDBPyConnection, day: date) -> list[dict]:
    """Share of voice by platform: of the day's mentions naming any platform, the share naming
    each one (an item naming two platforms counts for both), with yesterday for comparison."""
    return _rows(con, """
        with named as (
            select mention_date, unnest(platforms) as platform_id, is_negative
            from fct_mentions where mention_date in (?, ?) and len(platforms) > 0
        ),
        counts as (
            select platform_id,
                   count(*) filter (where mention_date = ?) as mentions,
                   count(*) filter (where mention_date = ? and is_negative) as negative_mentions,
                   count(*) filter (where mention_date = ?) as mentions_yesterday,
            from named group by platform_id
        )
        select c.platform_id, coalesce(p.platform_name, c.platform_id) as platform_name,
               coalesce(p.is_own_platform, false) as is_own_platform, c.mentions, c.mentions_yesterday,
               c.mentions / nullif(sum(c.mentions) over (), 0) as share_of_voice,
               c.mentions_yesterday / nullif(sum(c.mentions_yesterday) over (), 0) as share_of_voice_yesterday,
               c.negative_mentions / nullif(c.mentions, 0) as negative_share,
        from counts c left join dim_platforms p using (platform_id)
        order by c.mentions desc, c.platform_id""", [day, day - timedelta(days=1), day, day, day - timedelta(days=1)])


def _changes(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, Any]:
    """What changed since yesterday: alerts that started or ended, and the biggest movers."""
    rows = _rows(con, """
        select t.topic_id, coalesce(d.topic_name, t.topic_id) as topic_name,
               t.mentions, coalesce(y.mentions, 0) as mentions_yesterday,
               t.is_spike, coalesce(y.is_spike, false) as was_spike,
               t.negative_share, y.negative_share as negative_share_yesterday
        from fct_topic_spikes t
        left join fct_topic_spikes y on y.topic_id = t.topic_id and y.mention_date = t.mention_date - 1
        left join dim_topics d on d.topic_id = t.topic_id
        where t.mention_date = ?""", [day])
    for r in rows:
        r["delta"] = r["mentions"] - r["mentions_yesterday"]
    movers = sorted((r for r in rows if r["delta"]), key=lambda r: (-abs(r["delta"]), r["topic_id"]))[:5]
    return {"new_alerts": [r for r in rows if r["is_spike"] and not r["was_spike"]],
            "continuing_alerts": [r for r in rows if r["is_spike"] and r["was_spike"]],
            "ended_alerts": [r for r in rows if r["was_spike"] and not r["is_spike"]],
            "movers": movers}


def _alert_rows(con: duckdb.DuckDBPyConnection, day: date, lookback_days: int = 7) -> list[dict]:
    """fct_risk_alerts of the day and the week before (read defensively: columns may grow)."""
    if "fct_risk_alerts" not in _tables(con):
        return []
    return _rows(con, "select * from fct_risk_alerts where mention_date between ? and ? "
                      "order by mention_date desc, spike_score desc nulls last, topic_id",
                 [day - timedelta(days=lookback_days), day])


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
        rows.extend(pq.read_table(part).to_pylist())
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
    return sorted(steps.values(), key=lambda s: ["landing", "scored", "marts"].index(s["step"])
                  if s["step"] in ("landing", "scored", "marts") else 9)


def _versions(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, str]:
    row = con.execute("""select string_agg(distinct taxonomy_version, ', '), string_agg(distinct lexicon_version, ', ')
                         from fct_mentions where mention_date = ?""", [day]).fetchone()
    return {"taxonomy": row[0] or "-", "lexicon": row[1] or "-"}


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
    """Open alerts of the past week for topics not alerting today, one line per topic.

    A multi-day incident raises one alert per spike day; listing each would bury the signal."""
    by_topic: dict[str, dict[str, Any]] = {}
    for a in alert_rows:
        if a["mention_date"] == day or a["topic_id"] in alerting_today:
            continue
        ev = statuses.get(a["alert_id"])
        status = ev["status"] if ev else "new"
        if status not in ("new", "acknowledged", "escalated"):
            continue
        t = by_topic.setdefault(a["topic_id"], {"topic_id": a["topic_id"], "topic_name": a.get("topic_name") or a["topic_id"],
                                               "open_alerts": 0, "last_day": a["mention_date"], "statuses": set()})
        t["open_alerts"] += 1
        t["last_day"] = max(t["last_day"], a["mention_date"])
        t["statuses"].add(status)
    out = sorted(by_topic.values(), key=lambda t: (t["last_day"], t["topic_id"]), reverse=True)
    for t in out:
        t["status"] = ", ".join(_status_label(x) for x in sorted(t.pop("statuses")))
    return out


def gather(day: date, settings: Settings) -> dict[str, Any]:
    """Everything the brief shows, as plain data (the renderers only format it)."""
    from riskradar.alerts import current_statuses

    statuses = current_statuses(settings)
    _, risks = load_top_risks(settings, day, limit=8)
    with _connect(settings) as con:
        totals = _rows(con, """select count(*) as mentions, count(*) filter (where is_scored) as scored,
                                      count(distinct story_id) as stories, count(distinct source_id) as sources
                               from fct_mentions where mention_date = ?""", [day])[0]
        yesterday = con.execute("select count(*) from fct_mentions where mention_date = ?",
                                [day - timedelta(days=1)]).fetchone()[0]
        totals["mentions_yesterday"] = yesterday
        versions = _versions(con, day)
        alert_rows = _alert_rows(con, day)
        alert_by_topic = {a["topic_id"]: a for a in alert_rows if a["mention_date"] == day}
        for r in risks:
            r["examples"] = examples(con, r["topic_id"], day, EXAMPLES_PER_RISK)
            r.update(_explanation(con, r["topic_id"], day))
            a = alert_by_topic.get(r["topic_id"])
            r["alert_id"] = a["alert_id"] if a else None
            if a and a.get("top_terms"):  # dbt's explanation: terms by lift over the baseline
                lifts = list(a.get("top_term_lifts") or [])
                r["terms"] = [{"term": t, "mentions": None, "lift": lifts[i] if i < len(lifts) else None}
                              for i, t in enumerate(a["top_terms"][:TOP_TERMS])]
            ev = statuses.get(r["alert_id"]) if a else None
            r["status"] = ev["status"] if ev else ("new" if a else None)
            r["status_actor"] = ev["actor"] if ev else None
            r["status_note"] = ev["note"] if ev else None
        chart_topics = [r for r in risks if r["is_spike"]][:MAX_TREND_CHARTS] or risks[:3]
        trends = {r["topic_id"]: _trend(con, r["topic_id"], day) for r in chart_topics}
        platforms = _platforms(con, day)
        changes = _changes(con, day)
    earlier = _open_earlier(alert_rows, statuses, day, {r["topic_id"] for r in risks if r["is_spike"]})
    health = _source_health(settings, day)
    dq = _dq_status(settings, day)
    return {"day": day, "totals": totals, "risks": risks, "alerts": [r for r in risks if r["is_spike"]],
            "trends": trends, "platforms": platforms, "changes": changes, "open_earlier": earlier,
            "health": health, "coverage": _coverage(settings, health), "dq": dq,
            "dq_summary": _dq_summary(dq), "versions": versions, "spike_vars": _spike_vars(settings)}


# ---- formatting and escaping ----

def _fmt_pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _fmt_num(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _fmt_delta_pct(x: float | None) -> str:
    """A change in a share, in percentage points."""
    return "–" if x is None else f"{x * 100:+.0f} pp"


def _md_escape(text: Any) -> str:
    """Neutralise Markdown/HTML control characters in feed text for the Markdown brief."""
    t = re.sub(r"\s+", " ", str(text or ""))
    t = html.escape(t, quote=False)
    t = t.replace("\\", "\\\\")
    for ch in "[]|*_`#!<>()~":
        t = t.replace(ch, "\\" + ch)
    return t


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a feed can put `javascript:` in a link."""
    if not url:
        return None
    u = str(url).strip()
    try:
        scheme = urlsplit(u).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https") or any(c in u for c in "\r\n\t"):
        return None
    return u


def _md_url(url: str | None) -> str | None:
    u = safe_url(url)
    return quote(u, safe=":/?#@!$&'*+,;=%-._~") if u else None


def _md_link(text: Any, url: str | None) -> str:
    u = _md_url(url)
    return f"[{_md_escape(text)}]({u})" if u else _md_escape(text)


def _term_detail(term: dict[str, Any]) -> str:
    """`12` mentions, or `×4.2` lift over the baseline when dbt computed it."""
    if term.get("lift") is not None:
        return f"×{term['lift']:.1f} vs baseline"
    return str(term.get("mentions") if term.get("mentions") is not None else "–")


def _status_label(status: str | None) -> str:
    return {"false_positive": "false positive"}.get(status or "", status or "")


def render_markdown(ctx: dict[str, Any]) -> str:
    day, totals = ctx["day"], ctx["totals"]
    out = [f"# RiskRadar daily brief — {day}", "",
           f"{totals['mentions']} mentions ({totals['scored']} scored; {totals.get('mentions_yesterday', '–')} "
           f"yesterday) from {totals['sources']} sources, {totals['stories']} distinct stories. "
           f"Taxonomy {_md_escape(ctx['versions']['taxonomy'])}, lexicon {_md_escape(ctx['versions']['lexicon'])}.", ""]
    alerts = ctx["alerts"]
    out.append(f"## Headline risks ({len(alerts)} alert{'s' if len(alerts) != 1 else ''})")
    out.append("")
    if not alerts:
        out.append("No topic crossed the alert threshold today. Top topics by spike score are listed below.")
        out.append("")
    out += ["| topic | mentions | baseline | z | negative share | vs baseline | days | severity | status |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in ctx["risks"]:
        name = _md_escape(r["topic_name"])
        out.append(f"| {'**' + name + '**' if r['is_spike'] else name} | "
                   f"{r['mentions']} | {_fmt_num(r['baseline_mean'])} | {_fmt_num(r['z_score'])} | "
                   f"{_fmt_pct(r['negative_share'])} | {_fmt_delta_pct(r.get('negative_share_delta'))} | "
                   f"{r.get('spike_streak_days') or '–'} | {r['severity'] or '–'} | {_status_label(r.get('status')) or '–'} |")
    out.append("")
    for r in ctx["risks"]:
        if not r["examples"] and r["topic_id"] not in ctx["trends"]:
            continue
        out.append(f"### {_md_escape(r['topic_name'])}{' — ALERT' if r['is_spike'] else ''}")
        out.append("")
        if r.get("alert_id"):
            who = f" by {_md_escape(r['status_actor'])}" if r.get("status_actor") else ""
            note = f": {_md_escape(r['status_note'])}" if r.get("status_note") else ""
            out.append(f"Alert `{r['alert_id'][:12]}` — status **{_status_label(r['status'])}**{who}{note}. "
                       f"Manage with `riskradar alerts ack|escalate|resolve|dismiss {r['alert_id'][:12]}`.")
            out.append("")
        why = []
        if r.get("terms"):
            why.append("top terms " + ", ".join(f"{_md_escape(t['term'])} ({_term_detail(t)})" for t in r["terms"]))
        if r.get("sources"):
            why.append("top sources " + ", ".join(f"{_md_escape(s['source_id'])} ({s['mentions']})" for s in r["sources"]))
        if why:
            out.append("Why: " + "; ".join(why) + ".")
            out.append("")
        if r["topic_id"] in ctx["trends"] and ctx.get("chart_files", {}).get(r["topic_id"]):
            out.append(f"![{_md_escape(r['topic_name'])}: last {TREND_DAYS} days]({ctx['chart_files'][r['topic_id']]})")
            out.append("")
        for ex in r["examples"]:
            copies = f", carried by {ex['copies']} outlets" if (ex.get("copies") or 1) > 1 else ""
            out.append(f"- {_md_link(ex['title'], ex['url'])} — {_md_escape(ex['source_id'])}, "
                       f"compound {_fmt_num(ex['sentiment_compound'], 2)}{copies}")
        out.append("")
    ch = ctx["changes"]
    out += ["## What changed since yesterday", ""]
    out.append(f"- New alerts: {', '.join(_md_escape(r['topic_name']) for r in ch['new_alerts']) or 'none'}")
    out.append(f"- Continuing alerts: {', '.join(_md_escape(r['topic_name']) for r in ch['continuing_alerts']) or 'none'}")
    out.append(f"- Alerts ended: {', '.join(_md_escape(r['topic_name']) for r in ch['ended_alerts']) or 'none'}")
    if ch["movers"]:
        out.append("- Biggest moves: " + ", ".join(
            f"{_md_escape(r['topic_name'])} {r['mentions_yesterday']}→{r['mentions']}" for r in ch["movers"]))
    if ctx["open_earlier"]:
        out.append("- Still open from the past week (not alerting today): " + "; ".join(
            f"{_md_escape(a['topic_name'])} — {a['open_alerts']} alert(s), last {a['last_day']} ({a['status']})"
            for a in ctx["open_earlier"]))
    out.append("")
    out += ["## Share of voice by platform", ""]
    if ctx["platforms"]:
        if ctx.get("chart_files", {}).get("_platforms"):
            out += [f"![share of voice by platform]({ctx['chart_files']['_platforms']})", ""]
        out += ["| platform | mentions | share of voice | yesterday | negative share |", "|---|---:|---:|---:|---:|"]
        for p in ctx["platforms"]:
            out.append(f"| {_md_escape(p['platform_name'])}{' (own)' if p['is_own_platform'] else ''} | {p['mentions']} | "
                       f"{_fmt_pct(p['share_of_voice'])} | {_fmt_pct(p['share_of_voice_yesterday'])} | "
                       f"{_fmt_pct(p['negative_share'])} |")
    else:
        out.append("No mention named a platform today.")
    out.append("")
    out += ["## Source health and coverage", ""]
    out += [f"- {_md_escape(n)}" for n in ctx["coverage"]]
    out += ["", "| source | status | read | landed | duplicates | quarantined | note |",
            "|---|---|---:|---:|---:|---:|---|"]
    for h in ctx["health"]:
        out.append(f"| {_md_escape(h['source_id'])} | {h['status']} | {h['items_read']} | {h['items_landed']} | "
                   f"{h['items_duplicate']} | {h['items_quarantined']} | {_md_escape((h['error'] or '')[:80])} |")
    failed = [d for d in ctx["dq"] if not d["success"]]
    out += ["", "## Data quality", "",
            f"{len(ctx['dq'])} expectations checked across the gates today; {len(failed)} did not pass."]
    for s in ctx["dq_summary"]:
        out.append(f"- {s['step']}: {s['status']} ({s['checked']} checked, {s['critical_failed']} critical "
                   f"failed, {s['warnings']} warnings)")
    for d in failed:
        out.append(f"- {d['severity']}: {d['step']} / {_md_escape(d['expectation'])} "
                   f"(observed {_md_escape(d['observed_value'])})")
    out += ["", "## Versions", "",
            f"Taxonomy {_md_escape(ctx['versions']['taxonomy'])}, lexicon {_md_escape(ctx['versions']['lexicon'])}; "
            f"spike rule z ≥ {ctx['spike_vars'][0]:g} over the t-9..t-3 baseline.", ""]
    return "\n".join(out)


def render_html(ctx: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = _fmt_pct
    env.filters["num"] = _fmt_num
    env.filters["dpp"] = _fmt_delta_pct
    env.filters["safe_url"] = lambda u: safe_url(u) or "#"
    env.filters["status"] = _status_label
    env.filters["term_detail"] = _term_detail
    template = env.from_string(_HTML)
    return template.render(**{"charts_b64": {}, **ctx}, trend_days=TREND_DAYS)


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>RiskRadar daily brief — {{ day }}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1000px;margin:2em auto;color:#1d2433;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #dde;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{padding:.35em .5em;border-bottom:1px solid #eef;text-align:left}
td.n,th.n{text-align:right}.alert{color:#b00020;font-weight:600}.muted{color:#667}
.badge{display:inline-block;padding:.05em .5em;border-radius:.6em;background:#fde8ea;color:#b00020;font-size:.8em}
.st{display:inline-block;padding:.05em .5em;border-radius:.6em;background:#eef2f8;color:#2f5d9e;font-size:.8em}
.risk{border:1px solid #e4e7ef;border-radius:8px;padding:.2em 1em .8em;margin:1em 0}
img{width:100%;max-width:860px;height:auto;display:block;margin:.5em 0}code{background:#f3f4f8;padding:0 .3em;border-radius:3px}
li{margin:.25em 0}
</style></head><body>
<h1>RiskRadar daily brief — {{ day }}</h1>
<p class="muted">{{ totals.mentions }} mentions ({{ totals.scored }} scored; {{ totals.mentions_yesterday }} yesterday)
from {{ totals.sources }} sources, {{ totals.stories }} distinct stories.
Taxonomy {{ versions.taxonomy }}, lexicon {{ versions.lexicon }}.</p>

<h2>Headline risks ({{ alerts|length }} alert{{ '' if alerts|length == 1 else 's' }})</h2>
{% if not alerts %}<p>No topic crossed the alert threshold today. Top topics by spike score:</p>{% endif %}
<table><tr><th>topic</th><th class="n">mentions</th><th class="n">baseline</th><th class="n">z</th>
<th class="n">negative share</th><th class="n">vs baseline</th><th class="n">days</th><th>severity</th><th>status</th></tr>
{% for r in risks %}<tr><td class="{{ 'alert' if r.is_spike else '' }}">{{ r.topic_name }}
{% if r.is_spike %}<span class="badge">alert</span>{% endif %}</td>
<td class="n">{{ r.mentions }}</td><td class="n">{{ r.baseline_mean|num }}</td><td class="n">{{ r.z_score|num }}</td>
<td class="n">{{ r.negative_share|pct }}</td><td class="n">{{ r.negative_share_delta|dpp }}</td>
<td class="n">{{ r.spike_streak_days or '–' }}</td>
<td>{{ r.severity or '–' }}</td><td>{% if r.status %}<span class="st">{{ r.status|status }}</span>{% else %}–{% endif %}</td></tr>{% endfor %}
</table>

{% for r in risks if r.examples or r.topic_id in trends %}
<div class="risk">
<h3>{{ r.topic_name }}{% if r.is_spike %} <span class="badge">alert · {{ r.severity }}</span>{% endif %}</h3>
{% if r.alert_id %}<p>Alert <code>{{ r.alert_id[:12] }}</code> — <span class="st">{{ r.status|status }}</span>
{% if r.status_actor %} by {{ r.status_actor }}{% endif %}{% if r.status_note %}: {{ r.status_note }}{% endif %}.
<span class="muted">Manage with <code>riskradar alerts ack|escalate|resolve|dismiss {{ r.alert_id[:12] }}</code>.</span></p>{% endif %}
<p>{{ r.mentions }} mentions vs a baseline of {{ r.baseline_mean|num }} (z {{ r.z_score|num }});
negative share {{ r.negative_share|pct }} ({{ r.negative_share_delta|dpp }} vs baseline){% if r.spike_streak_days %};
day {{ r.spike_streak_days }} of the spike{% endif %}.</p>
{% if r.terms or r.sources %}<p class="muted">Why: {% if r.terms %}top terms {% for t in r.terms %}{{ t.term }} ({{ t|term_detail }}){{ ', ' if not loop.last }}{% endfor %}{% endif %}{% if r.terms and r.sources %}; {% endif %}{% if r.sources %}top sources {% for s in r.sources %}{{ s.source_id }} ({{ s.mentions }}){{ ', ' if not loop.last }}{% endfor %}{% endif %}.</p>{% endif %}
{% if charts_b64.get(r.topic_id) %}<img alt="{{ r.topic_name }}: mentions and negative share, last {{ trend_days }} days, with the baseline band"
 src="data:image/png;base64,{{ charts_b64[r.topic_id] }}">{% endif %}
<ul>{% for ex in r.examples %}<li><a href="{{ ex.url|safe_url }}" rel="noopener noreferrer">{{ ex.title }}</a>
<span class="muted">— {{ ex.source_id }}, compound {{ ex.sentiment_compound|num(2) }}{% if ex.copies and ex.copies > 1 %}, carried by {{ ex.copies }} outlets{% endif %}</span></li>{% endfor %}</ul>
</div>
{% endfor %}

<h2>What changed since yesterday</h2>
<ul>
<li>New alerts: {% for r in changes.new_alerts %}{{ r.topic_name }}{{ ', ' if not loop.last }}{% else %}none{% endfor %}</li>
<li>Continuing alerts: {% for r in changes.continuing_alerts %}{{ r.topic_name }}{{ ', ' if not loop.last }}{% else %}none{% endfor %}</li>
<li>Alerts ended: {% for r in changes.ended_alerts %}{{ r.topic_name }}{{ ', ' if not loop.last }}{% else %}none{% endfor %}</li>
{% if changes.movers %}<li>Biggest moves: {% for r in changes.movers %}{{ r.topic_name }} {{ r.mentions_yesterday }}→{{ r.mentions }}{{ ', ' if not loop.last }}{% endfor %}</li>{% endif %}
{% if open_earlier %}<li>Still open from the past week (not alerting today): {% for a in open_earlier %}{{ a.topic_name }} — {{ a.open_alerts }} alert(s), last {{ a.last_day }} ({{ a.status }}){{ '; ' if not loop.last }}{% endfor %}</li>{% endif %}
</ul>

<h2>Share of voice by platform</h2>
{% if platforms %}
{% if charts_b64.get('_platforms') %}<img alt="share of voice by platform" src="data:image/png;base64,{{ charts_b64['_platforms'] }}">{% endif %}
<table><tr><th>platform</th><th class="n">mentions</th><th class="n">share of voice</th><th class="n">yesterday</th><th class="n">negative share</th></tr>
{% for p in platforms %}<tr><td>{{ p.platform_name }}{% if p.is_own_platform %} <span class="st">own</span>{% endif %}</td>
<td class="n">{{ p.mentions }}</td><td class="n">{{ p.share_of_voice|pct }}</td><td class="n">{{ p.share_of_voice_yesterday|pct }}</td>
<td class="n">{{ p.negative_share|pct }}</td></tr>{% endfor %}</table>
{% else %}<p>No mention named a platform today.</p>{% endif %}

<h2>Source health and coverage</h2>
<ul>{% for n in coverage %}<li>{{ n }}</li>{% endfor %}</ul>
<table><tr><th>source</th><th>status</th><th class="n">read</th><th class="n">landed</th><th class="n">duplicates</th>
<th class="n">quarantined</th><th>note</th></tr>
{% for h in health %}<tr><td>{{ h.source_id }}</td><td class="{{ 'alert' if h.status == 'error' else '' }}">{{ h.status }}</td>
<td class="n">{{ h.items_read }}</td><td class="n">{{ h.items_landed }}</td><td class="n">{{ h.items_duplicate }}</td>
<td class="n">{{ h.items_quarantined }}</td><td class="muted">{{ (h.error or '')[:120] }}</td></tr>{% endfor %}
</table>

<h2>Data quality</h2>
{% set failed = dq|rejectattr('success')|list %}
<p>{{ dq|length }} expectations checked across the gates today; {{ failed|length }} did not pass.</p>
<ul>{% for s in dq_summary %}<li>{{ s.step }}: <span class="{{ 'alert' if s.status == 'failed' else '' }}">{{ s.status }}</span>
({{ s.checked }} checked, {{ s.critical_failed }} critical failed, {{ s.warnings }} warnings)</li>{% endfor %}
{% for d in failed %}<li>{{ d.severity }}: {{ d.step }} / {{ d.expectation }} (observed {{ d.observed_value }})</li>{% endfor %}</ul>

<h2>Versions</h2>
<p class="muted">Taxonomy {{ versions.taxonomy }}, lexicon {{ versions.lexicon }}; spike rule z ≥ {{ spike_vars[0] }}
over the t-9..t-3 baseline. Generated by RiskRadar from the warehouse (read-only).</p>
</body></html>
"""


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def render_charts(ctx: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write the PNGs beside the brief and return key -> path (`_platforms` for share of voice)."""
    from riskradar.brief import charts

    out_dir.mkdir(parents=True, exist_ok=True)
    z, min_std = ctx["spike_vars"]
    names = {r["topic_id"]: r["topic_name"] for r in ctx["risks"]}
    files: dict[str, Path] = {}
    for topic_id, series in ctx["trends"].items():
        if not series:
            continue
        png = charts.topic_trend_png(series, names.get(topic_id, topic_id), ctx["day"], z, min_std)
        path = out_dir / f"trend-{re.sub(r'[^a-z0-9_-]', '_', topic_id.lower())}.png"
        _write_atomic(path, png)
        files[topic_id] = path
    if ctx["platforms"]:
        path = out_dir / "share-of-voice.png"
        _write_atomic(path, charts.platform_share_png(ctx["platforms"], ctx["day"]))
        files["_platforms"] = path
    for stale in out_dir.glob("*.png"):  # a rerun with fewer alerts must not leave old charts behind
        if stale not in files.values():
            stale.unlink()
    return files


def summary(ctx: dict[str, Any], paths: dict[str, str]) -> dict[str, Any]:
    """The small JSON the delivery channels send (raw text; each channel escapes for itself)."""
    return {
        "day": ctx["day"].isoformat(),
        "totals": ctx["totals"],
        "alerts": [{"alert_id": r.get("alert_id"), "topic_id": r["topic_id"], "topic_name": r["topic_name"],
                    "severity": r["severity"], "mentions": r["mentions"], "baseline_mean": r["baseline_mean"],
                    "z_score": r["z_score"], "negative_share": r["negative_share"], "status": r.get("status"),
                    "examples": [{"title": e["title"], "url": safe_url(e["url"]), "source_id": e["source_id"]}
                                 for e in r["examples"]]}
                   for r in ctx["alerts"]],
        "top_risks": [r["topic_id"] for r in ctx["risks"][:5]],
        "dq_failed": sum(1 for d in ctx["dq"] if not d["success"] and d["severity"] == "critical"),
        "coverage": ctx["coverage"],
        **paths,
    }


def write_brief(day: date, settings: Settings) -> dict[str, Any]:
    """Write the Markdown, HTML and JSON brief and the chart PNGs for `day`; return their paths."""
    ctx = gather(day, settings)
    settings.briefs_dir.mkdir(parents=True, exist_ok=True)
    chart_dir = settings.briefs_dir / day.isoformat()
    chart_paths = render_charts(ctx, chart_dir)
    ctx["chart_files"] = {k: f"{day.isoformat()}/{p.name}" for k, p in chart_paths.items()}
    ctx["charts_b64"] = {k: base64.b64encode(p.read_bytes()).decode("ascii") for k, p in chart_paths.items()}
    md_path = settings.briefs_dir / f"brief-{day.isoformat()}.md"
    html_path = settings.briefs_dir / f"brief-{day.isoformat()}.html"
    json_path = settings.briefs_dir / f"brief-{day.isoformat()}.json"
    paths = {"markdown": str(md_path), "html": str(html_path), "json": str(json_path),
             "charts": [str(p) for p in chart_paths.values()]}
    for path, text in ((md_path, render_markdown(ctx)), (html_path, render_html(ctx)),
                       (json_path, json.dumps(summary(ctx, paths), indent=2, default=str))):
        _write_atomic(path, text.encode("utf-8"))
    return {"day": day.isoformat(), **paths,
            "alerts": [r["topic_id"] for r in ctx["alerts"]],
            "top_risks": [r["topic_id"] for r in ctx["risks"][:5]]}
