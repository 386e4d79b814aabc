"""DAG integrity: imports cleanly, no cycles, data-interval timetables, retries, tags, docs, thin files."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_FILES = sorted((REPO / "dags").glob("*.py"))
HEAVY = {"pandas", "nltk", "great_expectations", "duckdb", "dbt", "pyarrow", "feedparser", "riskradar",
         "matplotlib", "numpy"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= {"media_ingest", "risk_metrics"}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_files_are_thin(path):
    """No heavy imports at module top: parsing a DAG file must stay cheap."""
    tree = ast.parse(path.read_text())
    top_imports = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top_imports |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            top_imports.add(node.module.split(".")[0])
    assert not (top_imports & HEAVY), f"{path.name} imports {top_imports & HEAVY} at parse time"


def test_dag_id_matches_file_stem(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id


def test_timetables_give_non_zero_data_intervals(dagbag):
    from airflow.serialization.encoders import coerce_to_core_timetable

    for dag in dagbag.dags.values():
        assert type(dag.timetable).__name__ == "CronDataIntervalTimetable", dag.dag_id
        tt = coerce_to_core_timetable(dag.timetable)
        interval = tt.infer_manual_data_interval(run_after=datetime(2026, 8, 2, tzinfo=UTC))
        assert interval.end - interval.start > __import__("datetime").timedelta(0), dag.dag_id


def test_defaults_retries_tags_docs_owner(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags and set(dag.tags) <= {"riskradar", "ingest", "metrics", "maintenance"}
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
    assert ingest.get_task("score_mentions").downstream_task_ids == {"validate_scored"}
    assert metrics.get_task("build_marts").pool == "duckdb_writer"
    assert metrics.max_active_runs == 1
    assert [t.task_id for t in metrics.tasks] == ["wait_for_scored", "build_marts", "validate_marts", "write_brief"]
