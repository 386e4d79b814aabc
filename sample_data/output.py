"""Writing a simulated corpus to disk: the daily feed snapshots and the two truth files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sample_data.banks import PLATFORMS
from sample_data.corpus import Corpus, Item
from sample_data.project_config import TOPICS
from sample_data.render import render_entry, render_feed, rfc3339

GENERATOR = "riskradar-sample-generator/1"
COUNTING = ("daily_topic_counts counts new English items (not previous-day repeats, not defective items) "
            "per topic on their date; syndicated copies count once per copy. daily_topic_stories counts "
            "distinct story_id per topic instead.")


def write_feeds(corpus: Corpus, out: Path) -> dict[str, int]:
    """One snapshot per source and day: the day's new items, newest first, then 2-5 of the
    previous day's items repeated byte for byte (drawn from the corpus's stream). Returns new
    items per source."""
    per_source = dict.fromkeys(corpus.by_id, 0)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rng = corpus.rng
    for src in corpus.sources:
        (out / src.id).mkdir(parents=True, exist_ok=True)
        previous: list[Item] = []
        for d in range(corpus.days):
            day = corpus.day(d).isoformat()
            new = corpus.items[(src.id, d)]
            new.sort(key=lambda i: (i.published or epoch, i.guid), reverse=True)
            for it in new:
                if not it.xml:
                    it.xml = render_entry(src, it)
            # regional items (sample_data/regional.py) are never repeated: the repeats of the rest stay as they were
            pool = [i for i in previous if not i.defect and i.published and not i.extra.get("regional")]
            repeats = rng.sample(pool, k=min(len(pool), rng.randint(2, 5))) if pool else []
            repeats.sort(key=lambda i: (i.published, i.guid), reverse=True)
            (out / src.id / f"{day}.xml").write_text(render_feed(src, corpus.day(d), new + repeats), encoding="utf-8")
            for r in repeats:
                r.extra.setdefault("repeated_on", []).append(day)
            per_source[src.id] += len(new)
            previous = new
    return per_source


def _truth_line(it: Item) -> str:
    return json.dumps({
        "guid": it.guid, "source_id": it.source_id, "date": it.date,
        "published": rfc3339(it.published) if it.published else None,
        "title": it.title, "link": it.link, "topics": it.topics, "polarity": it.polarity,
        "language": it.language, "story_id": it.story_id, "syndicated_from": it.syndicated_from,
        "incident_id": it.incident_id, "defect": it.defect, "kind": it.extra["kind"],
        "repeated_on": it.extra.get("repeated_on", []),
    }, ensure_ascii=False, sort_keys=True) + "\n"


def write_truth(corpus: Corpus, out: Path, incidents: list[dict[str, Any]], events: list[dict[str, Any]],
                per_source: dict[str, int]) -> int:
    """items_truth.jsonl (one line per generated item) and ground_truth.json; returns the item count."""
    daily_counts: dict[str, dict[str, int]] = {}
    daily_stories: dict[str, dict[str, int]] = {}
    total = 0
    with (out / "items_truth.jsonl").open("w", encoding="utf-8") as fh:
        for d in range(corpus.days):
            day = corpus.day(d).isoformat()
            stories: dict[str, set[str]] = {t: set() for t in TOPICS}
            for src in corpus.sources:
                for it in sorted(corpus.items[(src.id, d)], key=lambda i: i.guid):
                    total += 1
                    if it.language == "en" and not it.defect:
                        for t in it.topics:
                            stories[t].add(it.story_id)
                    fh.write(_truth_line(it))
            daily_counts[day] = corpus.english_counts(d)
            daily_stories[day] = {t: len(stories[t]) for t in TOPICS}
    truth = {
        "generator": GENERATOR, "seed": corpus.seed, "start_date": corpus.start.isoformat(), "days": corpus.days,
        "end_date": corpus.day(corpus.days - 1).isoformat(), "items_per_day_mean": corpus.mean,
        "sources": [s.id for s in corpus.sources], "topics": list(TOPICS),
        "platforms": [p for p, _ in PLATFORMS],
        "incidents": incidents, "positive_events": events,
        "daily_topic_counts": daily_counts, "daily_topic_stories": daily_stories,
        "counting": COUNTING, "total_items": total, "per_source": per_source,
    }
    (out / "ground_truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return total
