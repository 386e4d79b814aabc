"""DAG integrity: imports cleanly, no cycles, data-interval timetables, retries, tags, docs, params,
pools, and thin files (nothing heavy imported when the dag-processor parses them, parse well under
a second)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = "riskradar_dag_defaults.py"  # the DAGs' shared defaults and Assets (in .airflowignore)
DAG_FILES = sorted(p for p in (REPO / "dags").glob("*.py") if p.name != SHARED)
PARSE_FILES = [*DAG_FILES, REPO / "dags" / SHARED]
ASSET_TRIGGERED = {"alert_triage"}  # runs on risk_metrics' alerts Asset: no data interval of its own
HEAVY = {"pandas", "nltk", "great_expectations", "duckdb", "dbt", "pyarrow", "feedparser",
         "matplotlib", "numpy"}
# the only riskradar modules a DAG file may load at parse time: where the config is and the ingest
# cadence rule (stdlib + PyYAML)
PARSE_TIME_RISKRADAR = {"riskradar", "riskradar.config", "riskradar.ingest", "riskradar.ingest.cadence"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import BundleDagBag

    # as the dag-processor and the task runner load the dags bundle: its folder on sys.path
    return BundleDagBag(dag_folder=str(REPO / "dags"), bundle_path=REPO / "dags")


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= {"media_ingest", "risk_metrics"}


@pytest.mark.parametrize("path", PARSE_FILES, ids=lambda p: p.name)
def test_dag_files_are_thin(path):
    """No heavy imports at module top: parsing a DAG file must stay cheap."""
    tree = ast.parse(path.read_text())
    top_imports = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top_imports |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            top_imports.add(node.module.split(".")[0])
            if node.module == "riskradar" or node.module.startswith("riskradar."):
                assert node.module in PARSE_TIME_RISKRADAR, f"{path.name} imports {node.module} at parse time"
    assert not (top_imports & HEAVY), f"{path.name} imports {top_imports & HEAVY} at parse time"


def test_dag_id_matches_file_stem(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id


def _interval_after(dag, after_start: datetime, after_end: datetime):
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import DataInterval, TimeRestriction

    tt = coerce_to_core_timetable(dag.timetable)
    return tt, tt.next_dagrun_info(last_automated_data_interval=DataInterval(after_start, after_end),
                                   restriction=TimeRestriction(earliest=None, latest=None, catchup=True))


def test_timetables_give_non_zero_data_intervals(dagbag):
    """Manual runs process the interval that ends at the logical date; scheduled and backfill runs
    have logical date = interval start. risk_metrics sees one whole UTC day."""
    day = timedelta(days=1)
    for dag in dagbag.dags.values():
        if dag.dag_id in ASSET_TRIGGERED:
            continue
        assert type(dag.timetable).__name__ == "CronDataIntervalTimetable", dag.dag_id
    dag = dagbag.dags["risk_metrics"]
    tt, nxt = _interval_after(dag, datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 8, 2, tzinfo=UTC))
    manual = tt.infer_manual_data_interval(run_after=datetime(2026, 8, 3, tzinfo=UTC))
    assert (manual.start, manual.end) == (datetime(2026, 8, 2, tzinfo=UTC), datetime(2026, 8, 3, tzinfo=UTC))
    assert nxt.data_interval.end - nxt.data_interval.start == day
    assert nxt.logical_date == nxt.data_interval.start == datetime(2026, 8, 2, tzinfo=UTC)


@pytest.mark.parametrize("in_file, env, width", [
    (None, None, timedelta(hours=1)),                         # live default: hourly
    ("0 0 * * *", None, timedelta(days=1)),                   # the bundled config (daily snapshots)
    ("0 0 * * *", "0 */2 * * *", timedelta(hours=2)),         # the environment wins
])
def test_media_ingest_cadence_hourly_unless_configured(monkeypatch, tmp_path, in_file, env, width):
    """Hourly by default (live feeds); sources.yml `ingest_cron`, then RISKRADAR_INGEST_CRON, set
    the cadence at parse time, read without importing riskradar."""
    import yaml
    from airflow.dag_processing.dagbag import DagBag

    cfg = yaml.safe_load((REPO / "config" / "sources.yml").read_text())
    cfg.pop("ingest_cron", None)
    if in_file:
        cfg["ingest_cron"] = in_file
    (tmp_path / "sources.yml").write_text(yaml.safe_dump(cfg))
    monkeypatch.setenv("RISKRADAR_CONFIG_DIR", str(tmp_path))
    if env is None:
        monkeypatch.delenv("RISKRADAR_INGEST_CRON", raising=False)
    else:
        monkeypatch.setenv("RISKRADAR_INGEST_CRON", env)
    bag = DagBag(dag_folder=str(REPO / "dags" / "media_ingest.py"))
    assert bag.import_errors == {}
    dag = bag.dags["media_ingest"]
    import pendulum  # Airflow's cron arithmetic expects pendulum datetimes for sub-daily crons

    start = pendulum.datetime(2026, 8, 2, tz="UTC")
    tt, nxt = _interval_after(dag, start - width, start)
    assert (nxt.data_interval.start, nxt.data_interval.end) == (start, start + width)
    assert nxt.logical_date == start
    manual = tt.infer_manual_data_interval(run_after=start + width)
    assert (manual.start, manual.end) == (start, start + width)


def test_defaults_retries_tags_docs_owner(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags and set(dag.tags) <= {"riskradar", "ingest", "metrics", "alerts", "maintenance"}
        assert dag.doc_md and "Triage" in dag.doc_md and "backfill" in dag.doc_md.lower()
        assert dag.max_active_runs >= 1
        for t in dag.tasks:
            assert t.retries >= 2, (dag.dag_id, t.task_id)
            assert t.owner == "monetization-integrity"
            assert t.execution_timeout is not None
            assert t.retry_exponential_backoff
            assert t.on_failure_callback


def test_no_cycles_and_expected_wiring(dagbag):
    ingest = dagbag.dags["media_ingest"]
    metrics = dagbag.dags["risk_metrics"]
    for dag in (ingest, metrics):
        dag.check_cycle()  # raises AirflowDagCycleException on a cycle
    assert ingest.get_task("fetch_source").downstream_task_ids == {"validate_landing"}
    assert ingest.get_task("validate_landing").downstream_task_ids == {"score_mentions"}
    assert ingest.get_task("score_mentions").downstream_task_ids == {"cluster_stories"}
    assert ingest.get_task("cluster_stories").downstream_task_ids == {"validate_scored"}
    assert metrics.get_task("build_marts").pool == "duckdb_writer"
    assert metrics.max_active_runs == 1
    assert [t.task_id for t in metrics.tasks] == ["wait_for_scored", "build_marts", "validate_marts", "write_brief",
                                                 "deliver_brief"]


def test_params_have_descriptions(dagbag):
    """A manual run's form shows each param's description; every DAG offers at least one."""
    for dag in dagbag.dags.values():
        params = dag.params
        if dag.dag_id == "alert_triage":  # its HITL tasks' forms would show DAG params: only the note
            assert set(dag.get_task("triage_alert").params) == {"note"}
            continue
        assert len(params) >= 1, dag.dag_id
        for name in params:
            assert params.get_param(name).description, (dag.dag_id, name)
    assert dagbag.dags["media_ingest"].params["sources"] == []
    assert dagbag.dags["risk_metrics"].params["wait_for_ingest"] is True


def test_duckdb_writers_use_the_single_slot_pool(dagbag):
    """Only dbt writes the warehouse; its task must hold the 1-slot pool, everything else must not
    (a reader in the pool would serialise for nothing)."""
    from riskradar.airflow_runner import POOL

    assert POOL[:2] == ("duckdb_writer", "1")
    in_pool = {(d.dag_id, t.task_id) for d in dagbag.dags.values() for t in d.tasks if t.pool == "duckdb_writer"}
    assert in_pool == {("risk_metrics", "build_marts")}


def test_assets_hand_off_from_ingest_to_metrics(dagbag):
    ingest, metrics = dagbag.dags["media_ingest"], dagbag.dags["risk_metrics"]
    outlets = {a.name for a in ingest.get_task("validate_scored").outlets}
    inlets = {a.name for a in metrics.get_task("wait_for_scored").inlets}
    assert outlets == inlets == {"scored_mentions"}
    assert {a.name for a in metrics.get_task("write_brief").outlets} == {"risk_marts"}


def test_docs_explain_reads_writes_rerun_and_backfill(dagbag):
    for dag in dagbag.dags.values():
        doc = " ".join(dag.doc_md.split())  # commands wrap across lines in the Markdown source
        for needle in ("**Reads:**", "**Writes:**", "Triage", "Clear",
                       f"airflow backfill create --dag-id {dag.dag_id}", "Backfill"):
            assert needle in doc, (dag.dag_id, needle)


# Parse in a fresh interpreter that has Airflow loaded (as the dag-processor has) and nothing else.
PARSE_PROBE = r"""
import json, sys, time
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag
before = set(sys.modules)
started = time.perf_counter()
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]).parent)
seconds = time.perf_counter() - started
new = sorted({m.split(".")[0] for m in set(sys.modules) - before})
ours = sorted(m for m in sys.modules if m == "riskradar" or m.startswith("riskradar."))
print(json.dumps({"seconds": seconds, "new_top_level_modules": new, "all": sorted({m.split(".")[0] for m in sys.modules}),
                  "errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": sorted(bag.dag_ids),
                  "riskradar": ours}))
