"""bench_pipeline's tables: per-stage rates and growth between volumes, the 1M projection and the
targets missed (1M mentions in 600 s end to end, 4 GB peak, no stage worse than linear)."""

from __future__ import annotations

import math
from typing import Any

TARGET_SECONDS_1M = 600
TARGET_PEAK_MB = 4096
STAGES = ("ingest", "gate_landing", "score", "stories", "gate_scored", "dbt", "gate_marts", "brief")


def _fmt_rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "-"


def report(results: list[dict[str, Any]]) -> str:
    lines = []
    for res in results:
        n, stages = res["mentions"], res["stages"]
        lines.append(f"\n{res['volume']:,} items/day target: {n:,} mentions landed on the measured day "
                     f"({res['feed_mb']:.0f} MB of feeds)")
        lines.append("| stage | wall s | CPU s | mentions/s | peak MB |")
        lines.append("|---|---:|---:|---:|---:|")
        for stage in STAGES:
            r = stages[stage]
            lines.append(f"| {stage} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {_fmt_rate(n, r['wall_s'])} | "
                         f"{r['peak_mb']:.0f} |")
        wall = sum(r["wall_s"] for r in stages.values())
        cpu = sum(r["cpu_s"] for r in stages.values())
        peak = max(r["peak_mb"] for r in stages.values())
        lines.append(f"| **end to end** | **{wall:.1f}** | **{cpu:.1f}** | **{_fmt_rate(n, wall)}** | **{peak:.0f}** |")
    for a, b in zip(results, results[1:], strict=False):
        ratio = b["mentions"] / a["mentions"]
        lines.append(f"\ngrowth {a['volume']:,} -> {b['volume']:,} (mentions x{ratio:.1f}; 1.0 = linear, "
                     f"time ratio / volume ratio)")
        lines.append("| stage | wall growth | CPU growth | peak MB ratio |")
        lines.append("|---|---:|---:|---:|")
        for stage in STAGES:
            ra, rb = a["stages"][stage], b["stages"][stage]
            lines.append(f"| {stage} | {rb['wall_s'] / ra['wall_s'] / ratio:.2f} | "
                         f"{rb['cpu_s'] / max(ra['cpu_s'], 1e-3) / ratio:.2f} | {rb['peak_mb'] / ra['peak_mb']:.2f} |")
        wa = sum(r["wall_s"] for r in a["stages"].values())
        wb = sum(r["wall_s"] for r in b["stages"].values())
        lines.append(f"| **end to end** | **{wb / wa / ratio:.2f}** | | |")
    at_1m = projection(results)
    basis = " and ".join(f"{r['mentions']:,}" for r in results[-2:])
    lines.append(f"\nprojected to 1,000,000 mentions/day from the runs of {basis} mentions (fixed + per-mention "
                 "line; power law where a stage grew faster than the volume)")
    lines.append("| stage | wall s | CPU s | peak MB |")
    lines.append("|---|---:|---:|---:|")
    for stage in STAGES:
        r = at_1m[stage]
        lines.append(f"| {stage} | {r['wall_s']:.0f} | {r['cpu_s']:.0f} | {r['peak_mb']:.0f} |")
    lines.append(f"| **end to end** | **{sum(r['wall_s'] for r in at_1m.values()):.0f}** | "
                 f"**{sum(r['cpu_s'] for r in at_1m.values()):.0f}** | "
                 f"**{max(r['peak_mb'] for r in at_1m.values()):.0f}** |")
    return "\n".join(lines)


def _project(results: list[dict[str, Any]], value: Any, target: int = 1_000_000) -> float:
    """`value(result)` at `target` mentions from the two largest volumes run: a fixed + per-mention
    line (never below the largest measured figure), or, when the figure grew faster than the
    volume (a stage worse than linear), the power law through the two points. Proportional with
    one volume."""
    last = results[-1]
    if last["mentions"] >= target or len(results) == 1:
        return value(last) * target / last["mentions"]
    prev = results[-2]
    a, b = value(prev), value(last)
    exponent = math.log(b / a) / math.log(last["mentions"] / prev["mentions"]) if a > 0 and b > 0 else 1.0
    if exponent > 1.1:
        return b * (target / last["mentions"]) ** exponent
    slope = (b - a) / (last["mentions"] - prev["mentions"])
    return b + max(slope, 0.0) * (target - last["mentions"])


def projection(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per stage wall, CPU and peak at 1M mentions a day (measured when 1M was run)."""
    out = {}
    for stage in STAGES:
        out[stage] = {key: _project(results, lambda r, s=stage, k=key: r["stages"][s][k])
                      for key in ("wall_s", "cpu_s", "peak_mb")}
    return out


def verdict(results: list[dict[str, Any]]) -> list[str]:
    """Targets missed, measured at 1M or projected there from the largest volumes run."""
    last = results[-1]
    basis = " and ".join(f"{r['volume']:,}" for r in results[-2:])
    how = f"{'measured at' if last['volume'] >= 1_000_000 else 'projected from'} {basis}/day"
    at_1m = projection(results)
    misses = []
    wall = sum(r["wall_s"] for r in at_1m.values())
    if wall > TARGET_SECONDS_1M:
        top = sorted(at_1m.items(), key=lambda kv: -kv[1]["wall_s"])[:3]
        misses.append(f"1M end to end {wall:.0f} s ({how}) > {TARGET_SECONDS_1M} s; largest: "
                      + ", ".join(f"{k} {v['wall_s']:.0f} s" for k, v in top))
    for stage, r in at_1m.items():
        if r["peak_mb"] > TARGET_PEAK_MB:
            misses.append(f"{stage} peak memory at 1M {r['peak_mb']:.0f} MB ({how}) > {TARGET_PEAK_MB} MB")
    for a, b in zip(results, results[1:], strict=False):
        ratio = b["mentions"] / a["mentions"]
        for stage in STAGES:
            growth = b["stages"][stage]["wall_s"] / a["stages"][stage]["wall_s"] / ratio
            if growth > 1.25:
                misses.append(f"{stage} grows worse than linear {a['volume']:,} -> {b['volume']:,}: {growth:.2f}")
    return misses


def print_verdict(misses: list[str]) -> None:
    print("\ntargets (1M mentions/day on 2 cores: <= 600 s end to end, <= 4 GB peak, no stage worse than linear):")
    print("\n".join(f"  MISSED: {m}" for m in misses) if misses else "  all met")
