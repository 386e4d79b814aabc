"""Great Expectations gates: validate a step's output, quarantine bad rows, record results, block on failure.

A gate loads its suite as code from `expectations/<step>.py` (see expectations/README.md), builds the
DataFrames it validates (the zone rows of the interval, or warehouse tables for `marts`), validates
each DataFrame with one `batch.validate(suite)` call in an ephemeral GX context, then:

1. moves rows failing a *row-level* expectation to `quarantine/stage=<step>_gate/...` and rewrites the
   zone part without them (when their share stays under the suite's threshold);
2. writes one `dq_results` part per step and interval (schema DQ_RESULTS, atomic replace);
3. keeps the GX validation results as JSON under `gx_dir/results/` for `build_data_docs`;
4. raises `QualityGateError` when a critical expectation failed, after everything is written.

The landing gate also checks the accounting across ingest and itself: per source, the landing rows
plus the rows it moved to quarantine equal what ingest reported as `items_landed` (see
`landing_accounting`), so a row can leave the landing zone only into quarantine.

Great Expectations is imported lazily (it costs seconds and floods INFO logs under Airflow).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from riskradar import storage
from riskradar.config import Settings
from riskradar.schemas import DQ_RESULTS, LANDING, QUARANTINE, SCORED

log = logging.getLogger(__name__)

SEVERITIES = ("critical", "warning")
ZONE_SCHEMAS: dict[str, pa.Schema] = {"landing": LANDING, "scored": SCORED}
DEFAULT_MAX_QUARANTINE_SHARE = 0.05
_SAMPLE_SIZE = 5
# rows a zone gate reads and validates at once (RISKRADAR_GATE_CHUNK_ROWS); see gate_chunk_rows()
DEFAULT_GATE_CHUNK_ROWS = 200_000


class QualityGateError(RuntimeError):
    """A critical expectation failed: downstream must not run on this interval."""


def gate_error(message: str) -> QualityGateError:
    """A QualityGateError that, inside an Airflow task, also fails the task without retries.

    A gate reads data at rest: a retry reads the same rows and fails the same way, only minutes
    later. Airflow skips retries for `AirflowFailException`, so when the task runner has already
    imported it (never imported here: it costs seconds outside Airflow) the error is both.
    """
    airflow_exceptions = sys.modules.get("airflow.sdk.exceptions")
    base = getattr(airflow_exceptions, "AirflowFailException", None)
    if base is None:
        return QualityGateError(message)
    return _no_retry_class(base)(message)


@lru_cache(maxsize=2)
def _no_retry_class(base: type) -> type[QualityGateError]:
    return type("QualityGateError", (QualityGateError, base), {"__module__": __name__})


@dataclass(frozen=True)
class Spec:
    """One expectation of a suite, with what a failure means for the pipeline.

    `expectation` is a GX expectation instance. `severity` "critical" fails the gate, "warning" is
    only recorded. `row_level=True` (frame "batch" only) quarantines the failing rows instead of
    failing the batch; the expectation's own `mostly` and the suite's quarantine threshold decide
    when too many rows are bad and the gate fails after all. `frame` names the DataFrame it
    validates (see expectations/README.md); `name` overrides the derived id `<type>:<column>`.
    """

    expectation: Any
    severity: str = "critical"
    row_level: bool = False
    frame: str = "batch"
    reason: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        if self.row_level and self.frame != "batch":
            raise ValueError("row_level expectations must validate the 'batch' frame")

    @property
    def id(self) -> str:
        if self.name:
            return self.name
        exp = self.expectation
        kwargs = exp.configuration.kwargs
        target = kwargs.get("column") or ",".join(kwargs.get("column_list") or [])
        if not target and kwargs.get("column_A"):
            target = f"{kwargs['column_A']},{kwargs['column_B']}"
        base = f"{exp.expectation_type}:{target}" if target else exp.expectation_type
        return base if self.frame == "batch" else f"{self.frame}.{base}"


@dataclass(frozen=True)
class GateInputs:
    """What a suite may depend on: the step, the data interval and the configured sources."""

    step: str
    start: datetime
    end: datetime
    run_id: str
    source_ids: tuple[str, ...]
    # a large interval is validated in chunks of parts (run_gate); a suite's derived frame that
    # reads the whole interval rather than the batch (e.g. scored's landing-vs-scored counts) is
    # built in chunk 0 only, so it is counted once
    chunk: int = 0
    chunks: int = 1

    @property
    def days(self) -> list[str]:
        return storage.interval_days(self.start, self.end)


@dataclass
class Outcome:
    """The evaluated result of one Spec."""

    id: str
    suite: str
    severity: str
    success: bool
    observed_value: str | None
    unexpected_count: int | None
    element_count: int | None
    sample_ids: list[str] = field(default_factory=list)
    row_level: bool = False
    unexpected_rows: list[int] = field(default_factory=list)
    reason: str | None = None
    missing_count: int | None = None  # nulls GX left out of a `mostly` share (chunks combine it)

    def describe(self) -> str:
        parts = [f"{self.suite} / {self.id}"]
        if self.observed_value is not None:
            label = "unexpected values" if self.unexpected_count else "observed"
            parts.append(f"{label}={self.observed_value}")
        if self.unexpected_count is not None:
            parts.append(f"unexpected={self.unexpected_count}/{self.element_count}")
        if self.sample_ids:
            parts.append(f"sample={self.sample_ids}")
        return " ".join(parts)


@dataclass
class GateResult:
    """What a gate did; `to_dict()` travels through XCom."""

    step: str
    suite: str
    success: bool
    critical_failures: list[str]
    warnings: list[str]
    evaluated: int
    rows_validated: int
    rows_quarantined: int  # moved to quarantine by this run (rows_validated - rows_quarantined stay)
    results_path: str
    rows_quarantined_total: int = 0  # in this gate's quarantine for the interval, earlier runs included
    interval_start: str = ""
    interval_end: str = ""
    quarantine_paths: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    chunks: int = 1  # chunks of parts the interval was validated in (gate_chunk_rows())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# Great Expectations plumbing (lazy, quiet, cached per process)
# ---------------------------------------------------------------------------------------------

def _quiet_gx_logs() -> None:
    for name in list(logging.root.manager.loggerDict):
        if name == "great_expectations" or name.startswith("great_expectations."):
            logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def import_gx() -> ModuleType:
    """Import great_expectations without analytics and without INFO floods."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    _quiet_gx_logs()
    import great_expectations as gx

    _quiet_gx_logs()
    return gx


