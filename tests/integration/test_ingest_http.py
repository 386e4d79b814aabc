"""Ingestion against a real, misbehaving HTTP server on 127.0.0.1 (no mocked HTTP layer).

Each route of the scripted server answers with a queue of canned responses (status, headers,
body, delay), so a test can say "500, then the feed" or "304 when the ETag matches".
"""

from __future__ import annotations

import gzip
import http.server
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import storage
from riskradar.ingest import state
from riskradar.ingest.landing import SourceIngestError, ingest_source

REPO = Path(__file__).resolve().parents[2]
DAY1 = datetime(2026, 8, 1, tzinfo=UTC)
DAY2 = datetime(2026, 8, 2, tzinfo=UTC)
DAY3 = datetime(2026, 8, 3, tzinfo=UTC)
DAY4 = datetime(2026, 8, 4, tzinfo=UTC)

Response = tuple[int, dict[str, str], bytes] | Callable[[http.server.BaseHTTPRequestHandler], None]


class ScriptedServer:
    """Route -> list of responses; the last one repeats. Records (path, headers) of every request."""

    def __init__(self):
        self.routes: dict[str, list[Response]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                path = self.path.split("?")[0]
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                queue = server.routes.get(path)
                if not queue:
                    self._send(404, {}, b"not found")
                    return
                resp = queue.pop(0) if len(queue) > 1 else queue[0]
                if callable(resp):
                    resp(self)
                else:
                    self._send(*resp)

            def _send(self, code: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(code)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.handler = Handler
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def paths(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p.split("?")[0] == path]


@pytest.fixture
def server():
    srv = ScriptedServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture(autouse=True)
def allow_loopback(monkeypatch):
    monkeypatch.setenv("RISKRADAR_ALLOW_HOSTS", "127.0.0.1")


def rss(items: list[str], encoding: str = "utf-8", doctype: str = "") -> str:
    return (f"<?xml version='1.0' encoding='{encoding}'?>{doctype}<rss version='2.0'><channel><title>t</title>"
            "<link>http://example.test/</link><description>d</description><language>en</language>"
            + "".join(items) + "</channel></rss>")


def item(n: int | str, title: str | None = None, date: str = "Sat, 01 Aug 2026 10:00:00 GMT", link: str | None = None) -> str:
    return (f"<item><guid isPermaLink='false'>g{n}</guid><title>{title or f'Story number {n}'}</title>"
            f"<link>{link or f'https://news.example.test/{n}'}</link><description>Body of {n}</description>"
            f"<pubDate>{date}</pubDate></item>")


def feed_bytes(n: int, start: int = 1) -> bytes:
    return rss([item(i) for i in range(start, start + n)]).encode()


def use_source(settings, server, path="/feed.xml", **extra) -> None:
    src = {"id": "test_feed", "name": "Test", "kind": "rss", "type": "news", "language": "en",
           "url": server.url + path, "backoff_seconds": 0.05, **extra}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [src]}))


def landed(settings, start=DAY1) -> list[dict]:
    path = storage.partition_path(settings.landing_dir, start, source_id="test_feed")
    return pq.read_table(path).to_pylist() if path.exists() else []


def quarantine(settings, start=DAY1) -> list[dict]:
    path = storage.partition_path(settings.quarantine_dir / "stage=ingest", start, source_id="test_feed")
    return pq.read_table(path).to_pylist() if path.exists() else []


def health(settings, start=DAY1) -> dict:
    return pq.read_table(storage.partition_path(settings.source_health_dir, start,
                                                source_id="test_feed")).to_pylist()[0]


def balanced(out: dict) -> bool:
    return out["items_read"] == out["items_landed"] + out["items_duplicate"] + out["items_quarantined"]


# ---------------------------------------------------------------------------------------------

def conditional(body: bytes, etag: str | None = '"v1"', last_modified: str | None = None) -> Response:
    def respond(h):
        if (etag and h.headers.get("If-None-Match") == etag) or (
                last_modified and not etag and h.headers.get("If-Modified-Since") == last_modified):
            h._send(304, {}, b"")
            return
        headers = {"Content-Type": "application/rss+xml"}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        h._send(200, headers, body)
    return respond


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


