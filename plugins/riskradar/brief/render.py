"""The daily brief: top risks of the day with evidence, as Markdown and self-contained HTML.

Reads the warehouse read-only (dbt is its only writer) and the zones; writes
`data/briefs/brief-<date>.md` and `.html`. Every piece of feed text is escaped in HTML.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from riskradar import schemas, storage
from riskradar.config import Settings

EXAMPLES_PER_RISK = 3


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"warehouse {settings.warehouse_path} does not exist: run risk_metrics first")
    return duckdb.connect(str(settings.warehouse_path), read_only=True)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


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


def _source_health(settings: Settings, day: date) -> list[dict]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    parts = storage.parts_for_interval(settings.source_health_dir, start, start + timedelta(days=1))
    return sorted(storage.read_parts(parts, schemas.SOURCE_HEALTH).to_pylist(), key=lambda r: r["source_id"])


def _dq_status(settings: Settings, day: date) -> list[dict]:
    rows: list[dict] = []
    for part in sorted(settings.dq_results_dir.glob(f"step=*/date={day.isoformat()}/*.parquet")):
        rows.extend(pq.read_table(part).to_pylist())
    return rows


def _versions(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, str]:
    row = con.execute("""select string_agg(distinct taxonomy_version, ', '), string_agg(distinct lexicon_version, ', ')
                         from fct_mentions where mention_date = ?""", [day]).fetchone()
    return {"taxonomy": row[0] or "-", "lexicon": row[1] or "-"}


def gather(day: date, settings: Settings) -> dict[str, Any]:
    with _connect(settings) as con:
        totals = _rows(con, """select count(*) as mentions, count(*) filter (where is_scored) as scored,
                                      count(distinct story_id) as stories, count(distinct source_id) as sources
                               from fct_mentions where mention_date = ?""", [day])[0]
        versions = _versions(con, day)
    _, risks = load_top_risks(settings, day, limit=8)
    with _connect(settings) as con:
        for r in risks:
            r["examples"] = examples(con, r["topic_id"], day)
    health = _source_health(settings, day)
    dq = _dq_status(settings, day)
    return {"day": day, "totals": totals, "risks": risks, "alerts": [r for r in risks if r["is_spike"]],
            "health": health, "dq": dq, "versions": versions}


def _fmt_pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _fmt_num(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _md_escape(text: str | None) -> str:
    """Neutralise Markdown/HTML control characters in feed text for the Markdown brief."""
    t = (text or "").replace("\n", " ")
    t = html.escape(t, quote=False)
    for ch in "[]|*_`":
        t = t.replace(ch, "\\" + ch)
    return t


def render_markdown(ctx: dict[str, Any]) -> str:
    day, totals = ctx["day"], ctx["totals"]
    out = [f"# RiskRadar daily brief — {day}", "",
           f"{totals['mentions']} mentions ({totals['scored']} scored) from {totals['sources']} sources, "
           f"{totals['stories']} distinct stories. Taxonomy {ctx['versions']['taxonomy']}, "
           f"lexicon {ctx['versions']['lexicon']}.", ""]
    alerts = ctx["alerts"]
    out.append(f"## Headline risks ({len(alerts)} alert{'s' if len(alerts) != 1 else ''})")
    out.append("")
    if not alerts:
        out.append("No topic crossed the alert threshold today. Top topics by spike score are listed below.")
        out.append("")
    out += ["| topic | mentions | baseline | z | negative share | baseline neg. share | severity |",
            "|---|---:|---:|---:|---:|---:|---|"]
    for r in ctx["risks"]:
        out.append(f"| {'**' if r['is_spike'] else ''}{r['topic_name']}{'**' if r['is_spike'] else ''} | "
                   f"{r['mentions']} | {_fmt_num(r['baseline_mean'])} | {_fmt_num(r['z_score'])} | "
                   f"{_fmt_pct(r['negative_share'])} | {_fmt_pct(r['baseline_negative_share'])} | "
                   f"{r['severity'] or '–'} |")
    out.append("")
    for r in ctx["risks"]:
        if not r["examples"]:
            continue
        out.append(f"### {r['topic_name']}{' — ALERT' if r['is_spike'] else ''}")
        out.append("")
        for ex in r["examples"]:
            url = (ex["url"] or "").replace(")", "%29").replace(" ", "%20")
            copies = f", carried by {ex['copies']} outlets" if (ex.get("copies") or 1) > 1 else ""
            out.append(f"- [{_md_escape(ex['title'])}]({url}) — {ex['source_id']}, "
                       f"compound {_fmt_num(ex['sentiment_compound'], 2)}{copies}")
        out.append("")
    out += ["## Source health", "", "| source | status | read | landed | duplicates | quarantined | note |",
            "|---|---|---:|---:|---:|---:|---|"]
    for h in ctx["health"]:
        out.append(f"| {h['source_id']} | {h['status']} | {h['items_read']} | {h['items_landed']} | "
                   f"{h['items_duplicate']} | {h['items_quarantined']} | {_md_escape(h['error'] or '')[:80]} |")
    failed = [d for d in ctx["dq"] if not d["success"]]
    out += ["", "## Data quality", "",
            f"{len(ctx['dq'])} expectations checked across the gates today; {len(failed)} did not pass."]
    for d in failed:
        out.append(f"- {d['severity']}: {d['step']} / {d['expectation']} (observed {_md_escape(d['observed_value'])})")
    out.append("")
    return "\n".join(out)


def render_html(ctx: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = _fmt_pct
    env.filters["num"] = _fmt_num
    template = env.from_string(_HTML)
    return template.render(**ctx)


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>RiskRadar daily brief — {{ day }}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2em auto;color:#1d2433;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #dde;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{padding:.35em .5em;border-bottom:1px solid #eef;text-align:left}
td.n,th.n{text-align:right}.alert{color:#b00020;font-weight:600}.muted{color:#667}
.badge{display:inline-block;padding:.05em .5em;border-radius:.6em;background:#fde8ea;color:#b00020;font-size:.8em}
li{margin:.25em 0}
</style></head><body>
<h1>RiskRadar daily brief — {{ day }}</h1>
<p class="muted">{{ totals.mentions }} mentions ({{ totals.scored }} scored) from {{ totals.sources }} sources,
{{ totals.stories }} distinct stories. Taxonomy {{ versions.taxonomy }}, lexicon {{ versions.lexicon }}.</p>
<h2>Headline risks ({{ alerts|length }} alert{{ '' if alerts|length == 1 else 's' }})</h2>
{% if not alerts %}<p>No topic crossed the alert threshold today. Top topics by spike score:</p>{% endif %}
<table><tr><th>topic</th><th class="n">mentions</th><th class="n">baseline</th><th class="n">z</th>
<th class="n">negative share</th><th class="n">baseline neg. share</th><th>severity</th></tr>
{% for r in risks %}<tr><td class="{{ 'alert' if r.is_spike else '' }}">{{ r.topic_name }}
{% if r.is_spike %}<span class="badge">alert</span>{% endif %}</td>
<td class="n">{{ r.mentions }}</td><td class="n">{{ r.baseline_mean|num }}</td><td class="n">{{ r.z_score|num }}</td>
<td class="n">{{ r.negative_share|pct }}</td><td class="n">{{ r.baseline_negative_share|pct }}</td>
<td>{{ r.severity or '–' }}</td></tr>{% endfor %}
</table>
{% for r in risks if r.examples %}
<h3>{{ r.topic_name }}{% if r.is_spike %} <span class="badge">alert</span>{% endif %}</h3>
<ul>{% for ex in r.examples %}<li><a href="{{ ex.url }}" rel="noopener noreferrer">{{ ex.title }}</a>
<span class="muted">— {{ ex.source_id }}, compound {{ ex.sentiment_compound|num(2) }}</span></li>{% endfor %}</ul>
{% endfor %}
<h2>Source health</h2>
<table><tr><th>source</th><th>status</th><th class="n">read</th><th class="n">landed</th><th class="n">duplicates</th>
<th class="n">quarantined</th><th>note</th></tr>
{% for h in health %}<tr><td>{{ h.source_id }}</td><td class="{{ 'alert' if h.status == 'error' else '' }}">{{ h.status }}</td>
<td class="n">{{ h.items_read }}</td><td class="n">{{ h.items_landed }}</td><td class="n">{{ h.items_duplicate }}</td>
<td class="n">{{ h.items_quarantined }}</td><td class="muted">{{ (h.error or '')[:120] }}</td></tr>{% endfor %}
</table>
<h2>Data quality</h2>
{% set failed = dq|rejectattr('success')|list %}
<p>{{ dq|length }} expectations checked across the gates today; {{ failed|length }} did not pass.</p>
{% if failed %}<ul>{% for d in failed %}<li>{{ d.severity }}: {{ d.step }} / {{ d.expectation }}
(observed {{ d.observed_value }})</li>{% endfor %}</ul>{% endif %}
</body></html>
"""


def write_brief(day: date, settings: Settings) -> dict[str, Any]:
    ctx = gather(day, settings)
    settings.briefs_dir.mkdir(parents=True, exist_ok=True)
    md_path = settings.briefs_dir / f"brief-{day.isoformat()}.md"
    html_path = settings.briefs_dir / f"brief-{day.isoformat()}.html"
    for path, text in ((md_path, render_markdown(ctx)), (html_path, render_html(ctx))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        Path(tmp).replace(path)
    return {"day": day.isoformat(), "markdown": str(md_path), "html": str(html_path),
            "alerts": [r["topic_id"] for r in ctx["alerts"]],
            "top_risks": [r["topic_id"] for r in ctx["risks"][:5]]}