class _Validator:
    """An ephemeral GX context with one pandas whole-dataframe batch definition, reused per process."""

    def __init__(self) -> None:
        gx = import_gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = self.context.data_sources.add_pandas("riskradar").add_dataframe_asset("frames")
        self.batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        self.suites: dict[tuple, Any] = {}

    def suite(self, suite_name: str, specs: list[Spec]) -> Any:
        """The GX suite of `specs`, built once per process for each distinct set of expectations
        (a suite whose configuration depends on the interval gets one entry per interval seen)."""
        ids = [spec.id for spec in specs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"suite {suite_name!r} has duplicate expectation ids: give them names ({ids})")
        key = (suite_name, tuple((spec.id, spec.severity, spec.row_level, type(spec.expectation).__name__,
                                  repr(spec.expectation)) for spec in specs))
        suite = self.suites.get(key)
        if suite is None:
            suite = self.gx.ExpectationSuite(name=suite_name)
            for spec in specs:
                exp = spec.expectation.copy(deep=True)
                exp.id = None
                exp.meta = {**(exp.meta or {}), "severity": spec.severity, "dq_id": spec.id,
                            "row_level": spec.row_level}
                if not exp.notes:  # Data Docs render notes, not meta
                    kind = "row-level (failing rows quarantined), " if spec.row_level else ""
                    exp.notes = f"{spec.id} — {kind}severity {spec.severity}"
                suite.add_expectation(exp)
            if len(self.suites) >= 64:  # a long backfill: keep the most recent ones
                self.suites.pop(next(iter(self.suites)))
            self.suites[key] = suite
        return suite

    def validate(self, suite_name: str, frame: pd.DataFrame, specs: list[Spec]) -> tuple[Any, Any]:
        suite = self.suite(suite_name, specs)
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": hashable_lists(frame)})
        result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
        return suite, result


def _first_value(column: pd.Series) -> Any:
    values = column.dropna()
    return values.iloc[0] if len(values) else None


