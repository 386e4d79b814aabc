"""Fetch a feed body over HTTP(S) or from a local file:// URL, with bounded time and size."""

from __future__ import annotations

import gzip
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

USER_AGENT = "RiskRadar/0.1 (+https://github.com/riskradar/riskradar; media monitoring)"
MAX_BYTES_DEFAULT = 20 * 1024 * 1024


class FetchError(RuntimeError):
    """The source could not be read; the message says why (HTTP code, timeout, missing file)."""

    def __init__(self, message: str, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


@dataclass
class FetchResult:
    url: str
    body: bytes
    http_status: int | None
    content_type: str | None
    latency_ms: float


def _decompress(body: bytes, encoding: str | None) -> bytes:
    enc = (encoding or "").lower()
    if enc == "gzip" or body[:2] == b"\x1f\x8b":
        return gzip.decompress(body)
    if enc == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    return body


def fetch(url: str, *, timeout: float = 20.0, max_bytes: int = MAX_BYTES_DEFAULT, retries: int = 2,
          backoff: float = 1.0) -> FetchResult:
    """Read one URL. Retries 5xx/429 with exponential backoff; raises FetchError otherwise."""
    started = time.perf_counter()
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
        if not path.is_file():
            raise FetchError(f"feed file not found: {path}")
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(f"feed file {path} is {size} bytes, over the {max_bytes}-byte limit")
        body = path.read_bytes()
        return FetchResult(url, body, None, None, (time.perf_counter() - started) * 1000)
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {parsed.scheme!r} in {url}")

    attempt = 0
    while True:
        attempt += 1
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept-Encoding": "gzip, deflate",
                                                   "Accept": "application/rss+xml, application/atom+xml, "
                                                             "application/xml;q=0.9, */*;q=0.8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read(max_bytes + 1)
                if len(raw) > max_bytes:
                    raise FetchError(f"response from {url} exceeds {max_bytes} bytes", resp.status)
                body = _decompress(raw, resp.headers.get("Content-Encoding"))
                return FetchResult(url, body, resp.status, resp.headers.get("Content-Type"),
                                   (time.perf_counter() - started) * 1000)
        except urllib.error.HTTPError as exc:
            retryable = exc.code == 429 or 500 <= exc.code < 600
            if retryable and attempt <= retries:
                wait = backoff * 2 ** (attempt - 1)
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                if retry_after and retry_after.isdigit():
                    wait = min(float(retry_after), 60.0)
                time.sleep(wait)
                continue
            raise FetchError(f"HTTP {exc.code} from {url}: {exc.reason}", exc.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            if attempt <= retries:
                time.sleep(backoff * 2 ** (attempt - 1))
                continue
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"cannot reach {url}: {reason}") from None
