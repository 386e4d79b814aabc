"""The interval build: `dbt build` for one Airflow data interval (microbatch models replace exactly
the days of `--event-time-start/--event-time-end`), resumable with `dbt retry` when its inputs did not
change, then mart row counts read-only."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from riskradar import storage
from riskradar.config import Settings
from riskradar.marts.dbt import DbtBuildError, dbt_target, run_dbt, target_dir
from riskradar.marts.reference import write_sources_reference
from riskradar.storage import as_utc

# Marts whose rows for the built days the summary reports: model -> its day column.
MART_DAY_COLUMNS: dict[str, str] = {
    "fct_mentions": "mention_date",
    "fct_topic_daily": "mention_date",
    "fct_topic_spikes": "mention_date",
    "fct_risk_alerts": "mention_date",
    "fct_source_health_daily": "health_date",
}
# Days before the interval that every daily build re-processes as well: an item published late
# on day D is often fetched in the interval of D+1, and a corrected item comes back a day later.
DEFAULT_LOOKBACK_DAYS = 1
# dbt tests that scan every scored part (see dbt_project.yml); audit runs only
FULL_HISTORY_TAG = "full_history"

log = logging.getLogger(__name__)


def _iso(ts: datetime) -> str:
    return as_utc(ts).strftime("%Y-%m-%dT%H:%M:%S")


def _node_counts(result: Any) -> dict[str, int]:
    counts = {"ok": 0, "failed": 0, "skipped": 0, "tests_passed": 0, "tests_warned": 0, "models": 0}
    for node_result in getattr(result.result, "results", None) or []:
        status = str(node_result.status).lower().split(".")[-1]
        resource = getattr(node_result.node, "resource_type", "")
        resource = str(resource).lower().split(".")[-1]
        if status in {"success", "pass", "warn"}:
            counts["ok"] += 1
        elif status in {"error", "fail"}:
            counts["failed"] += 1
        elif status == "skipped":
            counts["skipped"] += 1
        if resource in {"test", "unit_test"} and status == "pass":
            counts["tests_passed"] += 1
        if resource in {"test", "unit_test"} and status == "warn":
            counts["tests_warned"] += 1
        if resource == "model" and status == "success":
            counts["models"] += 1
    return counts


def _days(start: datetime, end: datetime) -> list[date]:
    s, e = as_utc(start), as_utc(end)
    days, d = [], s.date()
    while datetime(d.year, d.month, d.day, tzinfo=UTC) < e:
        days.append(d)
        d += timedelta(days=1)
    return days or [s.date()]


def mart_row_counts(settings: Settings, days: list[date], target: str | None = None) -> dict[str, int]:
    """Rows per mart for the given days, read-only through riskradar.warehouse (after dbt has finished)."""
    from riskradar import warehouse

    bounds = [min(days), max(days)]
    with warehouse.connect(settings, engine=target or dbt_target()) as wh:
        return _count_marts(wh.tables(), lambda model, column: wh.scalar(
            f"select count(*) from {wh.relation(model)} where {column} between ? and ?", bounds))  # noqa: S608


def _count_marts(present: set[str], count: Callable[[str, str], int]) -> dict[str, int]:
    """count(model, day column) for every mart of MART_DAY_COLUMNS the warehouse has."""
    return {model: count(model, column) for model, column in MART_DAY_COLUMNS.items() if model in present}


# Everything a build reads: if none of it changed since a failed build of the same interval, a
# retry may resume that build (`dbt retry`) instead of starting over.
_INPUT_ZONES = ("scored", "source_health", "dq_results", "reference", "alert_events")
_BUILD_STATE = "riskradar_build.json"


def _digest_files(digest: Any, root: Any, *, content: bool = False) -> None:
    """Add every file under `root` (dbt's target/ and logs/ and dot files aside) to `digest`: its
    path, size and mtime, or with `content=True` its relative path and bytes. A zone on an object
    store: one listing of its prefix, each object's key, size and ETag (a rewrite changes it)."""
    if storage.is_remote(root):
        for key, info in sorted(root.fs.find(root.path, detail=True).items()):
            digest.update(f"{root.protocol}://{key}\0{info.get('size')}\0{info.get('ETag')}\n".encode())
        return
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or "target" in path.relative_to(root).parts[:1] \
                or "logs" in path.relative_to(root).parts[:1]:
            continue
        if content:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\n")
        else:
            st = path.stat()
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())


