"""A backfilled day and a day built incrementally give identical rows.

The same scored fixture (with a re-seen item, an unscored language, syndicated copies and a
spike) is copied into two data dirs. Warehouse A is built the way the daily DAG builds it: one
`build_interval` per day, in order (each with its one-day lookback). Warehouse B is built by one
backfill call over the whole range. Every mart must hold the same rows in both (order-insensitive;
floats compared after rounding, since a sum's last bits may depend on the batch it ran in).
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from fixtures.scored_fixture import write_scored_fixture
from riskradar.config import Settings
from riskradar.marts.build import build_interval

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
START = date(2026, 8, 1)
DAYS = 12
MARTS = ("fct_mentions", "fct_topic_daily", "fct_topic_spikes", "fct_risk_alerts", "fct_source_health_daily",
         "dim_topics", "dim_sources", "dim_platforms")
# run bookkeeping that legitimately differs between the two builds: none in the marts above
IGNORED_COLUMNS: frozenset[str] = frozenset()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _normalise(value: object) -> object:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return tuple(_normalise(v) for v in value)
    return value


def _mart_rows(settings: Settings, model: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_name = ? order by column_name",
            [model]).fetchall() if r[0] not in IGNORED_COLUMNS]
        assert columns, f"{model} is missing from {settings.warehouse_path}"
        rows = con.execute(f"select {', '.join(columns)} from {model}").fetchall()  # noqa: S608 (names from the catalog)
    return sorted((tuple(_normalise(v) for v in row) for row in rows), key=repr)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Settings, Settings]:
    tmp = tmp_path_factory.mktemp("backfill")
    daily = Settings(home=REPO, data_dir=tmp / "daily", config_dir=REPO / "config")
    backfill = Settings(home=REPO, data_dir=tmp / "backfill", config_dir=REPO / "config")
    write_scored_fixture(daily.data_dir, START, DAYS, seed=3, spike=("creator_payouts", START + timedelta(days=9)))
    shutil.copytree(daily.data_dir, backfill.data_dir)
    for i in range(DAYS):
        day = START + timedelta(days=i)
        build_interval(_midnight(day), _midnight(day + timedelta(days=1)), daily)
    build_interval(_midnight(START), _midnight(START + timedelta(days=DAYS)), backfill)
    return daily, backfill


@pytest.mark.parametrize("model", MARTS)
def test_daily_and_backfilled_marts_hold_identical_rows(warehouses, model):
    daily, backfill = warehouses
    daily_rows, backfill_rows = _mart_rows(daily, model), _mart_rows(backfill, model)
    assert daily_rows, f"{model} is empty: the comparison would prove nothing"
    missing = [r for r in daily_rows if r not in backfill_rows][:3]
    extra = [r for r in backfill_rows if r not in daily_rows][:3]
    assert daily_rows == backfill_rows, f"{model}: only daily {missing}; only backfill {extra}"


def test_the_comparison_covers_the_hard_cases(warehouses):
    daily, _ = warehouses
    with duckdb.connect(str(daily.warehouse_path), read_only=True) as con:
        reseen = con.execute("select count(*) from fct_mentions where times_seen > 1").fetchone()[0]
        alerts = con.execute("select count(*) from fct_risk_alerts").fetchone()[0]
        unscored = con.execute("select count(*) from fct_mentions where not is_scored").fetchone()[0]
    assert reseen >= 1 and alerts >= 1 and unscored >= 1
