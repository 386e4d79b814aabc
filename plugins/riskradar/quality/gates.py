"""run_gate: validate one step's output for a data interval, quarantine bad rows, record results,
and block downstream on a critical failure.

A gate loads its suite (validator.load_suite_module), builds the DataFrames it validates (the zone
rows of the interval in chunks of whole parts, or warehouse tables for `marts`), validates each
DataFrame with one `batch.validate(suite)` call, combines the chunks' outcomes as one validation of
every row would give them, then:

1. moves rows failing a *row-level* expectation to quarantine (quarantine.py) when their share
   stays under the suite's threshold;
2. on the landing step, checks the accounting across ingest and itself (accounting.py);
3. writes one `dq_results` part per step and interval (schema DQ_RESULTS, atomic replace);
4. keeps the GX validation results as JSON for Data Docs (docs.py);
5. raises QualityGateError when a critical expectation failed, after everything is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from riskradar import storage
from riskradar.config import Settings
from riskradar.quality.accounting import accounting_outcome, landing_accounting
from riskradar.quality.docs import write_docs_material
from riskradar.quality.quarantine import Chunk, move_to_quarantine, quarantine_share, row_reasons
from riskradar.quality.spec import (
    SAMPLE_SIZE,
    GateInputs,
    GateResult,
    Outcome,
    QualityGateError,
    Spec,
    gate_error,
    short,
)
from riskradar.quality.validator import _validator, configured_source_ids, load_suite_module, validate_frames
from riskradar.quality.zones import (
    ZONE_SCHEMAS,
    ZoneBatch,
    _chunk_parts,
    gate_chunk_rows,
    read_zone,
    zone_dir,
)
from riskradar.schemas import DQ_RESULTS

log = logging.getLogger(__name__)

DEFAULT_MAX_QUARANTINE_SHARE = 0.05


def dq_results_path(settings: Settings, step: str, start: datetime, suite: str) -> Path:
    return storage.partition_path(settings.dq_results_dir, start, source_id=step, key="step",
                                  suffix=f"-{suite}")


def _write_dq_results(path: Path, outcomes: list[Outcome], inputs: GateInputs) -> None:
    now = datetime.now(UTC)
    rows = [{
        "run_id": inputs.run_id, "interval_start": inputs.start, "interval_end": inputs.end,
        "step": inputs.step, "suite": o.suite, "expectation": o.id, "severity": o.severity,
        "success": o.success, "observed_value": o.observed_value,
        "unexpected_count": o.unexpected_count, "element_count": o.element_count, "validated_at": now,
    } for o in outcomes]
    storage.write_table_atomic(storage.rows_to_table(rows, DQ_RESULTS), path)


def _combine(per_chunk: list[list[Outcome]], specs: list[Spec]) -> list[Outcome]:
    """One outcome per expectation from the chunks' outcomes, as one validation of all rows would give:
    counts add up; a `mostly` expectation succeeds on the share over all rows (GX's rule: nulls are
    not counted, except by not-null expectations); any other succeeds when every chunk did."""
    if len(per_chunk) == 1:
        return per_chunk[0]
    spec_by_id = {spec.id: spec for spec in specs}
    combined = []
    for group in zip(*per_chunk, strict=True):
        first = group[0]
        if any(o.id != first.id for o in group):
            raise RuntimeError(f"chunks evaluated different expectations: {[o.id for o in group]}")
        failed = [o for o in group if not o.success]
        counts = [o.unexpected_count for o in group if o.unexpected_count is not None]
        elements = [o.element_count for o in group if o.element_count is not None]
        unexpected = sum(counts) if counts else None
        element = sum(elements) if elements else None
        success = not failed
        spec = spec_by_id.get(first.id)
        mostly = getattr(spec.expectation, "mostly", None) if spec is not None else None
        if mostly is not None and mostly < 1 and unexpected is not None and element:
            not_null = spec.expectation.expectation_type == "expect_column_values_to_not_be_null"
            denominator = element if not_null else element - sum(o.missing_count or 0 for o in group)
            success = denominator <= 0 or (1 - unexpected / denominator) >= mostly
        combined.append(Outcome(
            id=first.id, suite=first.suite, severity=first.severity, success=success,
            observed_value=(failed[0] if failed else first).observed_value,
            unexpected_count=unexpected, element_count=element,
            sample_ids=[sid for o in group for sid in o.sample_ids][:SAMPLE_SIZE],
            row_level=first.row_level, reason=first.reason, missing_count=sum(o.missing_count or 0 for o in group),
        ))
    return combined


def run_gate(step: str, start: datetime, end: datetime, run_id: str, settings: Settings,
             df: pd.DataFrame | None = None) -> GateResult:
    """Validate one step's output for a data interval; raise QualityGateError on critical failures.

    `df` validates a given DataFrame instead of the zone (nothing is quarantined or rewritten then).
    A zone interval of more than gate_chunk_rows() rows is validated in chunks of whole parts; the
    outcomes are combined (_combine) and the quarantine share counts every chunk's rows.
    """
    t0 = time.perf_counter()
    start, end = storage.as_utc(start), storage.as_utc(end)
    module = load_suite_module(settings, step)
    suite_name: str = module.SUITE_NAME
    inputs = GateInputs(step, start, end, run_id, configured_source_ids(settings))
    results_path = dq_results_path(settings, step, start, suite_name)

    from_zone = df is None and step in ZONE_SCHEMAS
    zone_root = zone_dir(settings, step)
    all_parts = storage.parts_for_interval(zone_root, start, end) if from_zone else []
    part_chunks = _chunk_parts(all_parts, gate_chunk_rows()) if from_zone else [[]]
    validator = _validator()  # the first call per process imports GX (seconds); later calls are free
    t_ctx = time.perf_counter()
    specs: list[Spec] = module.build(settings, inputs)
    t_build = time.perf_counter()
    derive: Callable[..., dict[str, pd.DataFrame]] | None = getattr(module, "frames", None)
    id_columns = getattr(module, "ID_COLUMNS", {})

    per_chunk: list[list[Outcome]] = []
    chunks: list[Chunk] = []
    validations: list[tuple[Any, Any]] = []
    read_s = 0.0
    for index, parts in enumerate(part_chunks):
        t_read = time.perf_counter()
        zone: ZoneBatch | None = None
        frames: dict[str, pd.DataFrame] = {}
        if df is not None:
            frames["batch"] = df.reset_index(drop=True)
        elif from_zone:
            zone = read_zone(zone_root, ZONE_SCHEMAS[step], parts)
            frames["batch"] = zone.frame
            frames["schema"] = zone.schema_frame
        read_s += time.perf_counter() - t_read
        if derive is not None:
            try:
                frames.update(derive(frames.get("batch"), settings,
                                     replace(inputs, chunk=index, chunks=len(part_chunks))))
            except QualityGateError as exc:  # e.g. no warehouse: recorded like any failed expectation
                _write_dq_results(results_path, [Outcome(
                    id="inputs_readable", suite=suite_name, severity="critical", success=False,
                    observed_value=short(str(exc)), unexpected_count=None, element_count=None)], inputs)
                raise gate_error(f"{exc}\nresults: {results_path}") from exc
        outcomes, chunk_validations, rows = validate_frames(
            validator, suite_name, frames, specs, id_columns, skip_missing=df is not None)
        validations = validations or chunk_validations  # Data Docs show the first chunk's GX result
        per_chunk.append(outcomes)
        chunks.append(row_reasons(frames.get("batch"), parts, outcomes, rows,
                                   zone if len(part_chunks) == 1 else None))
        del frames, zone
    t_validate = time.perf_counter()

    outcomes = _combine(per_chunk, specs)
    rows_validated = sum(chunk.rows for chunk in chunks)
    max_share = float(getattr(module, "MAX_QUARANTINE_SHARE", DEFAULT_MAX_QUARANTINE_SHARE))
    prior, share_outcome = quarantine_share(settings, inputs, suite_name, chunks, outcomes, all_parts, max_share)
    if share_outcome is not None:
        outcomes.append(share_outcome)
    critical = [o for o in outcomes if not o.success and o.severity == "critical"]
    warnings = [o for o in outcomes if not o.success and o.severity == "warning"]
    quarantine_paths: list[str] = []
    moved = 0
    if not critical and from_zone:  # on a critical failure nothing is moved
        for chunk in chunks:
            if chunk.reasons:
                zone = chunk.zone or read_zone(zone_root, ZONE_SCHEMAS[step], chunk.parts)
                quarantine_paths += move_to_quarantine(settings, inputs, zone, chunk.reasons)
                moved += len(chunk.reasons)
    if step == "landing" and from_zone:  # after the move: what stays + what left = what landed
        accounting = accounting_outcome(landing_accounting(settings, start, end), suite_name)
        outcomes.append(accounting)
        if not accounting.success:
            critical.append(accounting)

    _write_dq_results(results_path, outcomes, inputs)
    write_docs_material(settings, inputs, validations)
    t_end = time.perf_counter()

    result = GateResult(
        step=step, suite=suite_name, success=not critical,
        critical_failures=[o.describe() for o in critical], warnings=[o.describe() for o in warnings],
        evaluated=len(outcomes), rows_validated=rows_validated, rows_quarantined=moved,
        rows_quarantined_total=len(prior) + moved if from_zone else moved,
        results_path=str(results_path), interval_start=start.isoformat(), interval_end=end.isoformat(),
        quarantine_paths=quarantine_paths, chunks=len(part_chunks),
        timings={"read_s": round(read_s, 4), "gx_context_s": round(t_ctx - t0, 4),
                 "build_s": round(t_build - t_ctx, 4), "validate_s": round(t_validate - t_build - read_s, 4),
                 "write_s": round(t_end - t_validate, 4), "total_s": round(t_end - t0, 4)},
    )
    log.info("gate %s [%s, %s): success=%s rows=%d chunks=%d quarantined=%d timings=%s", step, start, end,
             result.success, rows_validated, len(part_chunks), moved, result.timings)
    for w in result.warnings:
        log.warning("gate %s warning: %s", step, w)
    if critical:
        lines = "\n".join(f"  - {c}" for c in result.critical_failures)
        raise gate_error(
            f"quality gate '{step}' failed for interval [{start.isoformat()}, {end.isoformat()}): "
            f"{len(critical)} critical expectation(s) of suite '{suite_name}' failed:\n{lines}\n"
            f"results: {results_path}")
    return result


