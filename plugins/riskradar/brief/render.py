"""The daily brief rendered: Markdown, HTML, JSON and chart PNGs from the data of riskradar.brief.data.

Writes `data/briefs/brief-<date>.md`, `.html` (self-contained: charts inline as base64 PNG, no
external asset, a CSP that forbids scripts; template `templates/brief.html.j2`), `.json` (the
summary delivery sends) and the chart PNGs in `data/briefs/<date>/`. Every piece of feed text is
escaped: in HTML by Jinja's autoescape, in Markdown by `_md_escape`; links keep only http(s) URLs.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from riskradar import storage
from riskradar.brief.data import TREND_DAYS, gather, load_top_risks, status_label
from riskradar.config import Settings

__all__ = ["gather", "load_top_risks", "render_html", "render_markdown", "safe_url", "write_brief"]
TEMPLATES = Path(__file__).with_name("templates")
_status_label = status_label


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
    template = env.from_string((TEMPLATES / "brief.html.j2").read_text(encoding="utf-8"))
    return template.render(**{"charts_b64": {}, **ctx}, trend_days=TREND_DAYS)


def _write_atomic(path: Path, data: bytes) -> None:
    storage.write_bytes_atomic(data, path)


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
                                 for e in r["examples"]],
                    "top_terms": [t["term"] for t in r["terms"]],
                    "top_term_lifts": [t["lift"] for t in r["terms"]]}
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
