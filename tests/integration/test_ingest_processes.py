"""`ingest_many` (the `riskradar ingest` CLI's path) ingests large intervals in worker processes,
one group of sources per core, and lands exactly what the thread-only path lands.

The sample corpus is served over HTTP on 127.0.0.1. Two data dirs ingest day 1 with threads (so
each source has a previous fetch size); then day 2 with threads only in one and with two worker
processes in the other (threshold 1 byte). Landing, quarantine and health rows must be equal,
run-time columns aside.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import FeedServer, write_served_config
from riskradar.config import Settings
from riskradar.ingest.many import ingest_many, process_groups
from riskradar.ingest.sources import Source, load_sources

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
DAY1 = datetime(2026, 8, 1, tzinfo=UTC)
RUNTIME = {"fetched_at", "ingested_at", "latency_ms", "run_id"}


def _rows(zone: Path) -> list[tuple]:
    out = []
    for part in sorted(zone.rglob("*.parquet")):
        table = pq.read_table(part)
        keep = [c for c in table.column_names if c not in RUNTIME]
        out += [(part.relative_to(zone).as_posix(), *(repr(r[c]) for c in keep)) for r in table.select(keep).to_pylist()]
    return sorted(out)


def test_process_groups_balance_bytes_and_keep_every_source_once():
    sources = [Source(id=f"s{i}", name=f"s{i}", kind="rss", type="news", url="http://x") for i in range(5)]
    groups = process_groups(sources, [100, 1, 50, 50, 2], 2)
    assert sorted(i for g in groups for i in g) == list(range(5))
    # largest first onto the lightest group: 100 | 50 + 50, then 2 onto the 100, 1 onto the 100
    assert {frozenset(g) for g in groups} == {frozenset({0, 4}), frozenset({1, 2, 3})}
    assert process_groups(sources, [5] * 5, 1) == [[0, 1, 2, 3, 4]]


def test_processes_land_what_threads_land(tmp_path, monkeypatch, caplog):
    sys.path.insert(0, str(REPO))  # the repo root holds sample_data/
    from sample_data.generate import generate

    feeds = tmp_path / "feeds"
    generate(feeds, start="2026-08-01", days=2)
    with FeedServer(feeds) as server:
        write_served_config(tmp_path / "config", server.url, allow_loopback=True)
        dirs = {}
        for name in ("threads", "processes"):
            settings = Settings(home=REPO, data_dir=tmp_path / name, config_dir=tmp_path / "config")
            sources = [s for s in load_sources(settings) if s.enabled]
            first = ingest_many(sources, DAY1, DAY1 + timedelta(days=1), "day1", settings, processes=1)
            assert all(r["status"] != "error" for r in first), first
            if name == "processes":
                monkeypatch.setenv("RISKRADAR_INGEST_PROCESS_BYTES", "1")
            with caplog.at_level(logging.INFO, logger="riskradar.ingest.many"):
                caplog.clear()
                second = ingest_many(sources, DAY1 + timedelta(days=1), DAY1 + timedelta(days=2), "day2", settings,
                                     processes=1 if name == "threads" else 2)
            used = [r.message for r in caplog.records if "processes" in r.message]
            assert bool(used) == (name == "processes"), used
            assert [r["source_id"] for r in second] == [s.id for s in sources]
            assert sum(r["items_landed"] for r in second) > 0
            dirs[name] = (settings, second)
    (a, sa), (b, sb) = dirs["threads"], dirs["processes"]
    strip = lambda rs: [{k: v for k, v in r.items() if k != "latency_ms"} for r in rs]  # noqa: E731
    assert strip(sa) == strip(sb)
    for zone in ("landing", "quarantine", "source_health"):
        assert _rows(a.data_dir / zone) == _rows(b.data_dir / zone), zone
