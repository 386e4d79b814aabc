"""Benchmark + identity check: ingest the whole bundled sample corpus twice and compare landed rows.

Side A ("baseline") ingests every sample day with feedparser only (RISKRADAR_FAST_PARSE=0), or,
with --baseline-plugins, with another checkout's code (e.g. the main branch: `/work/main/plugins`);
side B with this checkout's fast path. Every landing and ingest-quarantine part must be identical
(columns the baseline lacks, such as a newly added one, are named and left out; an entry without
link and guid, which the main branch quarantined and this one lands with has_link false, is matched
by count). Each side runs in
its own process; the report gives its CPU seconds and mentions per CPU-second.

    .venv/bin/riskradar sample            # the 90-day corpus under $RISKRADAR_DATA_DIR/sample_feeds
    .venv/bin/python bench/bench_ingest_sample.py [--days 90] [--baseline-plugins /work/main/plugins]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
LINKLESS = "entry has no link and no guid"  # the baseline's quarantine reason for them

CHILD = r"""
import json, sys, time
from datetime import datetime, timedelta, UTC
from riskradar.config import get_settings
from riskradar.ingest.many import ingest_many
from riskradar.ingest.sources import load_sources
settings = get_settings()
sources = load_sources(settings, enabled_only=True)
start = datetime.fromisoformat(sys.argv[1]).replace(tzinfo=UTC)
landed = read = 0
t0, w0 = time.process_time(), time.perf_counter()
for d in range(int(sys.argv[2])):
    s = start + timedelta(days=d)
    for r in ingest_many(sources, s, s + timedelta(days=1), f"manual__{s.isoformat()}", settings, max_workers=4):
        landed += int(r.get("items_landed") or 0)
        read += int(r.get("items_read") or 0)
print(json.dumps({"cpu_s": time.process_time() - t0, "wall_s": time.perf_counter() - w0,
                  "items_read": read, "items_landed": landed}))
"""


def side(data_dir: Path, sample: Path, plugins: Path, fast: bool, start: str, days: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RISKRADAR_DATA_DIR",)}
    env.update({"RISKRADAR_DATA_DIR": str(data_dir), "RISKRADAR_SAMPLE_DIR": str(sample),
                "RISKRADAR_HOME": str(REPO), "RISKRADAR_CONFIG_DIR": str(REPO / "config"),
                "RISKRADAR_FAST_PARSE": "1" if fast else "0", "PYTHONPATH": str(plugins)})
    out = subprocess.run([sys.executable, "-c", CHILD, start, str(days)], env=env, text=True,
                         capture_output=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(a: Path, b: Path) -> tuple[int, int, set[str], list[str]]:
    """(parts compared, rows compared, columns only in b, differences)."""
    diffs: list[str] = []
    extra: set[str] = set()
    parts = rows = 0
    linkless = [0, 0]  # quarantined by the baseline as linkless, landed by the new code with has_link false
    for zone in ("landing", "quarantine/stage=ingest"):
        names_a = {p.relative_to(a) for p in (a / zone).rglob("*.parquet")}
        names_b = {p.relative_to(b) for p in (b / zone).rglob("*.parquet")}
        for name in sorted(names_a | names_b):
            ta, tb = (pq.read_table(d / name).to_pylist() if (d / name).exists() else [] for d in (a, b))
            extra |= set(tb[0] if tb else {}) - set(ta[0] if ta else {})
            if "has_link" in extra:  # a baseline from before issue 16 quarantined linkless entries
                if zone == "landing":
                    linkless[1] += sum(r.get("has_link") is False for r in tb)
                    tb = [r for r in tb if r.get("has_link") is not False]
                else:
                    linkless[0] += sum(r["reason"].startswith(LINKLESS) for r in ta)
                    ta = [r for r in ta if not r["reason"].startswith(LINKLESS)]
            if [{k: r[k] for k in r if k not in extra} for r in tb] != ta:
                diffs.append(f"rows differ: {name}")
            parts += 1
            rows += len(ta)
    if linkless[0] != linkless[1]:
        diffs.append(f"{linkless[0]} linkless entries quarantined by the baseline, {linkless[1]} landed by the new code")
    return parts, rows, extra, diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--start", default="2026-08-01")
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--sample", type=Path, default=None, help="default: $RISKRADAR_DATA_DIR/sample_feeds")
    ap.add_argument("--baseline-plugins", type=Path, default=None,
                    help="plugins/ of another checkout to run as the baseline (default: this one, feedparser only)")
    args = ap.parse_args()
    sample = args.sample or Path(os.environ.get("RISKRADAR_DATA_DIR") or REPO / "data") / "sample_feeds"
    if not sample.is_dir():
        print(f"no sample corpus at {sample}: run `riskradar sample` first", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="rr-bench-ingest-sample-"))
    try:
        base = side(tmp / "a", sample, args.baseline_plugins or REPO / "plugins", args.baseline_plugins is not None,
                    args.start, args.days)
        new = side(tmp / "b", sample, REPO / "plugins", True, args.start, args.days)
        parts, rows, extra, diffs = compare(tmp / "a", tmp / "b")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    label = f"baseline ({args.baseline_plugins})" if args.baseline_plugins else "baseline (feedparser only)"
    print(f"ingest of the sample corpus: {args.days} days from {args.start}, {os.cpu_count()} CPUs")
    print(f"{'side':<44}{'CPU s':>8}{'wall s':>8}{'read':>8}{'landed':>8}{'read/CPU-s':>12}")
    for name, r in ((label, base), ("new (fast path)", new)):
        print(f"{name[:44]:<44}{r['cpu_s']:>8.2f}{r['wall_s']:>8.2f}{r['items_read']:>8}{r['items_landed']:>8}"
              f"{r['items_read'] / r['cpu_s']:>12.0f}")
    print(f"compared {parts} parts, {rows} rows; columns only in new (left out): {sorted(extra) or 'none'}")
    if diffs:
        print("NOT IDENTICAL:\n  " + "\n  ".join(diffs[:50]))
        return 1
    print("landed and quarantined rows identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
