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
  Candidates come from an index over pairs of rare title words (riskradar.stories.index), checked
  in bulk across worker processes, so the cost follows the number of distinct headlines and
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
import multiprocessing
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from riskradar import storage
from riskradar.config import Settings
from riskradar.ingest.normalize import SYNDICATED_TYPES, publisher_key, sha1, strip_publisher
from riskradar.schemas import SCORED
from riskradar.stories import index

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

TITLE_THRESHOLD = 0.6
LEAD_THRESHOLD = 0.5
LOOKBACK_DAYS = 1
PARALLEL_READ_BYTES = 8 * 1024 ** 2  # below this the parts are read in one process


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


def cluster_items(items: list[StoryItem], title_threshold: float = TITLE_THRESHOLD,
                  lead_threshold: float = LEAD_THRESHOLD, workers: int | None = None) -> dict[str, dict[str, Any]]:
    """item_id -> {story_id, cluster_size, matched_item_id, similarity} for every item that is not prior.

    Pure function of `items` (order does not matter, nor does `workers`): the unit under test.
    Items with the same title (words and names) and the same lead are one node of the match
    graph, so the pairwise work follows the number of distinct headlines, and candidate pairs of
    distinct titles come from the rare-word-pair index (riskradar.stories.index).
    """
    # one node per item id: an item seen again (a feed repeat) is the same node as its first sighting
    nodes: dict[str, StoryItem] = {}
    for it in sorted(items, key=lambda i: (not i.is_prior, i.published_at, i.item_id)):
        nodes.setdefault(it.item_id, it)
    ordered = sorted(nodes.values(), key=lambda i: (i.published_at, i.item_id))
    n = len(ordered)
    if n == 0:
        return {}
    workers = workers or index.default_workers()
    df = Counter(w for it in ordered for w in it.title_words)
    by_rarity = sorted(df, key=lambda w: (df[w], w))
    rank = {w: r for r, w in enumerate(by_rarity)}
    idf = np.array([math.log((n + 1) / df[w]) + 1e-3 for w in by_rarity])

    titles: dict[tuple[frozenset[str], frozenset[str]], int] = {}
    title_rows: list[tuple[int, ...]] = []
    entity_rows: list[tuple[int, ...]] = []
    entity_vocab: dict[str, int] = {}
    leads: dict[frozenset[str], int] = {}
    lead_rows: list[tuple[int, ...]] = []
    lead_vocab: dict[str, int] = {}
    combos: dict[tuple[int, int], int] = {}  # (title, lead) -> node of the match graph
    combo_title: list[int] = []
    combo_lead: list[int] = []
    item_combo = np.empty(n, dtype=np.int64)
    for i, it in enumerate(ordered):
        t = titles.setdefault((it.title_words, it.entity_words), len(title_rows))
        if t == len(title_rows):
            title_rows.append(tuple(rank[w] for w in it.title_words))
            entity_rows.append(tuple(entity_vocab.setdefault(w, len(entity_vocab)) for w in it.entity_words))
        lead = leads.setdefault(it.lead_words, len(lead_rows))
        if lead == len(lead_rows):
            lead_rows.append(tuple(lead_vocab.setdefault(w, len(lead_vocab)) for w in it.lead_words))
        # an item without title words matches nothing, not even an identical one
        key = (t, lead) if it.title_words else (-1 - i, lead)
        c = combos.setdefault(key, len(combo_title))
        if c == len(combo_title):
            combo_title.append(t)
            combo_lead.append(lead)
        item_combo[i] = c

    # title pairs: candidates from the index, kept when similar enough and naming nothing apart
    a, b = index.candidate_pairs(title_rows)
    words = index.incidence(title_rows, len(rank))
    ok, sim = index.title_matches(a, b, words, index.incidence(title_rows, len(rank), idf),
                                  index.incidence(entity_rows, len(entity_vocab)), title_threshold, workers)
    a, b, sim = a[ok], b[ok], sim[ok]
    # node pairs: every node of one title against every node of the other (and within a title)
    ct, cl = np.asarray(combo_title), np.asarray(combo_lead)
    alone = np.asarray([k[0] < 0 for k in combos])
    n_titles = len(title_rows)
    grouped = np.argsort(np.where(alone, n_titles, ct), kind="stable")
    counts = np.bincount(ct[~alone], minlength=n_titles)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    multi = np.flatnonzero(counts > 1)
    ta, tb = np.concatenate([a, multi]), np.concatenate([b, multi])
    tsim = np.concatenate([sim, np.ones(len(multi))])
    sizes = counts[ta] * counts[tb]
    pair = np.repeat(np.arange(len(ta)), sizes)
    offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    ca = grouped[starts[ta][pair] + offset // counts[tb][pair]]
    cb = grouped[starts[tb][pair] + offset % counts[tb][pair]]
    keep = ca != cb
    if len(multi):
        keep &= (ta[pair] != tb[pair]) | (ca < cb)
    ca, cb, csim = ca[keep], cb[keep], tsim[pair][keep]
    agree = index.lead_matches(cl[ca], cl[cb], index.incidence(lead_rows, len(lead_vocab)), lead_threshold, workers)
    ca, cb, csim = ca[agree], cb[agree], csim[agree]

    n_combos = len(combo_title)
    graph = sp.coo_matrix((np.ones(len(ca)), (ca, cb)), shape=(n_combos, n_combos))
    _, label = connected_components(graph, directed=False)
    item_group = label[item_combo]
    matched, similarity = _best_matches(item_combo, ca, cb, csim, n_combos)

    first: dict[int, int] = {}
    first_prior: dict[int, int] = {}
    for i, g in enumerate(item_group.tolist()):
        first.setdefault(g, i)
        if ordered[i].is_prior:
            first_prior.setdefault(g, i)
    size = np.bincount(item_group)
    current = {it.item_id for it in items if not it.is_prior}
    out: dict[str, dict[str, Any]] = {}
    for i, it in enumerate(ordered):
        if it.item_id not in current:
            continue
        g = int(item_group[i])
        if g in first_prior:
            story_id = ordered[first_prior[g]].story_id  # earliest earlier-day member: its id never changes
        else:
            story_id = sha1(f"story:{ordered[first[g]].item_id}")[:16]
        j = int(matched[i])
        out[it.item_id] = {"story_id": story_id, "cluster_size": int(size[g]),
                           "matched_item_id": ordered[j].item_id if j >= 0 else None,
                           "similarity": round(float(similarity[i]), 4) if j >= 0 else None}
    return out


def _best_matches(item_combo: np.ndarray, ca: np.ndarray, cb: np.ndarray, csim: np.ndarray,
                  n_combos: int) -> tuple[np.ndarray, np.ndarray]:
    """For each item, the earlier item it matches best (highest title similarity, then earliest),
    or -1: the first earlier member of the best-matching node, its own node counting at 1.0."""
    n = len(item_combo)
    first = np.full(n_combos, n, dtype=np.int64)
    np.minimum.at(first, item_combo, np.arange(n))
    own = np.arange(n_combos)
    node = np.concatenate([ca, cb, own])
    sim = np.concatenate([csim, csim, np.ones(n_combos)])
    earliest = np.concatenate([first[cb], first[ca], first])
    order = np.lexsort((earliest, -sim, node))
    node, sim, earliest = node[order], sim[order], earliest[order]
    # per node, the running minimum of `earliest` along (similarity desc, earliest asc): the first
    # entry below item i's index is i's best match. Shifting each node's values below the previous
    # nodes' makes one global running minimum, non-increasing, so one searchsorted finds them all.
    shift = node * (n + 1)
    running = np.minimum.accumulate(earliest - shift)
    k = np.searchsorted(-running, -(np.arange(n) - item_combo * (n + 1)), side="right")
    ends = np.searchsorted(node, item_combo, side="right")
    found = k < ends
    k = np.minimum(k, len(node) - 1)
    return np.where(found, earliest[k], -1), np.where(found, sim[k], 0.0)


_READ_COLUMNS = ["item_id", "source_type", "title", "summary", "published_at", "story_id"]


def _read_part(path: Path, publishers: frozenset[str]) -> tuple[list[Any], ...]:
    """A part's news and trade-press rows, each distinct headline and summary parsed once (wire
    copies and feed repeats share them): columns, row -> headline / lead number, the parsed ones."""
    table = storage.read_table(path, columns=_READ_COLUMNS)
    table = table.filter(pc.is_in(table.column("source_type"), value_set=pa.array(sorted(SYNDICATED_TYPES))))
    ids, published, titles, summaries, story_ids = (
        table.column(name).to_pylist() for name in ("item_id", "published_at", "title", "summary", "story_id"))
    heads: dict[str | None, int] = {}
    firsts: dict[str | None, int] = {}
    head_of = [heads.setdefault(t, len(heads)) for t in titles]
    lead_of = [firsts.setdefault(x, len(firsts)) for x in summaries]
    parsed_heads = [(title_words(t, publishers), entity_words(t, publishers)) for t in heads]
    parsed_leads = [lead_words(x) for x in firsts]
    return ids, published, story_ids, head_of, lead_of, parsed_heads, parsed_leads


_PARSE: dict[str, Any] = {}  # forked readers inherit the publishers


def _read_part_forked(path: Path) -> tuple[list[Any], ...]:
    return _read_part(path, _PARSE["publishers"])


def _story_items(paths: list[tuple[Path, bool]], publishers: frozenset[str], workers: int) -> list[StoryItem]:
    """StoryItems of (part, is_prior) pairs; parts are read and parsed in `workers` forked
    processes when there are several large ones (the parsing is most of the work)."""
    big = sum(p.stat().st_size for p, _ in paths) > PARALLEL_READ_BYTES
    if workers > 1 and len(paths) > 1 and big and "fork" in multiprocessing.get_all_start_methods():
        _PARSE["publishers"] = publishers
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, len(paths))) as pool:
                read = pool.map(_read_part_forked, [p for p, _ in paths], chunksize=1)
        finally:
            _PARSE.clear()
    else:
        read = [_read_part(p, publishers) for p, _ in paths]
    items: list[StoryItem] = []
    for (_, is_prior), (ids, published, story_ids, head_of, lead_of, heads, leads) in zip(paths, read, strict=True):
        for item_id, published_at, story_id, h, lead in zip(ids, published, story_ids, head_of, lead_of, strict=True):
            items.append(StoryItem(item_id=item_id, published_at=published_at, title_words=heads[h][0],
                                   lead_words=leads[lead], entity_words=heads[h][1], story_id=story_id,
                                   is_prior=is_prior))
    return items


