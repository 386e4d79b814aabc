"""What a gate is made of and what it gives back: expectations (Spec), the inputs a suite sees,
the outcome of each expectation, the gate's result, and the error that blocks downstream."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import pandas as pd

from riskradar import storage

SEVERITIES = ("critical", "warning")
SAMPLE_SIZE = 5  # ids of failing rows kept per outcome


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


def short(value: Any, limit: int = 300) -> str | None:
    """An observed value as text of at most `limit` characters (dq_results, messages)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def sample_ids(frame: pd.DataFrame, rows: list[int], id_columns: list[str]) -> list[str]:
    """Names of the first failing rows (`<source_id>/<item_id>` for a zone batch)."""
    cols = [c for c in id_columns if c in frame.columns] or list(frame.columns[:1])
    out = []
    for row in rows[:SAMPLE_SIZE]:
        if row in frame.index:
            out.append("/".join(str(frame.at[row, c]) for c in cols))
    return out
