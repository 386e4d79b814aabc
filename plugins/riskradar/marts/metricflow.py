"""MetricFlow (`mf`) over this data dir's dbt artifacts: a linked project directory and its env."""

from __future__ import annotations

from pathlib import Path

from riskradar.config import Settings
from riskradar.marts.dbt import dbt_dir, target_dir

# What `mf` needs of the dbt project, linked into its per-data-dir project (metricflow_dir)
_MF_PROJECT_ENTRIES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests")


def metricflow_dir(settings: Settings) -> Path:
    """A project directory for `mf` (MetricFlow's CLI) that sees this data dir's dbt artifacts.

    `mf` reads `<project>/target/semantic_manifest.json`, a path it does not let us change,
    while our target path lives under `<data_dir>/dbt/target` (one state per data dir, clean
    project dir). So `<data_dir>/dbt/metricflow/` holds symlinks to the project's files plus
    `target -> <data_dir>/dbt/target`; `mf`'s own logs land there too. Idempotent.
    """
    root = dbt_dir(settings) / "metricflow"
    root.mkdir(parents=True, exist_ok=True)
    links = {name: settings.dbt_project_dir / name for name in _MF_PROJECT_ENTRIES}
    links["target"] = target_dir(settings)
    for name, destination in links.items():
        if not destination.exists():
            continue
        link = root / name
        if link.is_symlink() and link.resolve() == destination.resolve():
            continue
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(destination.resolve(), target_is_directory=destination.is_dir())
    return root


def metricflow_env(settings: Settings) -> dict[str, str]:
    """Environment for an `mf` process: dbt's env plus the project/profiles dir of metricflow_dir.

    Run `mf` only after a dbt build (it needs the semantic manifest) and while no dbt run holds
    the warehouse (DuckDB has one writer).
    """
    project = metricflow_dir(settings)
    return {
        **settings.dbt_env(),
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
