"""Ingest one source for one data interval: fetch -> parse -> normalise -> dedupe -> land.

Every entry read ends in exactly one place: the landing part, the duplicate count, or the
quarantine zone with a reason; the source_health record says how many went where.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import feedparser
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskradar import schemas, storage
from riskradar.config import Settings
from riskradar.ingest.fetch import FetchError, fetch
from riskradar.ingest.normalize import entry_to_row, publisher_key, raw_json
from riskradar.ingest.sources import Source, get_source, load_sources

log = logging.getLogger(__name__)

DEDUP_LOOKBACK = timedelta(days=3)


class SourceIngestError(RuntimeError):
    """A whole source failed for this interval (recorded in source_health before raising)."""


def previously_landed(settings: Settings, source_id: str, interval_start: datetime) -> tuple[set[str], set[str]]:
    """item_ids and URLs the source landed in earlier intervals of the lookback window."""
    start = storage.as_utc(interval_start)
    parts = storage.parts_for_interval(settings.landing_dir, start - DEDUP_LOOKBACK, start, [source_id])
    ids: set[str] = set()
    urls: set[str] = set()
    for part in parts:
        t = pq.read_table(part, columns=["item_id", "url"])
        ids.update(v for v in t.column("item_id").to_pylist() if v)
        urls.update(v for v in t.column("url").to_pylist() if v)
    return ids, urls


def _quarantine_row(stage: str, source_id: str, reason: str, raw: str, interval_start: datetime,
                    interval_end: datetime, run_id: str, item_id: str | None = None) -> dict[str, Any]:
    return {"stage": stage, "source_id": source_id, "item_id": item_id, "reason": reason,
            "expectation": None, "raw": raw, "interval_start": interval_start,
            "interval_end": interval_end, "run_id": run_id}


def ingest_source(source_id: str, interval_start: datetime | str, interval_end: datetime | str,
                  run_id: str, settings: Settings, source: Source | None = None) -> dict[str, Any]:
    """Land one source's items for [interval_start, interval_end). Idempotent per interval."""
    start, end = storage.as_utc(interval_start), storage.as_utc(interval_end)
    src = source or get_source(settings, source_id)
    url = src.render_url(start, end, settings)
    health: dict[str, Any] = {"source_id": src.id, "source_type": src.type, "status": "ok",
                              "http_status": None, "error": None, "items_read": 0, "items_landed": 0,
                              "items_duplicate": 0, "items_quarantined": 0, "latency_ms": None,
                              "interval_start": start, "interval_end": end, "run_id": run_id}
    rows: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []
    failure: str | None = None
    try:
        result = fetch(url, timeout=src.timeout_seconds)
        health["http_status"] = result.http_status
        health["latency_ms"] = round(result.latency_ms, 2)
        parsed = feedparser.parse(result.body)
        feed_lang = (parsed.feed.get("language") or "").strip() or None
        if parsed.bozo and not parsed.entries:
            reason = f"unparseable feed: {parsed.get('bozo_exception')!r}"
            quarantined.append(_quarantine_row("parse", src.id, reason,
                                               result.body[:20000].decode("utf-8", "replace"),
                                               start, end, run_id))
            failure = reason
        elif parsed.bozo:
            health["error"] = f"recovered from malformed feed: {parsed.get('bozo_exception')!r}"[:500]
        entries = parsed.entries[: src.max_items]
        health["items_read"] = len(parsed.entries)
        for extra in parsed.entries[src.max_items:]:
            quarantined.append(_quarantine_row("parse", src.id, f"over max_items={src.max_items}",
                                               raw_json(extra), start, end, run_id))
        seen_ids, seen_urls = previously_landed(settings, src.id, start)
        publishers = frozenset(publisher_key(s.name) for s in load_sources(settings))
        for entry in entries:
            row, reason = entry_to_row(entry, source_id=src.id, source_type=src.type,
                                       default_language=feed_lang or src.language,
                                       interval_start=start, interval_end=end, run_id=run_id,
                                       publishers=publishers)
            if row is None:
                quarantined.append(_quarantine_row("parse", src.id, reason or "unusable entry",
                                                   raw_json(entry), start, end, run_id))
                continue
            if row["item_id"] in seen_ids or (row["url"] and row["url"] in seen_urls):
                health["items_duplicate"] += 1
                continue
            seen_ids.add(row["item_id"])
            if row["url"]:
                seen_urls.add(row["url"])
            rows.append(row)
    except FetchError as exc:
        failure = str(exc)
        health["http_status"] = exc.http_status

    if failure and not rows:
        health["status"] = "error"
        health["error"] = failure[:1000]
    elif not rows:
        health["status"] = "empty"
    health["items_landed"] = len(rows)
    health["items_quarantined"] = len(quarantined)
    if failure is None:
        # counts add up: every entry read is landed, a duplicate, or quarantined
        assert health["items_read"] == health["items_landed"] + health["items_duplicate"] + health["items_quarantined"], health

    landing_path = storage.partition_path(settings.landing_dir, start, source_id=src.id)
    if failure and not rows:
        # leave no stale landing part for this interval behind: a dead feed reads as "no data", not old data
        landing_path.unlink(missing_ok=True)
    else:
        storage.write_table_atomic(storage.rows_to_table(rows, schemas.LANDING), landing_path)
    q_path = storage.partition_path(settings.quarantine_dir / "stage=ingest", start, source_id=src.id)
    if quarantined:
        storage.write_table_atomic(storage.rows_to_table(quarantined, schemas.QUARANTINE), q_path)
    else:
        q_path.unlink(missing_ok=True)
    storage.write_table_atomic(storage.rows_to_table([health], schemas.SOURCE_HEALTH),
                               storage.partition_path(settings.source_health_dir, start, source_id=src.id))
    summary = {k: health[k] for k in ("source_id", "status", "http_status", "items_read", "items_landed",
                                      "items_duplicate", "items_quarantined", "error")}
    if health["status"] == "error":
        raise SourceIngestError(f"source {src.id!r} failed for {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M} "
                                f"UTC ({url}): {failure}")
    log.info("landed %s", summary)
    return summary


def landed_item_count(settings: Settings, interval_start: datetime, interval_end: datetime) -> int:
    parts = storage.parts_for_interval(settings.landing_dir, interval_start, interval_end)
    return sum(pq.read_metadata(p).num_rows for p in parts)


def health_for_interval(settings: Settings, interval_start: datetime, interval_end: datetime) -> list[dict]:
    parts = storage.parts_for_interval(settings.source_health_dir, interval_start, interval_end)
    table = storage.read_parts(parts, schemas.SOURCE_HEALTH)
    return table.filter(pc.is_valid(table.column("source_id"))).to_pylist()
