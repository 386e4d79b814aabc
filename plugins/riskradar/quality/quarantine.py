"""The gate quarantine: rows failing a row-level expectation leave their zone part for
`quarantine/stage=<step>_gate/<same partition>/<same part name>` (schema QUARANTINE).

Quarantine is written before the zone part is rewritten without the rows, so a crash between the
two duplicates a row, never loses it; a rerun merges into the existing quarantine part by key
(item id, failed expectations), so the same item is never quarantined twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from riskradar import storage
from riskradar.config import Settings
from riskradar.quality.spec import SAMPLE_SIZE, GateInputs, Outcome, sample_ids
from riskradar.quality.zones import ZoneBatch
from riskradar.schemas import QUARANTINE

QuarantineKey = tuple[str, str]


@dataclass
class Chunk:
    """What one chunk of a gate leaves for the combined result (the rows themselves are dropped)."""

    parts: list[Path]
    reasons: dict[int, list[Outcome]]  # chunk row -> failed row-level outcomes
    new_keys: set[QuarantineKey]  # quarantine keys of those rows
    sample_ids: list[str]
    rows: int
    zone: ZoneBatch | None = None  # kept only when the interval is one chunk (no re-read to quarantine)


def row_reasons(batch: pd.DataFrame | None, parts: list[Path], outcomes: list[Outcome], rows: int,
                zone: ZoneBatch | None) -> Chunk:
    """A chunk's rows to quarantine (chunk row -> failed row-level outcomes) and their keys."""
    reasons: dict[int, list[Outcome]] = {}
    for o in outcomes:
        if o.row_level:
            for row in o.unexpected_rows:
                reasons.setdefault(row, []).append(o)
    keys: set[QuarantineKey] = set()
    samples: list[str] = []
    if batch is not None and reasons:
        keys = {_quarantine_key(batch.iloc[row].get("item_id"), [o.id for o in failed])
                for row, failed in reasons.items()}
        samples = sample_ids(batch, sorted(reasons), ["source_id", "item_id"])
    return Chunk(parts, reasons, keys, samples, rows, zone)


def quarantine_share(settings: Settings, inputs: GateInputs, suite_name: str, chunks: list[Chunk],
                     outcomes: list[Outcome], parts: list[Path], max_share: float
                     ) -> tuple[set[QuarantineKey], Outcome | None]:
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
        element_count=total, sample_ids=[sid for chunk in chunks for sid in chunk.sample_ids][:SAMPLE_SIZE])


def move_to_quarantine(settings: Settings, inputs: GateInputs, batch: ZoneBatch,
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
            old = storage.read_table(qpath, schema=QUARANTINE)
            new = _dedupe_quarantine(pa.concat_tables([old, new]))
        storage.write_table_atomic(new, qpath)  # quarantine first: a crash duplicates, never loses
        drop = set(local)
        keep = pa.array([i not in drop for i in range(table.num_rows)])
        storage.write_table_atomic(table.filter(keep), part)
        written.append(str(qpath))
    return written


def _row_json(row: dict[str, Any]) -> str:
    clean = {k: (None if _is_missing(v) else v) for k, v in row.items()}
    return json.dumps(clean, default=str, sort_keys=True)


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _quarantine_key(item_id: Any, expectations: list[str] | str) -> QuarantineKey:
    """One quarantined item per (item id, failed expectations): a rerun does not add it twice."""
    exp = expectations if isinstance(expectations, str) else ",".join(dict.fromkeys(expectations))
    return (str(item_id), exp)


def _quarantine_path(settings: Settings, step: str, part: Path) -> Path:
    return settings.quarantine_dir / f"stage={step}_gate" / part.parent.parent.name / part.parent.name / part.name


def _prior_quarantine_keys(settings: Settings, inputs: GateInputs, parts: list[Path]) -> set[QuarantineKey]:
    keys: set[QuarantineKey] = set()
    for part in parts:
        qpath = _quarantine_path(settings, inputs.step, part)
        if qpath.exists():
            t = storage.read_table(qpath, columns=["item_id", "expectation"])
            keys |= {_quarantine_key(i, e) for i, e in zip(t["item_id"].to_pylist(),
                                                          t["expectation"].to_pylist(), strict=True)}
    return keys


def _dedupe_quarantine(table: pa.Table) -> pa.Table:
    """Keep the first row per quarantine key (the earliest run's record)."""
    seen: set[QuarantineKey] = set()
    keep = []
    for item_id, exp in zip(table["item_id"].to_pylist(), table["expectation"].to_pylist(), strict=True):
        key = _quarantine_key(item_id, exp)
        keep.append(key not in seen)
        seen.add(key)
    return table.filter(pa.array(keep))
