"""Source registry: `config/sources.yml` parsed, validated and rendered for a data interval.

Secrets never live in the file: a source's `auth` names an environment variable or an Airflow
connection, and the value is looked up when the source is fetched.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from riskradar.config import Settings
from riskradar.ingest.cadence import INGEST_CRON_ENV, configured_cron
from riskradar.ingest.security import URLPolicy
from riskradar.schemas import SOURCE_TYPES
from riskradar.storage import as_utc

KINDS = ("rss", "atom", "json_feed", "json_api")
_AUTH_KEYS = {"env", "airflow_conn", "header", "prefix", "query_param"}
_DUMMY = Path("/nonexistent")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class SourceConfigError(ValueError):
    """sources.yml is invalid; the message names the source and the field."""


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str
    type: str
    url: str | None = None
    url_template: str | None = None
    region: str = "global"
    language: str | None = None
    weight: float = 1.0
    enabled: bool = True
    timeout_seconds: float = 20.0
    max_items: int = 5000
    extra: dict[str, Any] = field(default_factory=dict)
    max_bytes: int = 20 * 1024 * 1024
    retries: int = 2
    backoff_seconds: float = 1.0  # first retry wait, doubled per retry (Retry-After wins)
    auth: dict[str, str] | None = None  # {env: VAR | airflow_conn: ID, header: ..., prefix: ...}
    items_path: str | None = None  # json_api: dotted path of the item list
    fields: dict[str, str] | None = None  # json_api: our field -> its dotted field

    def auth_headers(self) -> tuple[dict[str, str], dict[str, str]]:
        """(headers, query params) carrying the credential named by `auth`, read now, never stored."""
        if not self.auth:
            return {}, {}
        if self.auth.get("env"):
            value = os.environ.get(self.auth["env"])
            if not value:
                raise SourceConfigError(f"source {self.id!r}: auth env variable {self.auth['env']} is not set")
        else:
            from airflow.sdk import BaseHook  # only sources with connection auth need Airflow

            conn = BaseHook.get_connection(self.auth["airflow_conn"])
            value = conn.password or (conn.extra_dejson or {}).get("token")
            if not value:
                raise SourceConfigError(f"source {self.id!r}: Airflow connection {self.auth['airflow_conn']!r} "
                                        f"has no password or extra.token")
        if self.auth.get("query_param"):
            return {}, {self.auth["query_param"]: value}
        header = self.auth.get("header", "Authorization")
        return {header: self.auth.get("prefix", "Bearer " if header == "Authorization" else "") + value}, {}

    def render_url(self, interval_start: datetime, interval_end: datetime, settings: Settings) -> str:
        """The URL to fetch for one interval; templates see the interval, never the wall clock."""
        if self.url_template:
            s, e = as_utc(interval_start), as_utc(interval_end)
            return self.url_template.format(
                date=s.strftime("%Y-%m-%d"),
                start=s.isoformat().replace("+00:00", "Z"),
                end=e.isoformat().replace("+00:00", "Z"),
                start_date=s.strftime("%Y-%m-%d"),
                end_date=e.strftime("%Y-%m-%d"),
                start_compact=s.strftime("%Y%m%d%H%M%S"),
                end_compact=e.strftime("%Y%m%d%H%M%S"),
                start_epoch=int(s.timestamp()),
                end_epoch=int(e.timestamp()),
                sample_dir=str(settings.sample_feeds_dir),
            )
        assert self.url is not None
        return self.url


def _parse_source(raw: dict[str, Any], defaults: dict[str, Any], index: int) -> Source:
    where = f"sources[{index}]"
    if not isinstance(raw, dict):
        raise SourceConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
    sid = raw.get("id")
    if not isinstance(sid, str) or not _ID_RE.match(sid):
        raise SourceConfigError(f"{where}: id {sid!r} must be snake_case, 2-64 chars, starting with a letter")
    where = f"source {sid!r}"
    for key in ("name", "kind", "type"):
        if not raw.get(key):
            raise SourceConfigError(f"{where}: missing required field {key!r}")
    if raw["kind"] not in KINDS:
        raise SourceConfigError(f"{where}: kind {raw['kind']!r} not one of {', '.join(KINDS)}")
    if raw["type"] not in SOURCE_TYPES:
        raise SourceConfigError(f"{where}: type {raw['type']!r} not one of {', '.join(SOURCE_TYPES)}")
    if bool(raw.get("url")) == bool(raw.get("url_template")):
        raise SourceConfigError(f"{where}: give exactly one of url or url_template")
    known = {"id", "name", "kind", "type", "url", "url_template", "region", "language", "weight",
             "enabled", "timeout_seconds", "max_items", "max_bytes", "retries", "backoff_seconds", "auth", "items_path", "fields"}
    merged = {**defaults, **raw}
    try:
        weight = float(merged.get("weight", 1.0))
        timeout = float(merged.get("timeout_seconds", 20))
        max_items = int(merged.get("max_items", 5000))
        max_bytes = int(merged.get("max_bytes", 20 * 1024 * 1024))
        retries = int(merged.get("retries", 2))
        backoff = float(merged.get("backoff_seconds", 1.0))
    except (TypeError, ValueError) as exc:
        raise SourceConfigError(f"{where}: weight/timeout_seconds/max_items/max_bytes/retries must be numbers "
                                f"({exc})") from None
    if timeout <= 0 or max_items <= 0 or max_bytes <= 0 or retries < 0 or backoff < 0:
        raise SourceConfigError(f"{where}: timeout_seconds, max_items and max_bytes must be > 0, retries >= 0")
    try:
        _ = Source(id=sid, name="", kind="rss", type="news", url_template=raw.get("url_template")).render_url(
            datetime(2026, 1, 1), datetime(2026, 1, 2), Settings(home=_DUMMY, data_dir=_DUMMY, config_dir=_DUMMY)
        ) if raw.get("url_template") else None
    except (KeyError, IndexError, ValueError) as exc:
        raise SourceConfigError(f"{where}: url_template has an unknown placeholder {exc}; known: "
                                f"{{date}} {{start}} {{end}} {{start_date}} {{end_date}} {{start_compact}} {{end_compact}} "
                                f"{{start_epoch}} "
                                f"{{end_epoch}} {{sample_dir}}") from None
    auth = raw.get("auth")
    if auth is not None:
        if not isinstance(auth, dict) or bool(auth.get("env")) == bool(auth.get("airflow_conn")):
            raise SourceConfigError(f"{where}: auth must name exactly one of env or airflow_conn")
        unknown = set(auth) - _AUTH_KEYS
        if unknown:
            raise SourceConfigError(f"{where}: auth keys {sorted(unknown)} not allowed (secrets never go in "
                                    f"sources.yml; use env or airflow_conn)")
    fields = raw.get("fields")
    if fields is not None and not (isinstance(fields, dict) and all(isinstance(v, str) for v in fields.values())):
        raise SourceConfigError(f"{where}: fields must map names to (dotted) field names")
    return Source(
        id=sid,
        name=str(raw["name"]),
        kind=raw["kind"],
        type=raw["type"],
        url=raw.get("url"),
        url_template=raw.get("url_template"),
        region=str(merged.get("region", "global")),
        language=merged.get("language"),
        weight=weight,
        enabled=bool(merged.get("enabled", True)),
        timeout_seconds=timeout,
        max_items=max_items,
        extra={k: v for k, v in raw.items() if k not in known},
        max_bytes=max_bytes,
        retries=retries,
        backoff_seconds=backoff,
        auth=dict(auth) if auth else None,
        items_path=raw.get("items_path"),
        fields=dict(fields) if fields else None,
    )


_CACHE: dict[str, dict[str, Any]] = {}
_CACHE_LOCK = threading.Lock()


def _read_sources_file(settings: Settings) -> tuple[str, dict[str, Any]]:
    """(content hash, parsed YAML) of sources.yml; the YAML is parsed once per file content, since
    concurrent ingest asks for it once per source. Callers must not mutate the returned mapping."""
    path = settings.config_dir / "sources.yml"
    raw = path.read_bytes()
    key = hashlib.sha1(raw).hexdigest()
    with _CACHE_LOCK:
        if key not in _CACHE:
            try:
                data = yaml.safe_load(raw) or {}
            except yaml.YAMLError as exc:
                raise SourceConfigError(f"{path}: not valid YAML: {exc}") from None
            if not isinstance(data, dict):
                raise SourceConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[key] = data
        return key, _CACHE[key]


def _sources_yaml(settings: Settings) -> dict[str, Any]:
    return copy.deepcopy(_read_sources_file(settings)[1])


_PARSED: dict[str, list[Source]] = {}


def load_sources(settings: Settings, *, enabled_only: bool = False) -> list[Source]:
    """All sources in sources.yml, validated (parsed once per file content)."""
    key, data = _read_sources_file(settings)
    sources = _PARSED.get(key)
    if sources is None:
        defaults = data.get("defaults") or {}
        raw_sources = data.get("sources") or []
        if not isinstance(raw_sources, list):
            raise SourceConfigError("sources.yml: 'sources' must be a list")
        sources = [_parse_source(raw, defaults, i) for i, raw in enumerate(raw_sources)]
        seen: set[str] = set()
        for s in sources:
            if s.id in seen:
                raise SourceConfigError(f"source {s.id!r}: duplicate id")
            seen.add(s.id)
        with _CACHE_LOCK:
            if len(_PARSED) > 16:
                _PARSED.clear()
            _PARSED[key] = sources
    return [s for s in sources if s.enabled] if enabled_only else list(sources)


def url_policy(settings: Settings) -> URLPolicy:
    """What ingestion may read: sources.yml `security` plus RISKRADAR_ALLOW_HOSTS / RISKRADAR_FILE_ROOTS.

    The sample corpus directory is always a file root, so the bundled demo works out of the box.
    """
    data = _sources_yaml(settings)
    sec = data.get("security") or {}
    if not isinstance(sec, dict):
        raise SourceConfigError("sources.yml: 'security' must be a mapping")
    roots = [settings.sample_feeds_dir] + [
        p if (p := Path(str(r)).expanduser()).is_absolute() else settings.home / p
        for r in sec.get("file_roots") or []]
    allow = [str(h) for h in sec.get("allow_private_hosts") or []]
    return URLPolicy.build(file_roots=roots, allow=allow)




def ingest_cron(settings: Settings) -> str:
    """How often media_ingest polls: RISKRADAR_INGEST_CRON, else sources.yml `ingest_cron`, else
    hourly (riskradar.ingest.cadence, which dags/ reads at parse time); this function also
    validates the value.

    The intervals must tile the UTC day (hourly, every 2 hours, daily...): risk_metrics waits
    until a day is covered.
    """
    raw = configured_cron(_read_sources_file(settings)[1])
    from croniter import croniter

    if not croniter.is_valid(raw):
        raise SourceConfigError(f"ingest_cron {raw!r} is not a valid cron expression "
                                f"(from {INGEST_CRON_ENV} or sources.yml)")
    it = croniter(raw, datetime(2026, 1, 1, tzinfo=UTC) - timedelta(seconds=1))
    ticks = [it.get_next(datetime)]
    while ticks[-1] < datetime(2026, 1, 2, tzinfo=UTC) and len(ticks) <= 24 * 60:
        ticks.append(it.get_next(datetime))
    gaps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    if not ticks or ticks[0] != datetime(2026, 1, 1, tzinfo=UTC) or ticks[-1] != datetime(2026, 1, 2, tzinfo=UTC) \
            or len(gaps) != 1:
        raise SourceConfigError(f"ingest_cron {raw!r}: its intervals must tile the UTC day (equal intervals "
                                "starting at 00:00), e.g. '0 * * * *' (hourly) or '0 0 * * *' (daily)")
    return raw


def get_source(settings: Settings, source_id: str) -> Source:
    for s in load_sources(settings):
        if s.id == source_id:
            return s
    raise SourceConfigError(f"unknown source {source_id!r}: not in {settings.config_dir / 'sources.yml'}")
