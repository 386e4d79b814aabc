"""What ingestion remembers between runs: HTTP validators, the cached body, raw payloads, health.

- `data/state/http/<source>.json` + `.body.gz`: the ETag / Last-Modified of the last 200 and its
  body. A 304 means "your copy is current", so the run re-reads that copy: a rerun then yields the
  same landing data whether the server answers 200 or 304.
- `data/raw/source=<id>/date=<D>/part-<stamp>.<xml|json>.gz`: the exact bytes each interval
  parsed (gzip with a fixed mtime, so a rerun writes identical bytes). Re-parse an interval with
  `riskradar ingest --replay` without refetching.
- consecutive failures and last success come from the source's previous health part, not from a
  counter, so rerunning an interval never counts a failure twice.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riskradar import storage
from riskradar.config import Settings


def gzip_stable(data: bytes) -> bytes:
    """gzip with mtime 0 and no file name: the same payload always compresses to the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


# ---- raw payload archive ----

def raw_dir(settings: Settings) -> Path:
    return settings.data_dir / "raw"


def raw_path(settings: Settings, source_id: str, interval_start: datetime, fmt: str) -> Path:
    base = storage.partition_dir(raw_dir(settings), interval_start, source_id=source_id)
    return base / f"part-{storage.part_stamp(interval_start)}.{fmt}.gz"


def archive_raw(settings: Settings, source_id: str, interval_start: datetime, body: bytes) -> Path:
    fmt = "json" if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else "xml"
    path = raw_path(settings, source_id, interval_start, fmt)
    other = raw_path(settings, source_id, interval_start, "xml" if fmt == "json" else "json")
    other.unlink(missing_ok=True)  # one raw payload per interval, whatever its format was before
    return storage.write_bytes_atomic(gzip_stable(body), path)


def read_raw(settings: Settings, source_id: str, interval_start: datetime) -> bytes | None:
    for fmt in ("xml", "json"):
        path = raw_path(settings, source_id, interval_start, fmt)
        if path.exists():
            return gzip.decompress(path.read_bytes())
    return None


# ---- HTTP validators + cached body ----

def _http_state_paths(settings: Settings, source_id: str) -> tuple[Path, Path]:
    base = settings.state_dir / "http"
    return base / f"{source_id}.json", base / f"{source_id}.body.gz"


def load_http_state(settings: Settings, source_id: str, url: str) -> tuple[dict[str, Any], bytes | None]:
    """Validators and cached body for this exact URL (a templated URL that changed has none)."""
    meta_path, body_path = _http_state_paths(settings, source_id)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = gzip.decompress(body_path.read_bytes())
    except (OSError, ValueError, EOFError):
        return {}, None
    if meta.get("url") != url:
        return {}, None
    return meta, body


def save_http_state(settings: Settings, source_id: str, url: str, etag: str | None,
                    last_modified: str | None, body: bytes, content_type: str | None) -> None:
    meta_path, body_path = _http_state_paths(settings, source_id)
    if not etag and not last_modified:
        meta_path.unlink(missing_ok=True)
        body_path.unlink(missing_ok=True)
        return
    storage.write_bytes_atomic(gzip_stable(body), body_path)  # body first: meta never points at a missing body
    meta = {"url": url, "etag": etag, "last_modified": last_modified, "content_type": content_type}
    storage.write_bytes_atomic(json.dumps(meta, sort_keys=True).encode("utf-8"), meta_path)


# ---- health history ----

def previous_health(settings: Settings, source_id: str, interval_start: datetime) -> dict[str, Any] | None:
    """The source's latest health record for an interval that started before this one."""
    start = storage.as_utc(interval_start)
    base = settings.source_health_dir / f"source={source_id}"
    if not base.exists():
        return None
    for day_dir in sorted(base.glob("date=*"), reverse=True):
        if day_dir.name.split("=", 1)[1] > start.date().isoformat():
            continue
        for part in sorted(day_dir.glob("part-*.parquet"), reverse=True):
            stamp = part.stem.split("-", 1)[1][:13]
            ts = datetime.strptime(stamp, "%Y%m%dT%H%M").replace(tzinfo=UTC)
            if ts < start:
                rows = storage.read_table(part).to_pylist()
                if rows:
                    return rows[0]
    return None
