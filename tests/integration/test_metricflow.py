"""`mf query` (MetricFlow's CLI, a real subprocess) returns the numbers the marts hold.

The metrics YAML (models/marts/core/_core__semantic_models.yml and _core__metrics_*.yml) defines every metric from the marts'
columns; these tests build the scored fixture, run `mf query` against the DuckDB warehouse the
way an analyst would, and compare each number with plain SQL on the marts: per topic and day,
rolled up over the whole period (ratios must be built from summed counts, not averaged), and on
the item-grain semantic model grouped by a dimension.
"""

from __future__ import annotations

import csv
import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from fixtures.scored_fixture import write_scored_fixture
from riskradar.config import Settings
from riskradar.marts.build import build_interval
from riskradar.marts.metricflow import metricflow_dir, metricflow_env

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
MF = Path(os.environ.get("RISKRADAR_MF", REPO / ".venv" / "bin" / "mf"))
START = date(2026, 8, 1)
DAYS = 10
TOPIC_DAY_METRICS = ("mention_volume", "story_volume", "negative_share", "mean_compound", "net_sentiment",
                     "share_of_voice", "attention_share", "unscored_share", "source_coverage")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("metricflow")
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=REPO / "config")
    write_scored_fixture(settings.data_dir, START, DAYS, seed=11, spike=("ad_fraud", START + timedelta(days=8)))
    build_interval(_midnight(START), _midnight(START + timedelta(days=DAYS)), settings)
    return settings


def mf_query(settings: Settings, metrics: list[str], group_by: list[str], out: Path) -> list[dict[str, str]]:
    """Run `mf query ... --csv out` and return its rows (all values as strings)."""
    if not MF.exists():
        pytest.skip(f"MetricFlow CLI not installed at {MF}")
    env = {**os.environ, **metricflow_env(settings)}
    cmd = [str(MF), "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by),
           "--csv", str(out)]
    proc = subprocess.run(cmd, cwd=metricflow_dir(settings), env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0 and out.exists(), f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    with out.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _num(value: str) -> float | None:
    return None if value in ("", "None", "nan") else float(value)


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


def _close(actual: float | None, expected: float | None) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and actual == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_topic_by_day_metrics_match_fct_topic_daily(warehouse, tmp_path):
    rows = mf_query(warehouse, list(TOPIC_DAY_METRICS), ["metric_time__day", "topic"], tmp_path / "q.csv")
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        mart = con.execute("""
            select topic_id, mention_date, mentions, stories, negative_share, mean_compound, net_sentiment,
                   share_of_voice, attention_share, unscored_share, source_coverage
            from fct_topic_daily""").fetchall()
    expected = {(r[0], r[1]): dict(zip(TOPIC_DAY_METRICS, r[2:], strict=True)) for r in mart}
    got = {(r["topic"], _day(r["metric_time__day"])): r for r in rows}
    assert set(got) == set(expected)
    assert any(v["negative_share"] is not None for v in expected.values())
    for key, want in expected.items():
        for metric, value in want.items():
            assert _close(_num(got[key][metric]), value), (key, metric, got[key][metric], value)


def test_ratio_rolled_up_over_the_period_is_a_ratio_of_sums(warehouse, tmp_path):
    rows = mf_query(warehouse, ["negative_share", "mean_compound", "mention_volume"], ["topic"],
                    tmp_path / "q.csv")
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        mart = con.execute("""
            select topic_id, sum(negative_mentions) / nullif(sum(scored_mentions), 0),
                   sum(compound_sum) / nullif(sum(scored_mentions), 0), sum(mentions)
            from fct_topic_daily group by topic_id""").fetchall()
    got = {r["topic"]: r for r in rows}
    assert set(got) == {r[0] for r in mart}
    for topic, negative_share, mean_compound, mentions in mart:
        assert _close(_num(got[topic]["negative_share"]), negative_share), topic
        assert _close(_num(got[topic]["mean_compound"]), mean_compound), topic
        assert _num(got[topic]["mention_volume"]) == mentions


def test_item_metrics_by_day_and_source_type_match_fct_mentions(warehouse, tmp_path):
    rows = mf_query(warehouse, ["item_volume", "item_negative_share"],
                    ["metric_time__day", "mention__source_type"], tmp_path / "q.csv")
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        mart = con.execute("""
            select mention_date, source_type, count(*),
                   count(case when is_negative then 1 end) / nullif(count(case when is_scored then 1 end), 0)
            from fct_mentions group by all""").fetchall()
    got = {(_day(r["metric_time__day"]), r["mention__source_type"]): r for r in rows}
    assert set(got) == {(r[0], r[1]) for r in mart}
    for day, source_type, items, negative_share in mart:
        row = got[(day, source_type)]
        assert _num(row["item_volume"]) == items
        assert _close(_num(row["item_negative_share"]), negative_share), (day, source_type)
