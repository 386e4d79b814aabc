"""Per-gate time of the Great Expectations gates (landing, scored, marts) on a kept pipeline day.

A gate's fixed cost is importing GX, building its ephemeral context and its suites; the rest
grows with the rows. This prints, for each gate, the wall time of the call and the gate's own
breakdown (`GateResult.timings`): first in a fresh process (`--fresh`, as a task process that
starts cold), then `--repeat` times more in one process, where the context and suites are built
once and reused (a long-lived worker process, the demo's one process, a backfill). CPU time is printed beside
wall time: on a shared machine it is the steadier figure.

It needs a day the pipeline has run (zones and warehouse), e.g. from the pipeline benchmark:

    .venv/bin/python bench/bench_pipeline.py --volumes 10000 --days 2 --keep /tmp/rr-bench
    .venv/bin/python bench/bench_gates.py --root /tmp/rr-bench/v10000 [--day 2026-08-02] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from results import Figure, report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GATES = ("landing", "scored", "marts")
MARKER = "BENCH_GATE "


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "RISKRADAR_HOME": str(REPO), "RISKRADAR_DATA_DIR": str(root / "data"),
            "RISKRADAR_CONFIG_DIR": str(root / "config"), "DBT_PROFILES_DIR": str(REPO / "dbt_project"),
            "NLTK_DATA": os.environ.get("NLTK_DATA", str(REPO / ".venv" / "nltk_data"))}


def run_gates(day: date, gates: list[str], repeat: int) -> list[dict]:
    """Each gate `repeat` times in this process (the first call of all pays GX's import)."""
    import riskradar.quality  # noqa: F401  (like bench_pipeline: imports before the clock)
    from riskradar import pipeline
    from riskradar.config import Settings

    settings = Settings.from_env()
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    rows = []
    for round_ in range(repeat):
        for gate in gates:
            began, cpu = time.perf_counter(), time.process_time()
            out = pipeline.gate(gate, start.isoformat(), (start + timedelta(days=1)).isoformat(),
                                f"bench_gates__{round_}", settings)
            rows.append({"gate": gate, "round": round_, "wall_s": time.perf_counter() - began,
                         "cpu_s": time.process_time() - cpu,
                         "rows": out.get("rows_validated"), "timings": out.get("timings")})
    return rows


def _print(label: str, rows: list[dict]) -> None:
    for r in rows:
        t = r["timings"] or {}
        print(f"  {label:<8} {r['gate']:<8} round {r['round']}: wall {r['wall_s']:6.2f} s  cpu {r['cpu_s']:6.2f} s  rows {r['rows']:>7}  "
              + "  ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in t.items() if k != "total_s"), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="a bench_pipeline --keep volume directory (data/, config/)")
    ap.add_argument("--day", default="2026-08-02", help="the day to validate")
    ap.add_argument("--gates", default=",".join(GATES))
    ap.add_argument("--repeat", type=int, default=3, help="calls of each gate in one process")
    ap.add_argument("--no-fresh", action="store_true", help="skip the cold fresh-process call of each gate")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    root, gates, day = Path(args.root).resolve(), args.gates.split(","), date.fromisoformat(args.day)
    if args.child:
        print(MARKER + json.dumps(run_gates(day, gates, args.repeat)), flush=True)
        return 0
    cmd = [sys.executable, str(Path(__file__).resolve()), "--root", str(root), "--day", args.day, "--child"]
    print(f"gates on {root} for {day} ({os.cpu_count()} CPUs)", flush=True)
    results: dict[str, list[dict]] = {}

    def child(label: str, extra: list[str]) -> None:
        proc = subprocess.run(cmd + extra, env=_env(root), text=True, capture_output=True, check=False)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
        if proc.returncode or not lines:
            raise SystemExit(f"{label} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        results[label] = json.loads(lines[-1][len(MARKER):])
        _print(label, results[label])

    figures = []
    if not args.no_fresh:
        for gate in gates:  # one cold process per gate, as a task process without a warm worker
            child("fresh", ["--gates", gate, "--repeat", "1"])
            figures += [Figure(f"{gate} gate, fresh process (context + suites built)", r["wall_s"], unit="s",
                               higher_is_better=False) for r in results["fresh"]]
    child("one-proc", ["--gates", ",".join(gates), "--repeat", str(args.repeat)])
    warm = [r for r in results["one-proc"] if r["round"] > 0]
    for gate in gates:
        walls = sorted(r["wall_s"] for r in warm if r["gate"] == gate)
        cpus = sorted(r["cpu_s"] for r in warm if r["gate"] == gate)
        if walls:
            print(f"{gate}: context and suites reused, median wall {walls[len(walls) // 2]:.2f} s, "
                  f"CPU {cpus[len(cpus) // 2]:.2f} s per gate", flush=True)
            figures.append(Figure(f"{gate} gate, reused context, median wall", walls[len(walls) // 2], target=1.5,
                                  unit="s", higher_is_better=False))
    report("bench_gates", figures, {"root": str(root), "day": args.day, "repeat": args.repeat})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
