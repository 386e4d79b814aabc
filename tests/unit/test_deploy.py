"""The deployment recipe (deploy/) holds together without Docker: the compose file parses, has the
services of the CeleryExecutor test, builds every Airflow service from the one image, shares the
zones volume, and every environment variable it (or the Dockerfile) sets is one that Airflow or
RiskRadar actually reads — a misspelt `AIRFLOW__CELERY__BROKER_URL` would be silently ignored."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
AIRFLOW_SERVICES = {"airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-worker-1", "airflow-worker-2"}
# what the official postgres image reads (its docs, "Environment Variables")
POSTGRES_IMAGE_ENV = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_INITDB_ARGS", "PGDATA"}
# read by Python, Airflow's own tools, NLTK and dbt rather than through Airflow's config
TOOL_ENV = {"PYTHONUNBUFFERED", "PIP_DISABLE_PIP_VERSION_CHECK", "AIRFLOW_HOME", "NLTK_DATA", "DBT_PROFILES_DIR"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def dockerfile_env() -> dict[str, str]:
    """The ENV instructions of deploy/Dockerfile (continuation lines joined)."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(item.split("=", 1) for item in shlex.split(line[4:]))
    return env


def airflow_options() -> dict[str, set[str]]:
    """Every option Airflow and its installed providers (celery) declare, by section."""
    from airflow.configuration import conf

    return {section: set(desc.get("options", {})) for section, desc in conf.configuration_description.items()}


def riskradar_reads(name: str) -> bool:
    """`name` appears quoted in the package, the DAGs or the dbt project (os.environ / env_var)."""
    quoted = re.compile(rf"""["']{re.escape(name)}["']""")
    files = [*(REPO / "plugins").rglob("*.py"), *(REPO / "dags").glob("*.py"),
             *(REPO / "dbt_project").rglob("*.yml"), *(REPO / "dbt_project").rglob("*.sql")]
    return any(quoted.search(p.read_text(errors="replace")) for p in files)


def test_compose_has_the_services_of_the_celery_test(compose):
    services = compose["services"]
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "redis"}
    commands = {name: services[name].get("command") for name in AIRFLOW_SERVICES}
    assert commands["airflow-api-server"][0] == "api-server"
    assert commands["airflow-scheduler"] == ["scheduler"]
    assert commands["airflow-dag-processor"] == ["dag-processor"]
    workers = [c for c in commands.values() if c and c[:2] == ["celery", "worker"]]
    hostnames = [c[c.index("--celery-hostname") + 1] for c in workers]
    assert len(workers) == 2 and len(set(hostnames)) == 2, workers
    for name in ("airflow-worker-1", "airflow-worker-2"):
        assert services[name]["hostname"] in hostnames  # task_instance.hostname: one per worker
    assert services["airflow-init"]["entrypoint"] == ["riskradar"] and commands["airflow-init"] == ["setup"]


def test_one_image_from_the_dockerfile_installs_the_pinned_stack(compose):
    builds = {(s["image"], s["build"]["dockerfile"], s["build"]["context"])
              for name, s in compose["services"].items() if name in AIRFLOW_SERVICES}
    assert builds == {("riskradar:latest", "deploy/Dockerfile", "..")}
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "-c constraints.txt" in dockerfile and "COPY constraints.txt" in dockerfile
    assert "ensure_vader_lexicon" in dockerfile  # nothing downloaded when a container starts


def test_every_airflow_service_shares_the_zones_and_the_metadata_db(compose):
    services = compose["services"]
    envs = [services[name]["environment"] for name in AIRFLOW_SERVICES]
    assert all(env == envs[0] for env in envs), "the Airflow services must share one environment"
    env = envs[0]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-api-server:8080/")
    for name in AIRFLOW_SERVICES:
        mounts = dict(v.split(":", 1) for v in services[name]["volumes"])
        assert mounts["riskradar-data"] == env["RISKRADAR_DATA_DIR"], name
    assert set(compose["volumes"]) >= {"riskradar-data", "postgres-db"}


def test_every_variable_set_is_one_airflow_or_riskradar_reads(compose):
    options = airflow_options()
    airflow_env = {**dockerfile_env(), **compose["services"]["airflow-scheduler"]["environment"]}
    unknown = []
    for name in airflow_env:
        if name in TOOL_ENV:
            continue
        if name.startswith("AIRFLOW__"):
            section, _, key = name[len("AIRFLOW__"):].lower().partition("__")
            key = re.sub(r"_(cmd|secret)$", "", key) if key not in options.get(section, ()) else key
            if key not in options.get(section, ()):
                unknown.append(name)
        elif not (name.startswith("RISKRADAR_") and riskradar_reads(name)):
            unknown.append(name)
    assert not unknown, f"set but read by nobody: {unknown}"
    assert set(compose["services"]["postgres"]["environment"]) <= POSTGRES_IMAGE_ENV


def test_every_substituted_variable_is_in_the_env_example(compose):
    text = (DEPLOY / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    example = {line.split("=", 1)[0] for line in (DEPLOY / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert used and used == example, used ^ example
    # the secrets have no default in the compose file: compose refuses to start without them
    for secret in ("AIRFLOW_DB_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY"):
        assert re.search(rf"\$\{{{secret}:\?", text), secret


def test_celery_env_names_an_importable_hostname_callable(monkeypatch):
    """Several workers on one machine (the Celery test): the task runner's hostname (what lands in
    task_instance.hostname) is each worker's own name; without the variable it is the FQDN."""
    import socket

    from airflow.sdk.api.client import get_hostname  # what the task runner reports
    from riskradar.celery_services import WORKER_HOSTNAME_ENV, celery_env

    env = celery_env({}, broker_url="redis://127.0.0.1:6379/0", metadata_url="postgresql+psycopg2://u@h/db")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql+psycopg2://u@h/db"
    monkeypatch.setenv("AIRFLOW__CORE__HOSTNAME_CALLABLE", env["AIRFLOW__CORE__HOSTNAME_CALLABLE"])
    monkeypatch.setenv(WORKER_HOSTNAME_ENV, "worker-b")
    assert get_hostname() == "worker-b"
    monkeypatch.delenv(WORKER_HOSTNAME_ENV)
    assert get_hostname() == socket.getfqdn()
    with pytest.raises(ValueError, match="not SQLite"):
        celery_env({}, broker_url="redis://127.0.0.1:6379/0", metadata_url="sqlite:////tmp/airflow.db")