def hashable_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with list columns (topics, platforms, ...) as tuples. GX fingerprints every batch
    with pandas' row hash, which cannot hash lists or arrays and then falls back to pickling the
    whole frame (seconds per scored batch, twice per validation); tuples hash in milliseconds
    and compare, test for null and render like the lists."""
    listy = [c for c in frame.columns if frame[c].dtype == object and isinstance(_first_value(frame[c]), list | np.ndarray)]
    if not listy:
        return frame
    out = frame.copy(deep=False)
    for column in listy:
        out[column] = [tuple(v) if isinstance(v, list | np.ndarray) else v for v in frame[column]]
    return out


@lru_cache(maxsize=1)
def _validator() -> _Validator:
    return _Validator()


# ---------------------------------------------------------------------------------------------
# Suites as code
# ---------------------------------------------------------------------------------------------

def load_suite_module(settings: Settings, step: str) -> ModuleType:
    """Load `expectations/<step>.py` by file path (the folder is not a package on Airflow's path)."""
    path = settings.expectations_dir / f"{step}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no expectation suite for step {step!r}: {path} does not exist")
    return _load_module(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load_module(path: str, mtime_ns: int) -> ModuleType:
    name = f"riskradar_expectations_{Path(path).stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load expectation suite from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for attr in ("SUITE_NAME", "build"):
        if not hasattr(module, attr):
            raise ImportError(f"{path} must define {attr}")
    return module


def configured_source_ids(settings: Settings) -> tuple[str, ...]:
    from riskradar.ingest.sources import load_sources

    return tuple(src.id for src in load_sources(settings))


# ---------------------------------------------------------------------------------------------
# Reading the zone
# ---------------------------------------------------------------------------------------------

@dataclass
class _ZoneBatch:
    frame: pd.DataFrame
    parts: list[Path]
    offsets: list[int]  # first row of each part in `frame`
    tables: list[pa.Table]
    schema_frame: pd.DataFrame


def _type_name(typ: pa.DataType) -> str:
    """Arrow type as text, ignoring list field names (`item` vs `element` after a Parquet round trip)."""
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return f"list<{_type_name(typ.value_type)}>"
    return str(typ)


def _read_zone(zone_dir: Path, schema: pa.Schema, parts: list[Path]) -> _ZoneBatch:
    """These parts of a zone, as read (no cast), plus a per-part column/type report."""
    tables = [pq.read_table(p) for p in parts]
    type_rows: list[dict[str, str]] = []
    for part, table in zip(parts, tables, strict=True):
        name = str(part.relative_to(zone_dir))
        actual = {f.name: _type_name(f.type) for f in table.schema}
        for f in schema:
            type_rows.append({"part": name, "column": f.name, "expected_type": _type_name(f.type),
                              "actual_type": actual.pop(f.name, "missing")})
        for extra, typ in actual.items():
            type_rows.append({"part": name, "column": extra, "expected_type": "absent", "actual_type": typ})
    offsets, n = [], 0
    for table in tables:
        offsets.append(n)
        n += table.num_rows
    if tables:
        merged = pa.concat_tables(tables, promote_options="permissive")
    else:
        merged = schema.empty_table()
    frame = merged.to_pandas().reset_index(drop=True)
    schema_frame = pd.DataFrame(type_rows, columns=["part", "column", "expected_type", "actual_type"])
    return _ZoneBatch(frame, parts, offsets, tables, schema_frame)


# ---------------------------------------------------------------------------------------------
# Evaluating results
# ---------------------------------------------------------------------------------------------

def _short(value: Any, limit: int = 300) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _sample_ids(frame: pd.DataFrame, rows: list[int], id_columns: list[str]) -> list[str]:
    cols = [c for c in id_columns if c in frame.columns] or list(frame.columns[:1])
    out = []
    for row in rows[:_SAMPLE_SIZE]:
        if row in frame.index:
            out.append("/".join(str(frame.at[row, c]) for c in cols))
    return out


def _evaluate(spec: Spec, suite_name: str, er: Any, frame: pd.DataFrame, id_columns: list[str]) -> Outcome:
    res = dict(er.result or {})
    exc = er.exception_info or {}
    if isinstance(exc, dict) and exc.get("raised_exception"):
        observed: Any = f"error: {exc.get('exception_message')}"
    elif "observed_value" in res:
        observed = res["observed_value"]
    elif res.get("unexpected_count"):
        observed = res.get("partial_unexpected_list", [])[:_SAMPLE_SIZE]
    else:
        observed = None
    rows = [int(i) for i in res.get("unexpected_index_list") or [] if isinstance(i, int | float)]
    count = res.get("unexpected_count")
    return Outcome(
        id=spec.id, suite=suite_name, severity=spec.severity, success=bool(er.success),
        observed_value=_short(observed), unexpected_count=None if count is None else int(count),
        element_count=None if res.get("element_count") is None else int(res["element_count"]),
        sample_ids=_sample_ids(frame, rows, id_columns) if not er.success or spec.row_level else [],
        row_level=spec.row_level, unexpected_rows=rows, reason=spec.reason or spec.id,
        missing_count=None if res.get("missing_count") is None else int(res["missing_count"]),
    )


# ---------------------------------------------------------------------------------------------
# Writing results, quarantine, docs material
# ---------------------------------------------------------------------------------------------

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


def _write_docs_material(settings: Settings, inputs: GateInputs, validations: list[tuple[Any, Any]]) -> None:
    """Keep suite + validation result JSON per step and interval so Data Docs can show them later."""
    out_dir = storage.partition_dir(settings.gx_dir / "results", inputs.start, source_id=inputs.step,
                                    key="step")
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = storage.part_stamp(inputs.start)
    for suite, result in validations:
        doc = {"step": inputs.step, "run_id": inputs.run_id, "interval_start": inputs.start.isoformat(),
               "suite": suite.to_json_dict(), "result": result.to_json_dict()}
        path = out_dir / f"{stamp}-{suite.name}.json"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=out_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, default=str)
        os.replace(tmp, path)


