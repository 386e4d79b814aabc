"""Each benchmark's targets beside its measured figures, and the ratio to the figure the previous
commit recorded (`bench/results/<bench>.json`, committed with the code it measured).

    from results import Figure, report
    report("bench_score", [Figure("tweets per CPU-s, full path", 9_512, target=9_000, unit="/CPU-s")])

prints one line per figure: the measured value, the target and whether it is met, and measured /
recorded for the newest record made at another commit (a ratio, so the noise of a busy machine
does not pass for a regression: compare runs of one session where it matters). The run is then
recorded under the current commit (replacing an earlier record of the same commit), unless
RISKRADAR_BENCH_NO_RECORD=1.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    target: float | None = None
    unit: str = ""
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                             cwd=RESULTS.parent)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True, cwd=RESULTS.parent).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {unit}".rstrip()


def report(bench: str, figures: list[Figure], context: dict | None = None) -> list[str]:
    """Print the targets table; record this run; return the figures whose target was missed."""
    path = RESULTS / f"{bench}.json"
    history = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    commit = _commit()
    previous = next((r for r in reversed(history) if r["commit"] != commit), None)
    before = {f["name"]: f["value"] for f in previous["figures"]} if previous else {}
    print(f"\n{bench}: targets (commit {commit}; ratio = measured / commit {previous['commit'] if previous else '-'})")
    print(f"  {'figure':<48} {'measured':>16} {'target':>16} {'':>6} {'ratio':>7}")
    missed = []
    for f in figures:
        target = "-" if f.target is None else ("≥ " if f.higher_is_better else "≤ ") + _fmt(f.target, f.unit)
        verdict = {True: "met", False: "MISSED", None: ""}[f.met]
        ratio = f"{f.value / before[f.name]:.2f}" if before.get(f.name) else "-"
        print(f"  {f.name:<48} {_fmt(f.value, f.unit):>16} {target:>16} {verdict:>6} {ratio:>7}")
        if f.met is False:
            missed.append(f.name)
    if os.environ.get("RISKRADAR_BENCH_NO_RECORD") != "1":
        record = {"commit": commit, "at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "cpus": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1),
                  "context": context or {}, "figures": [asdict(f) for f in figures]}
        history = [r for r in history if r["commit"] != commit] + [record]
        RESULTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
        print(f"  recorded in {path.relative_to(RESULTS.parent.parent)}")
    return missed
