"""Ingestion against a real, misbehaving HTTP server on 127.0.0.1 (tests/fixtures/feed_server.py):
conditional requests, retries, timeouts, size caps, redirects, encodings, malformed feeds, reruns and
JSON feeds.
"""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
import yaml
from fixtures.feed_server import (
    DAY1,
    DAY2,
    DAY3,
    DAY4,
    balanced,
    conditional,
    feed_bytes,
    health,
    item,
    landed,
    quarantine,
    rss,
    use_source,
)
from riskradar import storage
from riskradar.ingest import state
from riskradar.ingest.landing import SourceIngestError, ingest_source

pytestmark = pytest.mark.usefixtures("allow_loopback")


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_304_not_modified_rereads_cached_copy_and_keeps_state_per_source(settings, server, validator):
    lm = "Sat, 01 Aug 2026 12:00:00 GMT"
    server.routes["/feed.xml"] = [conditional(feed_bytes(3), etag='"v1"' if validator == "etag" else None,
                                              last_modified=lm)]
    use_source(settings, server)
    first = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert first["items_landed"] == 3 and not first["is_not_modified"]
    meta = json.loads((settings.state_dir / "http" / "test_feed.json").read_text())
    assert meta["etag"] == '"v1"' if validator == "etag" else meta["last_modified"] == lm
    landing_bytes = storage.partition_path(settings.landing_dir, DAY1, source_id="test_feed").read_bytes()

    second = ingest_source("test_feed", DAY2, DAY3, "r2", settings)
    sent = server.paths("/feed.xml")[-1]
    assert sent.get("if-none-match" if validator == "etag" else "if-modified-since") == ('"v1"' if validator == "etag" else lm)
    assert second["http_status"] == 304 and second["is_not_modified"]
    assert second["items_read"] == 3 and second["items_duplicate"] == 3 and second["items_landed"] == 0
    assert second["status"] == "empty" and balanced(second)

    # a rerun of day 1 answered with 304 lands exactly what the 200 landed
    again = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert again["is_not_modified"]
    assert storage.partition_path(settings.landing_dir, DAY1, source_id="test_feed").read_bytes() == landing_bytes


def test_500_then_success_is_retried(settings, server):
    server.routes["/feed.xml"] = [(500, {}, b"boom"), (502, {}, b"bad gw"), (200, {}, feed_bytes(2))]
    use_source(settings, server)
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["status"] == "ok" and out["items_landed"] == 2 and out["http_status"] == 200
    assert len(server.paths("/feed.xml")) == 3
    assert "HTTP 500" in health(settings)["error"]  # the retries are reported, not hidden


def test_persistent_500_fails_with_consecutive_failures_counted(settings, server):
    server.routes["/feed.xml"] = [(500, {}, b"boom")]
    use_source(settings, server, retries=1)
    for day, nxt in ((DAY1, DAY2), (DAY2, DAY3)):
        with pytest.raises(SourceIngestError, match="HTTP 500"):
            ingest_source("test_feed", day, nxt, "r", settings)
    assert health(settings, DAY2)["consecutive_failures"] == 2 and health(settings, DAY2)["last_success_at"] is None
    assert len(server.paths("/feed.xml")) == 4  # 1 + 1 retry per run
    server.routes["/feed.xml"] = [(200, {}, feed_bytes(1))]
    ingest_source("test_feed", DAY3, DAY4, "r", settings)
    h = health(settings, DAY3)
    assert h["consecutive_failures"] == 0 and h["last_success_at"] == DAY4
    # rerunning a failed day does not count it twice
    server.routes["/feed.xml"] = [(500, {}, b"boom")]
    with pytest.raises(SourceIngestError):
        ingest_source("test_feed", DAY2, DAY3, "r", settings)
    assert health(settings, DAY2)["consecutive_failures"] == 2


def test_429_honours_retry_after(settings, server):
    server.routes["/feed.xml"] = [(429, {"Retry-After": "1"}, b"slow down"), (200, {}, feed_bytes(2))]
    use_source(settings, server)
    started = time.monotonic()
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["items_landed"] == 2 and len(server.paths("/feed.xml")) == 2
    assert time.monotonic() - started >= 0.95  # waited what the server asked, not the 0.05 s backoff