def _row_json(row: dict[str, Any]) -> str:
    clean = {k: (None if _is_missing(v) else v) for k, v in row.items()}
    return json.dumps(clean, default=str, sort_keys=True)


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _quarantine(settings: Settings, inputs: GateInputs, batch: _ZoneBatch,
                reasons: dict[int, list[Outcome]]) -> list[str]:
    """Move rows out of their zone parts into the quarantine zone; merge, never lose, on rerun."""
    stage = f"{inputs.step}_gate"
    written: list[str] = []
    for part, offset, table in zip(batch.parts, batch.offsets, batch.tables, strict=True):
        local = sorted(r - offset for r in reasons if offset <= r < offset + table.num_rows)
        if not local:
            continue
        records = table.take(pa.array(local)).to_pylist()
        rows = []
        for pos, record in zip(local, records, strict=True):
            failed = reasons[pos + offset]
            rows.append({
                "stage": stage, "source_id": record.get("source_id"), "item_id": record.get("item_id"),
                "reason": "; ".join(dict.fromkeys(o.reason or o.id for o in failed)),
                "expectation": ",".join(dict.fromkeys(o.id for o in failed)),
                "raw": _row_json(record),
                "interval_start": record.get("interval_start") or inputs.start,
                "interval_end": record.get("interval_end") or inputs.end,
                "run_id": inputs.run_id,
            })
        qpath = _quarantine_path(settings, inputs.step, part)
        new = storage.rows_to_table(rows, QUARANTINE)
        if qpath.exists():
            old = pq.read_table(qpath, schema=QUARANTINE)
            new = _dedupe_quarantine(pa.concat_tables([old, new]))
        storage.write_table_atomic(new, qpath)  # quarantine first: a crash duplicates, never loses
        drop = set(local)
        keep = pa.array([i not in drop for i in range(table.num_rows)])
        storage.write_table_atomic(table.filter(keep), part)
        written.append(str(qpath))
    return written


def _quarantine_key(item_id: Any, expectations: list[str] | str) -> tuple[str, str]:
    """One quarantined item per (item id, failed expectations): a rerun does not add it twice."""
    exp = expectations if isinstance(expectations, str) else ",".join(dict.fromkeys(expectations))
    return (str(item_id), exp)


def _quarantine_path(settings: Settings, step: str, part: Path) -> Path:
    return settings.quarantine_dir / f"stage={step}_gate" / part.parent.parent.name / part.parent.name / part.name


def _prior_quarantine_keys(settings: Settings, inputs: GateInputs, parts: list[Path]) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for part in parts:
        qpath = _quarantine_path(settings, inputs.step, part)
        if qpath.exists():
            t = pq.read_table(qpath, columns=["item_id", "expectation"])
            keys |= {_quarantine_key(i, e) for i, e in zip(t["item_id"].to_pylist(),
                                                          t["expectation"].to_pylist(), strict=True)}
    return keys


