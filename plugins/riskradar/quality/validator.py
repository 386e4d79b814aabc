"""Great Expectations plumbing and suites as code: load `expectations/<step>.py`, validate frames
in one ephemeral GX context per process, turn GX results into Outcomes.

Great Expectations is imported lazily (it costs seconds and floods INFO logs under Airflow): the
first `_validator()` call of a process imports it and builds the context; later gates reuse the
context and every suite they built before.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from riskradar.config import Settings
from riskradar.quality.spec import SAMPLE_SIZE, Outcome, Spec, sample_ids, short

log = logging.getLogger(__name__)


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


def validate_frames(validator: _Validator, suite_name: str, frames: dict[str, pd.DataFrame],
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


def _evaluate(spec: Spec, suite_name: str, er: Any, frame: pd.DataFrame, id_columns: list[str]) -> Outcome:
    res = dict(er.result or {})
    exc = er.exception_info or {}
    if isinstance(exc, dict) and exc.get("raised_exception"):
        observed: Any = f"error: {exc.get('exception_message')}"
    elif "observed_value" in res:
        observed = res["observed_value"]
    elif res.get("unexpected_count"):
        observed = res.get("partial_unexpected_list", [])[:SAMPLE_SIZE]
    else:
        observed = None
    rows = [int(i) for i in res.get("unexpected_index_list") or [] if isinstance(i, int | float)]
    count = res.get("unexpected_count")
    return Outcome(
        id=spec.id, suite=suite_name, severity=spec.severity, success=bool(er.success),
        observed_value=short(observed), unexpected_count=None if count is None else int(count),
        element_count=None if res.get("element_count") is None else int(res["element_count"]),
        sample_ids=sample_ids(frame, rows, id_columns) if not er.success or spec.row_level else [],
        row_level=spec.row_level, unexpected_rows=rows, reason=spec.reason or spec.id,
        missing_count=None if res.get("missing_count") is None else int(res["missing_count"]),
    )


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
