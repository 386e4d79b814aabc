"""Compare two dumps of tools/dump_marts.py, mart by mart.

    .venv/bin/python tools/compare_marts.py BEFORE_DIR AFTER_DIR [--show 5]

For each mart: same rows, or which columns were added/removed and how many rows differ on the
shared columns (rows only before / only after, with examples). Exit 1 when any mart differs on its
shared columns or a mart disappeared (added columns and added marts are reported, not failures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd


def compare(before: Path, after: Path, show: int = 5) -> tuple[bool, list[str]]:
    lines: list[str] = []
    same = True
    old = {p.stem: p for p in before.glob("*.parquet")}
    new = {p.stem: p for p in after.glob("*.parquet")}
    for model in sorted(old.keys() - new.keys()):
        same = False
        lines.append(f"{model}: MISSING after")
    for model in sorted(new.keys() - old.keys()):
        lines.append(f"{model}: new mart ({len(pd.read_parquet(new[model]))} rows)")
    for model in sorted(old.keys() & new.keys()):
        a, b = pd.read_parquet(old[model]), pd.read_parquet(new[model])
        shared = [c for c in a.columns if c in b.columns]
        notes = []
        if removed := [c for c in a.columns if c not in b.columns]:
            notes.append(f"columns removed {removed}")
            same = False
        if added := [c for c in b.columns if c not in a.columns]:
            notes.append(f"columns added {added}")
        merged = _as_text(a[shared]).merge(_as_text(b[shared]), how="outer", indicator=True)
        only_before = merged[merged["_merge"] == "left_only"]
        only_after = merged[merged["_merge"] == "right_only"]
        if len(only_before) or len(only_after) or len(a) != len(b):
            same = False
            notes.append(f"rows {len(a)} -> {len(b)}; {len(only_before)} only before, {len(only_after)} only after")
            key = _key(a, b, shared)
            if key:
                paired = _as_text(a[shared]).merge(_as_text(b[shared]), on=key, suffixes=("_before", "_after"))
                changed = {c: int((paired[f"{c}_before"] != paired[f"{c}_after"]).sum()) for c in shared if c != key}
                notes.append(f"paired on {key}: values differ in " + (", ".join(
                    f"{c} ({n} rows)" for c, n in changed.items() if n) or "no column"))
            for label, rows in (("before", only_before), ("after", only_after)):
                for row in rows.drop(columns="_merge").head(show).to_dict("records"):
                    notes.append(f"    {label}: {row}")
        lines.append(f"{model}: " + ("same rows" if not notes else "; ".join(n for n in notes if not n.startswith("    ")))
                     + "".join("\n" + n for n in notes if n.startswith("    ")))
    return same, lines


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as text and every null as one marker, so a null equals a null (None, NaN and NA
    alike; pandas' string dtype keeps NA, and NA != NA)."""
    return frame.astype(object).where(frame.notna(), "<null>").astype(str)


def _key(a: pd.DataFrame, b: pd.DataFrame, shared: list[str]) -> str | None:
    """A column unique in both dumps (the mart's primary key), to pair rows and name changed columns."""
    for column in shared:
        if column.endswith("_id") and a[column].is_unique and b[column].is_unique:
            return column
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args(argv)
    same, lines = compare(args.before, args.after, args.show)
    print("\n".join(lines))
    print("ALL MARTS SAME ON SHARED COLUMNS" if same else "MARTS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
