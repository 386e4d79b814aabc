"""When a build runs the dbt unit tests: whenever the project's contents or the target changed
since they last all passed in that target dir (riskradar.marts.build.unit_tests_needed)."""

from __future__ import annotations

import json

from riskradar.config import Settings
from riskradar.marts.build import _UNIT_TESTS_STATE, project_fingerprint, unit_tests_needed
from riskradar.marts.dbt import target_dir


def _settings(tmp_path) -> Settings:
    project = tmp_path / "home" / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "fct_x.sql").write_text("select 1 as x\n")
    (project / "dbt_project.yml").write_text("name: x\n")
    return Settings(home=tmp_path / "home", data_dir=tmp_path / "data", config_dir=tmp_path / "config")


def _passed(settings: Settings, target: str) -> None:
    state = target_dir(settings, target) / _UNIT_TESTS_STATE
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"project": project_fingerprint(settings, target)}))


def test_a_fresh_target_dir_runs_them(tmp_path, monkeypatch):
    monkeypatch.delenv("RISKRADAR_DBT_UNIT_TESTS", raising=False)
    settings = _settings(tmp_path)
    assert unit_tests_needed(settings, "duckdb", project_fingerprint(settings, "duckdb"))


def test_an_unchanged_project_skips_them_and_a_changed_model_runs_them(tmp_path, monkeypatch):
    monkeypatch.delenv("RISKRADAR_DBT_UNIT_TESTS", raising=False)
    settings = _settings(tmp_path)
    _passed(settings, "duckdb")
    assert not unit_tests_needed(settings, "duckdb", project_fingerprint(settings, "duckdb"))
    # dbt's own target/ and logs/ under the project do not count
    (settings.dbt_project_dir / "target").mkdir()
    (settings.dbt_project_dir / "target" / "manifest.json").write_text("{}")
    assert not unit_tests_needed(settings, "duckdb", project_fingerprint(settings, "duckdb"))
    # the same size and a touched mtime are not enough to hide an edit: contents are hashed
    model = settings.dbt_project_dir / "models" / "fct_x.sql"
    model.write_text("select 2 as x\n")
    assert unit_tests_needed(settings, "duckdb", project_fingerprint(settings, "duckdb"))


def test_another_target_and_always_run_them(tmp_path, monkeypatch):
    monkeypatch.delenv("RISKRADAR_DBT_UNIT_TESTS", raising=False)
    settings = _settings(tmp_path)
    _passed(settings, "duckdb")
    assert project_fingerprint(settings, "postgres") != project_fingerprint(settings, "duckdb")
    assert unit_tests_needed(settings, "postgres", project_fingerprint(settings, "postgres"))
    monkeypatch.setenv("RISKRADAR_DBT_UNIT_TESTS", "always")
    assert unit_tests_needed(settings, "duckdb", project_fingerprint(settings, "duckdb"))


def test_unit_test_names_fit_a_postgresql_identifier():
    """dbt names a unit test's relation after the test: PostgreSQL refuses identifiers over 63 bytes."""
    from pathlib import Path

    import yaml

    models = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
    names = [u["name"] for f in models.rglob("*.yml") for u in (yaml.safe_load(f.read_text()) or {}).get("unit_tests") or []]
    assert len(names) >= 10
    assert not [n for n in names if len(n.encode()) > 63]
