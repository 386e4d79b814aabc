"""Where things live and how the pipeline is configured.

Every path comes from environment variables with project-relative defaults, so the same code
runs from `make`, from Airflow workers and from tests with temporary directories. Nothing
here touches the network or the warehouse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

# The bundled synthetic corpus covers this period (inclusive); see sample_data/generate.py.
SAMPLE_START = "2026-08-01"
SAMPLE_DAYS = 90


def _project_home() -> Path:
    env = os.environ.get("RISKRADAR_HOME")
    if env:
        return Path(env).resolve()
    # plugins/riskradar/config.py -> project root is two levels above the package
    here = Path(__file__).resolve()
    candidate = here.parents[2]
    if (candidate / "dbt_project").is_dir():
        return candidate
    return Path.cwd().resolve()


@dataclass(frozen=True)
class Settings:
    """Resolved locations. Build with `Settings.from_env()`; tests pass explicit paths.

    `data_dir` is a local Path, or, for `RISKRADAR_DATA_DIR=s3://bucket/prefix`, a path on the
    object store (riskradar.objectstore) holding the zones; the files that need a local disk then
    live under `local_dir` (RISKRADAR_LOCAL_DIR, default <home>/data).
    """

    home: Path
    data_dir: Path
    config_dir: Path
    local_data_dir: Path | None = None

    @classmethod
    def from_env(cls) -> Settings:
        home = _project_home()
        raw = os.environ.get("RISKRADAR_DATA_DIR", home / "data")
        config = Path(os.environ.get("RISKRADAR_CONFIG_DIR", home / "config")).resolve()
        if "://" in str(raw):  # an object store: imported only then (DAG parsing stays light)
            from riskradar.objectstore import zone_root

            local = Path(os.environ.get("RISKRADAR_LOCAL_DIR", home / "data")).resolve()
            return cls(home=home, data_dir=zone_root(str(raw)), config_dir=config, local_data_dir=local)
        return cls(home=home, data_dir=Path(raw).resolve(), config_dir=config)

    @property
    def local_dir(self) -> Path:
        """Where files that need a local disk live (DuckDB warehouse, dbt state, GX site, briefs,
        ops logs): the data dir itself unless the zones are on an object store."""
        if isinstance(self.data_dir, Path):
            return self.data_dir
        return self.local_data_dir or self.home / "data"

    # ---- zones (immutable Parquet partitions) ----
    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def scored_dir(self) -> Path:
        return self.data_dir / "scored"

    @property
    def scored_versions_dir(self) -> Path:
        """Scored parts superseded by a rescore under new taxonomy/lexicon versions."""
        return self.data_dir / "scored_versions"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def source_health_dir(self) -> Path:
        return self.data_dir / "source_health"

    @property
    def dq_results_dir(self) -> Path:
        return self.data_dir / "dq_results"

    @property
    def reference_dir(self) -> Path:
        return self.data_dir / "reference"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    # ---- outputs ----
    @property
    def warehouse_path(self) -> Path:
        return Path(os.environ.get("RISKRADAR_WAREHOUSE", self.local_dir / "warehouse.duckdb")).resolve()

    @property
    def briefs_dir(self) -> Path:
        return self.local_dir / "briefs"

    @property
    def gx_dir(self) -> Path:
        return self.local_dir / "gx"

    @property
    def sample_feeds_dir(self) -> Path:
        return Path(os.environ.get("RISKRADAR_SAMPLE_DIR", self.local_dir / "sample_feeds")).resolve()

    # ---- code-like assets in the repo ----
    @property
    def dbt_project_dir(self) -> Path:
        return self.home / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.home / "expectations"

    @property
    def nltk_data_dir(self) -> Path:
        env = os.environ.get("NLTK_DATA")
        if env:
            return Path(env.split(os.pathsep)[0]).resolve()
        return self.home / ".venv" / "nltk_data"

    # ---- YAML config ----
    def load_yaml(self, name: str) -> dict[str, Any]:
        path = self.config_dir / name
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
        return data

    @cached_property
    def taxonomy(self) -> dict[str, Any]:
        return self.load_yaml("taxonomy.yml")

    @cached_property
    def lexicon(self) -> dict[str, Any]:
        return self.load_yaml("lexicon.yml")

    def dbt_env(self) -> dict[str, str]:
        """Environment that dbt's profiles.yml and sources read (all paths absolute; for zones on
        an object store also the filesystem dbt-duckdb registers and its credentials)."""
        env = {
            "RISKRADAR_DATA_DIR": str(self.data_dir),
            "RISKRADAR_WAREHOUSE": str(self.warehouse_path),
            "DBT_PROFILES_DIR": str(self.dbt_project_dir),
        }
        if not isinstance(self.data_dir, Path):
            from riskradar.objectstore import dbt_env

            env.update(dbt_env(self.data_dir))
        return env


def get_settings() -> Settings:
    return Settings.from_env()


def airflow_env(airflow_home: Path, settings: Settings | None = None) -> dict[str, str]:
    """Environment for any `airflow` process of this project (CLI, standalone, tests).

    The Makefile exports the same variables; tests use this to build a temporary Airflow home.
    """
    s = settings or get_settings()
    return {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(s.home / "dags"),
        # the repo's plugins/: only riskradar_plugin.py is a plugin (.airflowignore skips the
        # package), and it imports the package lazily, so no Airflow process pays for pandas/duckdb
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(s.home / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "RISKRADAR_HOME": str(s.home),
        "RISKRADAR_DATA_DIR": str(s.data_dir),
        "RISKRADAR_CONFIG_DIR": str(s.config_dir),
        "NLTK_DATA": str(s.nltk_data_dir),
        "DBT_PROFILES_DIR": str(s.dbt_project_dir),
        **({} if isinstance(s.data_dir, Path) else {"RISKRADAR_LOCAL_DIR": str(s.local_dir)}),
    }
