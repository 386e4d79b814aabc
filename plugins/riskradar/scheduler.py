"""Start and stop the Airflow 3 services a backfill needs, for tests and local scripts.

`airflow backfill create` only writes queued DagRuns into the metadata DB; something has to run
them. In Airflow 3 that takes three processes: the **dag-processor** (parses the DAG files and
serializes them — the scheduler and the backfill command only see serialized DAGs), the
**scheduler** (with LocalExecutor it also runs the task processes), and the **api-server** (task
processes fetch their context and report state through its execution API at
`[core] execution_api_server_url`). `airflow standalone` starts the same three plus a triggerer
on fixed ports; here every port is picked free so tests never collide with a running
`make airflow` or with each other.

The run-state helpers read the metadata DB directly: the SQLite file read-only with the standard
library, or the server in `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN` (PostgreSQL) through SQLAlchemy.
Polling through `airflow dags list-runs` costs a 5-second interpreter start per poll.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("dag-processor", "scheduler", "api-server")
TERMINAL_RUN_STATES = frozenset({"success", "failed"})


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def airflow_exe() -> str:
    """The `airflow` script of the running interpreter's environment (never a PATH lookup)."""
    return str(Path(sys.executable).with_name("airflow"))


def service_env(base: dict[str, str], *, schedule_intervals: bool = False) -> dict[str, str]:
    """Environment for the three services: free ports, one JWT secret, fast polling.

    `schedule_intervals=False` turns off `[scheduler] use_job_schedule`, so unpausing a DAG (a
    backfill only runs for unpaused DAGs) does not also start today's scheduled run; backfill,
    manual and cleared runs are still executed.
    """
    api_port = free_port()
    env = dict(base)
    env.update({
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": env.get("AIRFLOW__API_AUTH__JWT_SECRET") or secrets.token_hex(32),
        "AIRFLOW__API__SECRET_KEY": env.get("AIRFLOW__API__SECRET_KEY") or secrets.token_hex(16),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(schedule_intervals),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "30",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        "AIRFLOW__API__WORKERS": "1",
    })
    env.setdefault("AIRFLOW__CORE__PARALLELISM", "4")
    return env


@dataclass
class AirflowServices:
    """dag-processor + scheduler + api-server as child processes; a context manager.

    Logs go to `<AIRFLOW_HOME>/services/<name>.log`; `tail()` shows them in assertion messages.
    """

    env: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.env['AIRFLOW__API__PORT']}"

    def log_path(self, name: str) -> Path:
        return self.home / "services" / f"{name}.log"

    def start(self, timeout: float = 120) -> AirflowServices:
        for name in SERVICES:
            args = [airflow_exe(), name]
            if name == "api-server":
                args += ["--port", self.env["AIRFLOW__API__PORT"], "--host", "127.0.0.1"]
            self.spawn(name, args)
        self.wait_api_ready(timeout)
        return self

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        """Start one service process, its output in `log_path(name)`."""
        (self.home / "services").mkdir(parents=True, exist_ok=True)
        log = self.log_path(name).open("ab")
        # own process group: stop() ends the service and the task processes it forked
        self.procs[name] = subprocess.Popen(args, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        log.close()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the metadata DB these services use (qmark parameters on either backend)."""
        url = self.env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
        return server_query(url, sql, params) if url and not url.startswith("sqlite") else query(self.home, sql, params)

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"airflow {name} exited with {proc.returncode}:\n{self.tail(name)}")

    def wait_api_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.api_url}/api/v2/monitor/health"
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(1)
        raise TimeoutError(f"api-server not healthy at {url} after {timeout}s:\n{self.tail('api-server')}")

    def wait_serialized(self, dag_ids: Iterable[str], timeout: float = 120) -> None:
        """Block until the dag-processor has serialized every DAG (backfill create needs it)."""
        wanted = set(dag_ids)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            rows = self.query("select dag_id from serialized_dag")
            if wanted <= {r[0] for r in rows}:
                return
            time.sleep(1)
        raise TimeoutError(f"DAGs {sorted(wanted)} not serialized after {timeout}s:\n{self.tail('dag-processor')}")

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.log_path(name)
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def stop(self, timeout: float = 30) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> AirflowServices:
        try:
            return self.start()
        except BaseException:  # a service died or never got ready: stop the ones already started
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def query(airflow_home: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the SQLite metadata DB of `airflow_home` (read-only; empty if it does not exist yet)."""
    db = Path(airflow_home) / "airflow.db"
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:  # table not created yet, or a writer holds the lock
        if "no such table" in str(exc) or "locked" in str(exc):
            return []
        raise
    finally:
        con.close()


def server_query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Read a metadata DB server (`AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`); `?` placeholders as for SQLite."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as con:
            return [tuple(r) for r in con.exec_driver_sql(sql.replace("?", "%s"), params).fetchall()]
    except sa.exc.ProgrammingError as exc:  # table not created yet (db migrate still running)
        if "does not exist" in str(exc):
            return []
        raise
    finally:
        engine.dispose()


def dag_runs(source: Path | AirflowServices, dag_id: str) -> list[dict]:
    """Runs of one DAG, oldest logical date first, with their data intervals and try counts.

    `source`: an Airflow home (its SQLite file) or running services (whatever DB they use)."""
    read = source.query if isinstance(source, AirflowServices) else (lambda *a: query(source, *a))
    rows = read(
        "select run_id, run_type, state, logical_date, data_interval_start, data_interval_end, "
        "clear_number from dag_run where dag_id = ? order by logical_date",
        (dag_id,),
    )
    keys = ("run_id", "run_type", "state", "logical_date", "data_interval_start", "data_interval_end",
            "clear_number")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def wait_for_runs(services: AirflowServices, dag_id: str, count: int, timeout: float = 600,
                  min_clear_number: int = 0) -> list[dict]:
    """Wait until `count` runs of `dag_id` are finished (cleared at least `min_clear_number` times).

    Raises with the runs' states and the scheduler log when a run fails or time runs out.
    """
    deadline = time.monotonic() + timeout
    runs: list[dict] = []
    while time.monotonic() < deadline:
        services.check_alive()
        runs = dag_runs(services, dag_id)
        done = [r for r in runs if r["state"] in TERMINAL_RUN_STATES and (r["clear_number"] or 0) >= min_clear_number]
        if len(runs) >= count and len(done) == len(runs):
            failed = [r for r in runs if r["state"] != "success"]
            if failed:
                raise RuntimeError(f"{dag_id}: runs failed: {failed}\n{services.tail('scheduler')}")
            return runs
        time.sleep(2)
    raise TimeoutError(f"{dag_id}: runs not finished after {timeout}s: {runs}\n{services.tail('scheduler')}")
