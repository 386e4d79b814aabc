"""Reading a zone interval for a gate: its parts in chunks of whole parts, each chunk as one
DataFrame as read (no cast) plus a per-part column/type report (the gate's "schema" frame)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from riskradar import storage
from riskradar.config import Settings
from riskradar.schemas import LANDING, SCORED

ZONE_SCHEMAS: dict[str, pa.Schema] = {"landing": LANDING, "scored": SCORED}
# rows a zone gate reads and validates at once (RISKRADAR_GATE_CHUNK_ROWS); see gate_chunk_rows()
DEFAULT_GATE_CHUNK_ROWS = 200_000


def zone_dir(settings: Settings, step: str) -> Path:
    """The zone a zone step's gate validates."""
    return settings.landing_dir if step == "landing" else settings.scored_dir


def gate_chunk_rows() -> int:
    """Rows validated at once (RISKRADAR_GATE_CHUNK_ROWS): a larger interval is read and validated in
    chunks of whole parts and the results combined, so a gate's memory follows the chunk, not the day."""
    return max(1, int(os.environ.get("RISKRADAR_GATE_CHUNK_ROWS", DEFAULT_GATE_CHUNK_ROWS)))


def _chunk_parts(parts: list[Path], limit: int) -> list[list[Path]]:
    """Consecutive groups of parts of at most `limit` rows each (a larger part is a group of its own)."""
    chunks: list[list[Path]] = [[]]
    rows = 0
    for part in parts:
        n = storage.read_metadata(part).num_rows
        if chunks[-1] and rows + n > limit:
            chunks.append([])
            rows = 0
        chunks[-1].append(part)
        rows += n
    return chunks


@dataclass
class ZoneBatch:
    """Parts of a zone read for one validation; `offsets` map a frame row back to its part."""

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


def read_zone(zone_dir: Path, schema: pa.Schema, parts: list[Path]) -> ZoneBatch:
    """These parts of a zone, as read (no cast), plus a per-part column/type report."""
    tables = [storage.read_table(p) for p in parts]
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
    return ZoneBatch(frame, parts, offsets, tables, schema_frame)
