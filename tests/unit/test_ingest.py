"""Ingest: every entry read is landed, deduplicated or quarantined, over real HTTP on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import storage
from riskradar.ingest.landing import SourceIngestError, ingest_source
from riskradar.ingest.normalize import canonical_url, clean_text
from riskradar.ingest.sources import SourceConfigError, load_sources

DAY1 = datetime(2026, 8, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def allow_loopback(monkeypatch):
    """The feed server listens on 127.0.0.1, which the SSRF guard refuses unless allow-listed."""
    monkeypatch.setenv("RISKRADAR_ALLOW_HOSTS", "127.0.0.1")

DAY2 = datetime(2026, 8, 2, tzinfo=UTC)
DAY3 = datetime(2026, 8, 3, tzinfo=UTC)


def rss(items: list[str]) -> str:
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
            "<link>http://example.test/</link><description>d</description><language>en-us</language>"
            + "".join(items) + "</channel></rss>")


def item(guid: str | None, title: str | None, link: str | None = None, date: str = "Sat, 01 Aug 2026 10:00:00 GMT",
         desc: str = "Body text") -> str:
    parts = []
    if guid:
        parts.append(f"<guid isPermaLink='false'>{guid}</guid>")
    if title is not None:
        parts.append(f"<title>{title}</title>")
    if link:
        parts.append(f"<link>{link}</link>")
    if desc is not None:
        parts.append(f"<description>{desc}</description>")
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


def use_sources(settings, sources: list[dict]) -> None:
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": sources}))


def http_source(server, sid="test_feed", path="feed-{date}.xml") -> dict:
    return {"id": sid, "name": "Test", "kind": "rss", "type": "news", "language": "en",
            "url_template": server.url + "/" + path}


def landed(settings, sid, start):
    return pq.read_table(storage.partition_path(settings.landing_dir, start, source_id=sid)).to_pylist()


def health(settings, sid, start):
    return pq.read_table(storage.partition_path(settings.source_health_dir, start, source_id=sid)).to_pylist()[0]


def test_counts_add_up_with_duplicates_and_quarantine(settings, feed_server):
    use_sources(settings, [http_source(feed_server)])
    (feed_server.root / "feed-2026-08-01.xml").write_text(rss([
        item("a1", "Scam ads &amp; fake &lt;b&gt;giveaways&lt;/b&gt;", "https://News.example.test/a?utm_source=rss&id=7#top",
             desc="<p>Users report <b>crypto</b> scams &#8217;everywhere&#8217;</p><script>alert(1)</script>"),
        item("a2", "Payout delayed again", "https://example.test/b"),
        item("a2", "Payout delayed again (dup in same feed)", "https://example.test/b2"),
        item(None, None, None, desc=None),  # nothing usable: quarantined with a reason
        item(None, "No date here", "https://example.test/c", date=None),
    ]))
    out = ingest_source("test_feed", DAY1, DAY2, "run-1", settings)
    assert out["items_read"] == 5
    assert out["items_landed"] == 3 and out["items_duplicate"] == 1 and out["items_quarantined"] == 1
    rows = {r["guid"]: r for r in landed(settings, "test_feed", DAY1)}
    a1 = rows["a1"]
    assert a1["url"] == "https://news.example.test/a?id=7"
    assert a1["title"] == "Scam ads & fake giveaways"
    assert "alert(1)" not in a1["summary"] and "’everywhere’" in a1["summary"]
    assert a1["language"] == "en" and a1["published_at"] == datetime(2026, 8, 1, 10, tzinfo=UTC)
    nodate = next(r for r in rows.values() if r["title"] == "No date here")
    assert nodate["is_published_at_fallback"] is True and nodate["published_at"] == DAY2
    q = pq.read_table(storage.partition_path(settings.quarantine_dir / "stage=ingest", DAY1,
                                             source_id="test_feed")).to_pylist()
    assert len(q) == 1 and "neither title nor summary" in q[0]["reason"]
    h = health(settings, "test_feed", DAY1)
    assert h["status"] == "ok" and h["http_status"] == 200
    assert h["items_read"] == h["items_landed"] + h["items_duplicate"] + h["items_quarantined"]


def test_rerun_is_idempotent_and_next_day_dedupes_repeats(settings, feed_server):
    use_sources(settings, [http_source(feed_server)])
    (feed_server.root / "feed-2026-08-01.xml").write_text(rss([item("a1", "One"), item("a2", "Two")]))
    (feed_server.root / "feed-2026-08-02.xml").write_text(rss([
        item("a2", "Two"),  # repeated from yesterday's snapshot
        item("b1", "Three", date="Sun, 02 Aug 2026 09:00:00 GMT")]))
    ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    first = storage.partition_path(settings.landing_dir, DAY1, source_id="test_feed").read_bytes()
    ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert storage.partition_path(settings.landing_dir, DAY1, source_id="test_feed").read_bytes() == first
    out = ingest_source("test_feed", DAY2, DAY3, "r2", settings)
    assert out["items_landed"] == 1 and out["items_duplicate"] == 1
    assert [r["guid"] for r in landed(settings, "test_feed", DAY2)] == ["b1"]
    # the day's partition holds exactly one part file per interval
    assert len(list((settings.landing_dir / "source=test_feed").rglob("*.parquet"))) == 2


def test_http_error_fails_the_source_loudly_and_records_health(settings, feed_server):
    use_sources(settings, [http_source(feed_server)])
    feed_server.fail["/feed-2026-08-01.xml"] = 404
    with pytest.raises(SourceIngestError, match="test_feed.*HTTP 404"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    h = health(settings, "test_feed", DAY1)
    assert h["status"] == "error" and h["http_status"] == 404 and "404" in h["error"]
    assert not storage.partition_path(settings.landing_dir, DAY1, source_id="test_feed").exists()


def test_server_error_is_retried(settings, feed_server, monkeypatch):
    import riskradar.ingest.fetch as fetch_mod

    monkeypatch.setattr(fetch_mod.time, "sleep", lambda s: None)
    use_sources(settings, [http_source(feed_server)])
    feed_server.fail["/feed-2026-08-01.xml"] = 503
    with pytest.raises(SourceIngestError, match="503"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert len([r for r in feed_server.requests if r.startswith("/feed-2026-08-01")]) == 3  # 1 + 2 retries


def test_garbage_body_is_quarantined_not_crashing(settings, feed_server):
    use_sources(settings, [http_source(feed_server)])
    (feed_server.root / "feed-2026-08-01.xml").write_text("<<<this is not a feed")
    with pytest.raises(SourceIngestError, match="unparseable feed"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    q = pq.read_table(storage.partition_path(settings.quarantine_dir / "stage=ingest", DAY1,
                                             source_id="test_feed")).to_pylist()
    assert q[0]["stage"] == "parse" and "this is not a feed" in q[0]["raw"]


def test_malformed_but_recoverable_feed_keeps_items(settings, feed_server):
    use_sources(settings, [http_source(feed_server)])
    body = rss([item("a1", "Good one"), item("a2", "Broken &nbsp; entity <b>unclosed")])
    (feed_server.root / "feed-2026-08-01.xml").write_text(body)
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["items_landed"] == 2
    assert "malformed" in (health(settings, "test_feed", DAY1)["error"] or "")


def test_canonical_url_and_clean_text():
    assert canonical_url("HTTPS://Example.TEST:443/x?utm_medium=a&b=1&fbclid=z#frag") == "https://example.test/x?b=1"
    assert clean_text("<p>A&amp;B</p><style>x{}</style><br/>C") == "A&B C"


def test_sources_yml_is_valid_and_errors_are_clear(settings):
    sources = load_sources(settings)
    assert len(sources) >= 8 and len({s.type for s in sources}) >= 4
    use_sources(settings, [{"id": "Bad-Id", "name": "x", "kind": "rss", "type": "news", "url": "http://x"}])
    with pytest.raises(SourceConfigError, match="snake_case"):
        load_sources(settings)
    use_sources(settings, [{"id": "ok_id", "name": "x", "kind": "gopher", "type": "news", "url": "http://x"}])
    with pytest.raises(SourceConfigError, match="kind 'gopher'"):
        load_sources(settings)


def test_story_key_folds_publisher_suffix_for_syndicated_copies():
    from riskradar.ingest.normalize import publisher_key, story_key

    pubs = frozenset({publisher_key("Global Newswire (synthetic)")})
    original = story_key("AdNova pauses payouts to creators", pubs)
    assert story_key("AdNova pauses payouts to creators - Global Newswire", pubs) == original
    # a dash that is part of the headline is kept
    assert story_key("AdNova pauses payouts - again", pubs) != original


def test_an_entry_without_link_and_guid_lands_with_a_content_hash_id(settings, feed_server):
    """Text but no link and no guid: landed (has_link false), its id the content hash, stable
    across intervals (the same text seen again is a duplicate), and the landing gate keeps it."""
    from riskradar.ingest.normalize import sha1
    from riskradar.quality import run_gate

    use_sources(settings, [http_source(feed_server)])
    linkless = item(None, "Scam ad wave reported", None, desc="Users report fake giveaway ads")
    (feed_server.root / "feed-2026-08-01.xml").write_text(rss([
        linkless, item("a1", "With a link", "https://example.test/a"),
        item(None, None, None, desc="Only a summary, no title, link or guid")]))
    (feed_server.root / "feed-2026-08-02.xml").write_text(rss([
        linkless, item(None, "Scam ad wave reported", None, desc="Users report fake giveaway ads, again")]))
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["items_landed"] == 3 and out["items_quarantined"] == 0
    rows = {r["title"]: r for r in landed(settings, "test_feed", DAY1)}
    row = rows["Scam ad wave reported"]
    assert row["has_link"] is False and row["url"] is None and row["guid"] is None
    assert row["item_id"] == sha1(f"hash:{sha1('Scam ad wave reported' + chr(10) + 'Users report fake giveaway ads')}")
    assert rows["With a link"]["has_link"] is True
    assert rows["Only a summary, no title, link or guid"]["has_link"] is False
    gate = run_gate("landing", DAY1, DAY2, "r1", settings)
    assert gate.success, gate.to_dict()
    assert {r["title"] for r in landed(settings, "test_feed", DAY1)} == set(rows)  # nothing quarantined
    nxt = ingest_source("test_feed", DAY2, DAY3, "r2", settings)
    assert nxt["items_duplicate"] == 1 and nxt["items_landed"] == 1  # same content, same id
    again = landed(settings, "test_feed", DAY2)[0]
    assert again["has_link"] is False and again["item_id"] != row["item_id"]
