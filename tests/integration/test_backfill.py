"""Backfills through the real scheduler equal sequential daily runs, and clearing a day is safe.

Two data dirs read the same sample feeds over HTTP on 127.0.0.1:
- **backfill**: dag-processor + scheduler + api-server run; `airflow backfill create` queues two
  days of `media_ingest`, then two of `risk_metrics` (both `--max-active-runs 1`, the UI's default:
  ingest dedups against earlier intervals, so concurrent days land different rows);
  the scheduler runs them with LocalExecutor.
- **sequential**: the same two days, one after the other, with `airflow dags test` (no scheduler).

The warehouses must hold identical mart rows (run ids and wall-clock timestamps aside). Then the
first day is cleared (so its rerun comes after a later day was built) with `airflow tasks clear` in both DAGs, the scheduler reruns it, and the marts
must still be identical: a rerun replaces its interval, never appends.

Three of the ten sources and two days keep the test short; the mechanics (days land in order,
one dbt writer, a rerun replaces its interval) do not depend on the number of sources or days.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, FeedServer, project_env, run, write_served_config  # tests/ is on sys.path
from riskradar.config import Settings
from riskradar.scheduler import AirflowServices, dag_runs, query, service_env, wait_for_runs

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
FIRST, LAST = "2026-08-01", "2026-08-02"  # backfill window: two daily intervals
DAYS = ("2026-08-01", "2026-08-02")
# manual-run semantics: `airflow dags test D T` processes the interval that ends at T
MANUAL_LOGICAL_DATES = ("2026-08-02", "2026-08-03")
CLEARED_DAY = "2026-08-01"
N_SOURCES = 3
# Columns that legitimately differ between two runs of the same interval.
VOLATILE = ("run_id", "_at", "duration", "seconds", "latency")
NOT_TIMESTAMPS = ("published_at", "mention_at", "event_at", "occurred_at", "updated_at")
# Surrogate keys hashed from a run id (one gate result per run: an audit log, not a metric).
RUN_KEYED = ("dq_result_id",)
# Gate results are an audit log: every run (a cleared rerun too) appends its own record. Compared
# as distinct rows: a rerun may add an identical record, never a different one.
AUDIT_LOGS = ("fct_dq_results", "stg_riskradar__dq_results")


def airflow(args: list[str], env: dict, timeout: int = 600, attempts: int = 4) -> subprocess.CompletedProcess:
    """Run an idempotent airflow command; retry while the busy SQLite metadata DB is locked."""
    for _ in range(attempts - 1):
        proc = subprocess.run([str(BIN / "airflow"), *args], env=env, text=True, capture_output=True, timeout=timeout)
        if proc.returncode == 0 or "database is locked" not in proc.stdout + proc.stderr:
            break
        time.sleep(3)
    else:
        proc = subprocess.run([str(BIN / "airflow"), *args], env=env, text=True, capture_output=True, timeout=timeout)
    assert proc.returncode == 0, f"airflow {' '.join(args)} exited {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def backfill_env(settings: Settings, airflow_home: Path, feeds: Path) -> dict[str, str]:
    return {**project_env(settings, airflow_home, feeds), "RISKRADAR_DBT_LOG_LEVEL": "warn"}


def is_volatile(column: str) -> bool:
    name = column.lower()
    if name in RUN_KEYED:
        return True
    if name in NOT_TIMESTAMPS:
        return False
    return any(part in name for part in VOLATILE)


def mart_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table and view in the warehouse as sorted rows, volatile columns dropped."""
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2").fetchall()
        for schema, name in relations:
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall() if not is_volatile(c)]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{name}"').fetchall()
            if name in AUDIT_LOGS:
                rows = list({repr(r): r for r in rows}.values())
            out[f"{schema}.{name}"] = sorted(rows, key=repr)
    return out


