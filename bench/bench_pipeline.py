"""The whole daily pipeline at 10k, 100k and 1M mentions a day, stage by stage.

For each volume V the sample generator (sample_data/generate.py) writes `--days` days of the
synthetic corpus at V new items a day into a temporary directory; the pipeline then runs every day
in order through the functions the Airflow tasks call (riskradar.pipeline: ingest per source,
gate("landing"), score, cluster (stories), gate("scored"), build_marts, gate("marts"), brief). The earlier days give
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
- ingest: every enabled source through `ingest_many` (the `riskradar ingest` CLI's path):
  `--ingest-workers` fetches at a time in threads, and once the payloads are large one group of
  sources per core in worker processes (riskradar.ingest.many); the DAG maps the sources to separate task
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
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pipeline_report import STAGES, TARGET_PEAK_MB, TARGET_SECONDS_1M, print_verdict, verdict
from pipeline_report import report as tables
from procstats import PeakSampler, cpu_seconds
from results import Figure, report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
START = date(2026, 8, 1)
MARKER = "BENCH_STAGE_RESULT "
FETCH_CAPS = {"max_items": 10_000_000, "max_bytes": 4 * 1024 ** 3}


# ---- the stages (child side) --------------------------------------------------------------------

def _interval(day: date) -> tuple[str, str]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start.isoformat(), (start + timedelta(days=1)).isoformat()


def _ingest_all(day: date, run_id: str, settings: Any, workers: int) -> dict[str, Any]:
    from riskradar import pipeline
    from riskradar.ingest.many import ingest_many
    from riskradar.ingest.sources import load_sources

    start, end = _interval(day)
    chosen = set(pipeline.select_sources(settings))
    sources = [s for s in load_sources(settings) if s.id in chosen]
    results = ingest_many(sources, start, end, run_id, settings, max_workers=max(1, workers))
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
        from riskradar.score.task import score

        out = score(start, end, run_id, settings)
        return {"items_scored": out["items_scored"], "items_unscored": out["items_unscored"]}
    if stage == "stories":
        out = pipeline.cluster(start, end, run_id, settings)
        return {"stories": out["stories"], "items_clustered": out["items_clustered"]}
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
        import riskradar.score.task  # noqa: F401
    elif stage == "stories":
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
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    with PeakSampler() as sampler:
        outputs = [call() for call in calls]
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0 + sum(sampler.deep_cpu.values())
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
              f"(process {r['process_s']:.1f} s)", flush=True)
    ingest = rows["ingest"]["output"]
    if ingest["truncated"]:
        raise RuntimeError(f"feeds cut off at max_bytes: {ingest['truncated']}")
    return {"volume": volume, "mentions": ingest["items_landed"], "feed_mb": ingest["response_bytes"] / 2 ** 20,
            "generate": gen, "stages": rows}


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
        print(tables(complete))
    misses = verdict(complete) if complete else []
    misses += [f"{r['volume']:,} items/day: {r['failed']}" for r in results if "failed" in r]
    print_verdict(misses)
    figures = []
    for r in complete:
        wall = sum(st["wall_s"] for st in r["stages"].values())
        target = {10_000: 25, 1_000_000: TARGET_SECONDS_1M}.get(r["volume"])
        figures.append(Figure(f"end to end at {r['volume']:,}/day (sum of stage walls)", wall, target=target,
                              unit="s", higher_is_better=False))
        figures.append(Figure(f"peak memory at {r['volume']:,}/day (largest stage)",
                              max(st["peak_mb"] for st in r["stages"].values()),
                              target=TARGET_PEAK_MB if r["volume"] >= 1_000_000 else None, unit="MB",
                              higher_is_better=False))
    if figures:
        report("bench_pipeline", figures, {"volumes": [r["volume"] for r in results]})


if __name__ == "__main__":
    raise SystemExit(main())