BILLION_LAUGHS = ("<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                  + "".join(f"<!ENTITY lol{i} \"{('&lol' + (str(i - 1) if i > 1 else '') + ';') * 10}\">"
                            for i in range(1, 10))
                  + "]>")


def test_billion_laughs_is_not_expanded(settings, server):
    body = rss([item(1, "&lol9;"), item(2, "Normal title")], doctype=BILLION_LAUGHS)
    server.routes["/feed.xml"] = [(200, {}, body.encode())]
    use_source(settings, server)
    started = time.monotonic()
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert time.monotonic() - started < 10
    rows = landed(settings)
    assert out["items_read"] == 2 and balanced(out)
    assert all("lollol" not in (r["title"] + r["summary"]) for r in rows)
    assert "removed a DOCTYPE" in health(settings)["error"]


def test_external_entity_is_not_resolved(settings, server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    doctype = f"<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file://{secret}\">]>"
    server.routes["/feed.xml"] = [(200, {}, rss([item(1, "&xxe;")], doctype=doctype).encode())]
    use_source(settings, server)
    ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert all("TOP-SECRET" not in str(r) for r in landed(settings))


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/feed.xml",
                                    "http://[::1]:9/feed.xml", "file:///etc/passwd", "gopher://127.0.0.1/x"])
def test_redirect_to_a_private_address_is_refused(settings, server, target):
    server.routes["/feed.xml"] = [(302, {"Location": target}, b"")]
    use_source(settings, server, retries=0)
    with pytest.raises(SourceIngestError, match="refused"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert "refus" in health(settings)["error"]


def test_loopback_is_refused_unless_allow_listed(settings, server, monkeypatch):
    server.routes["/feed.xml"] = [(200, {}, feed_bytes(1))]
    use_source(settings, server, retries=0)
    monkeypatch.delenv("RISKRADAR_ALLOW_HOSTS")
    with pytest.raises(SourceIngestError, match="refused.*127.0.0.1"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert server.requests == []  # refused before connecting
    # allow-listing in sources.yml works as well as the environment
    cfg = yaml.safe_load((settings.config_dir / "sources.yml").read_text())
    cfg["security"] = {"allow_private_hosts": ["127.0.0.0/8"]}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump(cfg))
    assert ingest_source("test_feed", DAY1, DAY2, "r1", settings)["items_landed"] == 1


def test_a_name_that_resolves_to_loopback_is_refused(settings, server, monkeypatch):
    """The guard checks what DNS answers, not the spelling of the URL."""
    monkeypatch.delenv("RISKRADAR_ALLOW_HOSTS")
    server.routes["/feed.xml"] = [(200, {}, feed_bytes(1))]
    port = server.httpd.server_address[1]
    src = {"id": "test_feed", "name": "T", "kind": "rss", "type": "news", "url": f"http://localhost:{port}/feed.xml",
           "retries": 0}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [src]}))
    with pytest.raises(SourceIngestError, match="refusing to connect to localhost"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert server.requests == []


def test_file_urls_only_under_configured_roots(settings, tmp_path):
    outside = tmp_path / "elsewhere" / "feed.xml"
    outside.parent.mkdir()
    outside.write_bytes(feed_bytes(2))
    src = {"id": "test_feed", "name": "T", "kind": "rss", "type": "news", "url": outside.as_uri()}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [src]}))
    with pytest.raises(SourceIngestError, match="outside the allowed file roots"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    cfg = yaml.safe_load((settings.config_dir / "sources.yml").read_text())
    cfg["security"] = {"file_roots": [str(outside.parent)]}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump(cfg))
    assert ingest_source("test_feed", DAY1, DAY2, "r1", settings)["items_landed"] == 2


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


# ---------------------------------------------------------------------------------------------
# HTTPS: a real TLS server on 127.0.0.1 with a certificate from a throw-away test CA

