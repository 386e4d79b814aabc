"""Our own platform comes from configuration: config/taxonomy.yml `own: true` flows through the
reference table (riskradar.score.write_reference_tables) into dim_platforms.is_own_platform and every
own-platform measure. A copied config names chirp, not adnova, as our own; a real dbt build over the
deterministic scored fixture must follow it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from fixtures.scored_fixture import write_scored_fixture
from riskradar import warehouse
from riskradar.marts.build import build_interval
from riskradar.marts.reference import write_reference_tables

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
START = date(2026, 8, 1)
DAYS = 4


def _own_platform_is(config_dir: Path, platform_id: str) -> None:
    path = config_dir / "taxonomy.yml"
    taxonomy = yaml.safe_load(path.read_text(encoding="utf-8"))
    for platform in taxonomy["platforms"]:
        platform.pop("own", None)
        if platform["id"] == platform_id:
            platform["own"] = True
    path.write_text(yaml.safe_dump(taxonomy, sort_keys=False), encoding="utf-8")


def test_own_platform_follows_the_taxonomy(settings):
    fixture = write_scored_fixture(settings.data_dir, START, DAYS, seed=3)
    assert fixture.item_ids
    _own_platform_is(settings.config_dir, "chirp")
    write_reference_tables(settings)  # what scoring publishes from config/taxonomy.yml
    assert {r["platform_id"] for r in pq.read_table(settings.reference_dir / "platforms.parquet").to_pylist()
            if r["is_own_platform"]} == {"chirp"}
    start = datetime(START.year, START.month, START.day, tzinfo=UTC)
    build_interval(start, start + timedelta(days=DAYS), settings)

    with warehouse.connect(settings, engine="duckdb") as wh:
        own = [r["platform_id"] for r in wh.query("select platform_id from dim_platforms where is_own_platform")]
        assert own == ["chirp"]
        mentions = wh.query("select item_id, topics, platforms, mentions_own_platform from fct_mentions")
        assert mentions and any(m["mentions_own_platform"] for m in mentions)
        for m in mentions:
            assert m["mentions_own_platform"] == ("chirp" in m["platforms"]), m
        expected: dict[tuple[str, date], int] = {}
        for m in wh.query("select item_id, mention_date, topics, platforms from fct_mentions"):
            for topic in set(m["topics"]):
                key = (topic, m["mention_date"])
                expected[key] = expected.get(key, 0) + ("chirp" in m["platforms"])
        daily = {(r["topic_id"], r["mention_date"]): r["own_platform_mentions"]
                 for r in wh.query("select topic_id, mention_date, own_platform_mentions from fct_topic_daily")}
        assert sum(expected.values()) > 0
        assert {k: v for k, v in daily.items() if v} == {k: v for k, v in expected.items() if v}
        # the platform slice: every mention on chirp's rows is an own-platform mention; on adnova's
        # rows (our own platform in config/taxonomy.yml) only the items that also name chirp
        slices = wh.query("select platform_id, mentions, own_platform_mentions from fct_topic_platform_daily")
        assert any(r["platform_id"] == "chirp" and r["mentions"] for r in slices)
        for r in slices:
            if r["platform_id"] == "chirp":
                assert r["own_platform_mentions"] == r["mentions"], r
        adnova = sum(r["mentions"] for r in slices if r["platform_id"] == "adnova")
        adnova_own = sum(r["own_platform_mentions"] for r in slices if r["platform_id"] == "adnova")
        assert adnova > adnova_own


def test_no_sql_repeats_a_configured_platform_id():
    """No model or macro names a platform of config/taxonomy.yml as a literal (unit test givens aside)."""
    taxonomy = yaml.safe_load((REPO / "config" / "taxonomy.yml").read_text(encoding="utf-8"))
    ids = [p["id"] for p in taxonomy["platforms"]]
    pattern = re.compile("|".join(rf"'{re.escape(i)}'" for i in ids))
    offenders = [str(path.relative_to(REPO)) for folder in ("models", "macros", "tests")
                 for path in (REPO / "dbt_project" / folder).rglob("*.sql")
                 if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
