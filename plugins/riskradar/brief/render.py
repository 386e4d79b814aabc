"""The daily brief rendered: Markdown, HTML, JSON and chart PNGs from the data of riskradar.brief.data.

Writes `data/briefs/brief-<date>.md`, `.html` (self-contained: charts inline as base64 PNG, no
external asset, a CSP that forbids scripts), `.json` (the summary delivery sends) and the chart
PNGs in `data/briefs/<date>/`. Both renderings come from one template, `templates/brief.j2`, which
writes every section once; `_md.j2` and `_html.j2` say how a heading, table, link... looks in each
format. Every piece of feed text is escaped: in HTML by Jinja's autoescape, in Markdown by
`_md_escape` applied to every template value; links keep only http(s) URLs.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

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


def _md_finalize(value: Any) -> Markup:
    """Every `{{ value }}` of the Markdown brief: feed text escaped, macro output (Markup) kept."""
    if isinstance(value, Markup):
        return value
    return Markup(_md_escape(value if isinstance(value, str) else str(value)))


def _oneline(value: Any) -> Markup:
    """A Markdown paragraph, list item or cell on one line (the template wraps its text freely)."""
    return Markup(" ".join(str(_md_finalize(value)).split()))


@cache
def _environment(fmt: str) -> jinja2.Environment:
    """The brief's Jinja environment for `fmt`: autoescape in both (so macro output is Markup and
    never escaped twice), and in Markdown every value also goes through the Markdown escape."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=_md_finalize if fmt == "md" else None)
    env.filters.update(pct=_fmt_pct, num=_fmt_num, dpp=_fmt_delta_pct, status=_status_label,
                       term_detail=_term_detail, safe_url=safe_url, oneline=_oneline,
                       md_path=lambda path: Markup(quote(str(path), safe="/")))
    env.globals["md_link"] = lambda text, url: Markup(_md_link(text, url))
    return env


def _render(ctx: dict[str, Any], fmt: str) -> str:
    template = _environment(fmt).get_template("brief.j2")
    return template.render({"charts_b64": {}, "chart_files": {}, **ctx, "format": fmt, "trend_days": TREND_DAYS})


def render_markdown(ctx: dict[str, Any]) -> str:
    """The brief in Markdown (chart images linked from `chart_files`, relative to the brief)."""
    return re.sub(r"\n{3,}", "\n\n", _render(ctx, "md")).strip() + "\n"


def render_html(ctx: dict[str, Any]) -> str:
    """The brief as one self-contained HTML page (charts inline from `charts_b64`)."""
    return _render(ctx, "html")


def _write_atomic(path: Path, data: bytes) -> None:
    storage.write_bytes_atomic(data, path)


def render_charts(ctx: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write the PNGs beside the brief and return key -> path (`_platforms` for share of voice)."""
    from riskradar.brief import charts

    out_dir.mkdir(parents=True, exist_ok=True)
    z, min_std = ctx["spike_vars"]
    names = {r["key"]: r["topic_name"] for r in ctx["risks"]}
    files: dict[str, Path] = {}
    for key, series in ctx["trends"].items():  # key: the topic id, or topic-language (brief.data.risk_key)
        if not series:
            continue
        png = charts.topic_trend_png(series, names.get(key, key), ctx["day"], z, min_std)
        path = out_dir / f"trend-{re.sub(r'[^a-z0-9_-]', '_', key.lower())}.png"
        _write_atomic(path, png)
        files[key] = path
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
        "alerts": [{"alert_id": r.get("alert_id"), "topic_id": r["topic_id"], "language": r["language"],
                    "topic_name": r["topic_name"],
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
