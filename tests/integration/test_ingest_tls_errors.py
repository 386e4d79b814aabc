"""HTTPS with a throw-away test CA, and permanent errors (404/410/401/403, a missing file, an
untrusted certificate) failing their source at once, also in a real Airflow run.
"""

from __future__ import annotations

import time

import pyarrow.parquet as pq
import pytest
import yaml
from fixtures.feed_server import (
    DAY1,
    DAY2,
    DAY3,
    REPO,
    balanced,
    feed_bytes,
    health,
    landed,
    use_source,
    use_url,
)
from riskradar import storage
from riskradar.ingest.landing import SourceIngestError, ingest_source

pytestmark = pytest.mark.usefixtures("allow_loopback")


def test_https_feed_with_a_trusted_certificate(settings, tls_server, monkeypatch):
    srv, base, ca = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # how an internal CA is trusted (README: real sources)
    srv.routes["/feed.xml"] = [(200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, feed_bytes(3))]
    use_url(settings, base + "/feed.xml", retries=0)
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
    use_url(settings, base + "/feed.xml", retries=0)
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
    use_url(settings, base + "/feed.xml", retries=3, backoff_seconds=5)
    started = time.monotonic()
    with pytest.raises(SourceIngestError, match="certificate") as err:
        ingest_source("test_feed", DAY1, DAY2, "r1", settings)
    assert err.value.permanent and time.monotonic() - started < 4  # no 5 s backoff was waited
    assert health(settings)["status"] == "error"


def test_a_permanent_error_fails_its_source_only(settings, server):
    from riskradar.ingest.many import ingest_many
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
