"""riskradar.transform without running dbt: the sources reference and the interval arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow.parquet as pq
from riskradar.ingest.sources import load_sources
from riskradar.transform import _days, _iso, dbt_dir, target_dir, write_sources_reference


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
    from riskradar.transform import metricflow_dir, metricflow_env

    target_dir(settings).mkdir(parents=True)
    root = metricflow_dir(settings)
    assert root.parent == dbt_dir(settings)
    assert (root / "dbt_project.yml").resolve() == (settings.dbt_project_dir / "dbt_project.yml").resolve()
    assert (root / "target").resolve() == target_dir(settings).resolve()
    assert metricflow_dir(settings) == root  # idempotent
    env = metricflow_env(settings)
    assert env["DBT_PROJECT_DIR"] == env["DBT_PROFILES_DIR"] == str(root)
    assert env["RISKRADAR_WAREHOUSE"] == str(settings.warehouse_path)