"""


def parse_in_subprocess(path: Path) -> dict:
    env = {**os.environ, "AIRFLOW__CORE__DAGS_FOLDER": str(path.parent)}
    proc = subprocess.run([sys.executable, "-c", PARSE_PROBE, str(path)], env=env, text=True,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("path", PARSE_FILES, ids=lambda p: p.name)
def test_parsing_imports_nothing_heavy_and_is_fast(path):
    """The dag-processor re-parses every file every few minutes: a DAG file must not pull pandas,
    DuckDB, NLTK, GX, dbt or pyarrow (each costs seconds and memory per parse), and one parse
    must stay well under a second. Best of two cold parses in fresh interpreters, so a busy CI
    machine does not fail a design check."""
    probes = [parse_in_subprocess(path) for _ in range(2)]
    for probe in probes:
        assert probe["errors"] == {}
        assert probe["dags"] == ([] if path.name == SHARED else [path.stem])
        assert set(probe["riskradar"]) <= PARSE_TIME_RISKRADAR, probe["riskradar"]
        heavy = set(probe["all"]) & HEAVY
        assert not heavy, f"{path.name}: parsing loaded {sorted(heavy)}"
    best = min(p["seconds"] for p in probes)
    assert best < 1.0, f"{path.name}: parse took {best:.2f}s (best of 2)"


def test_alert_triage_runs_on_published_alerts_outside_the_writer_pool(dagbag):
    """risk_metrics' gate publishes the day's alerts; alert_triage maps one HITL task per new
    high alert with the four options, Watch on timeout, and never waits in duckdb_writer."""
    from airflow.providers.standard.operators.hitl import HITLOperator
    from riskradar.alerts.triage import TRIAGE_DEFAULT, TRIAGE_OPTIONS

    metrics, triage = dagbag.dags["risk_metrics"], dagbag.dags["alert_triage"]
    assert {a.name for a in metrics.get_task("validate_marts").outlets} == {"risk_alerts"}
    assert [a.name for a in triage.timetable.asset_condition.objects] == ["risk_alerts"]
    hitl = triage.get_task("triage_alert")
    assert issubclass(hitl.operator_class, HITLOperator)
    kwargs = hitl.partial_kwargs
    assert kwargs["options"] == list(TRIAGE_OPTIONS) and kwargs["defaults"] == [TRIAGE_DEFAULT]
    assert kwargs["response_timeout"].total_seconds() > 0
    assert set(hitl.params) == {"note"}
    assert triage.max_active_runs > 1 and all(t.pool != "duckdb_writer" for t in triage.tasks)
    assert [t.task_id for t in triage.tasks] == ["list_new_alerts", "triage_alert"]