def inputs_fingerprint(settings: Settings) -> str:
    """Hash of the build's inputs: zone files (path, size, mtime), the dbt project's files and
    the warehouse path. Cheap (a directory walk), and any rewrite of an input changes it."""
    digest = hashlib.sha1(str(settings.warehouse_path).encode())
    for root in [settings.data_dir / zone for zone in _INPUT_ZONES] + [settings.dbt_project_dir]:
        _digest_files(digest, root)
    return digest.hexdigest()


# dbt unit tests check the models' SQL on fixed inputs, not the day's data: the same project gives
# the same result every day. dbt recommends running them in development and CI, not in every
# production build. A build here runs them whenever the project (its files' contents) or the
# target differs from the last build in which they all passed, so a changed model is always
# unit-tested before it materialises; otherwise the build excludes them (about 14 nodes, a few
# seconds of fixed cost per daily build). RISKRADAR_DBT_UNIT_TESTS=always runs them every time.
_UNIT_TESTS_STATE = "riskradar_unit_tests.json"


def project_fingerprint(settings: Settings, target: str) -> str:
    """Hash of the dbt project's file contents and the target: what the unit tests' result depends on."""
    digest = hashlib.sha1(target.encode())
    _digest_files(digest, settings.dbt_project_dir, content=True)
    return digest.hexdigest()


def unit_tests_needed(settings: Settings, target: str, fingerprint: str) -> bool:
    """Must this build run the unit tests: always when asked, or when the project changed since
    they last all passed in this target dir?"""
    if os.environ.get("RISKRADAR_DBT_UNIT_TESTS", "changed").strip().lower() == "always":
        return True
    try:
        state = json.loads((target_dir(settings, target) / _UNIT_TESTS_STATE).read_text())
    except (OSError, ValueError):
        return True
    return state.get("project") != fingerprint


def _resumable(settings: Settings, event_time_start: str, event_time_end: str, fingerprint: str,
               target: str | None = None) -> bool:
    """Did the last build in this target dir fail for the same interval, on the same inputs?"""
    state_path = target_dir(settings, target) / _BUILD_STATE
    results_path = target_dir(settings, target) / "run_results.json"
    try:
        state = json.loads(state_path.read_text())
        results = json.loads(results_path.read_text())
    except (OSError, ValueError):
        return False
    args = results.get("args") or {}
    unfinished = any(r.get("status") in ("error", "fail", "skipped", "runtime error")
                     for r in results.get("results") or [])
    return (state.get("status") == "failed" and state.get("fingerprint") == fingerprint
            and state.get("event_time_start") == event_time_start and state.get("event_time_end") == event_time_end
            and args.get("which") in ("build", "retry") and unfinished)


def _node_results(result: Any) -> list[dict[str, Any]]:
    """Per-model outcome of a dbt invocation (tests are counted in `nodes`), for the task log."""
    rows = []
    for node_result in getattr(result.result, "results", None) or []:
        node = node_result.node
        if str(getattr(node, "resource_type", "")).lower().split(".")[-1] != "model":
            continue
        rows.append({"model": node.name, "status": str(node_result.status).lower().split(".")[-1],
                     "seconds": round(float(getattr(node_result, "execution_time", 0) or 0), 2)})
    return sorted(rows, key=lambda r: r["model"])