def _tls_files(tmp_path):
    """A CA and a server certificate for 127.0.0.1 signed by it; (ca.pem, cert.pem, key.pem)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("RiskRadar test CA")).issuer_name(name("RiskRadar test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@pytest.fixture
def tls_server(tmp_path):
    import ssl

    ca, cert, key = _tls_files(tmp_path)
    srv = ScriptedServer()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.httpd.socket = ctx.wrap_socket(srv.httpd.socket, server_side=True)
    srv.thread.start()
    host, port = srv.httpd.server_address[:2]
    yield srv, f"https://{host}:{port}", ca
    srv.httpd.shutdown()
    srv.httpd.server_close()


def test_https_feed_with_a_trusted_certificate(settings, tls_server, monkeypatch):
    srv, base, ca = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # how an internal CA is trusted (README: real sources)
    srv.routes["/feed.xml"] = [(200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, feed_bytes(3))]
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [
        {"id": "test_feed", "name": "Test", "kind": "rss", "type": "news", "language": "en",
         "url": base + "/feed.xml", "retries": 0}]}))
    out = ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert out["items_landed"] == 3 and balanced(out)
    assert health(settings)["http_status"] == 200
    # conditional GET works over TLS too
    srv.routes["/feed.xml"] = [lambda h: (h.send_response(304), h.send_header("Content-Length", "0"), h.end_headers())]
    again = ingest_source("test_feed", DAY2, DAY3, "r2", settings)
    assert srv.paths("/feed.xml")[-1].get("if-none-match") == '"v1"'
    assert health(settings, DAY2)["is_not_modified"] and again["items_landed"] == 0


def test_https_feed_with_an_untrusted_certificate_is_refused(settings, tls_server, monkeypatch):
    srv, base, _ca = tls_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    srv.routes["/feed.xml"] = [(200, {}, feed_bytes(3))]
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [
        {"id": "test_feed", "name": "Test", "kind": "rss", "type": "news", "language": "en",
         "url": base + "/feed.xml", "retries": 0}]}))
    with pytest.raises(SourceIngestError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert landed(settings) == [] and health(settings)["status"] == "error"
    assert not srv.requests  # the TLS handshake failed before any request was sent


# ---------------------------------------------------------------------------- permanent errors

@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_permanent_http_error_fails_at_once_without_retry(settings, server, status):
    from airflow.sdk.exceptions import AirflowFailException  # what the task runner has imported

    server.routes["/feed.xml"] = [(status, {}, b"gone")]
    use_source(settings, server, retries=3)
    with pytest.raises(SourceIngestError, match=f"HTTP {status}.*permanent") as err:
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert err.value.permanent and isinstance(err.value, AirflowFailException)  # Airflow skips retries
    assert len(server.paths("/feed.xml")) == 1  # no in-process retry either
    h = health(settings)
    assert h["status"] == "error" and h["http_status"] == status and "permanent" in h["error"]


@pytest.mark.parametrize("status", [503, 500, 429])
def test_transient_http_error_is_retried_and_keeps_airflow_retries(settings, server, status):
    from airflow.sdk.exceptions import AirflowFailException

    server.routes["/feed.xml"] = [(status, {}, b"busy")]
    use_source(settings, server, retries=2)
    with pytest.raises(SourceIngestError, match=f"HTTP {status}") as err:
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert not err.value.permanent and not isinstance(err.value, AirflowFailException)
    assert len(server.paths("/feed.xml")) == 3  # 1 + 2 retries with backoff
    assert health(settings)["status"] == "error"


def test_missing_file_fails_at_once(settings, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    missing = tmp_path / "feeds" / "2026-08-01.xml"
    missing.parent.mkdir()
    src = {"id": "test_feed", "name": "T", "kind": "rss", "type": "news", "url": missing.as_uri()}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump(
        {"version": 1, "security": {"file_roots": [str(missing.parent)]}, "sources": [src]}))
    with pytest.raises(SourceIngestError, match="feed file not found.*permanent") as err:
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert err.value.permanent and isinstance(err.value, AirflowFailException)
    assert health(settings)["status"] == "error"


def test_untrusted_certificate_is_a_permanent_error(settings, tls_server, monkeypatch):
    srv, base, _ca = tls_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    srv.routes["/feed.xml"] = [(200, {}, feed_bytes(3))]
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [
        {"id": "test_feed", "name": "Test", "kind": "rss", "type": "news", "language": "en",
         "url": base + "/feed.xml", "retries": 3, "backoff_seconds": 5}]}))
    started = time.monotonic()
    with pytest.raises(SourceIngestError, match="certificate") as err:
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert err.value.permanent and time.monotonic() - started < 4  # no 5 s backoff was waited
    assert health(settings)["status"] == "error"


def test_a_permanent_error_fails_its_source_only(settings, server):
    from riskradar.ingest.landing import ingest_many
    from riskradar.ingest.sources import load_sources

    server.routes["/ok.xml"] = [(200, {}, feed_bytes(2))]
    server.routes["/gone.xml"] = [(404, {}, b"")]
    base = {"kind": "rss", "type": "news", "language": "en", "backoff_seconds": 0.05, "retries": 2}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [
        {"id": "test_feed", "name": "OK", "url": server.url + "/ok.xml", **base},
        {"id": "gone_feed", "name": "Gone", "url": server.url + "/gone.xml", **base}]}))
    out = {r["source_id"]: r for r in ingest_many(load_sources(settings), DAY1, DAY2, "r1", settings)}
    assert out["gone_feed"]["status"] == "error" and "permanent" in out["gone_feed"]["error"]
    assert out["test_feed"]["items_landed"] == 2 and len(landed(settings)) == 2
    assert len(server.paths("/gone.xml")) == 1


def test_permanent_errors_fail_their_mapped_task_once_in_a_real_airflow_run(tmp_path):
    """`airflow dags test media_ingest`: a 404 source and a missing-file source fail on their first
    try (no retry, none of the 2- and 4-minute waits), the third source lands and is scored."""
    import sqlite3

    from conftest import BIN, FeedServer, project_env, run, write_served_config
    from riskradar.config import Settings

    settings = Settings(home=REPO, data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    feeds = tmp_path / "feeds"
    env = project_env(settings, tmp_path / "airflow", feeds)
    run([str(BIN / "riskradar"), "sample", "--start", "2026-08-01", "--days", "1"], env)
    with FeedServer(feeds) as srv:
        ids = write_served_config(settings.config_dir, srv.url, limit=3)
        cfg = yaml.safe_load((settings.config_dir / "sources.yml").read_text())
        gone, missing, alive = ids
        srv.fail[f"/{gone}/2026-08-01.xml"] = 404
        cfg["sources"][1]["url_template"] = "file://{sample_dir}/no_such_source/{date}.xml"
        (settings.config_dir / "sources.yml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        run([str(BIN / "riskradar"), "setup"], env)
        started = time.monotonic()
        run([str(BIN / "airflow"), "dags", "test", "media_ingest", "2026-08-02"], env, timeout=600, check=False)
        elapsed = time.monotonic() - started
    with sqlite3.connect(tmp_path / "airflow" / "airflow.db") as db:
        tis = {(task, idx): (state, tries) for task, idx, state, tries in db.execute(
            "select task_id, map_index, state, try_number from task_instance where dag_id = 'media_ingest'")}
    fetch = {idx: v for (task, idx), v in tis.items() if task == "fetch_source"}
    assert sorted(fetch.values()) == [("failed", 1), ("failed", 1), ("success", 1)], tis
    assert tis[("score_mentions", -1)][0] == "success" and tis[("validate_scored", -1)][0] == "success"
    assert elapsed < 110, elapsed  # one retry alone would have waited 120 s
    for sid in (gone, missing):
        h = pq.read_table(storage.partition_path(settings.source_health_dir, DAY1, source_id=sid)).to_pylist()[0]
        assert h["status"] == "error" and "permanent" in h["error"], h
    assert pq.read_metadata(storage.partition_path(settings.landing_dir, DAY1, source_id=alive)).num_rows > 0
    assert pq.read_metadata(storage.partition_path(settings.scored_dir, DAY1, source_id=alive)).num_rows > 0
