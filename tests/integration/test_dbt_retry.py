"""A failed dbt build resumes on retry (`dbt retry`: failed and skipped models only) when its inputs
are unchanged, builds afresh when they changed, and either way ends with the marts a clean build
gives. The failure is real: DuckDB runs out of memory under a 1 MB cap (RISKRADAR_DUCKDB_MEMORY_LIMIT,
a production knob) in the models that materialise data, while views still build."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from fixtures.scored_fixture import write_scored_fixture
from riskradar.config import Settings
from riskradar.marts.build import build_interval
from riskradar.marts.dbt import DbtBuildError

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
START = date(2026, 8, 1)
MARTS = ("fct_mentions", "fct_topic_daily", "fct_topic_platform_daily", "fct_topic_source_type_daily",
         "fct_topic_spikes", "fct_risk_alerts", "dim_topics", "dim_sources")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _history(tmp: Path, name: str) -> Settings:
    """Four fixture days, the first two already built."""
    settings = Settings(home=REPO, data_dir=tmp / name / "data", config_dir=REPO / "config")
    write_scored_fixture(settings.data_dir, START, 4, seed=7)
    build_interval(_midnight(START), _midnight(START + timedelta(days=2)), settings)
    return settings


def _day3(settings: Settings, resume: bool = False) -> dict:
    day = START + timedelta(days=2)
    return build_interval(_midnight(day), _midnight(day + timedelta(days=1)), settings, resume=resume)


def _fail_day3(settings: Settings, monkeypatch) -> DbtBuildError:
    monkeypatch.setenv("RISKRADAR_DUCKDB_MEMORY_LIMIT", "1MB")
    with pytest.raises(DbtBuildError) as info:
        _day3(settings)
    monkeypatch.delenv("RISKRADAR_DUCKDB_MEMORY_LIMIT")
    assert info.value.failures and "memory" in str(info.value).lower()
    return info.value


def _marts(settings: Settings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {m: con.execute(f"select * from {m} order by all").fetchall() for m in MARTS}  # noqa: S608


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict:
    settings = _history(tmp_path_factory.mktemp("retry"), "clean")
    full = _day3(settings)
    return {"full": full, "marts": _marts(settings)}


def test_retry_resumes_only_failed_and_skipped_models(tmp_path, monkeypatch, clean):
    settings = _history(tmp_path, "resumed")
    error = _fail_day3(settings, monkeypatch)
    assert "RISKRADAR_DUCKDB_MEMORY_LIMIT" not in os.environ
    out = _day3(settings, resume=True)
    assert out["resumed"] is True
    # the models that succeeded before the failure were not run again
    assert 0 < out["nodes"]["models"] < clean["full"]["nodes"]["models"]
    assert {f["node"].split(".")[-1] for f in error.failures if f["node"].startswith("model.")} <= {
        m["model"] for m in out["models"]}
    assert all(m["status"] == "success" for m in out["models"])
    assert _marts(settings) == clean["marts"]


def test_retry_builds_afresh_when_an_input_changed(tmp_path, monkeypatch, clean):
    settings = _history(tmp_path, "changed")
    _fail_day3(settings, monkeypatch)
    part = next(settings.scored_dir.rglob("part-*.parquet"))
    part.write_bytes(part.read_bytes())  # rewritten (a rescore): same content, new mtime
    out = _day3(settings, resume=True)
    assert out["resumed"] is False
    assert out["nodes"]["models"] == clean["full"]["nodes"]["models"]
    assert _marts(settings) == clean["marts"]