def test_429_with_a_retry_after_beyond_the_cap_fails_fast(settings, server):
    server.routes["/feed.xml"] = [(429, {"Retry-After": "86400"}, b"")]
    use_source(settings, server)
    with pytest.raises(SourceIngestError, match="Retry-After"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert len(server.paths("/feed.xml")) == 1


def test_server_slower_than_the_timeout(settings, server):
    def slow(h):
        time.sleep(2.5)
        h._send(200, {}, feed_bytes(1))
    server.routes["/feed.xml"] = [slow]
    use_source(settings, server, timeout_seconds=0.5, retries=1)
    started = time.monotonic()
    with pytest.raises(SourceIngestError, match="timed out"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert time.monotonic() - started < 2.5 * 2  # gave up on each attempt instead of waiting it out
    assert health(settings)["status"] == "error" and "timed out" in health(settings)["error"]


def test_trickling_server_hits_the_total_deadline(settings, server):
    def trickle(h):
        h.send_response(200)
        h.send_header("Content-Length", "1000000")
        h.end_headers()
        try:
            for _ in range(40):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass
    server.routes["/feed.xml"] = [trickle]
    use_source(settings, server, timeout_seconds=0.5, retries=0)  # read 0.5 s, total 1.5 s
    with pytest.raises(SourceIngestError, match="total time limit"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)


def test_body_over_the_size_cap_is_cut_off_and_reported(settings, server):
    body = feed_bytes(60)
    server.routes["/feed.xml"] = [(200, {}, body)]
    use_source(settings, server, max_bytes=4000)
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert len(body) > 4000 and out["is_truncated"] and out["response_bytes"] == 4000
    assert 0 < out["items_landed"] < 60 and balanced(out)
    reasons = [q["reason"] for q in quarantine(settings)]
    assert any("cut off at max_bytes=4000" in r for r in reasons)
    assert "cut off" in health(settings)["error"]
    # a truncated body is not cached for conditional GETs
    assert not (settings.state_dir / "http" / "test_feed.json").exists()


def test_gzip_bomb_is_capped_after_decompression(settings, server):
    bomb = gzip.compress(rss([item(1)]).encode()[:-20] + b" " * 50_000_000)
    server.routes["/feed.xml"] = [(200, {"Content-Encoding": "gzip"}, bomb)]
    use_source(settings, server, max_bytes=1_000_000)
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["is_truncated"] and out["response_bytes"] == 1_000_000 and out["items_landed"] == 1


def test_redirect_loop_is_bounded(settings, server):
    server.routes["/feed.xml"] = [(302, {"Location": "/b"}, b"")]
    server.routes["/b"] = [(301, {"Location": server.url + "/feed.xml"}, b"")]
    use_source(settings, server, retries=0)
    with pytest.raises(SourceIngestError, match="redirect loop"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert len(server.requests) == 2


def test_redirect_chain_longer_than_the_limit(settings, server):
    for i in range(10):
        server.routes[f"/r{i}"] = [(307, {"Location": f"/r{i + 1}"}, b"")]
    server.routes["/r10"] = [(200, {}, feed_bytes(1))]
    use_source(settings, server, path="/r0", retries=0)
    with pytest.raises(SourceIngestError, match="more than 5 redirects"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    server.routes["/feed.xml"] = [(301, {"Location": "/r8"}, b"")]
    use_source(settings, server, retries=0)
    assert ingest_source("test_feed", DAY1, DAY2, "r1", settings)["items_landed"] == 1  # 3 hops are fine


def test_gzip_encoded_feed(settings, server):
    server.routes["/feed.xml"] = [(200, {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"},
                                   gzip.compress(feed_bytes(4)))]
    use_source(settings, server)
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["items_landed"] == 4
    assert "gzip" in server.paths("/feed.xml")[0]["accept-encoding"]
    assert server.paths("/feed.xml")[0]["user-agent"].startswith("RiskRadar/")


@pytest.mark.parametrize("raw", [False, True])
def test_deflate_encoded_feed(settings, server, raw):
    import zlib

    comp = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    body = comp.compress(feed_bytes(3)) + comp.flush()
    server.routes["/feed.xml"] = [(200, {"Content-Encoding": "deflate"}, body)]
    use_source(settings, server)
    assert ingest_source("test_feed", DAY1, DAY2, "r1", settings)["items_landed"] == 3


def test_wrong_declared_charset(settings, server):
    title = "Café owners say “scam ads” cost them — naïve users lose €"
    # header says Latin-1 but the body is UTF-8
    server.routes["/feed.xml"] = [(200, {"Content-Type": "application/rss+xml; charset=iso-8859-1"},
                                   rss([item(1, title)]).encode("utf-8"))]
    use_source(settings, server)
    ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert landed(settings)[0]["title"] == title
    assert "valid UTF-8" in health(settings)["error"]
    # the XML declaration says UTF-8 but the bytes are windows-1252
    title2 = "Café owners lose “everything” to fake ads"
    server.routes["/feed.xml"] = [(200, {"Content-Type": "application/rss+xml"},
                                   rss([item(2, title2)]).encode("cp1252"))]
    ingest_source("test_feed", DAY2, DAY3, "r2", settings)
    assert landed(settings, DAY2)[0]["title"] == title2


def test_malformed_xml_recovers_items_and_quarantines_the_rest_with_the_reason(settings, server):
    body = rss([item(1), "<item><!-- an unclosed comment swallows what follows <title>x</title></item>",
                item(3), item(4)])
    server.routes["/feed.xml"] = [(200, {}, body.encode())]
    use_source(settings, server)
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert sorted(r["guid"] for r in landed(settings)) == ["g1", "g3", "g4"]
    assert out["items_read"] == 4 and out["items_quarantined"] == 1 and balanced(out)
    q = [r for r in quarantine(settings) if r["item_id"] is None or True]
    assert len(q) == 1 and "unclosed token" in q[0]["reason"] and "unclosed comment" in q[0]["raw"]
    assert "malformed feed" in health(settings)["error"]


def test_unparseable_document_fails_the_source_and_keeps_the_body(settings, server):
    server.routes["/feed.xml"] = [(200, {}, b"<<<html>this is not a feed")]
    use_source(settings, server)
    with pytest.raises(SourceIngestError, match="unparseable feed"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert "this is not a feed" in quarantine(settings)[0]["raw"]


def test_duplicates_across_two_runs(settings, server):
    day1 = rss([item(1), item(2)])
    # day 2 repeats g1, re-publishes g2's story under a new guid but the same URL with tracking params,
    # and adds g3
    day2 = rss([item(1), item("2b", link="https://news.example.test/2?utm_source=rss&utm_medium=x#top"),
                item(3, date="Sun, 02 Aug 2026 08:00:00 GMT")])
    server.routes["/feed.xml"] = [(200, {}, day1.encode()), (200, {}, day2.encode())]
    use_source(settings, server)
    assert ingest_source("test_feed", DAY1, DAY2, "r1", settings)["items_landed"] == 2
    out = ingest_source("test_feed", DAY2, DAY3, "r2", settings)
    assert out["items_read"] == 3 and out["items_duplicate"] == 2 and out["items_landed"] == 1
    assert [r["guid"] for r in landed(settings, DAY2)] == ["g3"]


def test_rerun_of_an_interval_leaves_identical_landing_data(settings, server):
    body = rss([item(1), item(2, date="garbage date"), item(3, date="Mon, 01 Jan 2035 00:00:00 GMT"),
                "<item><description></description></item>"])
    server.routes["/feed.xml"] = [(200, {}, body.encode())]
    use_source(settings, server)

    def zones() -> dict:
        """Every file ingest wrote except health (latency differs per run) and the HTTP cache."""
        return {p.relative_to(settings.data_dir): p.read_bytes() for p in settings.data_dir.rglob("*")
                if p.is_file() and "state" not in p.parts and "source_health" not in p.parts}

    def stable(d: dict) -> dict:
        return {k: v for k, v in d.items() if k != "latency_ms"}

    first_out = ingest_source("test_feed", DAY1, DAY2, "run-a", settings)
    first, first_health = zones(), health(settings)
    assert {p.parts[0] for p in first} == {"landing", "quarantine", "raw"}
    again_out = ingest_source("test_feed", DAY1, DAY2, "run-a", settings)
    assert zones() == first  # byte-identical landing, quarantine and raw parts
    assert stable(again_out) == stable(first_out) and stable(health(settings)) == stable(first_health)
    # the raw payload is archived (compressed) beside the partition and re-parses to the same rows
    raw = settings.data_dir / "raw" / "source=test_feed" / "date=2026-08-01" / "part-20260801T0000.xml.gz"
    assert gzip.decompress(raw.read_bytes()) == body.encode()
    server.routes["/feed.xml"] = [(500, {}, b"")]
    replayed = ingest_source("test_feed", DAY1, DAY2, "run-a", settings, replay=True)
    assert replayed["items_landed"] == first_out["items_landed"]
    assert landed(settings) == [r for r in pq.read_table(
        storage.partition_path(settings.landing_dir, DAY1, source_id="test_feed")).to_pylist()]
    assert zones()[raw.relative_to(settings.data_dir)] == first[raw.relative_to(settings.data_dir)]


def test_far_future_and_missing_dates_are_flagged(settings, server):
    body = rss([item(1), item(2, date="garbage date"), item(3, date="Mon, 01 Jan 2035 00:00:00 GMT")])
    server.routes["/feed.xml"] = [(200, {}, body.encode())]
    use_source(settings, server)
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    rows = {r["guid"]: r for r in landed(settings)}
    assert rows["g1"]["is_published_at_fallback"] is False
    for g in ("g2", "g3"):
        assert rows[g]["is_published_at_fallback"] is True and rows[g]["published_at"] == DAY2
    assert out["items_future_dated"] == 1 and health(settings)["items_future_dated"] == 1


def test_json_feed(settings, server):
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "language": "en",
           "items": [{"id": "j1", "url": "https://blog.example.test/1?utm_campaign=x", "title": "Scam ads <b>again</b>",
                      "content_html": "<p>Fake &amp; misleading</p>", "date_published": "2026-08-01T09:30:00+02:00",
                      "authors": [{"name": "Ann"}]},
                     {"id": "j2", "content_text": "No title, text only", "url": "https://blog.example.test/2"},
                     "not an object"]}
    server.routes["/feed.json"] = [(200, {"Content-Type": "application/feed+json"}, json.dumps(doc).encode())]
    use_source(settings, server, path="/feed.json", kind="json_feed")
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["items_read"] == 3 and out["items_landed"] == 2 and out["items_quarantined"] == 1
    rows = {r["guid"]: r for r in landed(settings)}
    assert rows["j1"]["title"] == "Scam ads again" and rows["j1"]["summary"] == "Fake & misleading"
    assert rows["j1"]["url"] == "https://blog.example.test/1"
    assert rows["j1"]["published_at"] == datetime(2026, 8, 1, 7, 30, tzinfo=UTC)
    assert rows["j1"]["author"] == "Ann" and rows["j2"]["title"] == "No title, text only"
    assert state.read_raw(settings, "test_feed", DAY1) == json.dumps(doc).encode()


def test_json_search_api_with_interval_template_and_env_auth(settings, server, monkeypatch):
    doc = {"data": {"results": [{"uid": "x1", "headline": "Advertiser accounts hacked", "web_url": "https://n.test/x1",
                                 "ts": 1785574800, "who": {"name": "Desk"}}]}}
    server.routes["/search"] = [(200, {"Content-Type": "application/json"}, json.dumps(doc).encode())]
    src = {"id": "test_feed", "name": "API", "kind": "json_api", "type": "news", "language": "en",
           "url_template": server.url + "/search?q=scam+ads&from={start}&to={end}",
           "items_path": "data.results",
           "fields": {"id": "uid", "title": "headline", "link": "web_url", "published": "ts", "author": "who"},
           "auth": {"env": "TEST_API_TOKEN", "header": "X-Api-Key"}}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [src]}))
    with pytest.raises(SourceIngestError, match="TEST_API_TOKEN is not set"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    monkeypatch.setenv("TEST_API_TOKEN", "s3cret")
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["items_landed"] == 1
    path, headers = server.requests[-1]
    assert "from=2026-08-01T00:00:00Z&to=2026-08-02T00:00:00Z" in path and headers["x-api-key"] == "s3cret"
    row = landed(settings)[0]
    assert row["guid"] == "x1" and row["author"] == "Desk"
    assert row["published_at"] == datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