def _dedupe_quarantine(table: pa.Table) -> pa.Table:
    """Keep the first row per quarantine key (the earliest run's record)."""
    seen: set[tuple[str, str]] = set()
    keep = []
    for item_id, exp in zip(table["item_id"].to_pylist(), table["expectation"].to_pylist(), strict=True):
        key = _quarantine_key(item_id, exp)
        keep.append(key not in seen)
        seen.add(key)
    return table.filter(pa.array(keep))


# ---------------------------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------------------------

def gate_chunk_rows() -> int:
    """Rows validated at once (RISKRADAR_GATE_CHUNK_ROWS): a larger interval is read and validated in
    chunks of whole parts and the results combined, so a gate's memory follows the chunk, not the day."""
    return max(1, int(os.environ.get("RISKRADAR_GATE_CHUNK_ROWS", DEFAULT_GATE_CHUNK_ROWS)))


def _chunk_parts(parts: list[Path], limit: int) -> list[list[Path]]:
    """Consecutive groups of parts of at most `limit` rows each (a larger part is a group of its own)."""
    chunks: list[list[Path]] = [[]]
    rows = 0
    for part in parts:
        n = pq.read_metadata(part).num_rows
        if chunks[-1] and rows + n > limit:
            chunks.append([])
            rows = 0
        chunks[-1].append(part)
        rows += n
    return chunks


@dataclass
class _Chunk:
    """What one chunk of a gate leaves for the combined result (the rows themselves are dropped)."""

    parts: list[Path]
    reasons: dict[int, list[Outcome]]  # chunk row -> failed row-level outcomes
    new_keys: set[tuple[str, str]]  # quarantine keys of those rows
    sample_ids: list[str]
    rows: int
    zone: _ZoneBatch | None = None  # kept only when the interval is one chunk (no re-read to quarantine)


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
            sample_ids=[sid for o in group for sid in o.sample_ids][:_SAMPLE_SIZE],
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
    zone_dir = settings.landing_dir if step == "landing" else settings.scored_dir
    all_parts = storage.parts_for_interval(zone_dir, start, end) if from_zone else []
    part_chunks = _chunk_parts(all_parts, gate_chunk_rows()) if from_zone else [[]]
    validator = _validator()  # the first call per process imports GX (seconds); later calls are free
    t_ctx = time.perf_counter()
    specs: list[Spec] = module.build(settings, inputs)
    t_build = time.perf_counter()
    derive: Callable[..., dict[str, pd.DataFrame]] | None = getattr(module, "frames", None)
    id_columns = getattr(module, "ID_COLUMNS", {})

    per_chunk: list[list[Outcome]] = []
    chunks: list[_Chunk] = []
    validations: list[tuple[Any, Any]] = []
    read_s = 0.0
    for index, parts in enumerate(part_chunks):
        t_read = time.perf_counter()
        zone: _ZoneBatch | None = None
        frames: dict[str, pd.DataFrame] = {}
        if df is not None:
            frames["batch"] = df.reset_index(drop=True)
        elif from_zone:
            zone = _read_zone(zone_dir, ZONE_SCHEMAS[step], parts)
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
                    observed_value=_short(str(exc)), unexpected_count=None, element_count=None)], inputs)
                raise gate_error(f"{exc}\nresults: {results_path}") from exc
        outcomes, chunk_validations, rows = _validate_frames(
            validator, suite_name, frames, specs, id_columns, skip_missing=df is not None)
        validations = validations or chunk_validations  # Data Docs show the first chunk's GX result
        per_chunk.append(outcomes)
        chunks.append(_row_reasons(frames.get("batch"), parts, outcomes, rows,
                                   zone if len(part_chunks) == 1 else None))
        del frames, zone
    t_validate = time.perf_counter()

    outcomes = _combine(per_chunk, specs)
    rows_validated = sum(chunk.rows for chunk in chunks)
    max_share = float(getattr(module, "MAX_QUARANTINE_SHARE", DEFAULT_MAX_QUARANTINE_SHARE))
    prior, share_outcome = _quarantine_share(settings, inputs, suite_name, chunks, outcomes, all_parts, max_share)
    if share_outcome is not None:
        outcomes.append(share_outcome)
    critical = [o for o in outcomes if not o.success and o.severity == "critical"]
    warnings = [o for o in outcomes if not o.success and o.severity == "warning"]
    quarantine_paths: list[str] = []
    moved = 0
    if not critical and from_zone:  # on a critical failure nothing is moved
        for chunk in chunks:
            if chunk.reasons:
                zone = chunk.zone or _read_zone(zone_dir, ZONE_SCHEMAS[step], chunk.parts)
                quarantine_paths += _quarantine(settings, inputs, zone, chunk.reasons)
                moved += len(chunk.reasons)
    if step == "landing" and from_zone:  # after the move: what stays + what left = what landed
        accounting = _accounting_outcome(landing_accounting(settings, start, end), suite_name)
        outcomes.append(accounting)
        if not accounting.success:
            critical.append(accounting)

    _write_dq_results(results_path, outcomes, inputs)
    _write_docs_material(settings, inputs, validations)
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


