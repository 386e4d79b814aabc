"""The brief against a small real DuckDB warehouse with hostile feed text.

The warehouse here is written with plain DuckDB in the marts' shape (the columns the brief
reads), so these tests run in seconds; tests/integration/test_alerts.py checks the brief on
marts that dbt built from the sample corpus.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest
from riskradar.alerts.lifecycle import AlertRef, record_action
from riskradar.brief import render
from riskradar.brief.data import _dq_summary

DAY = date(2026, 8, 20)
HOSTILE = [
    "<script>alert('x')</script> AdNova scam ads everywhere",
    "[click here](http://evil.example/phish) AdNova refund scam",
    "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; scam ad | pipe * star _under_ `tick`",
    '"><img src=x onerror=alert(1)> fake ad scam',
    "![img](http://evil.example/track.png) scam ad <iframe src=//evil.example>",
]
HOSTILE_URLS = ["javascript:alert(1)", "http://ok.example/a?b=1&c=<2>", "https://ok.example/x) [y](z",
                "data:text/html,<script>alert(1)</script>", "https://ok.example/fine"]


def build_warehouse(settings, day: date = DAY, titles: list[str] = HOSTILE, urls: list[str] = HOSTILE_URLS) -> str:
    """fct_* / dim_* tables with the columns the brief reads: 30 quiet days, then a scam_ads spike
    whose evidence row lists every hostile title."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    alert_id = "a" * 32
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("""create table dim_topics as select * from (values
            ('scam_ads', 'Scam <b>ads</b>'), ('ad_fraud', 'Ad fraud')) t(topic_id, topic_name)""")
        con.execute("""create table dim_platforms as select * from (values
            ('adnova', 'AdNova', true), ('chirp', 'Chirp', false)) t(platform_id, platform_name, is_own_platform)""")
        con.execute("""create table fct_topic_spikes (topic_id varchar, language varchar, mention_date date, mentions bigint,
            baseline_mean double, baseline_std double, z_score double, negative_share double,
            baseline_negative_share double, negative_share_delta double, spike_streak_days bigint,
            is_spike boolean, severity varchar, spike_score double)""")
        for i in range(35):
            d = day - timedelta(days=34 - i)
            spike = d == day
            for topic, base in (("scam_ads", 5), ("ad_fraud", 3)):
                mentions = 30 if (spike and topic == "scam_ads") else base + i % 3
                is_spike = spike and topic == "scam_ads"
                con.execute("insert into fct_topic_spikes values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            [topic, "en", d, mentions, base + 1.0, 1.0, (mentions - base - 1.0), 0.5 + (0.3 if is_spike else 0),
                             0.5, 0.3 if is_spike else 0.0, 1 if is_spike else 0, is_spike,
                             "high" if is_spike else None, 30.0 if is_spike else 1.0])
        con.execute("""create table fct_mentions (item_id varchar, story_id varchar, source_id varchar,
            title varchar, url varchar, sentiment_compound double, published_at timestamptz, is_scored boolean,
            is_negative boolean, mention_date date, topics varchar[], matched_terms varchar[], platforms varchar[],
            taxonomy_version varchar, lexicon_version varchar)""")
        for i, (title, url) in enumerate(zip(titles, urls, strict=True)):
            con.execute("insert into fct_mentions values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [f"i{i}", f"s{i}", "src_<x>" if i == 0 else "social_stream", title, url, -0.9 + i * 0.01,
                         datetime(day.year, day.month, day.day, 8, i), True, True, day, ["scam_ads"],
                         ["scam_ads:scam", "scam_ads:scam ad"], ["adnova"] if i % 2 else ["chirp", "adnova"],
                         "tax-1", "lex-1"])
        # the evidence dbt ranks (fct_topic_evidence_daily): the brief shows it as it is, in its order
        con.execute("""create table fct_topic_evidence_daily as select 'scam_ads' as topic_id, 'en' as language,
            ?::date as mention_date,
            ?::varchar[] as example_titles, ?::varchar[] as example_urls, ?::varchar[] as example_source_ids,
            ?::double[] as example_sentiment_compounds, ?::bigint[] as example_story_copies,
            ['scam', 'scam ad'] as top_terms, [3.0, 2.5] as top_term_lifts, [5, 5]::bigint[] as top_term_mentions,
            ['social_stream', 'src_<x>'] as top_source_ids, [4, 1]::bigint[] as top_source_mentions""",
                    [day, titles, urls, ["src_<x>"] + ["social_stream"] * (len(titles) - 1),
                     [-0.9 + i * 0.01 for i in range(len(titles))], [1] * len(titles)])
        con.execute("""create table fct_risk_alerts as select ? as alert_id, 'scam_ads' as topic_id, 'en' as language,
            'Scam ads' as topic_name, ?::date as mention_date, 'high' as severity, 30.0 as spike_score""",
                    [alert_id, day])
    return alert_id


