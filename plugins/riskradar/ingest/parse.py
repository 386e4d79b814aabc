"""Feed documents (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed, JSON APIs) -> entries + failures.

The contract that matters: every item in the document ends as either a recovered entry or a
failure with the parser's reason. Feedparser already recovers most malformed XML with its loose
parser; when it recovers fewer entries than the document has `<item>`/`<entry>` elements, each
missing element is parsed on its own, so one broken item costs that item only, with its reason.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from typing import Any

import feedparser

from riskradar.ingest.fastparse import parse_fast
from riskradar.ingest.jsonfeed import parse_json
from riskradar.ingest.security import defuse_doctype

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
_XML_DECL_TEXT = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._:-]+)([\"'])", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_ITEM_OPEN = re.compile(r"<(item|entry)(?=[\s/>])", re.IGNORECASE)
_ITEM_BLOCK = re.compile(r"<(item|entry)(?=[\s>])[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ENVELOPE = {"item": ("<rss version=\"2.0\"><channel>", "</channel></rss>"),
             "entry": ("<feed xmlns=\"http://www.w3.org/2005/Atom\">", "</feed>")}


@dataclass
class ParsedDocument:
    entries: list[Any] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (raw item text, reason)
    error: str | None = None  # the whole document is unusable (nothing recovered), with the reason
    language: str | None = None  # feed-level language, if declared
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # recovered problems worth reporting

    @property
    def items_read(self) -> int:
        return len(self.entries) + len(self.failures)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str, str | None]:
    """(text, encoding used, note) for a document whose declared charset may be wrong.

    Valid UTF-8 is almost never an accident, so it wins over a conflicting declaration (the
    common case: a server says ISO-8859-1 for a UTF-8 file). Otherwise the BOM, the XML
    declaration, then the HTTP charset are tried; windows-1252 is the last resort (it maps nearly
    every byte, and mislabelled Latin-1 feeds are really cp1252).
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            try:
                return body.decode("utf-16" if enc == "utf-16" else "utf-8-sig"), enc, None
            except UnicodeDecodeError:
                break
    m = _XML_DECL.match(body[:200])
    xml_enc = _codec(m.group(1).decode("ascii")) if m else None
    cm = _CHARSET.search(content_type or "")
    http_enc = _codec(cm.group(1)) if cm else None
    declared = [e for e in (xml_enc, http_enc) if e]
    try:
        text = body.decode("utf-8")
        note = None
        if any(e not in ("utf-8", "ascii") for e in declared):
            note = f"declared charset {'/'.join(declared)} but the body is valid UTF-8: read as UTF-8"
        return text, "utf-8", note
    except UnicodeDecodeError:
        pass
    for enc in declared:
        if enc in ("utf-8",):
            continue
        try:
            return body.decode(enc), enc, None
        except (UnicodeDecodeError, LookupError):
            continue
    note = (f"declared charset {'/'.join(declared) or 'none'} does not decode the body: read as windows-1252"
            if declared else "no charset declared and not UTF-8: read as windows-1252")
    return body.decode("cp1252", errors="replace"), "cp1252", note


def _as_utf8_xml(text: str) -> bytes:
    """Re-encode as UTF-8 and make the XML declaration say so (feedparser re-sniffs the bytes)."""
    return _XML_DECL_TEXT.sub(lambda m: m.group(1) + "utf-8" + m.group(3), text, count=1).encode("utf-8")


def _reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "unknown parser error"


_CHUNK_ID = re.compile(r"<(guid|id)\b[^>]*>\s*(.*?)\s*</\1\s*>", re.IGNORECASE | re.DOTALL)
_CHUNK_LINK = re.compile(r"<link\b[^>]*?(?:href\s*=\s*[\"']([^\"']*)[\"'][^>]*)?/?>(?:\s*([^<]*?)\s*</link\s*>)?",
                         re.IGNORECASE)


