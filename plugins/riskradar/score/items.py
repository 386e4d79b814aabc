"""Scoring one item or text: language gate, VADER sentiment, risk topics, platforms.

Sentiment is scored for English items only (VADER is English): other languages get
`is_scored = false`, null sentiment and label `unscored`. Topics are tagged in every language the
taxonomy has a vocabulary for (`languages:` in config/taxonomy.yml), with that language's
vocabulary; the marts count and spike them per language (fct_topic_language_daily), so a wave in
one language is judged against that language's own baseline. An item in a language without a
vocabulary gets no topics, but its platforms are still extracted for share of voice.

This module scores items and texts (the pipeline's and the `riskradar score` CLI's one code path);
`riskradar.score.task` applies it to the zones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from riskradar.config import Settings
from riskradar.nlp.language import detect_language
from riskradar.nlp.sentiment import SentimentScorer, get_scorer, join_title, label_for
from riskradar.nlp.taxonomy import Taxonomy, load_taxonomy
from riskradar.schemas import LANDING, SCORED

log = logging.getLogger(__name__)

SCORED_LANGUAGE = "en"

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
    if language != SCORED_LANGUAGE:
        tagged = language in taxonomy.languages
        match = taxonomy.match(text, language if tagged else None)
        return {
            "detected_language": language, "is_scored": False,
            "sentiment_neg": None, "sentiment_neu": None, "sentiment_pos": None,
            "sentiment_compound": None, "sentiment_label": label_for(None),
            "topics": match.topics if tagged else [], "matched_terms": match.matched_terms if tagged else [],
            "platforms": match.platforms,
        }
    match = taxonomy.match(text)
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

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
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


def mp_context():
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
ITEM_COLUMNS = [name for name in SCORED.names[len(LANDING):]
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
    extra = {name: [r[name] for r in rows] for name in ITEM_COLUMNS}
    extra["taxonomy_version"] = [taxonomy.version] * table.num_rows
    extra["lexicon_version"] = [scorer.version] * table.num_rows
    arrays = list(table.columns) + [
        pa.array(extra[f.name], type=f.type) for f in SCORED if f.name not in LANDING.names
    ]
    return pa.Table.from_arrays(arrays, schema=SCORED)