@pytest.fixture
def brief(settings, monkeypatch):
    alert_id = build_warehouse(settings)
    out = render.write_brief(DAY, settings)
    return {"settings": settings, "out": out, "alert_id": alert_id,
            "md": open(out["markdown"], encoding="utf-8").read(),
            "html": open(out["html"], encoding="utf-8").read()}


def test_html_shows_hostile_titles_as_text_only(brief):
    page = brief["html"]
    lower = page.lower()
    # no markup from the feed survives: no script, no injected element, no javascript:/data: link
    assert "<script" not in lower
    assert "<iframe" not in lower
    assert "<img src=x" not in lower and "onerror=alert" not in lower.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in lower and 'href="data:' not in lower
    # ... and the titles are still there, as text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; AdNova scam ads everywhere" in page
    assert "Tom &amp;amp; Jerry &amp;lt;b&amp;gt;bold" in page  # entities are shown literally, not decoded
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; fake ad scam" in page
    # topic names from config and source ids are escaped too
    assert "Scam &lt;b&gt;ads&lt;/b&gt;" in page and "src_&lt;x&gt;" in page
    # the only http(s) link kept verbatim; unsafe schemes become '#'
    assert 'href="https://ok.example/fine"' in page
    assert 'href="#"' in page


def test_html_is_self_contained_with_inline_charts(brief):
    page = brief["html"]
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # every src/href that loads something is inline data; links to articles are plain anchors
    for m in re.finditer(r'\s(src)="([^"]*)"', page):
        assert m.group(2).startswith("data:image/png;base64,"), m.group(0)
    assert "<link" not in page.lower()
    imgs = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(imgs) >= 2  # the scam_ads trend and share of voice
    assert base64.b64decode(imgs[0])[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_pngs_written_beside_the_brief_and_linked_from_markdown(brief):
    charts = [p for p in brief["out"]["charts"]]
    names = sorted(p.rsplit("/", 1)[1] for p in charts)
    assert names == ["share-of-voice.png", "trend-scam_ads.png"]
    for p in charts:
        with open(p, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert f"]({DAY.isoformat()}/trend-scam_ads.png)" in brief["md"]


def test_markdown_neutralises_links_and_markup_from_feed_text(brief):
    md = brief["md"]
    assert "[click here](http://evil.example" not in md
    assert "![img](http://evil.example" not in md
    assert "<script>" not in md and "<iframe" not in md
    assert "(javascript:" not in md and "(data:" not in md
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    assert "<script" not in rendered and "<iframe" not in rendered and "<img src=\"x" not in rendered
    hrefs = re.findall(r'href="([^"]*)"', rendered)
    assert hrefs and all(h.startswith(("http://ok.example", "https://ok.example")) for h in hrefs), hrefs
    imgs = re.findall(r'<img src="([^"]*)"', rendered)
    assert imgs and all(not i.startswith("http") for i in imgs), imgs  # only our chart files
    # the hostile texts still read as text
    assert "click here" in rendered and "Tom &amp;amp; Jerry" in rendered


def test_brief_sections_and_alert_status(brief, settings):
    md, page = brief["md"], brief["html"]
    for section in ("Headline risks (1 alert)", "What changed since yesterday", "Share of voice by platform",
                    "Source health and coverage", "Data quality", "Versions"):
        assert section in md, section
    assert "Taxonomy tax-1, lexicon lex-1" in md
    assert "New alerts: Scam \\<b\\>ads\\</b\\>" in md or "New alerts: Scam &lt;b&gt;ads" in md
    assert "status **new**" in md
    assert "top terms scam (×3.0 vs baseline), scam ad (×2.5 vs baseline); top sources social\\_stream (4)" in md
    # a status change shows up in the next rendering (read from the alert_events zone)
    record_action(settings, AlertRef(brief["alert_id"], "scam_ads", DAY), "escalate", actor="<ana>",
                  note="<b>legal</b> asked")
    out = render.write_brief(DAY, settings)
    page = open(out["html"], encoding="utf-8").read()
    assert "escalated</span>" in page and "by &lt;ana&gt;: &lt;b&gt;legal&lt;/b&gt; asked" in page
    summary = json.loads(open(out["json"], encoding="utf-8").read())
    assert summary["alerts"][0]["status"] == "escalated"
    assert summary["alerts"][0]["examples"][0]["url"] is None  # javascript: never leaves the brief


def test_rerun_is_idempotent_and_drops_stale_charts(brief, settings):
    chart_dir = settings.briefs_dir / DAY.isoformat()
    (chart_dir / "trend-old_topic.png").write_bytes(b"stale")
    first = (chart_dir / "trend-scam_ads.png").read_bytes()
    render.write_brief(DAY, settings)
    assert not (chart_dir / "trend-old_topic.png").exists()
    assert (chart_dir / "trend-scam_ads.png").read_bytes() == first


def test_md_escape_and_safe_url_units():
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url(" JAVASCRIPT:alert(1)") is None
    assert render.safe_url("https://a.example/x\nSet-Cookie: y") is None
    assert render.safe_url("https://a.example/x") == "https://a.example/x"
    assert render._md_escape("[a](b) <i>|") == "\\[a\\]\\(b\\) &lt;i&gt;\\|"
    assert render._md_link("t", "https://a.example/x) [y](z") == "[t](https://a.example/x%29%20%5By%5D%28z)"


class _Visible(HTMLParser):
    """What a reader sees of an HTML page: text blocks (headings, paragraphs, items, cells) with
    whitespace collapsed, link targets and image alts. Badges are decoration and are left out."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "td", "th", "tr", "ul", "table", "div"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self.alts: list[str] = []
        self._spans: list[bool] = []
        self.feed(page.split("<body>", 1)[-1])
        self.blocks = [" ".join(b.split()) for b in "".join(self.parts).split("\0") if b.strip()]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.BLOCKS:
            self.parts.append("\0")
        if tag == "span":
            self._spans.append("badge" in (a.get("class") or "").split())
        if tag == "a":
            self.hrefs.append(a.get("href"))
        if tag == "img":
            self.alts.append(a.get("alt"))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\0")
        if tag == "span" and self._spans:
            self._spans.pop()

    def handle_data(self, data):
        if not any(self._spans):
            self.parts.append(data)


# the words Markdown uses for what the HTML shows as a badge or tag (the only allowed differences)
_MD_PRESENTATION = [(re.compile(r" — ALERT$"), ""), (re.compile(r" \(own\)"), " own")]


def test_markdown_and_html_carry_the_same_facts(settings):
    """Both renderings come from one template: read as a person would (the Markdown through a
    CommonMark renderer), they show the same text blocks, links and chart descriptions, and every
    alert's examples, terms, sources and links appear in both. Every optional branch is filled."""
    markdown_it = pytest.importorskip("markdown_it")
    build_warehouse(settings)
    ctx = render.gather(DAY, settings)
    ctx["chart_files"] = {k: f"{DAY.isoformat()}/trend-{k}.png" for k in ctx["trends"]}
    ctx["chart_files"]["_platforms"] = f"{DAY.isoformat()}/share-of-voice.png"
    ctx["charts_b64"] = {k: "iVBORw0KGgo=" for k in ctx["chart_files"]}
    ctx["alerts"][0].update(status="false_positive", status_actor="<ana>", status_note="dup of *INC-7* | [x](y)")
    ctx["alerts"][0]["examples"][1]["copies"] = 3
    ctx["health"] = [{"source_id": "src_<x>", "status": "error", "items_read": 3, "items_landed": 0,
                      "items_duplicate": 0, "items_quarantined": 1, "error": "HTTP 503 <html>" + " x" * 80}]
    ctx["dq"] = [{"step": "marts", "expectation": "expect_<b>_rows", "success": False, "severity": "critical",
                  "observed_value": "12 | 3"},
                 {"step": "landing", "expectation": "expect_ok", "success": True, "severity": "warning",
                  "observed_value": 0}]
    ctx["dq_summary"] = _dq_summary(ctx["dq"])
    ctx["open_earlier"] = [{"topic_id": "ad_fraud", "topic_name": "Ad <i>fraud</i>", "open_alerts": 2,
                            "last_day": DAY - timedelta(days=2), "status": "acknowledged, new"}]
    ctx["changes"]["ended_alerts"] = ctx["changes"]["new_alerts"]

    md = render.render_markdown(ctx)
    page = _Visible(render.render_html(ctx))
    shown = _Visible(markdown_it.MarkdownIt("commonmark").enable("table").render(md))
    md_blocks = []
    for block in shown.blocks:
        for pattern, repl in _MD_PRESENTATION:
            block = pattern.sub(repl, block)
        md_blocks.append(block)
    assert md_blocks == page.blocks
    assert shown.alts == page.alts and len(page.alts) == len(ctx["chart_files"])
    # Markdown percent-encodes link targets; an unsafe link is text in Markdown and '#' in HTML
    assert [unquote(h) for h in shown.hrefs] == [unquote(h) for h in page.hrefs if h != "#"]

    text = {"md": "\n".join(md_blocks), "html": "\n".join(page.blocks)}
    links = {"md": {unquote(h) for h in shown.hrefs}, "html": set(page.hrefs)}
    assert ctx["alerts"] and ctx["alerts"][0]["examples"] and ctx["alerts"][0]["terms"]
    for fmt in ("md", "html"):
        for r in ctx["alerts"]:
            for ex in r["examples"]:
                assert ex["title"] in text[fmt], (fmt, ex["title"])
                url = render.safe_url(ex["url"])
                assert url is None or url in links[fmt], (fmt, url)
            for t in r["terms"]:
                assert f"{t['term']} ({render._term_detail(t)})" in text[fmt], (fmt, t)
            for s in r["sources"]:
                assert f"{s['source_id']} ({s['mentions']})" in text[fmt], (fmt, s)
        assert "by <ana>: dup of *INC-7* | [x](y)." in text[fmt]
        assert "critical: marts / expect_<b>_rows (observed 12 | 3)" in text[fmt]
        assert "HTTP 503 <html>" in text[fmt] and "Ad <i>fraud</i> — 2 alert(s)" in text[fmt]


def test_an_alert_in_another_language_names_its_language_with_its_own_trend_and_examples(settings):
    """An Indonesian scam_ads spike on the same day is its own risk: its row and card say `id`, its
    examples are the Indonesian evidence row's, its chart is the Indonesian series."""
    build_warehouse(settings)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        for i in range(35):
            d = DAY - timedelta(days=34 - i)
            spike = d == DAY
            con.execute("insert into fct_topic_spikes values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        ["scam_ads", "id", d, 9 if spike else 1, 1.0, 0.0, 8.0 if spike else 0.0, None, None, None,
                         1 if spike else 0, spike, "high" if spike else None, 12.0 if spike else 0.0])
        con.execute("""insert into fct_topic_evidence_daily select 'scam_ads', 'id', ?::date,
            ['Awas iklan penipuan di Chirp'], ['https://ok.example/id'], ['social_stream'], [null]::double[],
            [1]::bigint[], ['iklan penipuan'], [9.0], [9]::bigint[], ['social_stream'], [9]::bigint[]""", [DAY])
        con.execute("insert into fct_risk_alerts values (?, 'scam_ads', 'id', 'Scam ads', ?, 'high', 12.0)",
                    ["b" * 32, DAY])
    out = render.write_brief(DAY, settings)
    md = open(out["markdown"], encoding="utf-8").read()
    summary = json.loads(open(out["json"], encoding="utf-8").read())
    assert {(a["topic_id"], a["language"]) for a in summary["alerts"]} == {("scam_ads", "en"), ("scam_ads", "id")}
    assert "mentions in language id vs that language's baseline" in md
    assert "[Awas iklan penipuan di Chirp](https://ok.example/id) — social\\_stream, id, compound" in md
    assert "| id | 9 |" in md
    charts = {Path(p).name for p in out["charts"]}
    assert {"trend-scam_ads.png", "trend-scam_ads-id.png"} <= charts