def _represented(chunk: str, entry: Any) -> bool:
    """Does this raw item element correspond to an entry the whole-document parse recovered?"""
    ids = {m.group(2) for m in _CHUNK_ID.finditer(chunk)}
    links = {v for m in _CHUNK_LINK.finditer(chunk) for v in m.groups() if v}
    if (entry.get("id") or "").strip() in ids or (entry.get("link") or "").strip() in links:
        return True
    title = (entry.get("title") or "").strip()
    return not ids and not links and len(title) > 3 and title in chunk


def _recover_items(text: str, whole: Any) -> tuple[list[Any], list[tuple[str, str]]]:
    """Entries and failures when the whole-document parse lost items: each item parsed alone."""
    doc_reason = _reason(whole)
    entries = list(whole.entries)
    unused = list(entries)
    failures: list[tuple[str, str]] = []
    blocks = list(_ITEM_BLOCK.finditer(text))
    closed_starts = {b.start() for b in blocks}
    for block in blocks:
        chunk = block.group(0)
        match = next((e for e in unused if _represented(chunk, e)), None)
        if match is not None:
            unused.remove(match)
            continue
        head, tail = _ENVELOPE[block.group(1).lower()]
        alone = feedparser.parse((head + chunk + tail).encode("utf-8"))
        if alone.entries and (alone.entries[0].get("title") or alone.entries[0].get("link")
                              or alone.entries[0].get("id") or alone.entries[0].get("summary")):
            entries.append(alone.entries[0])
        else:
            failures.append((chunk[:20000], f"item not recoverable ({_reason(alone)}); document: {doc_reason}"))
    # an empty entry the whole parse made of a broken element is that element, already a failure
    empties = [e for e in unused if not any(e.get(k) for k in ("id", "link", "title", "summary"))]
    for empty in empties[: len(failures)]:
        entries.remove(empty)
    for opened in _ITEM_OPEN.finditer(text):
        inside = any(b.start() < opened.start() < b.end() for b in blocks)
        if opened.start() not in closed_starts and not inside:
            failures.append((text[opened.start(): opened.start() + 20000],
                             f"item element never closed (document cut off or malformed); document: {doc_reason}"))
    return entries, failures


def fast_path_enabled() -> bool:
    """RISKRADAR_FAST_PARSE=0 sends every XML document to feedparser (to compare both paths)."""
    return os.environ.get("RISKRADAR_FAST_PARSE", "1").strip().lower() not in ("0", "false", "no", "off")


def parse_document(body: bytes, *, kind: str = "rss", content_type: str | None = None,
                   items_path: str | None = None, fields: dict[str, str] | None = None) -> ParsedDocument:
    """Parse one fetched body; never raises for bad input."""
    out = ParsedDocument()
    text, out.encoding, note = decode_body(body, content_type)
    if note:
        out.notes.append(note)
    stripped = text.lstrip("\ufeff \t\r\n")
    if kind in ("json_feed", "json_api") or stripped[:1] in ("{", "["):
        entries, failures, error, lang = parse_json(stripped, items_path=items_path, fields=fields)
        out.entries, out.failures, out.error, out.language = entries, failures, error, lang
        return out
    text, defused = defuse_doctype(text)
    if defused:
        out.notes.append(defused)
    xml = _as_utf8_xml(text)
    fast = parse_fast(xml) if fast_path_enabled() else None
    if fast is not None:  # a plain well-formed feed: read as feedparser would, 5x faster
        out.entries, out.language = fast
        return out
    whole = feedparser.parse(xml)
    out.language = (whole.feed.get("language") or "").strip() or None
    if not whole.bozo:
        out.entries = list(whole.entries)
        return out
    reason = _reason(whole)
    n_items = len(_ITEM_OPEN.findall(text))
    if n_items > len(whole.entries):
        out.entries, out.failures = _recover_items(text, whole)
    else:
        out.entries = list(whole.entries)
    if out.entries or out.failures:
        out.notes.append(f"malformed feed, recovered {len(out.entries)} of {out.items_read} items: {reason}")
    elif not whole.feed and not whole.version:
        out.error = f"unparseable feed: {reason}"
    else:
        out.notes.append(f"malformed feed with no items: {reason}")
    return out
