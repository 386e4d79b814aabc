"""Score stage: landing part -> language gate, VADER sentiment, risk topics, platforms -> scored part.

Each landing part (one per source and ingest interval) becomes exactly one scored part with the same
source, date and stamp, written atomically, so a rerun of an interval replaces its own output and a
backfill never appends. A source with no landing part for the interval failed or was dead (ingest
recorded its health), so it is skipped; an empty landing part gives an empty scored part, which
tells downstream "ran, nothing new".

Only English items are scored (VADER and the taxonomy vocabulary are English): other languages get
`is_scored = false`, null sentiment, label `unscored` and no topics, but their platforms are still
extracted for share of voice.

The scoring step also publishes the taxonomy as reference tables for dbt
(`reference/topics.parquet`, `reference/platforms.parquet`).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskradar import storage
from riskradar.config import Settings
from riskradar.nlp.language import detect_language
from riskradar.nlp.sentiment import SentimentScorer, get_scorer, join_title, label_for
from riskradar.nlp.taxonomy import Taxonomy, load_taxonomy
from riskradar.schemas import LANDING, SCORED

log = logging.getLogger(__name__)

SCORED_LANGUAGE = "en"

TOPICS_REFERENCE = pa.schema([
    ("topic_id", pa.string()),
    ("topic_name", pa.string()),
    ("description", pa.string()),
    ("severity", pa.string()),
    ("severity_weight", pa.float64()),
    ("taxonomy_version", pa.string()),
])
PLATFORMS_REFERENCE = pa.schema([
    ("platform_id", pa.string()),
    ("platform_name", pa.string()),
    ("is_own_platform", pa.bool_()),
])


def load_models(settings: Settings) -> tuple[SentimentScorer, Taxonomy]:
    """The process-wide scorer and taxonomy for the config in `settings` (cached by content)."""
    scorer = get_scorer(settings.config_dir / "lexicon.yml", settings.nltk_data_dir)
    taxonomy = load_taxonomy(settings.config_dir / "taxonomy.yml")
    return scorer, taxonomy


def document_text(title: str | None, summary: str | None) -> str:
    """What language detection, sentiment and the taxonomy read: title and summary as one text."""
    return join_title(title, summary)


def score_item(title: str | None, summary: str | None, declared_language: str | None,
               scorer: SentimentScorer, taxonomy: Taxonomy) -> dict[str, Any]:
    """The SCORED columns added to one landing row."""
    text = document_text(title, summary)
    language = detect_language(text, declared_language)
    match = taxonomy.match(text)
    if language != SCORED_LANGUAGE:
        return {
            "detected_language": language, "is_scored": False,
            "sentiment_neg": None, "sentiment_neu": None, "sentiment_pos": None,
            "sentiment_compound": None, "sentiment_label": label_for(None),
            "topics": [], "matched_terms": [], "platforms": match.platforms,
        }
    s = scorer.score_document(title, summary)
    return {
        "detected_language": language, "is_scored": True,
        "sentiment_neg": s.neg, "sentiment_neu": s.neu, "sentiment_pos": s.pos,
        "sentiment_compound": s.compound, "sentiment_label": s.label,
        "topics": match.topics, "matched_terms": match.matched_terms, "platforms": match.platforms,
    }


CLI_FIELDS = ("neg", "neu", "pos", "compound", "label", "language", "topics", "matched_terms", "platforms")


CompactRow = tuple[Any, ...]  # CLI_FIELDS' values in order, the three lists as tuples


def _compact_row(row: dict[str, Any]) -> CompactRow:
    """A SCORED-columns row as the tuple a pool worker sends back: no per-row dict or field names to
    pickle, and tuples rather than lists, so the mostly empty topic/term/platform lists unpickle as
    the shared empty tuple and the parent (which pickles and unpickles while its workers score)
    leaves its garbage collector fewer objects to track."""
    return (row["sentiment_neg"], row["sentiment_neu"], row["sentiment_pos"], row["sentiment_compound"],
            row["sentiment_label"], row["detected_language"], tuple(row["topics"]),
            tuple(row["matched_terms"]), tuple(row["platforms"]))


def _row_from_compact(c: CompactRow) -> dict[str, Any]:
    """The CLI row (CLI_FIELDS, fresh lists) rebuilt from `_compact_row`'s tuple."""
    return {"neg": c[0], "neu": c[1], "pos": c[2], "compound": c[3], "label": c[4], "language": c[5],
            "topics": list(c[6]), "matched_terms": list(c[7]), "platforms": list(c[8])}


