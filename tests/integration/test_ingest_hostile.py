"""Hostile feeds and addresses against the real loopback server: entity expansion, external
entities, private and loopback targets, file:// roots.
"""

from __future__ import annotations

import time

import pytest
import yaml
from fixtures.feed_server import (
    DAY1,
    DAY2,
    balanced,
    feed_bytes,
    health,
    item,
    landed,
    rss,
    use_source,
)
from riskradar.ingest.landing import SourceIngestError, ingest_source

pytestmark = pytest.mark.usefixtures("allow_loopback")

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
