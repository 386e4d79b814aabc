"""dbt, in process: the only writer of the DuckDB warehouse.

`run_dbt` invokes dbt's in-process runner (one at a time) on the configured target;
riskradar.marts.build uses it for the interval builds, `generate_docs` for the docs site. Target and
log paths live under `<data_dir>/dbt/` (`Settings.local_dir`: RISKRADAR_LOCAL_DIR when the zones are
on S3), so the project directory stays clean, partial parsing is reused between runs of one data
dir, and test data dirs never share dbt state.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from riskradar.config import Settings

# profiles.yml targets: the embedded DuckDB warehouse, or PostgreSQL (zones loaded by riskradar.marts.pg_zones)
DBT_TARGETS = ("duckdb", "postgres")
log = logging.getLogger(__name__)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DBT_LOCK = threading.Lock()  # dbt's in-process runner is not re-entrant


class DbtBuildError(RuntimeError):
    """A dbt invocation failed; the message names the failing nodes and their errors."""

    def __init__(self, message: str, failures: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.failures = failures or []


def dbt_dir(settings: Settings) -> Path:
    """Per data dir dbt state: target/ (manifest, partial parse, docs site) and logs/."""
    return settings.local_dir / "dbt"


def dbt_target() -> str:
    """The profiles.yml target dbt builds: `duckdb` (default) or `postgres` (RISKRADAR_DBT_TARGET)."""
    target = os.environ.get("RISKRADAR_DBT_TARGET", "duckdb")
    if target not in DBT_TARGETS:
        raise ValueError(f"RISKRADAR_DBT_TARGET={target!r}: expected one of {', '.join(DBT_TARGETS)}")
    return target


def target_dir(settings: Settings, target: str | None = None) -> Path:
    """dbt's target path (manifest, run results, docs site): one per warehouse, so a PostgreSQL
    build never reuses the DuckDB build's state (retry, partial parse)."""
    target = target or dbt_target()
    return dbt_dir(settings) / ("target" if target == "duckdb" else f"target-{target}")


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of an in-process dbt call, then restore."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _failures(result: Any) -> list[dict[str, str]]:
    """Failing nodes of a dbtRunnerResult (run results with status error/fail)."""
    failures: list[dict[str, str]] = []
    run_results = getattr(result, "result", None)
    for node_result in getattr(run_results, "results", None) or []:
        status = str(getattr(node_result, "status", ""))
        if status.lower().split(".")[-1] in {"error", "fail", "partial success"}:
            node = getattr(node_result, "node", None)
            failures.append(
                {
                    "node": getattr(node, "unique_id", None) or getattr(node, "name", "?"),
                    "status": status,
                    "message": _ANSI.sub("", str(getattr(node_result, "message", "") or ""))[:3000],
                }
            )
    return failures


def _release_warehouse() -> None:
    """Close the DuckDB handle dbt-duckdb keeps in process after a run.

    dbt-duckdb caches one read-write connection per process; while it is open nobody (not even
    this process) can open the warehouse read-only, and an Airflow worker would hold the file.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter (e.g. a Postgres target): nothing cached here
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None


def run_dbt(args: list[str], settings: Settings, target: str | None = None) -> Any:
    """Run one dbt command in process with the project's env; raise DbtBuildError on failure.

    Returns the `dbtRunnerResult` (`.success`, `.result`). Project, profiles, target and log
    paths are always set here, so callers pass only the command and its selectors. `target`:
    a profiles.yml target (default dbt_target()).
    """
    from dbt.cli.main import dbtRunner

    target = target or dbt_target()
    dbt_state = dbt_dir(settings)
    dbt_state.mkdir(parents=True, exist_ok=True)
    full_args = [
        *args,
        "--project-dir", str(settings.dbt_project_dir),
        "--profiles-dir", str(settings.dbt_project_dir),
        "--target", target,
        "--target-path", str(target_dir(settings, target)),
        "--log-path", str(dbt_state / "logs"),
        # console verbosity: Airflow task logs show dbt's progress (info); the demo sets "warn".
        # The file log under <data>/dbt/logs keeps everything either way.
        "--log-level", os.environ.get("RISKRADAR_DBT_LOG_LEVEL", "info"),
        "--log-level-file", "debug",
    ]
    env = {**settings.dbt_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    with _DBT_LOCK, _environment(env):
        try:
            result = dbtRunner().invoke(full_args)
        finally:
            _release_warehouse()
    if not result.success:
        failures = _failures(result)
        lines = [f"  {f['node']} [{f['status']}]: {f['message']}" for f in failures]
        if result.exception is not None:
            lines.append(f"  {type(result.exception).__name__}: {result.exception}")
        detail = "\n".join(lines) or "  (no node failed; see the dbt log)"
        raise DbtBuildError(
            f"dbt {' '.join(args)} failed ({len(failures)} failing node(s)); log: "
            f"{dbt_state / 'logs' / 'dbt.log'}\n{detail}",
            failures,
        )
    return result


def generate_docs(settings: Settings) -> Path:
    """Build the dbt docs site (self-contained `static_index.html` too) and return its index.html."""
    from riskradar.marts.reference import write_sources_reference

    write_sources_reference(settings)
    run_dbt(["docs", "generate", "--static"], settings)
    index = target_dir(settings) / "index.html"
    if not index.exists():
        raise DbtBuildError(f"dbt docs generate finished but {index} is missing")
    return index
