"""Source registry: `config/sources.yml` parsed, validated and rendered for a data interval."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from riskradar.config import Settings
from riskradar.schemas import SOURCE_TYPES
from riskradar.storage import as_utc

KINDS = ("rss", "atom")
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

    def render_url(self, interval_start: datetime, interval_end: datetime, settings: Settings) -> str:
        """The URL to fetch for one interval; templates see the interval, never the wall clock."""
        if self.url_template:
            s, e = as_utc(interval_start), as_utc(interval_end)
            return self.url_template.format(
                date=s.strftime("%Y-%m-%d"),
                start=s.isoformat().replace("+00:00", "Z"),
                end=e.isoformat().replace("+00:00", "Z"),
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
             "enabled", "timeout_seconds", "max_items"}
    merged = {**defaults, **raw}
    try:
        weight = float(merged.get("weight", 1.0))
        timeout = float(merged.get("timeout_seconds", 20))
        max_items = int(merged.get("max_items", 5000))
    except (TypeError, ValueError) as exc:
        raise SourceConfigError(f"{where}: weight/timeout_seconds/max_items must be numbers ({exc})") from None
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
    )


def load_sources(settings: Settings, *, enabled_only: bool = False) -> list[Source]:
    data = settings.load_yaml("sources.yml")
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
    return [s for s in sources if s.enabled] if enabled_only else sources


def get_source(settings: Settings, source_id: str) -> Source:
    for s in load_sources(settings):
        if s.id == source_id:
            return s
    raise SourceConfigError(f"unknown source {source_id!r}: not in {settings.config_dir / 'sources.yml'}")
