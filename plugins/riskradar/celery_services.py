"""CeleryExecutor on one machine, for tests and local scripts: the scheduler, dag-processor and
api-server of `riskradar.scheduler` plus N `airflow celery worker` processes.

With the CeleryExecutor the scheduler only queues task workloads on the broker (Redis); each
`airflow celery worker` takes them off and runs them (its pool forks the task supervisor, which
reports to the api-server like any task). Task state and the Celery results live in the metadata
DB, which must be a server (PostgreSQL): a SQLite file cannot be shared by several machines.

Several workers on one machine need what separate machines have anyway: a distinct name (the
Celery node name `--celery-hostname`, and the `task_instance.hostname` that tasks report, which is
the FQDN unless `[core] hostname_callable` says otherwise) and their own log-server port.
`worker_hostname` is that callable; it reads `RISKRADAR_WORKER_HOSTNAME`, set per worker here.
Nothing heavy is imported: the scheduler and every task process import this module.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass

from riskradar.scheduler import AirflowServices, airflow_exe, free_port

WORKER_HOSTNAME_ENV = "RISKRADAR_WORKER_HOSTNAME"
HOSTNAME_CALLABLE = "riskradar.celery_services.worker_hostname"


def worker_hostname() -> str:
    """`[core] hostname_callable`: the worker's own name when several share a machine, else the FQDN."""
    return os.environ.get(WORKER_HOSTNAME_ENV) or socket.getfqdn()


def celery_env(base: dict[str, str], *, broker_url: str, metadata_url: str) -> dict[str, str]:
    """`base` (e.g. from `service_env`) switched to the CeleryExecutor.

    `metadata_url`: the SQLAlchemy URL of the PostgreSQL metadata DB; Celery keeps its task
    results there too (`db+` prefix: Celery's database result backend).
    """
    if metadata_url.startswith("sqlite"):
        raise ValueError("CeleryExecutor needs a metadata DB server (PostgreSQL), not SQLite: "
                         "set AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://...")
    env = dict(base)
    env.update({
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata_url}",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": HOSTNAME_CALLABLE,
    })
    # one task at a time per worker unless told otherwise: with Airflow's prefetch multiplier
    # of 1, a busy worker leaves the next queued task to an idle one
    env.setdefault("AIRFLOW__CELERY__WORKER_CONCURRENCY", "1")
    return env


@dataclass
class CeleryServices(AirflowServices):
    """`AirflowServices` plus one `airflow celery worker` per name in `workers`; a context manager.

    `env` must come from `celery_env`. Worker logs: `<AIRFLOW_HOME>/services/worker-<name>.log`.
    """

    workers: Sequence[str] = ("worker-a", "worker-b")

    def start(self, timeout: float = 120) -> CeleryServices:
        if self.env.get("AIRFLOW__CORE__EXECUTOR") != "CeleryExecutor":
            raise ValueError("CeleryServices needs an env from celery_env() (AIRFLOW__CORE__EXECUTOR=CeleryExecutor)")
        super().start(timeout)
        for name in self.workers:
            env = {**self.env, WORKER_HOSTNAME_ENV: name,
                   "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
            self.spawn(f"worker-{name}", [airflow_exe(), "celery", "worker", "--celery-hostname", name,
                                          "--concurrency", env["AIRFLOW__CELERY__WORKER_CONCURRENCY"]], env)
        self.wait_workers_ready(timeout)
        return self

    def wait_workers_ready(self, timeout: float) -> None:
        """Block until every worker has connected to the broker (Celery logs `<node> ready.`)."""
        deadline = time.monotonic() + timeout
        waiting = list(self.workers)
        while waiting and time.monotonic() < deadline:
            self.check_alive()
            waiting = [n for n in waiting if f"@{n} ready." not in self.tail(f"worker-{n}", chars=200_000)]
            time.sleep(1)
        if waiting:
            raise TimeoutError(f"celery workers {waiting} not ready after {timeout}s:\n"
                               + "\n".join(self.tail(f"worker-{n}") for n in waiting))
