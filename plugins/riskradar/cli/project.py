"""The project's own commands: `riskradar setup`, `sample`, `demo`, `run` and `airflow-ui`.

Stage commands live beside their stage (riskradar.ingest.commands, riskradar.score.commands, ...);
riskradar.cli assembles them all.
"""

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

from riskradar.config import SAMPLE_DAYS, SAMPLE_START, Settings


def _say(msg: str) -> None:
    print(msg, flush=True)


def _sample_module(settings: Settings):
    if str(settings.home) not in sys.path:
        sys.path.insert(0, str(settings.home))
    return importlib.import_module("sample_data.generate")


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar import storage
    from riskradar.airflow_runner import init_airflow_home
    from riskradar.nlp.vader_data import ensure_vader_lexicon

    storage.check(settings.data_dir)  # zones on S3: wrong credentials or a missing bucket fail here
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


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.airflow_runner import init_airflow_home, run_days
    from riskradar.alerts.commands import print_evaluation, print_top_risks
    from riskradar.marts.commands import build_docs
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
    print_evaluation(settings)
    return 0


def cmd_airflow_ui(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.airflow_runner import init_airflow_home

    home = init_airflow_home(settings, quiet=False)
    os.environ["AIRFLOW__API__PORT"] = str(args.port)
    os.environ["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{args.port}/execution/"
    _say(f"==> Airflow UI: http://localhost:{args.port}  (login printed below by 'airflow standalone'; "
         f"password also in {home}/simple_auth_manager_passwords.json.generated)")
    return subprocess.call([str(Path(sys.executable).with_name("airflow")), "standalone"])


def register(sub: argparse._SubParsersAction) -> None:
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

    p = sub.add_parser("run", help="run the DAGs through Airflow (dag.test) for a range of days")
    p.add_argument("--start", required=True)
    p.add_argument("--days", type=int, default=1)
    p.add_argument("--dag", action="append", choices=["media_ingest", "risk_metrics"])
    p.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    p.set_defaults(fn=cmd_run)

    p = sub.add_parser("airflow-ui", help="airflow standalone with the project's Airflow home")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(fn=cmd_airflow_ui)