def _validate_frames(validator: _Validator, suite_name: str, frames: dict[str, pd.DataFrame],
                     specs: list[Spec], id_columns: dict[str, list[str]], *, skip_missing: bool
                     ) -> tuple[list[Outcome], list[tuple[Any, Any]], int]:
    """One GX suite and one batch.validate call per frame; outcomes in the suite module's order."""
    by_frame: dict[str, list[Spec]] = {}
    for spec in specs:
        by_frame.setdefault(spec.frame, []).append(spec)
    outcomes: list[Outcome] = []
    validations: list[tuple[Any, Any]] = []
    rows = 0
    for frame_name, frame_specs in by_frame.items():
        if frame_name not in frames:
            if skip_missing:  # a DataFrame given by the caller has no part files, hence no "schema"
                log.info("frame %r not available; skipping %d expectations", frame_name, len(frame_specs))
                continue
            raise KeyError(f"suite {suite_name!r} validates frame {frame_name!r} but only "
                           f"{sorted(frames)} exist")
        name = suite_name if frame_name == "batch" else f"{suite_name}.{frame_name}"
        frame = frames[frame_name]
        suite, result = validator.validate(name, frame, frame_specs)
        validations.append((suite, result))
        ids = id_columns.get(frame_name, ["source_id", "item_id"])
        # GX does not keep the suite's order in result.results: match by the id put into meta.
        by_id = {er.expectation_config.meta["dq_id"]: er for er in result.results}
        outcomes.extend(_evaluate(spec, name, by_id[spec.id], frame, ids) for spec in frame_specs)
        rows += len(frame)
    if "batch" in frames:
        rows = len(frames["batch"])
    return outcomes, validations, rows


def _row_reasons(batch: pd.DataFrame | None, parts: list[Path], outcomes: list[Outcome], rows: int,
                 zone: _ZoneBatch | None) -> _Chunk:
    """A chunk's rows to quarantine (chunk row -> failed row-level outcomes) and their keys."""
    reasons: dict[int, list[Outcome]] = {}
    for o in outcomes:
        if o.row_level:
            for row in o.unexpected_rows:
                reasons.setdefault(row, []).append(o)
    keys: set[tuple[str, str]] = set()
    samples: list[str] = []
    if batch is not None and reasons:
        keys = {_quarantine_key(batch.iloc[row].get("item_id"), [o.id for o in failed])
                for row, failed in reasons.items()}
        samples = _sample_ids(batch, sorted(reasons), ["source_id", "item_id"])
    return _Chunk(parts, reasons, keys, samples, rows, zone)


def _quarantine_share(settings: Settings, inputs: GateInputs, suite_name: str, chunks: list[_Chunk],
                      outcomes: list[Outcome], parts: list[Path], max_share: float
                      ) -> tuple[set[tuple[str, str]], Outcome | None]:
    """Earlier quarantine of the interval's `parts` (none for a given DataFrame), and the share check
    over every chunk (only when the suite has row-level expectations, which validate a batch).

    Rows an earlier run of this gate already moved out still count in the share, so a rerun of the
    gate reports the same share as the first run.
    """
    prior = _prior_quarantine_keys(settings, inputs, parts)
    if not any(o.row_level for o in outcomes):
        return prior, None
    new_keys = set().union(*(chunk.new_keys for chunk in chunks))
    prior_only = prior - new_keys
    total = sum(chunk.rows for chunk in chunks) + len(prior_only)
    quarantined = len(new_keys) + len(prior_only)
    share = quarantined / total if total else 0.0
    return prior_only, Outcome(
        id=f"quarantined_share_at_most:{max_share:g}", suite=suite_name, severity="critical",
        success=share <= max_share, observed_value=f"{share:.4f}", unexpected_count=quarantined,
        element_count=total, sample_ids=[sid for chunk in chunks for sid in chunk.sample_ids][:_SAMPLE_SIZE])


