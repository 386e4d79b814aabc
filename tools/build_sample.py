"""Build the 90-day sample warehouse without Airflow: generate the corpus, ingest + score every day
in process, then one dbt build over the period (what tests/integration/test_detection_quality.py
runs). `--dbt-only` rebuilds the warehouse from the zones already in RISKRADAR_DATA_DIR (to compare
the marts of two versions of the dbt project on the same inputs).

    RISKRADAR_DATA_DIR=/tmp/sample .venv/bin/python tools/build_sample.py [--days 90] [--dbt-only]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from datetime import UTC, date, datetime, timedelta

from riskradar import pipeline
from riskradar.config import SAMPLE_DAYS, SAMPLE_START, get_settings
from riskradar.ingest.many import ingest_many
from riskradar.ingest.sources import load_sources
from riskradar.marts.build import build_interval


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", default=SAMPLE_START)
    parser.add_argument("--days", type=int, default=SAMPLE_DAYS)
    parser.add_argument("--dbt-only", action="store_true", help="skip corpus, ingest and score")
    args = parser.parse_args(argv)
    settings = get_settings()
    first = date.fromisoformat(args.start)
    period_start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    started = time.perf_counter()
    if not args.dbt_only:
        if str(settings.home) not in sys.path:
            sys.path.insert(0, str(settings.home))
        importlib.import_module("sample_data.generate").generate(settings.sample_feeds_dir, start=args.start,
                                                                 days=args.days)
        sources = load_sources(settings, enabled_only=True)
        for i in range(args.days):
            start = period_start + timedelta(days=i)
            run_id = f"sample__{start:%Y%m%d}"
            ingest_many(sources, start, start + timedelta(days=1), run_id, settings)
            pipeline.score(start, start + timedelta(days=1), run_id, settings)
        print(f"zones ready in {time.perf_counter() - started:.0f}s", flush=True)
    if settings.warehouse_path.exists():
        settings.warehouse_path.unlink()
    summary = build_interval(period_start, period_start + timedelta(days=args.days), settings)
    print(f"dbt build: {summary['nodes']} in {time.perf_counter() - started:.0f}s total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