def build_interval(start: datetime, end: datetime, settings: Settings,
                   lookback_days: int = DEFAULT_LOOKBACK_DAYS,
                   full_history_tests: bool = False, resume: bool = False,
                   target: str | None = None) -> dict[str, Any]:
    """`dbt build` for one data interval; returns a small JSON-able summary.

    The microbatch marts rebuild the interval's days plus `lookback_days` before it (late and
    corrected items); the small table marts rebuild whole; the marts' data tests run, and the dbt
    unit tests run when the project changed since they last passed (`unit_tests_needed`). Tests
    tagged `full_history` (on the staging and intermediate views, which scan every scored part)
    run only with `full_history_tests=True`, so a daily run's cost follows the new day, not the
    size of history.

    `resume=True` (the Airflow task's retries) continues a failed build of the same interval with
    `dbt retry` (only the failed and skipped nodes run again) when nothing it reads has changed
    since; otherwise it builds afresh. The summary lists every model's status and time, so the
    task log shows per-model progress without one Airflow task per model.

    `target` (default dbt_target(), i.e. RISKRADAR_DBT_TARGET): on `postgres` the zones are first
    loaded into PostgreSQL (riskradar.marts.pg_zones: the partitions from the build's first day on),
    then the same dbt project builds there.
    """
    started = time.monotonic()
    target = target or dbt_target()
    start, end = as_utc(start), as_utc(end)
    build_start = start - timedelta(days=lookback_days)
    write_sources_reference(settings)
    loaded, warehouse = None, str(settings.warehouse_path)
    if target == "postgres":
        from riskradar.marts.pg_zones import load_zones, pg_location

        loaded, warehouse = load_zones(settings, since=build_start.date()), pg_location()
    fingerprint = inputs_fingerprint(settings)
    resumed = resume and _resumable(settings, _iso(build_start), _iso(end), fingerprint, target)
    project = project_fingerprint(settings, target)
    unit_tests = not resumed and unit_tests_needed(settings, target, project)
    if resumed:
        args = ["retry"]
    else:
        args = ["build", "--event-time-start", _iso(build_start), "--event-time-end", _iso(end)]
        if not full_history_tests:
            args += ["--exclude", f"tag:{FULL_HISTORY_TAG}"]
        if not unit_tests:
            args += ["--exclude-resource-type", "unit_test"]
    state = {"event_time_start": _iso(build_start), "event_time_end": _iso(end), "fingerprint": fingerprint,
             "status": "running", "command": args[0]}
    state_path = target_dir(settings, target) / _BUILD_STATE
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps(state))
    try:
        result = run_dbt(args, settings, target)
    except DbtBuildError:
        state_path.write_text(json.dumps({**state, "status": "failed"}))
        raise
    state_path.write_text(json.dumps({**state, "status": "success"}))
    if unit_tests:
        (target_dir(settings, target) / _UNIT_TESTS_STATE).write_text(
            json.dumps({"project": project, "passed_at": datetime.now(UTC).isoformat(timespec="seconds")}))
    days = _days(start, end)
    models = _node_results(result)
    for row in models:
        log.info("dbt model %-40s %-8s %6.2fs", row["model"], row["status"], row["seconds"])
    summary: dict[str, Any] = {
        "interval_start": start.isoformat(),
        "interval_end": end.isoformat(),
        "event_time_start": build_start.isoformat(),
        "days": [d.isoformat() for d in days],
        "full_history_tests": full_history_tests,
        "resumed": resumed,
        "unit_tests": "ran" if unit_tests else ("resumed" if resumed else "skipped: the dbt project is unchanged "
                                                 "since the build in which they all passed"),
        "nodes": _node_counts(result),
        "models": models,
        "rows": mart_row_counts(settings, days, target),
        "target": target,
        "warehouse": warehouse,
    }
    if loaded is not None:
        summary["zones_loaded"] = loaded
    summary["elapsed_seconds"] = round(time.monotonic() - started, 2)
    return summary
