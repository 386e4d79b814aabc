"""riskradar.transform without running dbt: the sources reference and the interval arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest
from riskradar.ingest.sources import load_sources
from riskradar.marts.build import _days, _iso
from riskradar.marts.dbt import dbt_dir, target_dir
from riskradar.marts.reference import write_sources_reference


def test_sources_reference_has_every_configured_source(settings):
    path = write_sources_reference(settings)
    assert path == settings.reference_dir / "sources.parquet"
    table = pq.read_table(path)
    # the columns stg_riskradar__sources reads
    assert {"source_id", "source_name", "source_type", "region", "language", "weight", "enabled"} <= set(
        table.column_names)
    rows = {r["source_id"]: r for r in table.to_pylist()}
    configured = load_sources(settings)
    assert set(rows) == {s.id for s in configured}
    for s in configured:
        assert rows[s.id]["source_type"] == s.type and rows[s.id]["weight"] == s.weight


def test_sources_reference_follows_config_edits(settings):
    text = (settings.config_dir / "sources.yml").read_text()
    first = load_sources(settings)[0]
    (settings.config_dir / "sources.yml").write_text(text.replace(f"name: {first.name}", "name: Renamed", 1))
    rows = {r["source_id"]: r for r in pq.read_table(write_sources_reference(settings)).to_pylist()}
    assert rows[first.id]["source_name"] == "Renamed"


def test_interval_days_and_event_time_format():
    start = datetime(2026, 8, 1, tzinfo=UTC)
    assert _days(start, datetime(2026, 8, 2, tzinfo=UTC)) == [date(2026, 8, 1)]
    assert _days(start, datetime(2026, 8, 4, tzinfo=UTC)) == [date(2026, 8, d) for d in (1, 2, 3)]
    # an hourly interval still names its day
    assert _days(datetime(2026, 8, 1, 5, tzinfo=UTC), datetime(2026, 8, 1, 6, tzinfo=UTC)) == [
        date(2026, 8, 1)]
    assert _iso(datetime(2026, 8, 1, 2, 0, tzinfo=UTC)) == "2026-08-01T02:00:00"


def test_dbt_state_lives_under_the_data_dir(settings):
    assert dbt_dir(settings) == settings.data_dir / "dbt"
    assert target_dir(settings).parent == dbt_dir(settings)
    assert settings.dbt_project_dir not in target_dir(settings).parents


def test_metricflow_dir_links_the_project_and_this_data_dirs_target(settings):
    from riskradar.marts.metricflow import metricflow_dir, metricflow_env

    target_dir(settings).mkdir(parents=True)
    root = metricflow_dir(settings)
    assert root.parent == dbt_dir(settings)
    assert (root / "dbt_project.yml").resolve() == (settings.dbt_project_dir / "dbt_project.yml").resolve()
    assert (root / "target").resolve() == target_dir(settings).resolve()
    assert metricflow_dir(settings) == root  # idempotent
    env = metricflow_env(settings)
    assert env["DBT_PROJECT_DIR"] == env["DBT_PROFILES_DIR"] == str(root)
    assert env["RISKRADAR_WAREHOUSE"] == str(settings.warehouse_path)


def test_each_dbt_target_keeps_its_own_state(settings, monkeypatch):
    from riskradar.marts.dbt import dbt_target

    monkeypatch.delenv("RISKRADAR_DBT_TARGET", raising=False)
    assert dbt_target() == "duckdb" and target_dir(settings) == dbt_dir(settings) / "target"
    monkeypatch.setenv("RISKRADAR_DBT_TARGET", "postgres")
    assert dbt_target() == "postgres" and target_dir(settings) == dbt_dir(settings) / "target-postgres"
    assert target_dir(settings, "duckdb") == dbt_dir(settings) / "target"
    monkeypatch.setenv("RISKRADAR_DBT_TARGET", "snowflake")
    with pytest.raises(ValueError, match="RISKRADAR_DBT_TARGET='snowflake'"):
        dbt_target()


def test_zone_sources_come_from_the_dbt_source_yaml(settings):
    from riskradar.marts.pg_zones import zone_sources

    zones = {z.name: z for z in zone_sources(settings)}
    assert set(zones) == {"scored", "scored_versions", "source_health", "dq_results", "topics", "platforms",
                          "sources", "alert_events"}
    assert zones["scored"].glob == f"{settings.data_dir}/scored/source=*/date=*/part-*.parquet"
    assert "hive_partitioning = true" in zones["scored"].options
    assert zones["alert_events"].declared["acted_at"] == "timestamptz"
    assert zones["topics"].declared["severity_weight"] == "double"


@pytest.mark.parametrize(("declared", "expected"), [
    ("VARCHAR", "text"), ("varchar[]", "text[]"), ("DOUBLE", "double precision"), ("double", "double precision"),
    ("TIMESTAMP WITH TIME ZONE", "timestamptz"), ("timestamptz", "timestamptz"), ("BIGINT", "bigint"),
    ("INTEGER", "integer"), ("BOOLEAN", "boolean"), ("DATE", "date"), ("DECIMAL(18,6)", "numeric(18,6)"),
    ("DOUBLE[]", "double precision[]"),
])
def test_postgres_types_for_zone_columns(declared, expected):
    from riskradar.marts.pg_zones import pg_type

    assert pg_type(declared) == expected


def test_a_column_type_postgres_cannot_hold_is_a_clear_error():
    from riskradar.marts.pg_zones import ZoneLoadError, pg_type

    with pytest.raises(ZoneLoadError, match="no PostgreSQL type for column type 'STRUCT"):
        pg_type("STRUCT(a INTEGER)")
