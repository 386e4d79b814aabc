"""Dump every mart (and dim) of a built warehouse to Parquet + CSV, rows sorted, floats rounded.

    .venv/bin/python tools/dump_marts.py OUT_DIR [--warehouse PATH]

Each `fct_*` / `dim_*` relation of the marts schema becomes OUT_DIR/<model>.parquet and .csv:
columns in name order, floats rounded to 9 decimals, lists rendered as text, rows sorted by every
column. tools/compare_marts.py compares two such dumps. Reads through riskradar.warehouse, so it
follows RISKRADAR_DBT_TARGET (DuckDB file or PostgreSQL).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

DECIMALS = 9


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Sorted columns and rows; floats rounded; lists/arrays and timestamps as comparable text."""
    frame = frame[sorted(frame.columns)].copy()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_float_dtype(series):
            frame[column] = series.round(DECIMALS)
        elif series.dtype == object:
            frame[column] = series.map(_text)
        elif pd.api.types.is_datetime64_any_dtype(series):
            frame[column] = series.astype(str)
    return frame.sort_values(list(frame.columns), na_position="first", kind="mergesort").reset_index(drop=True)


def _text(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float):
        return repr(round(value, DECIMALS))
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "[" + ", ".join("null" if v is None else str(round(v, DECIMALS) if isinstance(v, float) else v)
                               for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def dump(out: Path, settings=None) -> dict[str, int]:
    from riskradar import warehouse

    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with warehouse.connect(settings) as wh:
        for model in wh.marts():
            frame = normalise(wh.frame(f"select * from {wh.relation(model)}"))
            frame.to_parquet(out / f"{model}.parquet", index=False)
            frame.to_csv(out / f"{model}.csv", index=False)
            counts[model] = len(frame)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    for model, rows in dump(args.out).items():
        print(f"{model:<36} {rows:>8} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
