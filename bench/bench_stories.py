"""Story clustering alone at 10k, 100k or 1M mentions a day: time, quality, determinism.

The whole-pipeline benchmark (bench_pipeline.py) times clustering inside the score stage, after
ingest and scoring have run for every day (35 minutes at 1M). This one skips them: the sample
generator (sample_data/generate.py, same realism and seed) builds `--days` days at V items a day
in memory, and each item is written straight into a scored-zone part (the columns clustering
reads: ids, source type, title, plain-text summary, published time, the exact title key; the
sentiment columns stay null), one part per source and day, as the score stage writes them.
The generator's truth (story, original of a copy) goes beside it.

A run restores the pristine parts, clusters every day in order through
`riskradar.stories.cluster.cluster_interval` (the function the cluster_stories task calls), and times the last
day alone: wall time and CPU time of this process and its workers (getrusage SELF + CHILDREN).
It then scores the result against the truth over the wire items of all days: copies joined to
their original, per-day B-cubed precision and recall (tests/unit/test_stories.py's measure) and a
digest of every story id, which must not depend on the number of workers.

    .venv/bin/python bench/bench_stories.py --volume 100000 [--days 2] [--workers 1,2] [--keep DIR]

`--keep DIR` keeps the generated parts there and reuses them on the next run (the 1M corpus
takes ~15 minutes to generate).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from results import Figure, report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
START = date(2026, 8, 1)
SEED = 20260801
TRUTH = pa.schema([("item_id", pa.string()), ("mention_date", pa.string()), ("truth_story", pa.string()),
                   ("copy_of", pa.string())])


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def prepare(root: Path, volume: int, days: int) -> dict[str, Any]:
    """Generate the corpus and write it as scored parts under root/pristine (once per root)."""
    marker = root / "corpus.json"
    if marker.exists():
        meta = json.loads(marker.read_text(encoding="utf-8"))
        if meta["volume"] == volume and meta["days"] == days:
            return meta
    shutil.rmtree(root / "pristine", ignore_errors=True)
    sys.path.insert(0, str(REPO))
    from riskradar import storage
    from riskradar.ingest.normalize import SYNDICATED_TYPES, publisher_key, sha1, story_key
    from riskradar.schemas import SCORED

    from sample_data import generate as gen

    began = time.perf_counter()
    sources = gen.load_sources(gen.SOURCES_YML)
    corpus, _, _ = gen.build_corpus(sources, START, days, float(volume), SEED)
    publishers = frozenset(publisher_key(s.name) for s in sources)
    by_id = {s.id: s for s in sources}
    truth: list[dict[str, Any]] = []
    counts: dict[str, int] = defaultdict(int)
    for (source_id, d), items in sorted(corpus.items.items()):
        src, day = by_id[source_id], START + timedelta(days=d)
        start = _day_start(day)
        rows = []
        for it in items:
            if not it.title:
                continue
            item_id = sha1(it.guid)
            rows.append({"item_id": item_id, "source_id": source_id, "source_type": src.type, "guid": it.guid,
                         "url": it.link, "title": it.title, "summary": it.extra.get("summary_text"),
                         "language": it.language, "published_at": it.published or start,
                         "is_published_at_fallback": it.published is None,
                         "story_id": story_key(it.title, publishers), "interval_start": start,
                         "interval_end": start + timedelta(days=1), "run_id": "bench_stories"})
            if src.type in SYNDICATED_TYPES and not it.defect:
                truth.append({"item_id": item_id, "mention_date": day.isoformat(), "truth_story": it.story_id,
                              "copy_of": sha1(it.syndicated_from) if it.syndicated_from else None})
            counts[day.isoformat()] += 1
        if rows:
            storage.write_table_atomic(storage.rows_to_table(rows, SCORED),
                                       storage.partition_path(root / "pristine", start, source_id=source_id))
    pq.write_table(pa.Table.from_pylist(truth, schema=TRUTH), root / "truth.parquet")
    meta = {"volume": volume, "days": days, "mentions_per_day": dict(counts),
            "wire_items": len(truth), "generate_s": round(time.perf_counter() - began, 1)}
    marker.write_text(json.dumps(meta), encoding="utf-8")
    return meta


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(root: Path, days: int, workers: int | None) -> dict[str, Any]:
    """Cluster every day from the pristine parts; time each day; score the ids against the truth."""
    from riskradar.config import Settings
    from riskradar.stories.cluster import cluster_interval

    data = root / f"data-{os.getpid()}"  # runs of two checkouts may share one --keep corpus
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(root / "pristine", data / "scored")
    os.environ["RISKRADAR_DATA_DIR"] = str(data)
    settings = Settings.from_env()
    kwargs = {} if workers is None else {"workers": workers}
    per_day = []
    for d in range(days):
        start = _day_start(START + timedelta(days=d))
        cpu0, wall0 = _cpu(), time.perf_counter()
        out = cluster_interval(start, start + timedelta(days=1), settings, **kwargs)
        per_day.append({"day": start.date().isoformat(), "wall_s": time.perf_counter() - wall0,
                        "cpu_s": _cpu() - cpu0, **out})
    ids: dict[str, str] = {}
    for path in sorted((data / "scored").rglob("*.parquet")):
        table = pq.read_table(path, columns=["item_id", "story_id"])
        ids.update(zip(table.column("item_id").to_pylist(), table.column("story_id").to_pylist(), strict=True))
    digest = hashlib.sha256("\n".join(f"{k} {ids[k]}" for k in sorted(ids)).encode()).hexdigest()[:16]
    shutil.rmtree(data, ignore_errors=True)
    return {"workers": workers, "days": per_day, "quality": quality(ids, pq.read_table(root / "truth.parquet")),
            "story_id_digest": digest}


def quality(ids: dict[str, str], truth: pa.Table) -> dict[str, float]:
    """Copies joined to their original; per-day B-cubed precision and recall of the wire items."""
    rows = truth.to_pylist()
    day = {r["item_id"]: r["mention_date"] for r in rows}
    story = {r["item_id"]: r["truth_story"] for r in rows}
    copies = [r for r in rows if r["copy_of"] in story]
    joined = sum(ids[r["item_id"]] == ids[r["copy_of"]] for r in copies) / max(len(copies), 1)
    pred, true = defaultdict(set), defaultdict(set)
    for k in story:
        pred[(ids[k], day[k])].add(k)
        true[story[k]].add(k)
    p = sum(len(pred[(ids[k], day[k])] & true[story[k]]) / len(pred[(ids[k], day[k])]) for k in story)
    r = sum(len(pred[(ids[k], day[k])] & true[story[k]]) / len(true[story[k]]) for k in story)
    return {"copies": len(copies), "copies_joined": round(joined, 4), "bcubed_precision": round(p / len(story), 4),
            "bcubed_recall": round(r / len(story), 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--volume", type=int, default=100_000, help="items a day (all source types)")
    ap.add_argument("--days", type=int, default=2, help="days generated and clustered; the last one is measured")
    ap.add_argument("--workers", default="",
                    help="comma-separated worker counts to run and compare (default: the module's default)")
    ap.add_argument("--keep", help="generate into (and reuse) this directory instead of a temp dir")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO / "plugins"))
    counts = [int(w) for w in args.workers.split(",") if w] or [None]
    with tempfile.TemporaryDirectory(prefix="rr-bench-stories-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        meta = prepare(root, args.volume, args.days)
        print(f"corpus: {args.volume:,} items/day x {args.days} days, mentions per day {meta['mentions_per_day']}, "
              f"{meta['wire_items']:,} wire items (generated in {meta['generate_s']} s)", flush=True)
        results = []
        for w in counts:
            res = run(root, args.days, w)
            results.append(res)
            last = res["days"][-1]
            for d in res["days"]:
                print(f"  workers {w or 'default'} {d['day']}: wall {d['wall_s']:7.2f} s  cpu {d['cpu_s']:7.2f} s  "
                      f"items {d['items_clustered']:,} (+{d['prior_items']:,} prior)  stories {d['stories']:,}  "
                      f"copies merged {d['copies_merged']:,}" + ("  <- measured" if d is last else ""), flush=True)
            print(f"  workers {w or 'default'}: quality {res['quality']}  story ids {res['story_id_digest']}",
                  flush=True)
        digests = {r["story_id_digest"] for r in results}
        if len(results) > 1:
            print("story ids identical for every worker count" if len(digests) == 1
                  else f"STORY IDS DIFFER between worker counts: {digests}")
        if args.json:
            Path(args.json).write_text(json.dumps({"corpus": meta, "runs": results}, indent=2), encoding="utf-8")
        figures = [Figure(f"clustering {args.volume:,}/day, workers {r['workers'] or 'default'}, last day wall",
                          r["days"][-1]["wall_s"], target=90 if args.volume >= 1_000_000 else None, unit="s",
                          higher_is_better=False) for r in results]
        report(f"bench_stories_{args.volume}", figures, {"volume": args.volume, "days": args.days})
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
