"""Story clustering: syndicated copies with small edits share one story id, so metrics count stories.

Ingest gives every news and trade-press item an exact key (the hash of its normalised title, with a
trailing " - <known outlet>" removed). Copy desks edit headlines ("Update: ...", "says" -> "said",
", sources say", a clause cut), so an exact key misses many copies. After an interval is scored,
this step clusters its news and trade-press items with those of the `lookback_days` before it
and rewrites `story_id` in the interval's scored parts:

- Two items are copies when their titles are near-duplicates, measured by IDF-weighted Jaccard
  similarity of their title words (rare words such as names, places and figures decide; labels
  like "Update" weigh little) at `title_threshold` or more, AND the first sentences of their
  summaries overlap (plain Jaccard >= `lead_threshold`; skipped when either summary is empty).
  Candidates come from an inverted index over title words, so the cost follows the number of
  plausible pairs, not the square of the day's volume. Identical normalised titles always match.
- Clusters are connected components. A cluster that reaches an item of an earlier day keeps that
  item's story id (earlier days are never rewritten), otherwise its id is derived from its earliest
  member (published time, then item id), so a rerun of the interval gives the same ids.
- Forum posts, reviews and social posts keep their own story id (short titles such as "Avoid"
  recur by chance; a repost is a new mention, not a copy).

The landing zone keeps the exact key; the scored zone, which dbt reads, carries the cluster id.
Intervals are clustered in time order (daily runs, and backfills run with max_active_runs=1).
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from riskradar import storage
from riskradar.config import Settings
from riskradar.ingest.normalize import SYNDICATED_TYPES, publisher_key, sha1, strip_publisher
from riskradar.schemas import SCORED

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

TITLE_THRESHOLD = 0.6
LEAD_THRESHOLD = 0.5
LOOKBACK_DAYS = 1
# Candidate generation, bounded so the cost stays linear in the day's volume: each item looks
# up only its RAREST_WORDS rarest title words, and a word in more than MAX_POSTING items (a
# platform name, "scam", "ads") proposes no candidates. Copies share their rare words (names,
# places, figures); an edit adds at most a word or two.
RAREST_WORDS = 4
MAX_POSTING = 200


@dataclass(frozen=True)
class StoryItem:
    item_id: str
    published_at: datetime
    title_words: frozenset[str]
    lead_words: frozenset[str]
    entity_words: frozenset[str]
    story_id: str  # the current id: exact key for new items, the cluster id for earlier days'
    is_prior: bool  # from an earlier interval: its id is fixed


def title_words(title: str | None, publishers: frozenset[str] = frozenset()) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(strip_publisher(title, publishers)))


_LABEL = re.compile(r"^\s*\w+:\s")


def entity_words(title: str | None, publishers: frozenset[str] = frozenset()) -> frozenset[str]:
    """Names and figures of a title: capitalised or digit-bearing words, except a leading label
    ("Update:"). Two titles that each name something the other does not ("AdNova ... France" vs
    "Chirp ... Nigeria", "43%" vs "30%") are different stories however similar the rest reads."""
    title = _LABEL.sub("", strip_publisher(title, publishers), count=1)
    return frozenset(w.lower() for w in _WORD.findall(title) if w[:1].isupper() or any(c.isdigit() for c in w))


def lead_words(summary: str | None) -> frozenset[str]:
    """Words of the summary's first sentence (copies often keep only that sentence)."""
    first = _SENTENCE_END.split((summary or "").strip(), maxsplit=1)[0]
    return frozenset(w.lower() for w in _WORD.findall(first))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_items(items: list[StoryItem], title_threshold: float = TITLE_THRESHOLD,
                  lead_threshold: float = LEAD_THRESHOLD) -> dict[str, dict[str, Any]]:
    """item_id -> {story_id, matched_item_id, similarity} for every item that is not prior.

    Pure function of `items` (order does not matter): the unit under test.
    """
    # one node per item id: an item seen again (a feed repeat) is the same node as its first sighting
    nodes: dict[str, StoryItem] = {}
    for it in sorted(items, key=lambda i: (not i.is_prior, i.published_at, i.item_id)):
        nodes.setdefault(it.item_id, it)
    ordered = sorted(nodes.values(), key=lambda i: (i.published_at, i.item_id))
    n = len(ordered)
    if n == 0:
        return {}
    df: dict[str, int] = defaultdict(int)
    for it in ordered:
        for w in it.title_words:
            df[w] += 1
    idf = {w: math.log((n + 1) / c) + 1e-3 for w, c in df.items()}
    cap = MAX_POSTING
    postings: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(ordered):
        for w in it.title_words:
            if df[w] <= cap:
                postings[w].append(i)

    def weighted(a: frozenset[str], b: frozenset[str]) -> float:
        union = sum(idf[w] for w in a | b)
        return sum(idf[w] for w in a & b) / union if union else 0.0

    uf = _UnionFind(n)
    best: dict[int, tuple[float, int]] = {}
    same_title: dict[frozenset[str], list[int]] = defaultdict(list)  # candidates even when every word is common
    for i, it in enumerate(ordered):
        seen: set[int] = set()
        candidates = [same_title[it.title_words][-MAX_POSTING:]] if it.title_words else []
        rarest = sorted((w for w in it.title_words if df[w] <= cap), key=lambda w: (df[w], w))[:RAREST_WORDS]
        candidates += [postings[w] for w in rarest]
        same_title[it.title_words].append(i)
        for j in (j for group in candidates for j in group):
            if j >= i or j in seen:
                continue
            seen.add(j)
            other = ordered[j]
            sim = weighted(it.title_words, other.title_words)
            if sim < title_threshold:
                continue
            if (it.entity_words - other.entity_words) and (other.entity_words - it.entity_words):
                continue
            if it.lead_words and other.lead_words and _jaccard(it.lead_words, other.lead_words) < lead_threshold:
                continue
            uf.union(i, j)
            if sim > best.get(i, (-1.0, -1))[0]:
                best[i] = (sim, j)

    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members[uf.find(i)].append(i)
    current = {it.item_id for it in items if not it.is_prior}
    out: dict[str, dict[str, Any]] = {}
    for group in members.values():
        priors = [ordered[i] for i in group if ordered[i].is_prior]
        if priors:
            story_id = priors[0].story_id  # earliest earlier-day member: its id never changes
        else:
            story_id = sha1(f"story:{ordered[group[0]].item_id}")[:16]
        for i in group:
            it = ordered[i]
            if it.item_id not in current:
                continue
            sim, j = best.get(i, (None, None))
            out[it.item_id] = {"story_id": story_id, "cluster_size": len(group),
                               "matched_item_id": ordered[j].item_id if j is not None else None,
                               "similarity": round(sim, 4) if sim is not None else None}
    return out


