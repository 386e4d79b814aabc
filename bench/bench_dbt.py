"""Daily incremental dbt build time with 30 days and with 365 days of history.

The daily Airflow run builds one data interval (`riskradar.marts.build.build_interval`: the
microbatch marts rebuild the new day plus a one-day lookback; the small marts rebuild whole).
Its cost must follow the new day, not the size of history: the ratio of the two medians must
stay at or under 1.5.

The deterministic scored fixture (tests/fixtures/scored_fixture.py) is written once for the
longest history + 1 days at a realistic volume (`--items` per source per day, 5 sources: ~200
items a day by default); shorter histories get a data dir of hard links to the recent
partitions. For each history size H the H days before the target day are loaded once (one dbt
call with month batches, to keep the benchmark short), then the daily build of the target day
runs `--repeats` times (the first run is a warm-up: it re-parses the project after the
batch-size change) and the median of the rest is reported.

    .venv/bin/python bench/bench_dbt.py [--histories 30,365] [--items 40] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the fixture lives with the tests
os.environ.setdefault("RISKRADAR_DBT_LOG_LEVEL", "warn")

import duckdb  # noqa: E402
from fixtures.scored_fixture import write_scored_fixture  # noqa: E402
from riskradar.config import Settings  # noqa: E402
from riskradar.marts.build import _iso, build_interval  # noqa: E402
from riskradar.marts.dbt import run_dbt  # noqa: E402
from riskradar.marts.reference import write_sources_reference  # noqa: E402

# the day the daily build measures; history ends the day before
TARGET_DAY = date(2026, 11, 1)
MAX_RATIO = 1.5


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def load_history(settings: Settings, start: date, end: date) -> float:
    """Build [start, end) in one dbt call with month batches; returns seconds."""
    began = time.monotonic()
    write_sources_reference(settings)
    run_dbt(["build", "--event-time-start", _iso(_midnight(start)), "--event-time-end", _iso(_midnight(end)),
             "--vars", "{microbatch_batch_size: month}", "--exclude", "tag:full_history", "resource_type:test",
             "resource_type:unit_test"], settings)
    return time.monotonic() - began


def link_recent_partitions(source: Path, target: Path, first_day: date) -> None:
    """A data dir holding only the partitions of `first_day` on, as hard links (instant, no copy).

    The zones are immutable Parquet parts, so two data dirs can share the files.
    """
    shutil.copytree(source / "reference", target / "reference")
    for zone in ("scored", "source_health"):
        for part in sorted((source / zone).glob("source=*/date=*/*.parquet")):
            if date.fromisoformat(part.parent.name.split("=", 1)[1]) < first_day:
                continue
            destination = target / part.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.link(part, destination)


def bench_history(settings: Settings, history_days: int, repeats: int) -> dict:
    """Load `history_days` before TARGET_DAY, then time the daily build of TARGET_DAY."""
    start = TARGET_DAY - timedelta(days=history_days)
    load_seconds = load_history(settings, start, TARGET_DAY)
    timings, summary = [], {}
    for _ in range(repeats):
        summary = build_interval(_midnight(TARGET_DAY), _midnight(TARGET_DAY + timedelta(days=1)), settings)
        timings.append(summary["elapsed_seconds"])
    measured = timings[1:] or timings
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        items = con.execute("select count(*) from fct_mentions").fetchone()[0]
    return {
        "history_days": history_days,
        "items": items,
        "items_per_day": round(items / (history_days + 1)),
        "load_s": load_seconds,
        "warmup_s": timings[0],
        "daily_s": statistics.median(measured),
        "runs": measured,
        "rows_day": summary["rows"].get("fct_mentions", 0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", default="30,365", help="history sizes in days (comma-separated)")
    parser.add_argument("--items", type=int, default=40, help="mean items per source and day (5 sources)")
    parser.add_argument("--repeats", type=int, default=3, help="daily builds per history (first is a warm-up)")
    args = parser.parse_args(argv)
    histories = sorted(int(h) for h in args.histories.split(","))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as tmp:
        root = Path(tmp)
        longest = Settings(home=REPO, data_dir=root / f"history_{histories[-1]}", config_dir=REPO / "config")
        began = time.monotonic()
        write_scored_fixture(longest.data_dir, TARGET_DAY - timedelta(days=histories[-1]), histories[-1] + 1,
                             seed=1, items_per_source=(args.items - args.items // 4, args.items + args.items // 4))
        print(f"fixture: {histories[-1] + 1} days written in {time.monotonic() - began:.1f} s", flush=True)
        for history_days in histories:
            settings = longest
            if history_days != histories[-1]:
                settings = Settings(home=REPO, data_dir=root / f"history_{history_days}", config_dir=REPO / "config")
                link_recent_partitions(longest.data_dir, settings.data_dir,
                                       TARGET_DAY - timedelta(days=history_days))
            results.append(bench_history(settings, history_days, args.repeats))
    print(f"{'history':>8} {'items':>8} {'items/day':>9} {'load s':>7} {'warm-up s':>9} {'daily s':>8}  runs")
    for r in results:
        print(f"{r['history_days']:>8} {r['items']:>8} {r['items_per_day']:>9} {r['load_s']:>7.1f} "
              f"{r['warmup_s']:>9.2f} {r['daily_s']:>8.2f}  {', '.join(f'{t:.2f}' for t in r['runs'])}")
    ratio = results[-1]["daily_s"] / results[0]["daily_s"]
    verdict = "ok" if ratio <= MAX_RATIO else "TOO SLOW"
    print(f"daily build {results[-1]['history_days']}d / {results[0]['history_days']}d history: "
          f"{ratio:.2f} (max {MAX_RATIO}) {verdict}")
    return 0 if ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
