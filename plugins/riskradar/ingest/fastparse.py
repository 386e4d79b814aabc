"""A fast path for well-formed, plain RSS 2.0 and Atom 1.0 feeds (stdlib expat via ElementTree).

feedparser reads anything, at about 2,300 items per CPU-second. Most payloads are boring: one
well-formed document, a known set of elements, RFC 822 or ISO 8601 dates, absolute links. This
module reads exactly those, into the same entry dicts feedparser would give for the fields
`riskradar.ingest.normalize.entry_to_row` reads, and *declines* (returns None) on anything else:
a DOCTYPE or entity, an element it does not know, markup feedparser's sanitizer would rewrite, a
relative link, a date it cannot read. A declined document goes to feedparser, unchanged, so every
hostile-feed behaviour stays feedparser's (tests/unit/test_ingest_fastparse.py compares both paths).

Why ElementTree rather than lxml or fastfeedparser: expat ships with CPython, needs no new
dependency, and the parse is a small share of the cost once feedparser's sanitiser is skipped.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_tz
from typing import Any

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_RSS_ITEM_TAGS = {"title", "link", "guid", "pubDate", "description", f"{DC}creator", f"{DC}language",
                  f"{CONTENT}encoded", "category"}
_ATOM_ENTRY_TAGS = {f"{ATOM}{t}" for t in ("id", "title", "link", "published", "updated", "summary",
                                            "content", "author", "category")}
# markup feedparser's sanitiser drops with its content, or comments/CDATA it may treat differently
_UNSAFE_MARKUP = re.compile(r"<\s*/?\s*(script|style|applet|object|embed|iframe|noscript|svg|math|form|"
                            r"base|meta|link)\b|<!|<\?|javascript:|\bon[a-z]+\s*=", re.IGNORECASE)
_ABSOLUTE = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)
_RSS_DATE = re.compile(r"^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|GMT|UTC|Z)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class Decline(Exception):
    """The document is outside what the fast path reads exactly like feedparser."""


def _text(el: ET.Element) -> str:
    if len(el):  # child elements (inline XHTML...): feedparser serialises and sanitises them
        raise Decline(f"markup inside <{el.tag}>")
    value = (el.text or "").strip()
    if "<" in value and _UNSAFE_MARKUP.search(value):
        raise Decline(f"markup in <{el.tag}> that the sanitiser would rewrite")
    return value


def _rfc822(value: str) -> time.struct_time:
    parts = parsedate_tz(value) if _RSS_DATE.match(value) else None
    if parts is None:
        raise Decline(f"date {value!r}")
    offset = parts[9] or 0
    epoch = datetime(*parts[:6], tzinfo=UTC).timestamp() - offset
    return time.gmtime(epoch)


def _iso(value: str) -> time.struct_time:
    if not _ISO_DATE.match(value):
        raise Decline(f"date {value!r}")
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return time.gmtime(int(dt.timestamp()))  # feedparser keeps whole seconds


def _check_attrs(el: ET.Element) -> None:
    # xml:lang below the feed sets no entry language in feedparser either; xml:base changes links
    if XML_BASE in el.attrib:
        raise Decline(f"xml:base on <{el.tag}>")


def _checked_children(node: ET.Element, allowed: set[str], what: str) -> Iterator[ET.Element]:
    """The children of an RSS item or Atom entry, attributes checked; a tag outside `allowed` declines."""
    _check_attrs(node)
    for child in node:
        if child.tag not in allowed:
            raise Decline(f"{what} element <{child.tag}>")
        _check_attrs(child)
        yield child


def _rss_item(item: ET.Element) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    guid_is_link = False
    seen: set[str] = set()
    for child in _checked_children(item, _RSS_ITEM_TAGS, "item"):
        tag = child.tag
        if tag == "category":
            continue
        if tag in seen:
            raise Decline(f"repeated <{tag}>")
        seen.add(tag)
        value = _text(child)
        if tag == "title":
            entry["title"] = value
        elif tag == "link":
            entry["link"] = value
        elif tag == "guid":
            entry["id"] = value
            guid_is_link = child.get("isPermaLink", "true").strip().lower() != "false"
        elif tag == "pubDate":
            entry["published"] = value
            entry["published_parsed"] = _rfc822(value)
        elif tag == "description":
            entry["summary"] = value
        elif tag == f"{CONTENT}encoded":
            entry["content"] = [{"value": value}]
        elif tag == f"{DC}creator":
            entry["author"] = value
        elif tag == f"{DC}language":
            entry["language"] = value
    if guid_is_link and "link" not in entry and entry.get("id"):
        entry["link"] = entry["id"]  # feedparser: a permalink guid is the link when there is none
    return entry


def _atom_entry(node: ET.Element) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    seen: set[str] = set()
    for child in _checked_children(node, _ATOM_ENTRY_TAGS, "entry"):
        name = child.tag[len(ATOM):]
        if name == "category":
            continue
        if name == "link":
            if child.get("rel", "alternate") != "alternate":
                continue
            name = "alternate link"
        if name in seen:
            raise Decline(f"repeated <{name}>")
        seen.add(name)
        if name == "alternate link":
            href = (child.get("href") or "").strip()
            if len(child) or child.text and child.text.strip():
                raise Decline("link with content")
            entry["link"] = href
        elif name == "author":
            names = [c for c in child if c.tag == f"{ATOM}name"]
            if len(names) != 1 or len(child) != 1 or (child.text or "").strip():
                raise Decline("author other than one <name>")
            entry["author"] = _text(names[0])
        elif name in ("title", "summary", "content"):
            kind = child.get("type", "text")
            if kind not in ("text", "html") or "src" in child.attrib:
                raise Decline(f"{name} of type {kind!r}")
            value = _text(child)  # type text: kept verbatim, as feedparser does
            if name == "content":
                entry["content"] = [{"value": value}]
            else:
                entry[name] = value
        elif name == "id":
            entry["id"] = _text(child)
        elif name in ("published", "updated"):
            value = _text(child)
            entry[name] = value
            entry[f"{name}_parsed"] = _iso(value)
    if "link" not in entry:  # feedparser derives one (from the entry id): leave the entry to it
        raise Decline("entry without an alternate link")
    return entry


def _check_links(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        if "updated" not in entry and "published" in entry:  # FeedParserDict's fallback for "updated"
            entry["updated"], entry["updated_parsed"] = entry["published"], entry["published_parsed"]
        link = entry.get("link")
        if link is not None and not _ABSOLUTE.match(link):
            raise Decline(f"relative or odd link {link!r}")  # feedparser resolves against a base


def parse_fast(xml: bytes) -> tuple[list[dict[str, Any]], str | None] | None:
    """(entries, feed language) of a plain well-formed RSS 2.0 / Atom 1.0 document, or None when
    the document must go to feedparser."""
    head = xml[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in xml:
        return None
    try:
        root = ET.fromstring(xml)
        if root.tag == "rss" and root.get("version", "").strip() in ("2.0", "0.92", "0.91"):
            channels = [c for c in root if c.tag == "channel"]
            if len(channels) != 1 or len(root) != 1:
                return None
            channel = channels[0]
            _check_attrs(root)
            _check_attrs(channel)
            language = next((_text(c) or None for c in channel if c.tag == "language"), None)
            entries = [_rss_item(c) for c in channel if c.tag == "item"]
        elif root.tag == f"{ATOM}feed":
            if XML_BASE in root.attrib:
                return None
            language = (root.get(XML_LANG) or "").strip() or None
            entries = [_atom_entry(c) for c in root if c.tag == f"{ATOM}entry"]
        else:
            return None
        _check_links(entries)
    except (ET.ParseError, Decline, ValueError, OverflowError):
        return None
    return entries, language
