"""`riskradar docs` (dbt docs site + GX Data Docs, optionally served) and `riskradar pg-load` (the
zones into PostgreSQL for `dbt build --target postgres`)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from riskradar.config import Settings


def _say(msg: str) -> None:
    print(msg, flush=True)


def build_docs(settings: Settings) -> dict[str, Path]:
    from riskradar.marts.dbt import generate_docs
    from riskradar.quality import build_data_docs

    return {"dbt_docs": generate_docs(settings), "data_docs": build_data_docs(settings)}


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    paths = build_docs(settings)
    for name, path in paths.items():
        _say(f"{name}: {path}")
    if args.serve:
        _say(f"serving the dbt docs site on http://localhost:{args.port} (Ctrl-C to stop)")
        env = {**os.environ, **settings.dbt_env()}
        dbt = Path(sys.executable).with_name("dbt")
        from riskradar.marts.dbt import target_dir

        return subprocess.call([str(dbt), "docs", "serve", "--port", str(args.port), "--no-browser",
                                "--target-path", str(target_dir(settings)),
                                "--project-dir", str(settings.dbt_project_dir),
                                "--profiles-dir", str(settings.dbt_project_dir)], env=env)
    return 0


def cmd_pg_load(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.marts.pg_zones import load_zones, pg_location, zones_schema

    loaded = load_zones(settings, since=date.fromisoformat(args.since) if args.since else None)
    _say(f"zones -> {pg_location()} schema {zones_schema()}")
    for name, rows in sorted(loaded.items()):
        _say(f"  {name:<16} {rows:>10} rows")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("docs", help="build the dbt docs site and GX Data Docs")
    p.add_argument("--serve", action="store_true")
    p.add_argument("--port", type=int, default=8081)
    p.set_defaults(fn=cmd_docs)

    p = sub.add_parser("pg-load", help="load the Parquet zones into PostgreSQL for `dbt build --target postgres` "
                                       "(RISKRADAR_PG_HOST/PORT/USER/PASSWORD/DBNAME)")
    p.add_argument("--since", default=None, help="replace only the date= partitions from this day on (YYYY-MM-DD)")
    p.set_defaults(fn=cmd_pg_load)
