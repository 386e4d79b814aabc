"""Score stage task: each landing part -> its scored part (riskradar.score.items does the scoring).

Each landing part (one per source and ingest interval) becomes exactly one scored part with the same
source, date and stamp, written atomically, so a rerun of an interval replaces its own output and a
backfill never appends. A source with no landing part for the interval failed or was dead (ingest
recorded its health), so it is skipped; an empty landing part gives an empty scored part, which
tells downstream "ran, nothing new". The task also publishes the taxonomy's reference tables for
dbt (riskradar.marts.reference).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from riskradar import storage
from riskradar.config import Settings, get_settings
from riskradar.marts.reference import write_reference_tables
from riskradar.schemas import LANDING, SCORED
from riskradar.score.items import ITEM_COLUMNS, TextKey, load_models, mp_context, score_table, text_memo

log = logging.getLogger(__name__)


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
        table = storage.read_table(path, schema=SCORED)
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
    columns = {name: table.column(name).to_pylist() for name in ITEM_COLUMNS}
    return {key: {name: columns[name][i] for name in ITEM_COLUMNS} for i, key in enumerate(keys)}


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
        versions = storage.read_table(target, columns=["taxonomy_version", "lexicon_version"])
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

    with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=mp_context()) as pool:
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


def score(start: datetime | str, end: datetime | str, run_id: str, settings: Settings | None = None,
          source_ids: list[str] | None = None) -> dict[str, Any]:
    """media_ingest's score task: the interval's landing parts of `source_ids` (all when None)."""
    s = settings or get_settings()
    storage.check(s.data_dir)
    return score_interval(storage.as_utc(start), storage.as_utc(end), run_id, s, source_ids=source_ids)