_READ_COLUMNS = ["item_id", "source_type", "title", "summary", "published_at", "story_id"]


def _story_items(paths: list[Path], publishers: frozenset[str], is_prior: bool) -> list[StoryItem]:
    items: list[StoryItem] = []
    for path in paths:
        table = pq.read_table(path, columns=_READ_COLUMNS)
        cols = {name: table.column(name).to_pylist() for name in _READ_COLUMNS}
        for k in range(table.num_rows):
            if cols["source_type"][k] not in SYNDICATED_TYPES:
                continue
            items.append(StoryItem(
                item_id=cols["item_id"][k], published_at=cols["published_at"][k],
                title_words=title_words(cols["title"][k], publishers), lead_words=lead_words(cols["summary"][k]),
                entity_words=entity_words(cols["title"][k], publishers),
                story_id=cols["story_id"][k], is_prior=is_prior))
    return items


def known_publishers(settings: Settings) -> frozenset[str]:
    from riskradar.ingest.sources import load_sources

    return frozenset(publisher_key(src.name) for src in load_sources(settings))


def cluster_interval(start: datetime, end: datetime, settings: Settings,
                     lookback_days: int = LOOKBACK_DAYS) -> dict[str, Any]:
    """Cluster the scored news and trade-press items of [start, end) with the days before; rewrite
    `story_id` in the interval's scored parts (atomically, only parts whose ids change)."""
    start, end = storage.as_utc(start), storage.as_utc(end)
    publishers = known_publishers(settings)
    current = list(storage.parts_for_interval(settings.scored_dir, start, end))
    prior = list(storage.parts_for_interval(settings.scored_dir, start - timedelta(days=lookback_days), start))
    items = _story_items(prior, publishers, True) + _story_items(current, publishers, False)
    clusters = cluster_items(items)
    rewritten = 0
    for path in current:
        table = pq.read_table(path, schema=SCORED)
        ids = table.column("story_id").to_pylist()
        new = [clusters[item]["story_id"] if item in clusters else old
               for item, old in zip(table.column("item_id").to_pylist(), ids, strict=True)]
        if new != ids:
            index = SCORED.get_field_index("story_id")
            storage.write_table_atomic(table.set_column(index, SCORED.field(index), pa.array(new, pa.string())), path)
            rewritten += 1
    new_items = list(clusters.values())
    stories = {c["story_id"] for c in new_items}
    merged = sum(1 for c in new_items if c["matched_item_id"] is not None)
    result = {"items_clustered": len(new_items), "stories": len(stories), "copies_merged": merged,
              "parts_rewritten": rewritten, "prior_items": sum(1 for i in items if i.is_prior)}
    log.info("stories for %s..%s: %s", start, end, result)
    return result
