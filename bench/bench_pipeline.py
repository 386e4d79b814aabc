"""The whole daily pipeline at 10k, 100k and 1M mentions a day, stage by stage.

For each volume V the sample generator (sample_data/generate.py) writes `--days` days of the
synthetic corpus at V new items a day into a temporary directory; the pipeline then runs every day
in order through the functions the Airflow tasks call (riskradar.pipeline: ingest per source,
gate("landing"), score, gate("scored"), build_marts, gate("marts"), brief). The earlier days give
dbt its baselines and ingest its dedup history and are not measured; only the last day is.

How it measures (the last day):
- Each stage runs in a fresh Python process (this file with `--stage`), as an Airflow task does,
  so its memory figure is its own. Inside that process the modules the stage needs are imported
  first, then the stage call alone is timed: wall time (perf_counter), CPU time (user + system:
  getrusage RUSAGE_SELF + RUSAGE_CHILDREN deltas, plus the last CPU time sampled from /proc of
  each deeper descendant, i.e. the score pool's forkserver workers, which getrusage never sees),
  and peak
  memory = the larger of the process's ru_maxrss and the highest sum of VmRSS over the process
  and all its descendants, sampled every 50 ms from /proc (it catches a score pool's workers
  running at the same time; a scan costs ~1.5 ms of CPU). Interpreter start and imports (~2-4 s a
  task) are left out: they do not grow with volume.
- ingest: every enabled source in one process, `--ingest-workers` at a time in a thread pool (the
  `riskradar ingest` CLI's path, `ingest_many`); the DAG maps the sources to separate task
  processes instead. score uses RISKRADAR_SCORE_WORKERS=`--score-workers` processes (default 2,
  one per core). dbt runs in process through dbtRunner, as build_marts does.
- items/s is the day's landed mentions over the stage's wall time, for every stage. Growth is,
  between two volumes, (time ratio) / (mentions ratio): 1.0 is linear, above 1 is worse.
- End to end is the sum of the stage wall times (they run one after another); the targets are
  1M mentions in at most 600 s with at most 4 GB peak, no stage growing worse than linear.

The sources' fetch caps (max_items 5000, max_bytes 20 MiB by default) are raised in a copy of
config/ so that a whole day's snapshot per source lands: real high-volume sources arrive through
paginated APIs and the hourly ingest cadence, not as one 100 MB daily feed.

A stage that runs past `--stage-timeout` seconds is ended (with its process group) and reported
as a missed target; `--report FILE` reprints the tables of an earlier `--json FILE` run.

    .venv/bin/python bench/bench_pipeline.py [--volumes 10000,100000] [--days 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
START = date(2026, 8, 1)
STAGES = ("ingest", "gate_landing", "score", "gate_scored", "dbt", "gate_marts", "brief")
MARKER = "BENCH_STAGE_RESULT "
TARGET_SECONDS_1M = 600
TARGET_PEAK_MB = 4096
FETCH_CAPS = {"max_items": 10_000_000, "max_bytes": 4 * 1024 ** 3}


# ---- memory sampling (child side) ---------------------------------------------------------------

def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) of every descendant of `root`, from /proc."""
    stats: dict[int, tuple[int, float]] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    tree, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, (parent, cpu) in stats.items():
            if parent == pid and child not in tree:
                tree[child] = (parent, cpu)
                frontier.append(child)
    return tree


