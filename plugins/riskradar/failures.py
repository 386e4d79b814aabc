"""The DAGs' on_failure_callback: every failed task is appended to `data/ops/task_failures.jsonl`,
where the brief and an operator see it."""

from __future__ import annotations

import json
import logging
from typing import Any

from riskradar.config import get_settings

log = logging.getLogger(__name__)


def record_failure(context: dict[str, Any]) -> None:
    """Airflow on_failure_callback: append the failure where the brief and an operator see it."""
    s = get_settings()
    ti = context.get("task_instance") or context.get("ti")
    exc = context.get("exception")
    dag_run = context.get("dag_run")
    record = {
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "run_id": getattr(ti, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "data_interval_start": str(getattr(dag_run, "data_interval_start", "") or ""),
        "data_interval_end": str(getattr(dag_run, "data_interval_end", "") or ""),
        "error": str(exc)[:2000] if exc else None,
    }
    path = s.local_dir / "ops" / "task_failures.jsonl"  # appended to: a local file even when zones are on S3
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")
    log.error("task failure recorded in %s: %s", path, record)