# ---------------------------------------------------------------------------------------------
# Counts add up: ingest -> landing zone + landing-gate quarantine
# ---------------------------------------------------------------------------------------------

ACCOUNTING_ID = "landing_rows_plus_gate_quarantine_equal_items_landed"


def landing_accounting(settings: Settings, start: datetime, end: datetime) -> pd.DataFrame:
    """Per source of the interval: ingest's `items_landed` vs landing rows + landing-gate quarantine.

    Ingest balances `items_read = items_landed + items_duplicate + items_quarantined`; the landing
    gate then moves rows from the landing zone to `quarantine/stage=landing_gate/`. Nothing is lost
    when `landing_rows + gate_quarantined == items_landed` and no item is in both places
    (`overlap`). Quarantined items count once, whatever number of expectations they failed.
    Sources without a source_health part (no ingest record, e.g. a hand-written part) have
    `items_landed` = NA and `balanced` = NA: they are not judged.
    """
    start, end = storage.as_utc(start), storage.as_utc(end)
    landed: dict[str, int] = {}
    for part in storage.parts_for_interval(settings.source_health_dir, start, end):
        table = pq.read_table(part, columns=["source_id", "items_landed"])
        for sid, n in zip(table["source_id"].to_pylist(), table["items_landed"].to_pylist(), strict=True):
            if sid is not None:
                landed[sid] = landed.get(sid, 0) + int(n or 0)
    landing_ids: dict[str, list[str]] = {}
    quarantined_ids: dict[str, set[str]] = {}
    for part in storage.parts_for_interval(settings.landing_dir, start, end):
        sid = part.parent.parent.name.split("=", 1)[1]
        landing_ids.setdefault(sid, []).extend(str(i) for i in pq.read_table(part, columns=["item_id"])["item_id"].to_pylist())
    gate_dir = settings.quarantine_dir / "stage=landing_gate"
    for part in storage.parts_for_interval(gate_dir, start, end):
        sid = part.parent.parent.name.split("=", 1)[1]
        ids = pq.read_table(part, columns=["item_id"])["item_id"].to_pylist()
        quarantined_ids.setdefault(sid, set()).update(str(i) for i in ids)
    rows = []
    for sid in sorted(set(landed) | set(landing_ids) | set(quarantined_ids)):
        kept = landing_ids.get(sid, [])
        moved = quarantined_ids.get(sid, set())
        n_landed = landed.get(sid)
        overlap = len(moved & set(kept))
        rows.append({
            "source_id": sid, "items_landed": n_landed, "landing_rows": len(kept),
            "gate_quarantined": len(moved), "overlap": overlap,
            "balanced": None if n_landed is None else (len(kept) + len(moved) == n_landed and overlap == 0),
        })
    frame = pd.DataFrame(rows, columns=["source_id", "items_landed", "landing_rows", "gate_quarantined",
                                        "overlap", "balanced"])
    return frame.astype({"items_landed": "Int64", "balanced": "boolean"})


def _accounting_outcome(frame: pd.DataFrame, suite_name: str) -> Outcome:
    judged = frame[frame["balanced"].notna()]
    bad = judged[~judged["balanced"].astype(bool)]
    observed = [f"{r.source_id}: landed {r.items_landed} != landing {r.landing_rows} + quarantined "
                f"{r.gate_quarantined} (in both: {r.overlap})" for r in bad.itertuples()]
    unjudged = frame.loc[frame["balanced"].isna(), "source_id"].tolist()
    if not observed and unjudged:
        observed = [f"not judged (no source_health): {unjudged[:_SAMPLE_SIZE]}"]
    return Outcome(
        id=ACCOUNTING_ID, suite=suite_name, severity="critical", success=bad.empty,
        observed_value=_short(observed) if observed else None, unexpected_count=len(bad),
        element_count=len(judged), sample_ids=bad["source_id"].tolist()[:_SAMPLE_SIZE],
        reason="rows lost or duplicated between ingest, landing and quarantine")


# ---------------------------------------------------------------------------------------------
# Data Docs
# ---------------------------------------------------------------------------------------------

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
