"""Regional-language streams (phrases/regional.yml): a quiet daily background of Indonesian and
Portuguese posts and reviews, and one scam-ad wave per language, written to the ground truth as
incidents with their `language`.

They are drawn after the rest of the corpus from their own seeded stream (`corpus.rng` is swapped
while they are made), so every other item keeps its text, guid, link and time; only the feed
snapshots of the sources that carry them gain items (regional items are not repeated the next
day, so the repeats of the others stay as they were too).
"""

from __future__ import annotations

import random
from typing import Any

from sample_data.banks import REGIONAL
from sample_data.corpus import BASELINE_DAYS, Corpus, incident_targets
from sample_data.text import Slots, fill


def incident_span(days: int, spec: dict[str, Any]) -> tuple[int, int] | None:
    """(first, last day index) of a regional wave: `at` of the way through the days after the
    baseline window; none when the corpus is too short to have a baseline first."""
    window = days - BASELINE_DAYS
    if window < 2:
        return None
    duration = max(1, min(spec["duration"], window))
    start = BASELINE_DAYS + round(spec["at"] * (window - duration))
    return start, start + duration - 1


def _post(corpus: Corpus, src_id: str, d: int, language: str, topic: str | None, template: str, slots: Slots,
          incident_id: str | None = None) -> bool:
    """One regional item (a first-person line: its first sentence is the title); True unless defective."""
    text = fill(template, slots)
    title = text.split(". ")[0].rstrip(".")[:90]
    polarity = "negative" if topic else "neutral"
    item = corpus._make(corpus.by_id[src_id], d, title, text, [topic] if topic else [], polarity, language,
                        "topical" if topic else "noise", incident_id=incident_id)
    item.extra["regional"] = True  # never repeated (sample_data/output.py)
    return not item.defect


def add_regional(corpus: Corpus, first_number: int) -> list[dict[str, Any]]:
    """Add every regional stream to `corpus`; the ground-truth entries of their incidents, numbered
    from `first_number` on (inc-NN-<topic>-<language>)."""
    rng = random.Random(f"regional-{corpus.seed}")
    main_rng, corpus.rng = corpus.rng, rng
    incidents = []
    try:
        for language, spec in REGIONAL.items():
            sources = [s for s in spec["sources"] if s in corpus.by_id]
            if not sources:
                continue
            background: dict[str, float] = {}
            for d in range(corpus.days):
                for _ in range(rng.randint(*spec["per_day"])):
                    line = rng.choice(spec["background"])
                    _post(corpus, rng.choice(sources), d, language, line["topic"], line["text"], Slots(rng))
                    if line["topic"] and d < BASELINE_DAYS:
                        background[line["topic"]] = background.get(line["topic"], 0) + 1 / BASELINE_DAYS
            wave = spec["incident"]
            span = incident_span(corpus.days, wave)
            if span is None:
                continue
            incident_id = f"inc-{first_number + len(incidents):02d}-{wave['topic']}-{language}"
            base = background.get(wave["topic"], 0.0)
            for d, target in zip(range(span[0], span[1] + 1), incident_targets(span[1] - span[0] + 1, base,
                                                                                 wave["magnitude"]), strict=True):
                made = 0
                while made < target:
                    slots = Slots(rng, dict(wave["slots"]))
                    made += _post(corpus, rng.choice(sources), d, language, wave["topic"], rng.choice(wave["lines"]),
                                  slots, incident_id)
            incidents.append({
                "incident_id": incident_id, "topic": wave["topic"], "language": language,
                "start_date": corpus.day(span[0]).isoformat(), "end_date": corpus.day(span[1]).isoformat(),
                "magnitude": wave["magnitude"], "sentiment_shift": None,  # not scored outside English
                "description": wave["description"].format(**wave["slots"]),
                "baseline_daily_mentions": round(base, 2), "platform": wave["slots"].get("platform"),
            })
    finally:
        corpus.rng = main_rng
    return incidents
