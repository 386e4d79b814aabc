"""Great Expectations gates: validate a step's output, quarantine bad rows, record results, block on failure.

A gate loads its suite as code from `expectations/<step>.py` (see expectations/README.md), builds the
DataFrames it validates (the zone rows of the interval, or warehouse tables for `marts`), validates
each DataFrame with one `batch.validate(suite)` call in an ephemeral GX context, then moves rows
failing a row-level expectation to quarantine, writes `dq_results`, keeps the GX results for Data
Docs and raises `QualityGateError` when a critical expectation failed, after everything is written.

One module per job:

- `gates`: run_gate, the combination of a chunked interval's outcomes, dq_results;
- `spec`: Spec, GateInputs, Outcome, GateResult, QualityGateError / gate_error;
- `validator`: GX plumbing (lazy import, one context and its suites per process), suite loading;
- `zones`: reading a zone interval in chunks of whole parts;
- `quarantine`: moving failing rows to `quarantine/stage=<step>_gate/` and the share check;
- `accounting`: ingest's `items_landed` = landing rows + landing-gate quarantine, per source;
- `docs`: the validation material kept per interval and the GX Data Docs site built from it.

Great Expectations is imported lazily (it costs seconds and floods INFO logs under Airflow), so
importing this package stays cheap (Airflow parses DAG files that import it).
"""

from riskradar.quality.accounting import ACCOUNTING_ID, landing_accounting
from riskradar.quality.docs import build_data_docs
from riskradar.quality.gates import DEFAULT_MAX_QUARANTINE_SHARE, dq_results_path, run_gate
from riskradar.quality.spec import (
    SEVERITIES,
    GateInputs,
    GateResult,
    Outcome,
    QualityGateError,
    Spec,
    gate_error,
)
from riskradar.quality.validator import configured_source_ids, hashable_lists, import_gx, load_suite_module
from riskradar.quality.zones import DEFAULT_GATE_CHUNK_ROWS, ZONE_SCHEMAS, gate_chunk_rows

__all__ = [
    "ACCOUNTING_ID",
    "DEFAULT_GATE_CHUNK_ROWS",
    "DEFAULT_MAX_QUARANTINE_SHARE",
    "SEVERITIES",
    "ZONE_SCHEMAS",
    "GateInputs",
    "GateResult",
    "Outcome",
    "QualityGateError",
    "Spec",
    "build_data_docs",
    "configured_source_ids",
    "dq_results_path",
    "gate_chunk_rows",
    "gate_error",
    "hashable_lists",
    "import_gx",
    "landing_accounting",
    "load_suite_module",
    "run_gate",
]
