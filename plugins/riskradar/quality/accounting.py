"""Counts add up across ingest and the landing gate: per source, the landing rows plus the rows
the gate moved to quarantine equal what ingest reported as `items_landed`, so a row can leave the
landing zone only into quarantine."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from riskradar import storage
from riskradar.config import Settings
from riskradar.quality.spec import SAMPLE_SIZE, Outcome, short

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
        table = storage.read_table(part, columns=["source_id", "items_landed"])
        for sid, n in zip(table["source_id"].to_pylist(), table["items_landed"].to_pylist(), strict=True):
            if sid is not None:
                landed[sid] = landed.get(sid, 0) + int(n or 0)
    landing_ids: dict[str, list[str]] = {}
    quarantined_ids: dict[str, set[str]] = {}
    for part in storage.parts_for_interval(settings.landing_dir, start, end):
        sid = part.parent.parent.name.split("=", 1)[1]
        landing_ids.setdefault(sid, []).extend(str(i) for i in storage.read_table(part, columns=["item_id"])["item_id"].to_pylist())
    gate_dir = settings.quarantine_dir / "stage=landing_gate"
    for part in storage.parts_for_interval(gate_dir, start, end):
        sid = part.parent.parent.name.split("=", 1)[1]
        ids = storage.read_table(part, columns=["item_id"])["item_id"].to_pylist()
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


def accounting_outcome(frame: pd.DataFrame, suite_name: str) -> Outcome:
    """The critical outcome of a landing_accounting table: every judged source balanced."""
    judged = frame[frame["balanced"].notna()]
    bad = judged[~judged["balanced"].astype(bool)]
    observed = [f"{r.source_id}: landed {r.items_landed} != landing {r.landing_rows} + quarantined "
                f"{r.gate_quarantined} (in both: {r.overlap})" for r in bad.itertuples()]
    unjudged = frame.loc[frame["balanced"].isna(), "source_id"].tolist()
    if not observed and unjudged:
        observed = [f"not judged (no source_health): {unjudged[:SAMPLE_SIZE]}"]
    return Outcome(
        id=ACCOUNTING_ID, suite=suite_name, severity="critical", success=bad.empty,
        observed_value=short(observed) if observed else None, unexpected_count=len(bad),
        element_count=len(judged), sample_ids=bad["source_id"].tolist()[:SAMPLE_SIZE],
        reason="rows lost or duplicated between ingest, landing and quarantine")
