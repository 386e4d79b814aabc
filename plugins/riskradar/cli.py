"""`riskradar` command line: setup, sample corpus, demo, one-day runs, docs, brief, sources."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from riskradar.config import SAMPLE_DAYS, SAMPLE_START, Settings, get_settings

# Modules that add their own subcommands with `register(subparsers)`; each sets `fn` like those below.
COMMAND_MODULES: tuple[str, ...] = ("riskradar.ingest.commands", "riskradar.nlp.commands", "riskradar.brief.commands")


def _say(msg: str) -> None:
    print(msg, flush=True)


def _sample_module(settings: Settings):
    if str(settings.home) not in sys.path:
        sys.path.insert(0, str(settings.home))
    return importlib.import_module("sample_data.generate")


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.airflow_runner import init_airflow_home
    from riskradar.nlp.vader_data import ensure_vader_lexicon

    path = ensure_vader_lexicon(settings.nltk_data_dir)
    _say(f"==> NLTK VADER lexicon (offline): {path}")
    home = init_airflow_home(settings, quiet=False)
    _say(f"==> Airflow home: {home}")
    return 0


def ensure_sample(settings: Settings, start: str = SAMPLE_START, days: int = SAMPLE_DAYS,
                  force: bool = False, items_per_day: int | None = None) -> dict:
    out = settings.sample_feeds_dir
    truth = out / "ground_truth.json"
    if truth.exists() and not force:
        meta = json.loads(truth.read_text())
        if meta.get("start_date") == start and int(meta.get("days", 0)) >= days and items_per_day is None:
            return meta
    if out.exists():
        shutil.rmtree(out)
    _say(f"==> generating the synthetic sample corpus: {days} days from {start} into {out}")
    started = time.perf_counter()
    gen = _sample_module(settings)
    summary = gen.generate(out, start=start, days=days, items_per_day=items_per_day)
    _say(f"    done in {time.perf_counter() - started:.1f}s: {summary.get('total_items', '?')} items")
    return json.loads(truth.read_text())


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    ensure_sample(settings, args.start, args.days, force=args.force, items_per_day=args.items_per_day)
    return 0


def _days(start: str, days: int) -> list[date]:
    first = date.fromisoformat(start)
    return [first + timedelta(days=i) for i in range(days)]


def _quiet_airflow(verbose: bool) -> None:
    """dag.test logs every task event at INFO; the demo shows one progress line per day instead.
    Failures still raise with the failed task ids (and are appended to data/ops/task_failures.jsonl)."""
    if not verbose:
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("RISKRADAR_DBT_LOG_LEVEL", "warn")


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.airflow_runner import init_airflow_home, run_days

    _quiet_airflow(args.verbose)
    init_airflow_home(settings)
    dag_ids = tuple(args.dag) if args.dag else ("media_ingest", "risk_metrics")
    run_days(_days(args.start, args.days), settings, dag_ids=dag_ids)
    return 0


def build_docs(settings: Settings) -> dict[str, Path]:
    from riskradar.quality import build_data_docs
    from riskradar.transform import generate_docs

    return {"dbt_docs": generate_docs(settings), "data_docs": build_data_docs(settings)}


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    paths = build_docs(settings)
    for name, path in paths.items():
        _say(f"{name}: {path}")
    if args.serve:
        _say(f"serving the dbt docs site on http://localhost:{args.port} (Ctrl-C to stop)")
        env = {**os.environ, **settings.dbt_env()}
        dbt = Path(sys.executable).with_name("dbt")
        from riskradar.transform import target_dir

        return subprocess.call([str(dbt), "docs", "serve", "--port", str(args.port), "--no-browser",
                                "--target-path", str(target_dir(settings)),
                                "--project-dir", str(settings.dbt_project_dir),
                                "--profiles-dir", str(settings.dbt_project_dir)], env=env)
    return 0


def cmd_pg_load(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.pg_zones import load_zones, pg_location, zones_schema

    loaded = load_zones(settings, since=date.fromisoformat(args.since) if args.since else None)
    _say(f"zones -> {pg_location()} schema {zones_schema()}")
    for name, rows in sorted(loaded.items()):
        _say(f"  {name:<16} {rows:>10} rows")
    return 0


def top_risks(settings: Settings, day: date | None = None, limit: int = 5) -> tuple[date | None, list[dict]]:
    from riskradar.brief.render import load_top_risks

    return load_top_risks(settings, day, limit)


def print_top_risks(settings: Settings, day: date | None = None) -> None:
    day, risks = top_risks(settings, day)
    if day is None:
        _say("(no marts yet)")
        return
    _say(f"\nTop risks on {day} (ranked by spike score; z = mentions vs 7-day baseline skipping 2 days)")
    header = f"{'topic':<22} {'mentions':>8} {'baseline':>8} {'z':>6} {'neg share':>9} {'alert':>5}  example headline"
    _say(header)
    _say("-" * len(header))
    for r in risks:
        neg = "" if r.get("negative_share") is None else f"{r['negative_share']:.0%}"
        base = "" if r.get("baseline_mean") is None else f"{r['baseline_mean']:.1f}"
        z = "" if r.get("z_score") is None else f"{r['z_score']:.1f}"
        _say(f"{r['topic_id']:<22} {r['mentions']:>8} {base:>8} {z:>6} {neg:>9} {'yes' if r.get('is_spike') else '':>5}"
             f"  {(r.get('example_title') or '')[:70]}")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.airflow_runner import init_airflow_home, run_days
    from riskradar.nlp.vader_data import ensure_vader_lexicon

    started = time.perf_counter()
    _quiet_airflow(args.verbose)
    ensure_vader_lexicon(settings.nltk_data_dir)
    home = init_airflow_home(settings, quiet=False)
    meta = ensure_sample(settings, args.start, args.days)
    days = _days(args.start, args.days)
    _say(f"==> running media_ingest and risk_metrics through Airflow for {len(days)} days "
         f"({days[0]} .. {days[-1]}); Airflow home {home}")
    run_days(days, settings)
    _say("==> building the dbt docs site and GX Data Docs")
    docs = build_docs(settings)
    briefs = sorted(settings.briefs_dir.glob("brief-*.md"))
    _say(f"\n==> done in {time.perf_counter() - started:,.0f}s. Outputs:")
    _say(f"  warehouse (DuckDB)   {settings.warehouse_path}")
    _say(f"  latest brief         {briefs[-1] if briefs else '(none)'}")
    _say(f"  dbt docs site        {docs['dbt_docs']}   (serve: make docs)")
    _say(f"  GX Data Docs         {docs['data_docs']}")
    _say(f"  Risk Radar page      http://localhost:8080/riskradar/today?day={days[-1]}   (make airflow, sign in; "
         "also under Risk Radar in the Airflow UI's menu)")
    _say(f"  zones                {settings.landing_dir}, {settings.scored_dir}, {settings.quarantine_dir}")
    _say(f"  sample ground truth  {settings.sample_feeds_dir / 'ground_truth.json'} "
         f"({len(meta.get('incidents', []))} injected incidents)")
    print_top_risks(settings, days[-1])
    _say("\nInjected incidents (sample ground truth) vs what the marts show:")
    _print_evaluation(settings)
    return 0


def _print_evaluation(settings: Settings) -> dict:
    from riskradar.evaluate import evaluate_sample, format_report

    result = evaluate_sample(settings, settings.sample_feeds_dir)
    _say(format_report(result))
    return result


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    result = _print_evaluation(settings)
    if args.json:
        _say(json.dumps(result, indent=2, default=str))
    return 0


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.brief.render import write_brief

    out = write_brief(date.fromisoformat(args.date), settings)
    _say(json.dumps(out, indent=2, default=str))
    return 0


def cmd_airflow_ui(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.airflow_runner import init_airflow_home

    home = init_airflow_home(settings, quiet=False)
    os.environ["AIRFLOW__API__PORT"] = str(args.port)
    os.environ["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{args.port}/execution/"
    _say(f"==> Airflow UI: http://localhost:{args.port}  (login printed below by 'airflow standalone'; "
         f"password also in {home}/simple_auth_manager_passwords.json.generated)")
    return subprocess.call([str(Path(sys.executable).with_name("airflow")), "standalone"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="riskradar", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup", help="offline NLTK data + Airflow home (idempotent)").set_defaults(fn=cmd_setup)

    p = sub.add_parser("sample", help="generate the synthetic sample corpus")
    p.add_argument("--start", default=SAMPLE_START)
    p.add_argument("--days", type=int, default=SAMPLE_DAYS)
    p.add_argument("--items-per-day", type=int, default=None)
    p.add_argument("--force", action="store_true")
    p.set_defaults(fn=cmd_sample)

    p = sub.add_parser("demo", help="run every sample day through Airflow, build docs, print results")
    p.add_argument("--start", default=SAMPLE_START)
    p.add_argument("--days", type=int, default=SAMPLE_DAYS)
    p.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    p.set_defaults(fn=cmd_demo)

    p = sub.add_parser("evaluate", help="compare the marts with the sample corpus's injected incidents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_evaluate)

    p = sub.add_parser("run", help="run the DAGs through Airflow (dag.test) for a range of days")
    p.add_argument("--start", required=True)
    p.add_argument("--days", type=int, default=1)
    p.add_argument("--dag", action="append", choices=["media_ingest", "risk_metrics"])
    p.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    p.set_defaults(fn=cmd_run)

    p = sub.add_parser("docs", help="build the dbt docs site and GX Data Docs")
    p.add_argument("--serve", action="store_true")
    p.add_argument("--port", type=int, default=8081)
    p.set_defaults(fn=cmd_docs)

    p = sub.add_parser("brief", help="write the daily brief for a date")
    p.add_argument("--date", required=True)
    p.set_defaults(fn=cmd_brief)

    p = sub.add_parser("airflow-ui", help="airflow standalone with the project's Airflow home")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(fn=cmd_airflow_ui)

    p = sub.add_parser("pg-load", help="load the Parquet zones into PostgreSQL for `dbt build --target postgres` "
                                       "(RISKRADAR_PG_HOST/PORT/USER/PASSWORD/DBNAME)")
    p.add_argument("--since", default=None, help="replace only the date= partitions from this day on (YYYY-MM-DD)")
    p.set_defaults(fn=cmd_pg_load)

    p = sub.add_parser("top-risks", help="print the top risks table for a day (default: latest)")
    p.add_argument("--date", default=None)
    p.set_defaults(fn=lambda a, s: print_top_risks(s, date.fromisoformat(a.date) if a.date else None) or 0)

    for module in COMMAND_MODULES:  # stage-owned subcommands (riskradar ingest, score, ...)
        importlib.import_module(module).register(sub)
    args = parser.parse_args(argv)
    settings = get_settings()
    from riskradar.airflow_runner import apply_airflow_env

    apply_airflow_env(settings)
    return int(args.fn(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
