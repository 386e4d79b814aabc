"""Run the project's DAGs through Airflow itself (dag.test: real DagRuns, task instances, XComs and
retries recorded in the metadata DB), one process for many days so the demo does not pay Airflow's
and the libraries' start-up cost per day.

Manual-run semantics of a data-interval timetable: a run whose logical date is T processes the
interval that ends at T. So a daily DAG processes day D in the run with logical date D + 1 day,
00:00 UTC, and hourly media_ingest in the 24 runs D 01:00 .. D + 1 day 00:00.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from riskradar.config import Settings, airflow_env, get_settings

DAG_IDS = ("media_ingest", "risk_metrics")
POOL = ("duckdb_writer", "1", "Single writer of the DuckDB warehouse (dbt).")


def apply_airflow_env(settings: Settings, airflow_home: Path | None = None) -> dict[str, str]:
    """Put the project's Airflow settings into os.environ (before airflow is imported)."""
    home = airflow_home or Path(os.environ.get("AIRFLOW_HOME") or settings.home / ".airflow")
    env = airflow_env(home, settings)
    for key, value in env.items():
        if key == "AIRFLOW_HOME" or key not in os.environ:
            os.environ[key] = value
    return env


def airflow_cli(args: list[str], env: dict[str, str] | None = None, check: bool = True,
                capture: bool = True) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("airflow")
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([str(exe), *args], env=full_env, text=True, capture_output=capture)
    if check and proc.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def init_airflow_home(settings: Settings, airflow_home: Path | None = None, quiet: bool = True) -> Path:
    """Create the metadata DB (SQLite) and the duckdb_writer pool. Fast when already done."""
    env = apply_airflow_env(settings, airflow_home)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    stamp = home / ".riskradar-initialized"
    import importlib.metadata as md

    version = md.version("apache-airflow")
    if stamp.exists() and stamp.read_text().strip() == version and (home / "airflow.db").exists():
        return home
    if not quiet:
        print(f"==> initialising Airflow {version} home at {home}", flush=True)
    airflow_cli(["db", "migrate"], env)
    airflow_cli(["pools", "set", *POOL], env)
    stamp.write_text(version)
    return home


def load_dags(settings: Settings) -> dict:
    from airflow.dag_processing.dagbag import BundleDagBag

    dags = settings.home / "dags"  # the dags folder is the bundle: on sys.path, as the dag-processor has it
    bag = BundleDagBag(dag_folder=str(dags), bundle_path=dags)
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return {dag_id: bag.get_dag(dag_id) for dag_id in DAG_IDS}


def day_logical_dates(dag, day: date) -> list[datetime]:
    """Logical dates of the manual runs that process `day` whole: one per interval of the DAG's
    cron inside the day (24 for hourly media_ingest, 1 for a daily DAG), each the interval's end."""
    from croniter import croniter

    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    ticks = croniter(dag.timetable.expression, start)  # ticks strictly after start
    ends = []
    while (tick := ticks.get_next(datetime)) <= end:
        ends.append(tick)
    if not ends or ends[-1] != end:
        raise ValueError(f"{dag.dag_id}: cron {dag.timetable.expression!r} does not tile the UTC day")
    return ends


def run_day(dag, day: date, conf: dict | None = None) -> tuple[str, list[str]]:
    """Run one DAG over the data intervals that make up [day, day + 1), in order; return (state,
    failed task ids) of the first run that did not succeed, or of the last."""
    from airflow.settings import Session

    state, failed = "success", []
    for logical in day_logical_dates(dag, day):
        dr = dag.test(logical_date=logical, run_conf=conf)
        state = str(getattr(dr.state, "value", dr.state))
        with Session() as session:
            tis = dr.get_task_instances(session=session) if hasattr(dr, "get_task_instances") else []
            failed = [f"{ti.task_id}[{ti.map_index}]" if ti.map_index >= 0 else ti.task_id
                      for ti in tis if str(getattr(ti.state, "value", ti.state)) in ("failed", "upstream_failed")]
        if state != "success":
            break
    return state, failed


def run_days(days: list[date], settings: Settings | None = None,
             progress: Callable[[str], None] = print, dag_ids: tuple[str, ...] = DAG_IDS) -> list[dict]:
    """Run each DAG for each day in order (ingest before metrics), stopping at the first failure."""
    s = settings or get_settings()
    dags = load_dags(s)
    results = []
    total_started = time.perf_counter()
    for i, day in enumerate(days, 1):
        row: dict = {"day": day.isoformat()}
        for dag_id in dag_ids:
            started = time.perf_counter()
            state, failed = run_day(dags[dag_id], day)
            row[dag_id] = state
            row[f"{dag_id}_seconds"] = round(time.perf_counter() - started, 1)
            if state != "success":
                raise RuntimeError(f"{dag_id} for {day} ended {state}; failed tasks: {', '.join(failed) or '?'}; "
                                   f"see the task logs under {os.environ.get('AIRFLOW_HOME')}/logs")
        elapsed = time.perf_counter() - total_started
        eta = elapsed / i * (len(days) - i)
        progress(f"[{i:>3}/{len(days)}] {day}  " + "  ".join(f"{d}={row[d]} ({row[d + '_seconds']}s)" for d in dag_ids)
                 + f"  elapsed {elapsed:,.0f}s, eta {eta:,.0f}s")
        results.append(row)
    return results
