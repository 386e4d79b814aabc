"""GX Data Docs: each gate keeps its suites and validation results as JSON under
`gx_dir/results/`; build_data_docs turns the latest of them into a static, offline site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from riskradar import storage
from riskradar.config import Settings
from riskradar.quality.spec import GateInputs
from riskradar.quality.validator import import_gx


def write_docs_material(settings: Settings, inputs: GateInputs, validations: list[tuple[Any, Any]]) -> None:
    """Keep suite + validation result JSON per step and interval so Data Docs can show them later
    (a rerun of the interval replaces its own files)."""
    out_dir = storage.partition_dir(settings.gx_dir / "results", inputs.start, source_id=inputs.step,
                                    key="step")
    stamp = storage.part_stamp(inputs.start)
    for suite, result in validations:
        doc = {"step": inputs.step, "run_id": inputs.run_id, "interval_start": inputs.start.isoformat(),
               "suite": suite.to_json_dict(), "result": result.to_json_dict()}
        storage.write_bytes_atomic(json.dumps(doc, default=str).encode("utf-8"),
                                   out_dir / f"{stamp}-{suite.name}.json")


def build_data_docs(settings: Settings, latest: int = 30) -> Path:
    """Build GX Data Docs (static HTML, offline) from the kept validation results; return index.html.

    The file context under `gx_dir/gx` is rebuilt from `gx_dir/results` each time, so the site
    shows exactly the latest `latest` validations of every suite (a rerun replaced its own JSON).
    """
    gx = import_gx()
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    root = settings.gx_dir / "gx"
    for sub in ("expectations", "validation_definitions", "checkpoints", "uncommitted"):
        shutil.rmtree(root / sub, ignore_errors=True)
    settings.gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=settings.gx_dir)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)

    docs: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((settings.gx_dir / "results").glob("step=*/date=*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        docs.setdefault(doc["suite"]["name"], []).append(doc)
    for suite_name, entries in sorted(docs.items()):
        entries.sort(key=lambda d: d["interval_start"])
        suite_doc = dict(entries[-1]["suite"])
        suite_doc.pop("id", None)
        context.suites.add(ExpectationSuite(**suite_doc))
        for doc in entries[-latest:]:
            run_time = storage.as_utc(doc["interval_start"])
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
                run_id=RunIdentifier(run_name=f"{doc['step']}-{storage.part_stamp(run_time)}",
                                     run_time=run_time),
                batch_identifier=f"{doc['step']}-{storage.part_stamp(run_time)}",
            )
            context.validation_results_store.set(key, ExpectationSuiteValidationResult(**doc["result"]))
    context.build_data_docs()
    index = root / "uncommitted" / "data_docs" / "local_site" / "index.html"
    if not index.is_file():
        raise FileNotFoundError(f"GX did not write Data Docs to {index}")
    return index
