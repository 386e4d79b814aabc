"""Fetch a feed body over HTTP(S) or from a file:// URL, politely and within hard limits.

Why not urllib.urlopen: we need to vet every redirect hop and the address actually connected to
(SSRF), cap the *decompressed* size (gzip bombs), tell a connect timeout from a read timeout, stop
a server that trickles bytes forever (total deadline), and send conditional GET validators. Each of
these is a few lines on top of http.client.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlparse

from riskradar.ingest.security import URLPolicy, URLRefused

USER_AGENT = "RiskRadar/0.2 (media monitoring; +https://github.com/riskradar/riskradar)"
MAX_BYTES_DEFAULT = 20 * 1024 * 1024
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")
RETRYABLE = frozenset({429, 500, 502, 503, 504})
# answers that will not change in minutes: retrying them only delays the failure
PERMANENT = frozenset({401, 403, 404, 410})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(RuntimeError):
    """The source could not be read; the message says why (HTTP code, timeout, refusal...)."""

    def __init__(self, message: str, http_status: int | None = None, attempts: int = 1,
                 permanent: bool = False):
        super().__init__(message)
        self.http_status = http_status
        self.attempts = attempts
        # True when a retry cannot help (404/410/401/403, missing file, bad certificate): the
        # Airflow task fails at once instead of waiting through its retry delays
        self.permanent = permanent


def _certificate_problem(exc: OSError) -> bool:
    """An untrusted, expired or unparseable certificate: the same on every attempt."""
    return isinstance(exc, ssl.SSLCertVerificationError) or (
        isinstance(exc, ssl.SSLError) and "CERTIFICATE" in str(exc).upper())


@dataclass(frozen=True)
class FetchOptions:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # longest silence between two reads
    total_timeout: float = 60.0  # whole attempt, so a trickling server cannot hold a worker forever
    max_bytes: int = MAX_BYTES_DEFAULT  # after decompression
    retries: int = 2
    backoff: float = 1.0  # first retry wait; doubles each time
    max_retry_wait: float = 120.0  # a longer Retry-After fails the fetch instead of stalling the pool
    max_redirects: int = 5
    headers: dict[str, str] = field(default_factory=dict)  # e.g. auth, resolved by the caller


@dataclass
class FetchResult:
    url: str  # the URL asked for
    body: bytes
    http_status: int | None
    content_type: str | None
    latency_ms: float
    final_url: str | None = None  # after redirects
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # 304: body is empty, the caller uses its cached copy
    truncated: bool = False  # body was cut at max_bytes
    attempts: int = 1
    redirects: int = 0
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# connections pinned to a vetted address

class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects only to addresses the policy vetted (in DNS order), never re-resolving the name."""

    def __init__(self, host: str, port: int | None, addresses: list[str], connect_timeout: float,
                 read_timeout: float):
        super().__init__(host, port, timeout=connect_timeout)
        self._addresses = addresses
        self._read_timeout = read_timeout

    def connect(self) -> None:
        last: OSError | None = None
        for address in self._addresses:
            try:
                self.sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError as exc:
                last = exc
        else:
            raise last or OSError(f"no address to connect to for {self.host}")
        self.sock.settimeout(self._read_timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        ctx = ssl.create_default_context()
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.host)


def _connection(url: str, policy: URLPolicy, opts: FetchOptions) -> tuple[http.client.HTTPConnection, str]:
    parsed = urlparse(url)
    https = parsed.scheme == "https"
    port = parsed.port or (443 if https else 80)
    assert parsed.hostname
    addresses = policy.resolve(parsed.hostname, port)
    cls = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    conn = cls(parsed.hostname, port, addresses, opts.connect_timeout, opts.read_timeout)
    target = parsed.path or "/"
    if parsed.query:
        target += "?" + parsed.query
    return conn, target


# ---------------------------------------------------------------------------------------------
# bodies

def _read_capped(resp: http.client.HTTPResponse, encoding: str | None, max_bytes: int,
                 deadline: float) -> tuple[bytes, bool]:
    """Read and decompress up to max_bytes of payload; (body, truncated)."""
    enc = (encoding or "").strip().lower()
    decomp = None
    if enc in ("gzip", "x-gzip"):
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif enc == "deflate":
        decomp = zlib.decompressobj()
    out = bytearray()
    raw_first = True
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError("total time limit reached while reading the body")
        chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
        if not chunk:
            break
        if decomp is not None:
            if raw_first and enc == "deflate" and chunk[:1] != b"\x78":
                decomp = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send it
            raw_first = False
            try:
                data = decomp.decompress(chunk, max_bytes + 1 - len(out))
            except zlib.error as exc:
                raise ValueError(f"corrupt {enc} body: {exc}") from None
        else:
            data = chunk
        out += data
        if len(out) > max_bytes:
            return bytes(out[:max_bytes]), True
    if decomp is not None:
        out += decomp.flush()[: max_bytes + 1 - len(out)]
        if len(out) > max_bytes:
            return bytes(out[:max_bytes]), True
    return bytes(out), False


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now_dt = datetime.fromtimestamp(now if now is not None else time.time(), tz=UTC)
    return max(0.0, (when - now_dt).total_seconds())


# ---------------------------------------------------------------------------------------------
# the fetch

