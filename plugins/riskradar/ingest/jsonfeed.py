"""JSON Feed 1.x and JSON search APIs, read into the same entry shape feedparser produces.

entry_to_row reads `id`, `title`, `link`, `summary`, `content[0].value`, `author`, `language` and
`published_parsed`/`updated_parsed` (UTC struct_time), so a JSON item becomes exactly that dict and
the rest of the pipeline does not care where it came from.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from riskradar.ingest.normalize import raw_json


def _get_path(obj: Any, path: str | None) -> Any:
    """obj['a']['b'] for path 'a.b'; list indexes as digits; None when any step is missing."""
    if not path:
        return obj
    for step in path.split("."):
        if isinstance(obj, dict):
            obj = obj.get(step)
        elif isinstance(obj, list) and step.isdigit() and int(step) < len(obj):
            obj = obj[int(step)]
        else:
            return None
    return obj


def parse_date(value: Any) -> datetime | None:
    """RFC 3339 / ISO 8601, RFC 822, or epoch seconds -> aware UTC datetime (None if unusable)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), tz=UTC)
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _entry(item: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    def field(name: str) -> Any:
        return _get_path(item, fields.get(name, name))

    entry: dict[str, Any] = {}
    for key in ("id", "title", "link", "summary", "language"):
        value = _text(field(key))
        if value is not None:
            entry[key] = value
    content = _text(field("content"))
    if content:
        entry["content"] = [{"value": content}]
    author = field("author")
    if isinstance(author, dict):
        author = author.get("name")
    elif isinstance(author, list) and author and isinstance(author[0], dict):
        author = author[0].get("name")
    if _text(author):
        entry["author"] = _text(author)
    for key, target in (("published", "published_parsed"), ("updated", "updated_parsed")):
        raw = field(key)
        if raw is not None:
            entry[key] = str(raw)
            dt = parse_date(raw)
            if dt is not None:
                entry[target] = dt.utctimetuple()
    return entry


# JSON Feed 1.0/1.1 field names (https://www.jsonfeed.org/version/1.1/)
JSON_FEED_FIELDS = {"id": "id", "title": "title", "link": "url", "summary": "summary",
                    "content": "content_html", "author": "authors", "language": "language",
                    "published": "date_published", "updated": "date_modified"}


def parse_json(body: str, *, items_path: str | None = None,
               fields: dict[str, str] | None = None) -> tuple[list[dict], list[tuple[str, str]], str | None, str | None]:
    """(entries, failures [(raw, reason)], document error, feed language) of a JSON document.

    A JSON Feed is recognised by its `version`; anything else is read as a search API response
    whose item list sits at `items_path` with `fields` mapping our names to its (dotted) names.
    """
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        return [], [], f"invalid JSON: {exc}", None
    mapping = dict(JSON_FEED_FIELDS)
    path = items_path
    lang = None
    if isinstance(doc, dict) and str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        path = path or "items"
        lang = _text(doc.get("language"))
        if doc.get("author") and not doc.get("authors"):
            mapping["author"] = "author"  # JSON Feed 1.0
    mapping.update(fields or {})
    items = _get_path(doc, path) if path else doc
    if not isinstance(items, list):
        return [], [], f"no item list at {path or 'the top level'!r} in the JSON document", lang
    entries: list[dict] = []
    failures: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, dict):
            failures.append((json.dumps(item, default=str)[:20000], f"JSON item is a {type(item).__name__}, not an object"))
            continue
        entry = _entry(item, mapping)
        if "content" not in entry and _text(item.get("content_text")) and "content_html" == mapping["content"]:
            entry["content"] = [{"value": item["content_text"]}]
        if "link" not in entry and _text(item.get("external_url")):
            entry["link"] = item["external_url"]
        if not entry:
            failures.append((raw_json(item) if item else "{}", "JSON item has none of the mapped fields"))
            continue
        entries.append(entry)
    return entries, failures, None, lang
