"""Turn feedparser entries into landing rows: clean text, canonical URLs, stable ids, UTC times."""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src",
                   "_hsenc", "_hsmi", "yclid", "spm"}
FUTURE_TOLERANCE = timedelta(days=1)  # clock skew and time zones; beyond this a date is "far future"
_WS = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def clean_text(value: str | None) -> str:
    """HTML to plain text: tags and scripts removed, entities decoded, whitespace folded."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:  # plain text (most titles): nothing to parse
        return _WS.sub(" ", value).strip()
    parser = _TextExtractor()
    try:
        parser.feed(value)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # malformed markup: fall back to a crude strip rather than lose the item
        text = re.sub(r"<[^>]+>", " ", value)
    return _WS.sub(" ", html.unescape(text)).strip()


def canonical_url(url: str | None) -> str | None:
    """Lowercase scheme/host, drop fragment and tracking parameters (utm_*, fbclid, ...)."""
    if not url:
        return None
    url = url.strip()
    parsed = urlparse(url)
    if not parsed.scheme or not parsed.netloc:
        return url
    query = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    netloc = parsed.netloc.lower()
    if netloc.endswith(":80") and parsed.scheme == "http":
        netloc = netloc[:-3]
    elif netloc.endswith(":443") and parsed.scheme == "https":
        netloc = netloc[:-4]
    path = parsed.path or "/"
    return urlunparse((parsed.scheme.lower(), netloc, path, parsed.params, urlencode(query), ""))


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


SYNDICATED_TYPES = frozenset({"news", "trade_press"})
_PUBLISHER_SUFFIX = re.compile(r"\s+[-|\u2013\u2014]\s+([^-|\u2013\u2014]{2,60})$")


def publisher_key(name: str) -> str:
    """Normalised outlet name: 'Global Newswire (synthetic)' -> 'global newswire'."""
    name = re.sub(r"\([^)]*\)", " ", name)
    return " ".join(w.lower() for w in _WORD.findall(name))


def story_key(title: str, publishers: frozenset[str] | set[str] = frozenset()) -> str:
    """Syndicated copies share a story: hash of the normalised title words (case, punctuation folded).

    Aggregators and wire copies append the outlet (" - Global Newswire"); a trailing suffix that
    names a known publisher is dropped so the copy keys to the same story as the original.
    """
    words = [w.lower() for w in _WORD.findall(strip_publisher(title, publishers))]
    return sha1(" ".join(words))[:16]


def strip_publisher(title: str | None, publishers: frozenset[str] | set[str] = frozenset()) -> str:
    """The title without a trailing " - <known outlet>" that aggregators and wire copies append."""
    title = title or ""
    match = _PUBLISHER_SUFFIX.search(title)
    if match and publisher_key(match.group(1)) in publishers:
        title = title[: match.start()]
    return title


def entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        st = entry.get(key)
        if st:
            try:
                return datetime.fromtimestamp(calendar.timegm(st), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def entry_summary(entry: Any) -> str:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    return clean_text(summary)


def entry_to_row(entry: Any, *, source_id: str, source_type: str, default_language: str | None,
                 interval_start: datetime, interval_end: datetime, run_id: str,
                 publishers: frozenset[str] = frozenset()) -> tuple[dict | None, str | None]:
    """(row, None) for a usable entry, or (None, reason) when it must be quarantined.

    story_id groups syndicated copies of one story for news and trade press (title hash); a post,
    review or social update is its own story (short review titles like "Avoid" recur by chance).
    """
    title = clean_text(entry.get("title"))
    summary = entry_summary(entry)
    link = entry.get("link") or None
    guid = (entry.get("id") or entry.get("guid") or "").strip() or None
    url = canonical_url(link)
    if not title and not summary:
        return None, "entry has neither title nor summary"
    # an entry with text but no link and no guid still lands: its id is the content hash (the
    # same text gives the same id, so it dedupes like any other item) and has_link says why
    # there is no URL to open
    if not title:
        title = summary[:140]
    content_hash = sha1(f"{title}\n{summary}")
    if guid:
        item_id = sha1(f"guid:{guid}")
    elif url:
        item_id = sha1(f"url:{url}")
    else:
        item_id = sha1(f"hash:{content_hash}")
    published = entry_time(entry)
    is_fallback = published is None
    future_dated = published is not None and published > interval_end + FUTURE_TOLERANCE
    if published is None or future_dated:
        # the run's logical fetch time: deterministic on rerun. A date far in the future is a
        # broken clock or a placeholder; trusting it would park the item in a day not yet reported.
        published = interval_end
        is_fallback = True
    author = entry.get("author") or None
    language = (entry.get("language") or default_language or None)
    if language:
        language = language.split("-")[0].split("_")[0].lower()[:8]
    row = {
        "item_id": item_id,
        "source_id": source_id,
        "source_type": source_type,
        "guid": guid,
        "url": url or link,
        "has_link": bool(url or link),
        "title": title,
        "summary": summary,
        "author": clean_text(author) if author else None,
        "language": language,
        "published_at": published,
        "is_published_at_fallback": is_fallback,
        "story_id": (story_key(title, publishers) if source_type in SYNDICATED_TYPES
                     else sha1(f"post:{item_id}")[:16]),
        "content_hash": content_hash,
        "interval_start": interval_start,
        "interval_end": interval_end,
        "run_id": run_id,
        "is_future_dated": future_dated,  # not a landing column: counted in source_health
    }
    return row, None


def raw_json(entry: Any) -> str:
    """Whatever could be read of an entry, for the quarantine zone."""
    keep = {k: entry.get(k) for k in ("id", "title", "link", "summary", "published", "updated", "author")
            if entry.get(k) is not None}
    return json.dumps(keep, default=str, ensure_ascii=False)[:20000]