def _score_text_chunk(settings: Settings, texts: list[str], declared: str | None) -> list[CompactRow]:
    """Score a batch in this process (the pool's unit of work); models load once per process."""
    scorer, taxonomy = load_models(settings)
    memo = text_memo(scorer, taxonomy)
    out = []
    for text in texts:
        key = (None, text, declared)
        row = memo.get(key)
        if row is None:
            row = memo[key] = score_item(None, text, declared, scorer, taxonomy)  # split into sentences
        out.append(_compact_row(row))
    return out


def score_texts(texts: Iterable[str], settings: Settings, declared_language: str | None = None,
                workers: int = 1, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    """Score free texts (one document each), in input order: the code path `riskradar score` shares
    with the pipeline (`score_item`). Yields sentiment, label, language, topics, matched terms and
    platforms. `workers` > 1 scores batches across a process pool; the order is kept either way."""
    batches = _batched(texts, batch_size)
    if workers <= 1:
        for batch in batches:
            yield from map(_row_from_compact, _score_text_chunk(settings, batch, declared_language))
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
        # a bounded window of batches in flight keeps memory flat on long inputs
        pending: list[Any] = []
        for batch in batches:
            pending.append(pool.submit(_score_text_chunk, settings, batch, declared_language))
            if len(pending) >= 2 * workers:
                yield from map(_row_from_compact, pending.pop(0).result())
        while pending:  # popped, so a batch's results are freed once yielded
            yield from map(_row_from_compact, pending.pop(0).result())


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


FORKSERVER_PRELOAD = ["__main__", "riskradar.nlp.preload"]


def _mp_context():
    """`forkserver`/`spawn` rather than `fork`: Airflow workers run threads, and fork copies locks.

    The fork server imports NLTK and loads the language model once (`riskradar.nlp.preload`),
    so each worker forks warm instead of paying seconds of start-up; the server lives as long as
    this process, so later pools start in milliseconds.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(FORKSERVER_PRELOAD)  # a hint: ignored once the server runs
    return ctx


TextKey = tuple[str | None, str | None, str | None]  # (title, summary, declared language)
MEMO_MAX_TEXTS = 20_000  # per process; syndicated copies and feed repeats are recent, so small is enough
_MEMOS: dict[tuple[SentimentScorer, Taxonomy], dict[TextKey, dict[str, Any]]] = {}


def text_memo(scorer: SentimentScorer, taxonomy: Taxonomy) -> dict[TextKey, dict[str, Any]]:
    """The process-wide text -> scores memo for this exact scorer and taxonomy.

    Keyed by the compiled objects themselves (cached per config content), not by version strings,
    so an edit that forgot to bump a version can never serve stale scores. Cleared when it grows
    past MEMO_MAX_TEXTS: a memo only saves time, it never changes a result.
    """
    key = (scorer, taxonomy)
    if key not in _MEMOS and len(_MEMOS) >= 4:
        _MEMOS.clear()  # configs were edited in this process: forget the old versions' memos
    memo = _MEMOS.setdefault(key, {})
    if len(memo) > MEMO_MAX_TEXTS:
        memo.clear()
    return memo
_ITEM_COLUMNS = [name for name in SCORED.names[len(LANDING):]
                 if name not in ("taxonomy_version", "lexicon_version")]


def score_table(table: pa.Table, settings: Settings,
                cache: dict[TextKey, dict[str, Any]] | None = None) -> pa.Table:
    """LANDING rows -> SCORED rows, same order.

    Identical texts are scored once; pass `cache` to share that across calls (syndicated copies on
    several sources) or to seed it with an earlier result of the same lexicon and taxonomy versions.
    """
    missing = [f.name for f in LANDING if f.name not in table.column_names]
    if missing:
        raise ValueError(f"score_table: input lacks LANDING columns {missing}")
    table = table.select(LANDING.names).cast(LANDING)
    scorer, taxonomy = load_models(settings)
    titles = table.column("title").to_pylist()
    summaries = table.column("summary").to_pylist()
    declared = table.column("language").to_pylist()
    cache = text_memo(scorer, taxonomy) if cache is None else cache
    rows = []
    for key in zip(titles, summaries, declared, strict=True):
        row = cache.get(key)
        if row is None:
            row = score_item(*key, scorer=scorer, taxonomy=taxonomy)
            cache[key] = row
        rows.append(row)
    extra = {name: [r[name] for r in rows] for name in _ITEM_COLUMNS}
    extra["taxonomy_version"] = [taxonomy.version] * table.num_rows
    extra["lexicon_version"] = [scorer.version] * table.num_rows
    arrays = list(table.columns) + [
        pa.array(extra[f.name], type=f.type) for f in SCORED if f.name not in LANDING.names
    ]
    return pa.Table.from_arrays(arrays, schema=SCORED)


# ---- reference tables for dbt ----

def topics_reference(taxonomy: Taxonomy) -> pa.Table:
    cats = taxonomy.categories
    return pa.Table.from_pydict({
        "topic_id": [c.id for c in cats],
        "topic_name": [c.name for c in cats],
        "description": [c.description for c in cats],
        "severity": [c.severity for c in cats],
        "severity_weight": [c.severity_weight for c in cats],
        "taxonomy_version": [taxonomy.version] * len(cats),
    }, schema=TOPICS_REFERENCE)


def platforms_reference(taxonomy: Taxonomy) -> pa.Table:
    ps = taxonomy.platforms
    return pa.Table.from_pydict({
        "platform_id": [p.id for p in ps],
        "platform_name": [p.name for p in ps],
        "is_own_platform": [p.own for p in ps],
    }, schema=PLATFORMS_REFERENCE)


def write_reference_tables(settings: Settings) -> dict[str, bool]:
    """Publish topics.parquet and platforms.parquet from config/taxonomy.yml; report which changed."""
    _, taxonomy = load_models(settings)
    ref = settings.reference_dir
    return {
        "topics": storage.write_table_if_changed(topics_reference(taxonomy), ref / "topics.parquet"),
        "platforms": storage.write_table_if_changed(platforms_reference(taxonomy), ref / "platforms.parquet"),
    }


# ---- the interval task ----

def scored_path_for(landing_part: Path, settings: Settings) -> Path:
    """The scored part that mirrors a landing part: same source, date and stamp."""
    source_dir, date_dir = landing_part.parent.parent.name, landing_part.parent.name
    return settings.scored_dir / source_dir / date_dir / landing_part.name


def previous_scores(path: Path, taxonomy_version: str, lexicon_version: str) -> dict[TextKey, dict[str, Any]]:
    """Scores already in a scored part, by text, if it was made with the same versions (else none).

    A rerun then scores only what changed, and never rescores an item differently under the same
    lexicon and taxonomy versions.
    """
    if not path.exists():
        return {}
    try:
        table = pq.read_table(path, schema=SCORED)
    except (pa.ArrowInvalid, OSError, ValueError):
        return {}  # unreadable or an older schema: score afresh
    if table.num_rows == 0:
        return {}
    versions = set(zip(table.column("taxonomy_version").to_pylist(),
                       table.column("lexicon_version").to_pylist(), strict=True))
    if versions != {(taxonomy_version, lexicon_version)}:
        return {}
    keys = zip(table.column("title").to_pylist(), table.column("summary").to_pylist(),
               table.column("language").to_pylist(), strict=True)
    columns = {name: table.column(name).to_pylist() for name in _ITEM_COLUMNS}
    return {key: {name: columns[name][i] for name in _ITEM_COLUMNS} for i, key in enumerate(keys)}


def versions_path_for(scored_part: Path, taxonomy_version: str, lexicon_version: str, settings: Settings) -> Path:
    """Where a superseded scored part is kept: scored_versions/taxonomy=T/lexicon=L/source=S/date=D/part."""
    source_dir, date_dir = scored_part.parent.parent.name, scored_part.parent.name
    return (settings.scored_versions_dir / f"taxonomy={taxonomy_version}" / f"lexicon={lexicon_version}"
            / source_dir / date_dir / scored_part.name)


def keep_superseded_version(target: Path, taxonomy_version: str, lexicon_version: str,
                            settings: Settings) -> Path | None:
    """Before a rescore under new taxonomy or lexicon versions replaces a scored part, keep the old
    part under scored_versions/ (dbt: fct_mention_versions), so history recomputed under a new
    version leaves the old version's results queryable. A part already of the current versions,
    or unreadable, is not kept. Returns the kept copy's path."""
    if not target.exists():
        return None
    try:
        versions = pq.read_table(target, columns=["taxonomy_version", "lexicon_version"])
    except (pa.ArrowInvalid, OSError, KeyError):
        return None
    pairs = set(zip(versions.column("taxonomy_version").to_pylist(),
                    versions.column("lexicon_version").to_pylist(), strict=True))
    if len(pairs) != 1 or pairs == {(taxonomy_version, lexicon_version)}:
        return None  # empty, mixed or current: nothing superseded
    (old_taxonomy, old_lexicon), = pairs
    keep = versions_path_for(target, str(old_taxonomy), str(old_lexicon), settings)
    storage.write_bytes_atomic(target.read_bytes(), keep)
    log.info("kept the superseded scores of %s (taxonomy %s, lexicon %s) at %s", target, old_taxonomy,
             old_lexicon, keep)
    return keep


SCORE_WORKERS_ENV = "RISKRADAR_SCORE_WORKERS"


def score_workers() -> int:
    """Processes for scoring an interval's parts: `RISKRADAR_SCORE_WORKERS` (default 1, in-process)."""
    raw = os.environ.get(SCORE_WORKERS_ENV, "1").strip()
    try:
        workers = int(raw)
    except ValueError:
        raise ValueError(f"{SCORE_WORKERS_ENV} must be a whole number of processes, got {raw!r}") from None
    return max(1, workers)


def score_part(part: Path, settings: Settings) -> dict[str, Any]:
    """Score one landing part into its scored part; a small picklable summary back (pool unit).

    Reuses the scores already in the target part when they carry the same lexicon and taxonomy
    versions, so a rerun scores nothing twice and writes the same bytes.
    """
    scorer, taxonomy = load_models(settings)
    cache = text_memo(scorer, taxonomy)  # shared: syndicated copies and repeats are scored once
    target = scored_path_for(part, settings)
    previous = previous_scores(target, taxonomy.version, scorer.version)
    cache.update(previous)
    scored = score_table(storage.read_parts([part], LANDING), settings, cache=cache)
    if not previous:
        keep_superseded_version(target, taxonomy.version, scorer.version, settings)
    out = storage.write_table_atomic(scored, target)
    n_scored = int(pc.sum(scored.column("is_scored")).as_py() or 0)
    topics: Counter[str] = Counter()
    for item_topics in scored.column("topics").to_pylist():
        topics.update(item_topics or [])
    return {"source_id": part.parent.parent.name.split("=", 1)[1], "path": str(out), "items": scored.num_rows,
            "scored": n_scored, "reused": len(previous), "topics": dict(topics)}


def _score_parts(parts: list[Path], settings: Settings, workers: int) -> list[dict[str, Any]]:
    """Each part scored once, in the calling process or across a process pool (results in part order)."""
    if workers <= 1 or len(parts) <= 1:
        return [score_part(part, settings) for part in parts]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=_mp_context()) as pool:
        return list(pool.map(score_part, parts, [settings] * len(parts)))


