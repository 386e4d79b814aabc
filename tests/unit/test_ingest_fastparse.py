"""The fast path reads plain feeds exactly as feedparser does, and hands everything else to it."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest
from riskradar.ingest.fastparse import parse_fast
from riskradar.ingest.normalize import entry_to_row, raw_json
from riskradar.ingest.parse import parse_document

START, END = datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 8, 2, tzinfo=UTC)

RSS = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'"
       " xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><title>t</title>"
       "<link>https://example.test/</link><language>de</language>{items}</channel></rss>")
ATOM = ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom' xml:lang='en'>"
        "<title>t</title><id>urn:f</id>{items}</feed>")
PLAIN = {
    "rss": RSS.format(items=(
        "<item><title>Scam ads &amp; fake &lt;b&gt;giveaways&lt;/b&gt;</title>"
        "<link>https://News.example.test/a?utm_source=rss&amp;id=7#top</link>"
        "<guid isPermaLink='false'>g1</guid><pubDate>Sat, 01 Aug 2026 18:56:51 +0200</pubDate>"
        "<description>&lt;p&gt;Users report &lt;a href='https://x.test/'&gt;crypto&lt;/a&gt; scams&lt;/p&gt;"
        "</description><dc:creator>Priya Nair</dc:creator><dc:language>fr</dc:language>"
        "<category>Ads</category></item>"
        "<item><title>Permalink guid, no link</title><guid>https://example.test/p/2</guid>"
        "<content:encoded>&lt;p&gt;Body &amp;amp; more&lt;/p&gt;</content:encoded></item>"
        "<item><description>Text only: no title, link or guid</description>"
        "<pubDate>Sat, 01 Aug 2026 10:00:00 GMT</pubDate></item>"
        "<item><guid isPermaLink='false'>g4</guid><pubDate>Sat, 01 Aug 2026 11:00:00 GMT</pubDate></item>")),
    "atom": ATOM.format(items=(
        "<entry xml:lang='es'><id>tag:x,2026:1</id><title>Fake shop ad &amp; 5 &lt; 6</title>"
        "<link rel='self' href='https://x.test/self'/><link rel='alternate' type='text/html' "
        "href='https://x.test/t/1?utm_medium=feed'/><published>2026-08-01T21:33:19Z</published>"
        "<updated>2026-08-01T22:00:00+02:00</updated><summary type='html'>&lt;p&gt;Lost $1,200&lt;/p&gt;"
        "</summary><author><name>ann</name></author><category term='Ads'/></entry>"
        "<entry><id>tag:x,2026:2</id><title type='html'>Only &lt;i&gt;updated&lt;/i&gt;</title>"
        "<link href='https://x.test/t/2'/><updated>2026-08-01T05:00:00.250Z</updated>"
        "<content type='html'>&lt;p&gt;Content, no summary&lt;/p&gt;</content></entry>")),
}


def rows(entries, language):
    """Landing rows, or the quarantine reason and raw JSON of what could be read."""
    out = []
    for entry in entries:
        row, reason = entry_to_row(entry, source_id="s", source_type="news", default_language=language,
                                   interval_start=START, interval_end=END, run_id="r")
        out.append(row or (reason, raw_json(entry)))
    return out


@pytest.mark.parametrize("kind", sorted(PLAIN))
def test_fast_path_gives_feedparsers_rows(kind):
    body = PLAIN[kind].encode()
    fast = parse_fast(body)
    assert fast is not None, "a plain feed must take the fast path"
    slow = feedparser.parse(body)
    language = (slow.feed.get("language") or "").strip() or None
    assert fast[1] == language
    assert rows(fast[0], fast[1]) == rows(slow.entries, language)
    assert len(fast[0]) == len(slow.entries) == (4 if kind == "rss" else 2)


def test_the_bundled_sample_reads_the_same_on_both_paths(tmp_path):
    """A week of the generated corpus (every source): each document the fast path accepts gives
    feedparser's rows, and most documents are accepted. bench/bench_ingest_sample.py compares the
    landed zones of the whole 90 days."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root holds sample_data/
    from sample_data.generate import generate

    generate(tmp_path, start="2026-08-01", days=7)
    accepted = total = 0
    for path in sorted(tmp_path.glob("*/*.xml")):
        body = path.read_bytes()
        total += 1
        fast = parse_fast(body)
        if fast is None:
            continue
        accepted += 1
        slow = feedparser.parse(body)
        assert rows(fast[0], fast[1]) == rows(slow.entries, (slow.feed.get("language") or "").strip() or None), path
    # 48 of 70 since the Indonesian and Portuguese streams (issue 18): their feeds go to feedparser
    # (why the fast path rejects them is not yet examined); every file it accepts reads the same
    assert total >= 60 and accepted >= 0.65 * total, (accepted, total)


@pytest.mark.parametrize("fragment", [
    "<item><title>x</title><link>/relative/1</link></item>",  # feedparser resolves against a base
    "<item><title>x</title><description><p>inline <b>XHTML</b></p></description></item>",
    "<item><title>x</title><description>&lt;script&gt;alert(1)&lt;/script&gt;text</description></item>",
    "<item><title>x</title><author>a@b.test (A)</author></item>",  # an element it does not model
    "<item><title>x</title><pubDate>yesterday</pubDate></item>",
    "<item><title>a</title><title>b</title></item>",
])
def test_anything_unusual_goes_to_feedparser(fragment):
    assert parse_fast(RSS.format(items=fragment).encode()) is None


def test_hostile_documents_are_declined_and_still_handled_by_feedparser():
    laughs = ("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
              "<rss version='2.0'><channel><item><title>&b;</title><guid>g</guid></item></channel></rss>")
    assert parse_fast(laughs.encode()) is None
    broken = RSS.format(items="<item><title>ok</title><guid>g1</guid></item><item><title>cut")
    assert parse_fast(broken.encode()) is None
    doc = parse_document(broken.encode())  # feedparser's recovery path, as before
    assert doc.entries[0].get("title") == "ok" and type(doc.entries[0]).__name__ == "FeedParserDict"


def test_fast_path_switch(monkeypatch):
    monkeypatch.setenv("RISKRADAR_FAST_PARSE", "0")
    doc = parse_document(PLAIN["rss"].encode())
    assert type(doc.entries[0]).__name__ == "FeedParserDict"
    monkeypatch.setenv("RISKRADAR_FAST_PARSE", "1")
    assert type(parse_document(PLAIN["rss"].encode()).entries[0]) is dict


def test_atom_entry_without_a_link_keeps_feedparsers_link():
    """feedparser gives an Atom entry with no alternate link its id as link; the fast path declines
    such a document, so the landed url (and the landing gate's verdict on it) stays feedparser's."""
    xml = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
           b'<id>tag:x,2026:f</id><updated>2026-08-01T00:00:00Z</updated><entry>'
           b'<id>tag:metro-daily.example,2026-08-01:1</id><title>Hello</title>'
           b'<updated>2026-08-01T00:00:00Z</updated><summary>s</summary></entry></feed>')
    assert parse_fast(xml) is None
    assert feedparser.parse(xml).entries[0]["link"] == "tag:metro-daily.example,2026-08-01:1"