def known_publishers(settings: Settings) -> frozenset[str]:
    from riskradar.ingest.sources import load_sources

    return frozenset(publisher_key(src.name) for src in load_sources(settings))


def cluster_interval(start: datetime, end: datetime, settings: Settings,
                     lookback_days: int = LOOKBACK_DAYS, workers: int | None = None) -> dict[str, Any]:
    """Cluster the scored news and trade-press items of [start, end) with the days before; rewrite
    `story_id` in the interval's scored parts (atomically, only parts whose ids change).
    `workers` processes share the reading and the bulk checks (default RISKRADAR_STORY_WORKERS, else one per core)."""
    start, end = storage.as_utc(start), storage.as_utc(end)
    publishers = known_publishers(settings)
    current = list(storage.parts_for_interval(settings.scored_dir, start, end))
    prior = list(storage.parts_for_interval(settings.scored_dir, start - timedelta(days=lookback_days), start))
    workers = workers or index.default_workers()
    items = _story_items([(p, True) for p in prior] + [(p, False) for p in current], publishers, workers)
    clusters = cluster_items(items, workers=workers)
    rewritten = 0
    for path in current:
        table = storage.read_table(path, schema=SCORED)
        ids = table.column("story_id").to_pylist()
        new = [clusters[item]["story_id"] if item in clusters else old
               for item, old in zip(table.column("item_id").to_pylist(), ids, strict=True)]
        if new != ids:
            field = SCORED.get_field_index("story_id")
            storage.write_table_atomic(table.set_column(field, SCORED.field(field), pa.array(new, pa.string())), path)
            rewritten += 1
    new_items = list(clusters.values())
    stories = {c["story_id"] for c in new_items}
    merged = sum(1 for c in new_items if c["matched_item_id"] is not None)
    result = {"items_clustered": len(new_items), "stories": len(stories), "copies_merged": merged,
              "parts_rewritten": rewritten, "prior_items": sum(1 for i in items if i.is_prior)}
    log.info("stories for %s..%s: %s", start, end, result)
    return result