def assert_same_marts(left: Path, right: Path, skip: tuple[str, ...] = ()) -> dict[str, int]:
    a, b = mart_rows(left), mart_rows(right)
    for name in skip:
        a.pop(f"main.{name}", None), b.pop(f"main.{name}", None)
    assert sorted(a) == sorted(b), f"different relations: {sorted(set(a) ^ set(b))}"
    for name in a:
        left, right = {repr(r) for r in a[name]}, {repr(r) for r in b[name]}
        missing, extra = sorted(right - left), sorted(left - right)
        assert a[name] == b[name], (f"{name}: {len(a[name])} vs {len(b[name])} rows; only sequential: "
                                    f"{missing[:3]}; only backfill: {extra[:3]}")
    return {name: len(rows) for name, rows in a.items()}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Sample feeds served over HTTP, a config with three sources, two data dirs, two Airflow homes."""
    tmp = tmp_path_factory.mktemp("backfill")
    feeds, config = tmp / "feeds", tmp / "config"
    seq = Settings(home=REPO, data_dir=tmp / "sequential", config_dir=config)
    bf = Settings(home=REPO, data_dir=tmp / "backfill", config_dir=config)
    seq_env = backfill_env(seq, tmp / "airflow-sequential", feeds)
    bf_env = backfill_env(bf, tmp / "airflow-backfill", feeds)
    run([str(BIN / "riskradar"), "sample", "--start", FIRST, "--days", "3"], seq_env)
    with FeedServer(feeds) as server:
        write_served_config(config, server.url, limit=N_SOURCES)
        run([str(BIN / "riskradar"), "setup"], seq_env)
        run([str(BIN / "riskradar"), "setup"], bf_env)
        yield {"seq": seq, "bf": bf, "seq_env": seq_env, "bf_env": bf_env}


def test_backfill_equals_sequential_runs_and_clear_is_idempotent(world):
    seq, bf = world["seq"], world["bf"]

    # --- sequential: `airflow dags test`, ingest then metrics, day after day (own home and data
    # dir, so it runs beside the backfill below) ---
    errors: list[BaseException] = []

    def sequential() -> None:
        try:
            for logical in MANUAL_LOGICAL_DATES:
                for dag_id in ("media_ingest", "risk_metrics"):
                    airflow(["dags", "test", dag_id, logical], world["seq_env"], attempts=1)
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)

    seq_thread = threading.Thread(target=sequential, daemon=True)
    seq_thread.start()

    # --- backfill through the scheduler ---
    env = service_env(world["bf_env"])
    # Queue both backfills before the services start (SQLite has one writer at a time). The
    # scheduler starts backfill runs of unpaused DAGs only (the UI dialog offers "Unpause on
    # trigger"); service_env turned interval scheduling off, so unpausing does not also start
    # today's run. risk_metrics stays paused until the ingest backfill is done, so its sensor
    # finds every day's scores at the first poke.
    airflow(["dags", "reserialize"], env)
    airflow(["dags", "unpause", "media_ingest"], env)
    # --max-active-runs 1 (the UI dialog's default; the CLI's is 10): ingest dedups against the
    # intervals landed before, so days must land in order to equal sequential runs
    airflow(["backfill", "create", "--dag-id", "media_ingest", "--from-date", FIRST, "--to-date", LAST,
             "--max-active-runs", "1"], env, attempts=1)
    airflow(["backfill", "create", "--dag-id", "risk_metrics", "--from-date", FIRST, "--to-date", LAST,
             "--max-active-runs", "1"], env, attempts=1)
    with AirflowServices(env) as services:
        services.wait_serialized(["media_ingest", "risk_metrics"])
        ingest_runs = wait_for_runs(services, "media_ingest", len(DAYS), timeout=900)
        airflow(["dags", "unpause", "risk_metrics"], env)
        metric_runs = wait_for_runs(services, "risk_metrics", len(DAYS), timeout=900)
        seq_thread.join(timeout=900)
        assert not errors, errors
        assert not seq_thread.is_alive(), "sequential dags test runs did not finish"

        # backfill runs: logical date = data interval start, one full day each
        for runs in (ingest_runs, metric_runs):
            assert [r["run_type"] for r in runs] == ["backfill"] * len(DAYS)
            assert [r["data_interval_start"][:10] for r in runs] == list(DAYS)
            assert [r["data_interval_end"][:10] for r in runs] == list(MANUAL_LOGICAL_DATES)
        # the warehouse writer held the 1-slot pool: no two dbt builds overlapped
        builds = query(services.home, "select pool, start_date, end_date from task_instance "
                       "where dag_id = 'risk_metrics' and task_id = 'build_marts' order by start_date")
        assert len(builds) == len(DAYS) and {b[0] for b in builds} == {"duckdb_writer"}
        assert all(later[1] >= earlier[2] for earlier, later in zip(builds, builds[1:], strict=False))
        counts = assert_same_marts(seq.warehouse_path, bf.warehouse_path)
        assert counts["main.fct_mentions"] > 0 and counts["main.fct_topic_daily"] > 0

        # --- clear one day in both DAGs; the scheduler reruns it ---
        for dag_id in ("media_ingest", "risk_metrics"):
            airflow(["tasks", "clear", dag_id, "--start-date", CLEARED_DAY, "--end-date", CLEARED_DAY, "--yes"], env)
            wait_for_runs(services, dag_id, len(DAYS), timeout=600)
            cleared = [r for r in dag_runs(services.home, dag_id) if r["clear_number"]]
            assert [r["data_interval_start"][:10] for r in cleared] == [CLEARED_DAY], dag_id
            assert cleared[0]["state"] == "success"
        # gate results record what the gate saw when it ran: a rerun of day 1 after day 2 was
        # built observes more rows, so the audit log legitimately differs; the marts must not
        after = assert_same_marts(seq.warehouse_path, bf.warehouse_path, skip=AUDIT_LOGS)
        assert after == {k: v for k, v in counts.items() if k.split(".", 1)[1] not in AUDIT_LOGS}

    # the zones hold exactly one part per source and day, in both data dirs
    for settings in (seq, bf):
        for zone in (settings.landing_dir, settings.scored_dir):
            parts = sorted(p.relative_to(zone).as_posix() for p in zone.glob("source=*/date=*/*.parquet"))
            assert len(parts) == N_SOURCES * len(DAYS), parts
            assert not list(zone.glob("source=*/date=*/.*")), "temp files left behind"
