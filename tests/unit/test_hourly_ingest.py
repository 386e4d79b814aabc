"""Hourly ingestion: the cadence setting, and hourly intervals that add up to a complete day.

A live feed shows only its latest items. Polled hourly, every item of the day lands exactly once;
polled once a day, most of them have scrolled off. risk_metrics may build a day only when each
source's ingest intervals cover it, whatever their length.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import pipeline, storage
from riskradar.ingest.sources import SourceConfigError, ingest_cron
from riskradar.quality import QualityGateError

DAY = datetime(2026, 8, 2, tzinfo=UTC)
WINDOW = 20  # items the feed shows at a time
PER_HOUR = 5  # new items published per hour -> 120 a day


def _rss(items: list[tuple[int, datetime]]) -> str:
    body = "".join(
        f"<item><guid isPermaLink='false'>post-{n}</guid><title>Scam ads story number {n} on AdNova</title>"
        f"<link>https://news.example.test/{n}</link><description>Readers lost money to fake ads, case {n}."
        f"</description><pubDate>{ts:%a, %d %b %Y %H:%M:%S} GMT</pubDate></item>"
        for n, ts in items)
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>live</title>"
            f"<link>https://news.example.test/</link><description>d</description>{body}</channel></rss>")


def _write_live_feed(root: Path) -> tuple[int, int]:
    """What a live feed returns when polled at the end of each hour of DAY: its latest WINDOW items.
    Returns (items published, items served over the 24 polls)."""
    published = [(n, DAY + timedelta(minutes=12 * n + 3)) for n in range(24 * PER_HOUR)]
    served = 0
    for hour in range(1, 25):
        at = DAY + timedelta(hours=hour)
        visible = [it for it in published if it[1] < at][-WINDOW:]
        served += len(visible)
        (root / f"feed-{at:%Y%m%d%H%M%S}.xml").write_text(_rss(list(reversed(visible))))
    return len(published), served


def _use_live_source(settings, server) -> None:
    cfg = {"version": 1, "ingest_cron": "0 * * * *",
           "security": {"allow_private_hosts": ["127.0.0.1"]},
           "sources": [{"id": "live_news", "name": "Live news", "kind": "rss", "type": "news", "language": "en",
                        "url_template": server.url + "/feed-{end_compact}.xml", "retries": 0}]}
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump(cfg))


def test_hourly_polling_lands_every_item_once_and_completes_the_day(settings, feed_server):
    total, served = _write_live_feed(feed_server.root)
    _use_live_source(settings, feed_server)
    landed = duplicates = 0
    for hour in range(24):
        start, end = DAY + timedelta(hours=hour), DAY + timedelta(hours=hour + 1)
        status = pipeline.ingest_complete(DAY, DAY + timedelta(days=1), settings)
        assert not status["complete"]
        assert status["first_missing_interval"] == {"live_news": start.isoformat()}
        out = pipeline.ingest("live_news", start, end, f"scheduled__{start.isoformat()}", settings)
        assert out["items_read"] == out["items_landed"] + out["items_duplicate"] + out["items_quarantined"]
        landed += out["items_landed"]
        duplicates += out["items_duplicate"]
        pipeline.score(start, end, f"scheduled__{start.isoformat()}", settings)
    assert landed == total  # every item of the day, each in the hour it first appeared
    assert duplicates == served - total  # the overlap between consecutive polls
    assert pipeline.ingest_complete(DAY, DAY + timedelta(days=1), settings)["complete"]
    parts = storage.parts_for_interval(settings.scored_dir, DAY, DAY + timedelta(days=1))
    assert len(parts) == 24
    ids = [r for p in parts for r in pq.read_table(p, columns=["item_id"]).column("item_id").to_pylist()]
    assert len(ids) == len(set(ids)) == total


def test_a_daily_poll_of_the_same_feed_misses_what_scrolled_off(settings, feed_server):
    total, _ = _write_live_feed(feed_server.root)
    _use_live_source(settings, feed_server)
    out = pipeline.ingest("live_news", DAY, DAY + timedelta(days=1), "daily", settings)
    assert out["items_landed"] == WINDOW < total


def test_a_failed_hour_reports_but_an_unrun_hour_blocks(settings, feed_server):
    _write_live_feed(feed_server.root)
    _use_live_source(settings, feed_server)
    for hour in range(24):
        start = DAY + timedelta(hours=hour)
        if hour == 5:
            feed_server.fail[f"/feed-{start + timedelta(hours=1):%Y%m%d%H%M%S}.xml"] = 503
            with pytest.raises(Exception, match="503"):
                pipeline.ingest("live_news", start, start + timedelta(hours=1), "r", settings)
            # the hour's only source failed: the landing gate fails the run instead of passing on nothing
            with pytest.raises(QualityGateError, match="every source failed"):
                pipeline.gate("landing", start, start + timedelta(hours=1), "r", settings)
            continue
        if hour == 9:
            continue  # never ran
        pipeline.ingest("live_news", start, start + timedelta(hours=1), "r", settings)
        if hour == 6:
            assert pipeline.gate("landing", start, start + timedelta(hours=1), "r", settings)
        pipeline.score(start, start + timedelta(hours=1), "r", settings)
    status = pipeline.ingest_complete(DAY, DAY + timedelta(days=1), settings)
    assert not status["complete"] and status["first_missing_interval"] == {"live_news": "2026-08-02T09:00:00+00:00"}
    assert status["failed_sources"] == ["live_news"]
    pipeline.ingest("live_news", DAY + timedelta(hours=9), DAY + timedelta(hours=10), "r", settings)
    status = pipeline.ingest_complete(DAY, DAY + timedelta(days=1), settings)
    assert not status["complete"] and status["missing_scored"] == ["live_news"]  # landed, not yet scored
    pipeline.score(DAY + timedelta(hours=9), DAY + timedelta(hours=10), "r", settings)
    assert pipeline.ingest_complete(DAY, DAY + timedelta(days=1), settings)["complete"]


@pytest.mark.parametrize("value, ok", [
    ("0 * * * *", True), ("0 0 * * *", True), ("0 */2 * * *", True), ("*/15 * * * *", True),
    ("30 * * * *", False), ("0 */5 * * *", False), ("0 9 * * *", False), ("every hour", False),
])
def test_ingest_cron_must_tile_the_day(settings, monkeypatch, value, ok):
    monkeypatch.setenv("RISKRADAR_INGEST_CRON", value)
    if ok:
        assert ingest_cron(settings) == value
    else:
        with pytest.raises(SourceConfigError, match="ingest_cron"):
            ingest_cron(settings)


def test_cadence_comes_from_env_then_sources_yml_then_hourly(settings, monkeypatch):
    monkeypatch.delenv("RISKRADAR_INGEST_CRON", raising=False)
    assert ingest_cron(settings) == "0 0 * * *"  # the bundled config: daily sample snapshots
    cfg = yaml.safe_load((settings.config_dir / "sources.yml").read_text())
    del cfg["ingest_cron"]
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump(cfg))
    assert ingest_cron(settings) == "0 * * * *"
    monkeypatch.setenv("RISKRADAR_INGEST_CRON", "0 */2 * * *")
    assert ingest_cron(settings) == "0 */2 * * *"


def test_the_dag_reads_the_same_cadence_rule_as_the_package(settings, monkeypatch):
    """dags/riskradar_dag_defaults.ingest_cron and riskradar.ingest.sources.ingest_cron share one rule
    (riskradar.ingest.cadence): environment, else sources.yml, else hourly; a broken file parses hourly."""
    import sys

    sys.path.insert(0, str(settings.home / "dags"))
    try:
        import riskradar_dag_defaults as defaults
    finally:
        sys.path.remove(str(settings.home / "dags"))
    from riskradar.ingest.cadence import HOURLY_CRON, cron_at_parse_time

    monkeypatch.delenv("RISKRADAR_INGEST_CRON", raising=False)
    monkeypatch.setenv("RISKRADAR_CONFIG_DIR", str(settings.config_dir))
    path = settings.config_dir / "sources.yml"
    data = yaml.safe_load(path.read_text())
    data["ingest_cron"] = "0 */3 * * *"
    path.write_text(yaml.safe_dump(data))
    assert defaults.ingest_cron() == ingest_cron(settings) == "0 */3 * * *"
    monkeypatch.setenv("RISKRADAR_INGEST_CRON", "0 0 * * *")
    assert defaults.ingest_cron() == ingest_cron(settings) == "0 0 * * *"
    monkeypatch.delenv("RISKRADAR_INGEST_CRON")
    path.write_text("sources: [unclosed")
    assert cron_at_parse_time(settings.config_dir) == HOURLY_CRON
