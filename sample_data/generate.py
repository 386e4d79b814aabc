"""Deterministic generator for RiskRadar's synthetic sample corpus (RSS 2.0 / Atom 1.0 snapshots).

Everything here is fictional: the platforms (AdNova, Streamly, Chirp, ShopSphere, Pixelgram),
advertisers, people, products and sources are invented. The corpus exists so the pipeline has
realistic, reproducible input with a known ground truth (topics, polarity, injected incidents).

Output (see sample_data/README.md):
    <out>/<source_id>/<YYYY-MM-DD>.xml   one feed snapshot per source and day
    <out>/ground_truth.json              incidents, daily topic counts, period, seed
    <out>/items_truth.jsonl              one line per generated item (not per repeat)

Same arguments -> byte-identical files: one `random.Random(seed)`, no wall clock, no hash(),
no set iteration order.

    python sample_data/generate.py --out data/sample_feeds --start 2026-08-01 --days 90

The parts: `project_config` (sources, topics and platforms from config/ via riskradar's loaders),
`banks` (phrases and mix from the data files under sample_data/), `text` (templates -> item text),
`corpus` (the simulation), `render` (feed XML), `output` (files on disk). This module is the
entry point and keeps the names callers import.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python sample_data/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sample_data.banks import PLATFORMS
from sample_data.corpus import BASELINE_DAYS, Corpus, Item, build_corpus, layout_incidents, topic_weight
from sample_data.output import GENERATOR, write_feeds, write_truth
from sample_data.project_config import REPO, SOURCES_YML, TOPICS, Source, load_sources
from sample_data.text import edit_headline

__all__ = ["BASELINE_DAYS", "DEFAULT_ITEMS_PER_DAY", "GENERATOR", "PLATFORMS", "REPO", "SOURCES_YML", "TOPICS",
           "Corpus", "Item", "Source", "build_corpus", "edit_headline", "generate", "layout_incidents",
           "load_sources", "main", "topic_weight"]

DEFAULT_ITEMS_PER_DAY = 200


def generate(out: Path | str, start: str = "2026-08-01", days: int = 90, items_per_day: int | None = None,
             seed: int = 20260801, sources_path: Path | str | None = None) -> dict[str, Any]:
    """Write the synthetic corpus and its ground truth under `out`; return a small summary.

    `out` is replaced only file by file (existing per-day files are overwritten). The same
    arguments always produce byte-identical files.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    first = date.fromisoformat(start)
    out = Path(out)
    sources = load_sources(Path(sources_path) if sources_path else SOURCES_YML)
    mean = float(items_per_day if items_per_day is not None else DEFAULT_ITEMS_PER_DAY)
    if mean <= 0:
        raise ValueError(f"items_per_day must be positive, got {items_per_day}")
    corpus, incidents, events = build_corpus(sources, first, days, mean, seed)
    for src in sources:  # stale files from an earlier, longer run would confuse ingest
        if (out / src.id).is_dir():
            shutil.rmtree(out / src.id)
    out.mkdir(parents=True, exist_ok=True)
    per_source = write_feeds(corpus, out)
    total = write_truth(corpus, out, incidents, events, per_source)
    return {"total_items": total, "per_source": per_source, "incidents": len(incidents), "out": str(out),
            "days": days, "start_date": first.isoformat()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate RiskRadar's synthetic sample feed corpus (fictional content).")
    parser.add_argument("--out", default=str(REPO / "data" / "sample_feeds"), help="output directory")
    parser.add_argument("--start", default="2026-08-01", help="first day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=90, help="number of days")
    parser.add_argument("--items-per-day", type=int, default=None, help=f"mean new items per day (default {DEFAULT_ITEMS_PER_DAY})")
    parser.add_argument("--seed", type=int, default=20260801, help="random seed")
    args = parser.parse_args(argv)
    summary = generate(args.out, start=args.start, days=args.days, items_per_day=args.items_per_day, seed=args.seed)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
