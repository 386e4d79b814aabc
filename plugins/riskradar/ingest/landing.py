"""Ingest one source for one data interval: fetch -> archive raw -> parse -> normalise -> dedupe -> land.

Every item read ends in exactly one place: the landing part, the duplicate count, or the
quarantine zone with a reason (`items_read = items_landed + items_duplicate + items_quarantined`,
asserted per run). Problems with the document as a whole (cut off at the size cap, unparseable,
refused URL) are quarantined as document rows (item_id null) and reported in source_health.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pyarrow.compute as pc

from riskradar import schemas, storage
from riskradar.config import Settings
from riskradar.ingest import state
from riskradar.ingest.fetch import FetchError, FetchOptions, fetch
from riskradar.ingest.normalize import entry_to_row, publisher_key, raw_json
from riskradar.ingest.parse import ParsedDocument, parse_document
from riskradar.ingest.security import URLPolicy, URLRefused
from riskradar.ingest.sources import Source, SourceConfigError, get_source, load_sources, url_policy

log = logging.getLogger(__name__)

DEDUP_LOOKBACK = timedelta(days=3)


class SourceIngestError(RuntimeError):
    """A whole source failed for this interval (recorded in source_health before raising).

    `permanent` is True when a retry cannot help (HTTP 404/410/401/403, a missing file, a refused
    certificate or URL, a configuration error): inside Airflow such an error is also an
    `AirflowFailException`, so the mapped task fails at once instead of waiting out its retries.
    """

    permanent = False


def source_error(message: str, *, permanent: bool) -> SourceIngestError:
    """The error to raise for a failed source; permanent ones skip Airflow's retries.

    `airflow.sdk.exceptions` is only used when the task runner has already imported it (importing
    Airflow costs seconds outside it, e.g. in `riskradar ingest`).
    """
    base = getattr(sys.modules.get("airflow.sdk.exceptions"), "AirflowFailException", None)
    if not permanent:
        return SourceIngestError(message)
    err = (_no_retry_class(base) if base is not None else SourceIngestError)(message)
    err.permanent = True
    return err


_NO_RETRY: dict[type, type[SourceIngestError]] = {}


def _no_retry_class(base: type) -> type[SourceIngestError]:
    if base not in _NO_RETRY:
        _NO_RETRY[base] = type("SourceIngestError", (SourceIngestError, base), {"__module__": __name__})
    return _NO_RETRY[base]


def previously_landed(settings: Settings, source_id: str, interval_start: datetime) -> tuple[set[str], set[str]]:
    """item_ids and URLs the source landed in earlier intervals of the lookback window."""
    start = storage.as_utc(interval_start)
    parts = storage.parts_for_interval(settings.landing_dir, start - DEDUP_LOOKBACK, start, [source_id])
    ids: set[str] = set()
    urls: set[str] = set()
    for part in parts:
        t = storage.read_table(part, columns=["item_id", "url"])
        ids.update(v for v in t.column("item_id").to_pylist() if v)
        urls.update(v for v in t.column("url").to_pylist() if v)
    return ids, urls


def _quarantine_row(stage: str, source_id: str, reason: str, raw: str, interval_start: datetime,
                    interval_end: datetime, run_id: str, item_id: str | None = None) -> dict[str, Any]:
    return {"stage": stage, "source_id": source_id, "item_id": item_id, "reason": reason[:2000],
            "expectation": None, "raw": raw, "interval_start": interval_start,
            "interval_end": interval_end, "run_id": run_id}


def fetch_options(src: Source) -> FetchOptions:
    headers, _ = src.auth_headers()
    return FetchOptions(connect_timeout=min(10.0, src.timeout_seconds), read_timeout=src.timeout_seconds,
                        total_timeout=src.timeout_seconds * 3, max_bytes=src.max_bytes, retries=src.retries,
                        backoff=src.backoff_seconds,
                        headers=headers)


def _with_query(url: str, params: dict[str, str]) -> str:
    if not params:
        return url
    from urllib.parse import urlencode

    return url + ("&" if "?" in url else "?") + urlencode(params)


def _obtain_body(src: Source, url: str, start: datetime, settings: Settings, policy: URLPolicy,
                 health: dict[str, Any], notes: list[str], replay: bool) -> tuple[bytes, str | None, dict]:
    """The payload to parse for this interval: refetched, re-read after a 304, or replayed."""
    if replay:
        body = state.read_raw(settings, src.id, start)
        if body is None:
            raise FetchError(f"no raw payload archived for {src.id} at {start:%Y-%m-%d %H:%M}; run without --replay")
        notes.append("replayed from the raw archive")
        return body, None, {}
    cache_meta, cached = state.load_http_state(settings, src.id, url)
    _, params = src.auth_headers()
    result = fetch(_with_query(url, params), policy=policy, options=fetch_options(src),
                   etag=cache_meta.get("etag"), last_modified=cache_meta.get("last_modified"))
    health["http_status"] = result.http_status
    health["latency_ms"] = round(result.latency_ms, 2)
    notes.extend(result.notes)
    if result.not_modified:
        if cached is None:  # validators without a body should not happen; refetch unconditionally
            result = fetch(_with_query(url, params), policy=policy, options=fetch_options(src))
            health["http_status"] = result.http_status
        else:
            health["is_not_modified"] = True
            notes.append("304 Not Modified: re-read the cached copy")
            return cached, cache_meta.get("content_type"), {}
    health["is_truncated"] = result.truncated
    pending = {"url": url, "etag": result.etag, "last_modified": result.last_modified,
               "content_type": result.content_type} if not result.truncated else {}
    return result.body, result.content_type, pending


def ingest_source(source_id: str, interval_start: datetime | str, interval_end: datetime | str,
                  run_id: str, settings: Settings, source: Source | None = None, *,
                  policy: URLPolicy | None = None, replay: bool = False) -> dict[str, Any]:
    """Land one source's items for [interval_start, interval_end). Idempotent per interval.

    Returns a small summary (it travels through XCom); raises SourceIngestError when the source
    failed as a whole, after writing its health record.
    """
    start, end = storage.as_utc(interval_start), storage.as_utc(interval_end)
    src = source or get_source(settings, source_id)
    url = src.render_url(start, end, settings)
    prev = state.previous_health(settings, src.id, start) or {}
    health: dict[str, Any] = {"source_id": src.id, "source_type": src.type, "status": "ok",
                              "http_status": None, "error": None, "items_read": 0, "items_landed": 0,
                              "items_duplicate": 0, "items_quarantined": 0, "latency_ms": None,
                              "interval_start": start, "interval_end": end, "run_id": run_id,
                              "items_future_dated": 0, "is_not_modified": False, "is_truncated": False,
                              "response_bytes": None}
    rows: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []  # one per item: counted in items_quarantined
    doc_rows: list[dict[str, Any]] = []  # about the whole document: reported, not counted as items
    notes: list[str] = []
    failure: str | None = None
    permanent = False
    pending_cache: dict[str, Any] = {}
    body = b""
    try:
        pol = policy or url_policy(settings)
        body, content_type, pending_cache = _obtain_body(src, url, start, settings, pol, health, notes, replay)
        health["response_bytes"] = len(body)
        raw_file = state.archive_raw(settings, src.id, start, body)
        if health["is_truncated"]:
            doc_rows.append(_quarantine_row("fetch", src.id, f"body cut off at max_bytes={src.max_bytes}; "
                                            f"items after the cut are lost", body[-2000:].decode("utf-8", "replace"),
                                            start, end, run_id))
        doc = parse_document(body, kind=src.kind, content_type=content_type, items_path=src.items_path,
                             fields=src.fields)
        notes.extend(doc.notes)
        if doc.error:
            failure = doc.error
            doc_rows.append(_quarantine_row("parse", src.id, doc.error, body[:20000].decode("utf-8", "replace"),
                                            start, end, run_id))
        _land_entries(doc, src, start, end, run_id, settings, health, rows, quarantined)
        log.debug("raw payload archived at %s", raw_file)
    except (FetchError, URLRefused, SourceConfigError, OSError) as exc:
        failure = str(exc) if not isinstance(exc, URLRefused) else f"refused: {exc}"
        permanent = bool(getattr(exc, "permanent", False)) or isinstance(exc, URLRefused | SourceConfigError)
        if permanent:
            failure += " (permanent error: not retried)"
        health["http_status"] = getattr(exc, "http_status", None) or health["http_status"]
        doc_rows.append(_quarantine_row("fetch", src.id, failure, url, start, end, run_id))

    if failure and not rows:
        health["status"] = "error"
        health["error"] = failure[:1000]
    else:
        if not rows:
            health["status"] = "empty"
        if notes or failure:
            health["error"] = "; ".join(([failure] if failure else []) + notes)[:1000]
    health["items_landed"] = len(rows)
    health["items_quarantined"] = len(quarantined)
    health["consecutive_failures"] = (int(prev.get("consecutive_failures") or 0) + 1
                                      if health["status"] == "error" else 0)
    health["last_success_at"] = end if health["status"] != "error" else prev.get("last_success_at")
    # counts add up: every item read is landed, a duplicate, or quarantined
    balanced = health["items_landed"] + health["items_duplicate"] + health["items_quarantined"]
    assert health["items_read"] == balanced, health

    landing_path = storage.partition_path(settings.landing_dir, start, source_id=src.id)
    if health["status"] == "error":
        # leave no stale landing part for this interval behind: a dead feed reads as "no data", not old data
        landing_path.unlink(missing_ok=True)
    else:
        storage.write_table_atomic(storage.rows_to_table(rows, schemas.LANDING), landing_path)
    q_path = storage.partition_path(settings.quarantine_dir / "stage=ingest", start, source_id=src.id)
    if quarantined or doc_rows:
        storage.write_table_atomic(storage.rows_to_table(doc_rows + quarantined, schemas.QUARANTINE), q_path)
    else:
        q_path.unlink(missing_ok=True)
    storage.write_table_atomic(storage.rows_to_table([health], schemas.SOURCE_HEALTH),
                               storage.partition_path(settings.source_health_dir, start, source_id=src.id))
    if health["status"] != "error" and pending_cache.get("url"):
        state.save_http_state(settings, src.id, pending_cache["url"], pending_cache["etag"],
                              pending_cache["last_modified"], body, pending_cache["content_type"])
    summary = _summary(health, quarantined + doc_rows)
    if health["status"] == "error":
        raise source_error(f"source {src.id!r} failed for {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M} "
                                f"UTC ({url}): {failure}", permanent=permanent)
    log.info("landed %s", summary)
    return summary


def _land_entries(doc: ParsedDocument, src: Source, start: datetime, end: datetime, run_id: str,
                  settings: Settings, health: dict[str, Any], rows: list[dict[str, Any]],
                  quarantined: list[dict[str, Any]]) -> None:
    health["items_read"] = doc.items_read
    for raw, reason in doc.failures:
        quarantined.append(_quarantine_row("parse", src.id, reason, raw, start, end, run_id))
    entries = doc.entries[: src.max_items]
    for extra in doc.entries[src.max_items:]:
        quarantined.append(_quarantine_row("parse", src.id, f"over max_items={src.max_items}",
                                           raw_json(extra), start, end, run_id))
    seen_ids, seen_urls = previously_landed(settings, src.id, start)
    publishers = frozenset(publisher_key(s.name) for s in load_sources(settings))
    for entry in entries:
        row, reason = entry_to_row(entry, source_id=src.id, source_type=src.type,
                                   default_language=doc.language or src.language,
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
        health["items_future_dated"] += int(bool(row.get("is_future_dated")))
        rows.append(row)


def _summary(health: dict[str, Any], quarantine_rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("source_id", "status", "http_status", "items_read", "items_landed", "items_duplicate",
            "items_quarantined", "error", "latency_ms", "consecutive_failures", "items_future_dated",
            "is_not_modified", "is_truncated", "response_bytes")
    out = {k: health.get(k) for k in keys}
    last = health.get("last_success_at")
    out["last_success_at"] = last.isoformat() if isinstance(last, datetime) else last
    out["quarantine_reasons"] = dict(Counter(r["reason"][:120] for r in quarantine_rows))
    return out


def health_record(settings: Settings, source_id: str, interval_start: datetime | str) -> dict[str, Any] | None:
    path = storage.partition_path(settings.source_health_dir, storage.as_utc(interval_start), source_id=source_id)
    if not path.exists():
        return None
    rows = storage.read_table(path).to_pylist()
    return rows[0] if rows else None


def landed_item_count(settings: Settings, interval_start: datetime, interval_end: datetime) -> int:
    parts = storage.parts_for_interval(settings.landing_dir, interval_start, interval_end)
    return sum(storage.read_metadata(p).num_rows for p in parts)


def health_for_interval(settings: Settings, interval_start: datetime, interval_end: datetime) -> list[dict]:
    parts = storage.parts_for_interval(settings.source_health_dir, interval_start, interval_end)
    table = storage.read_parts(parts, schemas.SOURCE_HEALTH)
    return table.filter(pc.is_valid(table.column("source_id"))).to_pylist()