def _fetch_file(url: str, policy: URLPolicy, max_bytes: int, started: float) -> FetchResult:
    path = policy.check_file(url)
    if not path.is_file():
        raise FetchError(f"feed file not found: {path}", permanent=True)
    with path.open("rb") as fh:
        body = fh.read(max_bytes + 1)
    truncated = len(body) > max_bytes
    result = FetchResult(url, body[:max_bytes], None, None, (time.perf_counter() - started) * 1000,
                         final_url=url, truncated=truncated)
    if truncated:
        result.notes.append(f"file larger than {max_bytes} bytes: cut off")
    return result


def _one_attempt(url: str, policy: URLPolicy, opts: FetchOptions,
                 validators: dict[str, str]) -> tuple[int, dict[str, str], bytes, bool, str, int]:
    """Follow redirects for one attempt; (status, headers, body, truncated, final_url, redirects)."""
    deadline = time.monotonic() + opts.total_timeout
    seen: list[str] = []
    current = url
    while True:
        policy.check_http(current)
        conn, target = _connection(current, policy, opts)
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate",
                   **opts.headers}
        if current == url:
            headers.update(validators)  # validators belong to the URL they were issued for
        try:
            conn.request("GET", target, headers=headers)
            resp = conn.getresponse()
            resp_headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.status in REDIRECTS:
                location = resp_headers.get("location")
                resp.read(65536)
                if not location:
                    return resp.status, resp_headers, b"", False, current, len(seen)
                seen.append(current)
                nxt = urljoin(current, location)
                if nxt in seen or len(seen) > opts.max_redirects:
                    raise FetchError(f"redirect loop or more than {opts.max_redirects} redirects from {url} "
                                     f"(last: {current} -> {nxt})", resp.status)
                parsed_next = urlparse(nxt)
                if parsed_next.scheme not in ("http", "https"):
                    raise URLRefused(f"redirect from {current} to a non-HTTP URL refused: {nxt}")
                current = nxt
                continue
            body, truncated = b"", False
            if resp.status != 304:
                body, truncated = _read_capped(resp, resp_headers.get("content-encoding"), opts.max_bytes,
                                               deadline)
            return resp.status, resp_headers, body, truncated, current, len(seen)
        finally:
            conn.close()


def fetch(url: str, *, policy: URLPolicy | None = None, options: FetchOptions | None = None,
          etag: str | None = None, last_modified: str | None = None,
          sleep: Callable[[float], None] | None = None, timeout: float | None = None,
          max_bytes: int | None = None, retries: int | None = None, backoff: float | None = None) -> FetchResult:
    """Read one URL. Retries 5xx/429 and network errors with exponential backoff (honouring
    Retry-After); raises FetchError for everything else, URLRefused for a policy violation."""
    opts = options or FetchOptions()
    overrides = {k: v for k, v in (("read_timeout", timeout), ("max_bytes", max_bytes), ("retries", retries),
                                   ("backoff", backoff)) if v is not None}
    if overrides:
        opts = FetchOptions(**{**opts.__dict__, **overrides})
    pol = policy or URLPolicy.build()
    started = time.perf_counter()
    scheme = urlparse(url).scheme
    if scheme == "file":
        return _fetch_file(url, pol, opts.max_bytes, started)
    pol.check_http(url)
    validators: dict[str, str] = {}
    if etag:
        validators["If-None-Match"] = etag
    if last_modified:
        validators["If-Modified-Since"] = last_modified
    notes: list[str] = []
    attempt = 0
    while True:
        attempt += 1
        wait: float | None = None
        try:
            status, headers, body, truncated, final_url, redirects = _one_attempt(url, pol, opts, validators)
        except (URLRefused, FetchError) as exc:
            if isinstance(exc, FetchError):
                exc.attempts = attempt
            raise
        except ssl.SSLError as exc:
            if not _certificate_problem(exc):
                error, code = f"cannot read {url}: {type(exc).__name__}: {exc}", None
            else:
                raise FetchError(f"TLS certificate of {url} refused: {exc}", None, attempt,
                                 permanent=True) from None
        except TimeoutError as exc:
            error, code = f"timed out reading {url} ({exc or 'no data within the read timeout'})", None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error, code = f"cannot read {url}: {type(exc).__name__}: {exc}", None
        else:
            if status in RETRYABLE:
                error, code = f"HTTP {status} from {url}", status
                wait = retry_after_seconds(headers.get("retry-after"))
                if wait is not None and wait > opts.max_retry_wait:
                    raise FetchError(f"HTTP {status} from {url} with Retry-After {wait:.0f}s, over the "
                                     f"{opts.max_retry_wait:.0f}s we wait", status, attempt)
            elif status >= 400 or (status >= 300 and status != 304):
                raise FetchError(f"HTTP {status} from {url}", status, attempt, permanent=status in PERMANENT)
            else:
                result = FetchResult(url, body, status, headers.get("content-type"),
                                     (time.perf_counter() - started) * 1000, final_url=final_url,
                                     etag=headers.get("etag"), last_modified=headers.get("last-modified"),
                                     not_modified=status == 304, truncated=truncated, attempts=attempt,
                                     redirects=redirects, notes=notes)
                if truncated:
                    notes.append(f"body larger than {opts.max_bytes} bytes: cut off at the limit")
                return result
        if attempt > opts.retries:
            raise FetchError(f"{error} (gave up after {attempt} attempts)", code, attempt)
        delay = wait if wait is not None else opts.backoff * 2 ** (attempt - 1)
        notes.append(f"attempt {attempt}: {error}; retrying in {delay:.1f}s")
        (sleep or time.sleep)(delay)