class PeakSampler:
    """Highest summed RSS of this process tree, sampled every `interval` seconds in a thread, and
    the last CPU time seen of each grandchild or deeper descendant (a forkserver pool's workers:
    getrusage never counts them, they are not this process's children)."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak_kb = interval, 0
        self.deep_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        pid = os.getpid()
        tree = _descendants(pid)
        self.peak_kb = max(self.peak_kb, _rss_kb(pid) + sum(_rss_kb(p) for p in tree))
        for child, (parent, cpu) in tree.items():
            if parent != pid:
                self.deep_cpu[child] = cpu

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _cpu_seconds() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# ---- the stages (child side) --------------------------------------------------------------------

def _interval(day: date) -> tuple[str, str]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start.isoformat(), (start + timedelta(days=1)).isoformat()


def _ingest_all(day: date, run_id: str, settings: Any, workers: int) -> dict[str, Any]:
    from riskradar import pipeline

    start, end = _interval(day)
    sources = pipeline.select_sources(settings)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="ingest") as pool:
        results = list(pool.map(lambda sid: pipeline.ingest(sid, start, end, run_id, settings), sources))
    failed = [r["source_id"] for r in results if r.get("status") == "error"]
    if failed:
        raise RuntimeError(f"ingest failed for {failed}: {[r.get('error') for r in results if r.get('status') == 'error']}")
    return {"items_landed": sum(int(r.get("items_landed") or 0) for r in results),
            "items_read": sum(int(r.get("items_read") or 0) for r in results),
            "items_quarantined": sum(int(r.get("items_quarantined") or 0) for r in results),
            "response_bytes": sum(int(r.get("response_bytes") or 0) for r in results),
            "truncated": [r["source_id"] for r in results if r.get("is_truncated")]}


def _stage_call(stage: str, day: date, settings: Any, ingest_workers: int) -> dict[str, Any]:
    from riskradar import pipeline

    start, end = _interval(day)
    run_id = f"bench__{day.isoformat()}"
    if stage == "ingest":
        return _ingest_all(day, run_id, settings, ingest_workers)
    if stage.startswith("gate_"):
        out = pipeline.gate(stage.removeprefix("gate_"), start, end, run_id, settings)
        return {"success": out.get("success")}
    if stage == "score":
        import riskradar.stories.cluster

        timed: dict[str, float] = {}
        cluster = riskradar.stories.cluster.cluster_interval

        def timed_cluster(*a: Any, **kw: Any) -> dict[str, Any]:  # pipeline.score imports it at call time
            began = time.perf_counter()
            try:
                return cluster(*a, **kw)
            finally:
                timed["stories_s"] = time.perf_counter() - began

        riskradar.stories.cluster.cluster_interval = timed_cluster
        try:
            out = pipeline.score(start, end, run_id, settings)
        finally:
            riskradar.stories.cluster.cluster_interval = cluster
        return {"items_scored": out["items_scored"], "items_unscored": out["items_unscored"],
                "stories_s": timed.get("stories_s"), "stories": out["stories"].get("items_clustered")}
    if stage == "dbt":
        out = pipeline.build_marts(start, end, settings)
        return {"rows": out.get("rows")}
    if stage == "brief":
        out = pipeline.brief(start, end, settings)
        return {"written": sorted(out)[:6]}
    if stage == "generate":
        raise AssertionError("generate is handled by _generate")
    raise ValueError(f"unknown stage {stage!r}")


def _warm_imports(stage: str) -> None:
    """Import what a stage uses before its clock starts (imports do not grow with volume)."""
    import riskradar.pipeline  # noqa: F401

    if stage == "ingest":
        import riskradar.ingest.landing  # noqa: F401
    elif stage.startswith("gate_"):
        import riskradar.quality  # noqa: F401
    elif stage == "score":
        import riskradar.score  # noqa: F401
        import riskradar.stories.cluster  # noqa: F401
    elif stage == "dbt":
        import dbt.cli.main  # noqa: F401
        import riskradar.marts.build  # noqa: F401
    elif stage == "brief":
        import riskradar.brief.render  # noqa: F401


def _generate(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from sample_data.generate import generate

    summary = generate(args.sample_dir, start=START.isoformat(), days=args.days, items_per_day=args.volume,
                       seed=20260801, sources_path=Path(args.config_dir) / "sources.yml")
    return {"total_items": summary["total_items"]}


def run_stage(args: argparse.Namespace) -> int:
    """Child entry point: one stage (or the unmeasured history days), result as one JSON line."""
    if args.stage == "generate":
        calls = [lambda: _generate(args)]
    else:
        from riskradar.config import Settings

        settings = Settings.from_env()
        days = [date.fromisoformat(d) for d in args.day.split(",")]
        stages = STAGES if args.stage == "all" else (args.stage,)
        for stage in stages:
            _warm_imports(stage)
        calls = [lambda d=d, st=st: _stage_call(st, d, settings, args.ingest_workers) for d in days for st in stages]
    cpu0, wall0 = _cpu_seconds(), time.perf_counter()
    with PeakSampler() as sampler:
        outputs = [call() for call in calls]
    wall, cpu = time.perf_counter() - wall0, _cpu_seconds() - cpu0 + sum(sampler.deep_cpu.values())
    maxrss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(MARKER + json.dumps({"stage": args.stage, "wall_s": wall, "cpu_s": cpu, "cpu_before_s": cpu0,
                               "peak_mb": max(maxrss_kb, sampler.peak_kb) / 1024, "output": outputs[-1]},
                              default=str), flush=True)
    return 0


# ---- the driver (parent side) -------------------------------------------------------------------

class StageTimeout(Exception):
    """A stage ran past --stage-timeout: its process group was ended."""


def _child(stage: str, env: dict[str, str], extra: list[str], timeout: float | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, *extra]
    began, cpu_began = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    # own process group: a timeout ends the stage and the score pool it started, nothing else
    proc = subprocess.Popen(cmd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise StageTimeout(f"{stage} did not finish in {timeout:.0f} s") from None
    process_s = time.perf_counter() - began
    lines = [ln for ln in stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"stage {stage} exited {proc.returncode}\n{stdout[-3000:]}\n{stderr[-5000:]}")
    result = json.loads(lines[-1][len(MARKER):])
    result["process_s"] = process_s
    # the whole tree's CPU, reaped through it (a forkserver pool's workers are not the stage's own
    # children, so its RUSAGE_CHILDREN misses them), less what the stage process spent before the call
    cpu_end = resource.getrusage(resource.RUSAGE_CHILDREN)
    tree = (cpu_end.ru_utime + cpu_end.ru_stime) - (cpu_began.ru_utime + cpu_began.ru_stime)
    result["cpu_s"] = max(result["cpu_s"], tree - result["cpu_before_s"])
    return result


def _bench_config(target: Path) -> Path:
    """A copy of config/ whose sources may fetch a whole high-volume day in one snapshot."""
    shutil.copytree(REPO / "config", target)
    path = target / "sources.yml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    cfg.setdefault("defaults", {}).update(FETCH_CAPS)
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return target


def bench_volume(volume: int, days: int, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    config = _bench_config(root / "config")
    sample, data = root / "sample_feeds", root / "data"
    env = {**os.environ,
           "RISKRADAR_HOME": str(REPO), "RISKRADAR_DATA_DIR": str(data), "RISKRADAR_CONFIG_DIR": str(config),
           "RISKRADAR_SAMPLE_DIR": str(sample), "NLTK_DATA": os.environ.get("NLTK_DATA", str(REPO / ".venv" / "nltk_data")),
           "DBT_PROFILES_DIR": str(REPO / "dbt_project"), "RISKRADAR_DBT_LOG_LEVEL": "warn",
           "RISKRADAR_SCORE_WORKERS": str(args.score_workers),
           # DuckDB fills 80% of RAM as cache unless capped: the 4 GB target needs the documented cap
           "RISKRADAR_DUCKDB_MEMORY_LIMIT": os.environ.get("RISKRADAR_DUCKDB_MEMORY_LIMIT", args.duckdb_memory_limit)}
    env.pop("RISKRADAR_WAREHOUSE", None)
    common = ["--config-dir", str(config), "--sample-dir", str(sample), "--ingest-workers", str(args.ingest_workers)]
    gen = _child("generate", env, [*common, "--volume", str(volume), "--days", str(days)])
    print(f"  generate: {days} days, {gen['output']['total_items']} items in {gen['wall_s']:.1f} s "
          f"(cpu {gen['cpu_s']:.1f} s, peak {gen['peak_mb']:.0f} MB)", flush=True)
    day_list = [START + timedelta(days=d) for d in range(days)]
    timeout = args.stage_timeout or None
    for day in day_list[:-1]:  # history: every stage, not measured
        for stage in STAGES:
            try:
                r = _child(stage, env, [*common, "--day", day.isoformat()], timeout)
            except StageTimeout as exc:
                print(f"  history {day}: {exc}", flush=True)
                return {"volume": volume, "failed": f"{exc} (history day {day}, before the measured day)",
                        "generate": gen}
            print(f"  history {day} {stage:<13} wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:7.2f} s  "
                  f"peak {r['peak_mb']:6.0f} MB (not measured)", flush=True)
    rows: dict[str, dict[str, Any]] = {}
    for stage in STAGES:
        try:
            rows[stage] = _child(stage, env, [*common, "--day", day_list[-1].isoformat()], timeout)
        except StageTimeout as exc:
            print(f"  {exc}", flush=True)
            return {"volume": volume, "failed": f"{exc} (measured day {day_list[-1]})", "generate": gen,
                    "stages": rows}
        r = rows[stage]
        print(f"  {stage:<13} wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:7.2f} s  peak {r['peak_mb']:6.0f} MB  "
              f"(process {r['process_s']:.1f} s)"
              + (f"; story clustering {r['output']['stories_s']:.2f} s of it" if stage == "score" else ""), flush=True)
    ingest = rows["ingest"]["output"]
    if ingest["truncated"]:
        raise RuntimeError(f"feeds cut off at max_bytes: {ingest['truncated']}")
    return {"volume": volume, "mentions": ingest["items_landed"], "feed_mb": ingest["response_bytes"] / 2 ** 20,
            "generate": gen, "stages": rows}


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--volumes", default="10000,100000,1000000",
                    help="items per day, comma-separated (the 1M run takes ~35 minutes on 2 cores)")
    ap.add_argument("--days", type=int, default=2, help="days generated and run; only the last one is measured")
    ap.add_argument("--duckdb-memory-limit", default="3GB",
                    help="RISKRADAR_DUCKDB_MEMORY_LIMIT for the dbt stage unless the environment sets it")
    ap.add_argument("--ingest-workers", type=int, default=2, help="sources ingested at once (threads)")
    ap.add_argument("--score-workers", type=int, default=2, help="RISKRADAR_SCORE_WORKERS for the score stage")
    ap.add_argument("--stage-timeout", type=float, default=1200,
                    help="seconds one stage may run before it is ended and reported (0: no limit)")
    ap.add_argument("--keep", help="keep each volume's data under this directory instead of a temp dir")
    ap.add_argument("--json", help="also write the raw results to this file")
    ap.add_argument("--report", metavar="JSON", help="print the tables of an earlier --json file and exit")
    # child-process arguments (one stage of one day)
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--day", help=argparse.SUPPRESS)
    ap.add_argument("--volume", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--config-dir", help=argparse.SUPPRESS)
    ap.add_argument("--sample-dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stage:
        return run_stage(args)
    if args.report:
        print_results(json.loads(Path(args.report).read_text(encoding="utf-8")))
        return 0
    if args.days < 2:
        ap.error("--days must be >= 2: the measured day needs a day of history before it")

    volumes = [int(v) for v in args.volumes.split(",")]
    print(f"pipeline benchmark: volumes {volumes}, {args.days} days each (last one measured), "
          f"{os.cpu_count()} CPUs, ingest threads {args.ingest_workers}, score workers {args.score_workers}",
          flush=True)
    results = []
    for volume in volumes:
        print(f"==> {volume:,} items/day", flush=True)
        if args.keep:
            root = Path(args.keep) / f"v{volume}"
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            results.append(bench_volume(volume, args.days, root, args))
        else:
            with tempfile.TemporaryDirectory(prefix=f"rr-bench-pipeline-{volume}-") as tmp:
                results.append(bench_volume(volume, args.days, Path(tmp), args))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print_results(results)
    return 0


def print_results(results: list[dict[str, Any]]) -> None:
    complete = [r for r in results if "failed" not in r]
    if complete:
        print(report(complete))
    misses = verdict(complete) if complete else []
    misses += [f"{r['volume']:,} items/day: {r['failed']}" for r in results if "failed" in r]
    print_verdict(misses)


if __name__ == "__main__":
    raise SystemExit(main())