def score_interval(start: datetime, end: datetime, run_id: str, settings: Settings,
                   source_ids: list[str] | None = None) -> dict[str, Any]:
    """Score every landing part of [start, end) (optionally some sources only); small summary back.

    For the usual call (one ingest interval) each source has one landing part and its scored part is
    `storage.partition_path(settings.scored_dir, start, source_id=S)`. Parts are independent, so
    with `RISKRADAR_SCORE_WORKERS` > 1 they are scored across a process pool.
    """
    start, end = storage.as_utc(start), storage.as_utc(end)
    references = write_reference_tables(settings)
    scorer, taxonomy = load_models(settings)
    parts = storage.parts_for_interval(settings.landing_dir, start, end, source_ids)
    per_source: dict[str, dict[str, int]] = {}
    topics: Counter[str] = Counter()
    written: list[str] = []
    reused = 0
    for summary in _score_parts(list(parts), settings, score_workers()):
        written.append(summary["path"])
        reused += summary["reused"]
        topics.update(summary["topics"])
        counts = per_source.setdefault(summary["source_id"], {"items": 0, "scored": 0, "unscored": 0, "parts": 0})
        counts["items"] += summary["items"]
        counts["scored"] += summary["scored"]
        counts["unscored"] += summary["items"] - summary["scored"]
        counts["parts"] += 1
    skipped = sorted(set(source_ids or []) - set(per_source))
    items = sum(c["items"] for c in per_source.values())
    result = {
        "run_id": run_id,
        "interval_start": start.isoformat(),
        "interval_end": end.isoformat(),
        "items_scored": sum(c["scored"] for c in per_source.values()),
        "items_unscored": sum(c["unscored"] for c in per_source.values()),
        "unscored_share": round(sum(c["unscored"] for c in per_source.values()) / items, 4) if items else 0.0,
        "per_source": per_source,
        "sources_skipped": skipped,
        "topics": dict(sorted(topics.items())),
        "parts_written": written,
        "texts_reused": reused,
        "reference_changed": references,
        "taxonomy_version": taxonomy.version,
        "lexicon_version": scorer.version,
    }
    log.info("scored %d items (%d unscored, %.1f%%) in %d parts for %s..%s; skipped sources without landing: %s",
             result["items_scored"], result["items_unscored"], 100 * result["unscored_share"], len(written),
             start, end, skipped or "none")
    return result
