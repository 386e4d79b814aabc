"""Property-based: random and mutated feed documents never crash ingestion, and every item read is
accounted for (items_read = landed + duplicates + quarantined) in the summary, in source_health and
in the zones."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow.parquet as pq
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from riskradar import storage
from riskradar.config import Settings
from riskradar.ingest.landing import SourceIngestError, ingest_source
from riskradar.ingest.parse import parse_document

REPO = Path(__file__).resolve().parents[2]
BASE = datetime(2026, 8, 1, tzinfo=UTC)

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
markup = st.sampled_from(["<b>", "</b>", "&amp;", "&", "<", "&nbsp;", "<![CDATA[", "]]>", "<!--", "&#8217;",
                          "&lol9;", "\x00", "\ufeff", "é", "—", "<script>x</script>"])
messy = st.lists(st.one_of(text, markup), max_size=6).map("".join)
dates = st.one_of(st.none(), st.just("garbage"), st.just("Mon, 01 Jan 2035 00:00:00 GMT"),
                  st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1))
                  .map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")))


@st.composite
def rss_items(draw) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"<guid>{escape(draw(st.sampled_from(['a', 'b', 'c', 'd', 'e', 'f'])))}</guid>")
    title = draw(messy)
    escaped = draw(st.booleans())
    if draw(st.booleans()):
        parts.append(f"<title>{escape(title) if escaped else title}</title>")
    if draw(st.booleans()):
        parts.append(f"<link>https://x.test/{draw(st.integers(0, 5))}?utm_source={draw(st.integers(0, 3))}</link>")
    if draw(st.booleans()):
        parts.append(f"<description>{escape(draw(messy))}</description>")
    date = draw(dates)
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    tag = draw(st.sampled_from(["item", "entry"]))
    return f"<{tag}>{''.join(parts)}</{tag}>"


@st.composite
def documents(draw) -> bytes:
    kind = draw(st.sampled_from(["rss", "atom", "json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "json":
        items = draw(st.lists(st.one_of(
            st.fixed_dictionaries({}, optional={"id": st.sampled_from(["a", "b", "c"]), "title": messy,
                                                "url": st.just("https://j.test/1"), "content_text": messy,
                                                "date_published": st.one_of(st.just("2026-08-01T10:00:00Z"),
                                                                            st.just("nope"), st.integers())}),
            st.integers(), st.none(), text), max_size=6))
        doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()
    else:
        items = "".join(draw(st.lists(rss_items(), max_size=8)))
        if kind == "rss":
            doc = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>"
        else:
            doc = f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>{items}</feed>"
        doc = doc.encode(draw(st.sampled_from(["utf-8", "cp1252", "latin-1"])), errors="replace")
    # mutations: cut, splice garbage, duplicate a slice, flip bytes
    for _ in range(draw(st.integers(0, 3))):
        if not doc:
            break
        i = draw(st.integers(0, len(doc)))
        j = draw(st.integers(i, min(len(doc), i + 80)))
        op = draw(st.sampled_from(["cut", "splice", "dup", "flip", "truncate"]))
        if op == "cut":
            doc = doc[:i] + doc[j:]
        elif op == "splice":
            doc = doc[:i] + draw(st.binary(max_size=20)) + doc[i:]
        elif op == "dup":
            doc = doc[:j] + doc[i:j] + doc[j:]
        elif op == "flip" and i < len(doc):
            doc = doc[:i] + bytes([doc[i] ^ 0xFF]) + doc[i + 1:]
        else:
            doc = doc[:i]
    return doc


class World:
    """One data/config layout for all examples; each example gets its own hourly interval."""

    def __init__(self):
        root = Path(tempfile.mkdtemp(prefix="rr-ingest-prop-"))
        self.www = root / "www"
        self.www.mkdir()
        self.settings = Settings(home=REPO, data_dir=root / "data", config_dir=root / "config")
        self.settings.config_dir.mkdir()
        src = {"id": "prop_feed", "name": "Prop", "kind": "rss", "type": "news",
               "url": (self.www / "feed.xml").as_uri()}
        (self.settings.config_dir / "sources.yml").write_text(yaml.safe_dump(
            {"version": 1, "security": {"file_roots": [str(self.www)]}, "sources": [src]}))
        self.n = 0

    def run(self, body: bytes) -> dict:
        (self.www / "feed.xml").write_bytes(body)
        start = BASE + timedelta(hours=self.n)
        self.n += 1
        try:
            out = ingest_source("prop_feed", start, start + timedelta(hours=1), f"r{self.n}", self.settings)
        except SourceIngestError:
            out = None
        health = pq.read_table(storage.partition_path(self.settings.source_health_dir, start,
                                                      source_id="prop_feed")).to_pylist()[0]
        landing = storage.partition_path(self.settings.landing_dir, start, source_id="prop_feed")
        rows = pq.read_metadata(landing).num_rows if landing.exists() else 0
        q = storage.partition_path(self.settings.quarantine_dir / "stage=ingest", start, source_id="prop_feed")
        item_q = (sum(1 for r in pq.read_table(q, columns=["item_id", "reason"]).to_pylist()
                      if not r["reason"].startswith(("body cut off", "unparseable", "invalid JSON", "no item list")))
                  if q.exists() else 0)
        return {"summary": out, "health": health, "rows": rows, "item_quarantine_rows": item_q}


WORLD: World | None = None


def world() -> World:
    global WORLD
    if WORLD is None:
        WORLD = World()
    return WORLD


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_random_and_mutated_documents_never_crash_and_counts_add_up(body):
    got = world().run(body)
    h = got["health"]
    assert h["items_read"] == h["items_landed"] + h["items_duplicate"] + h["items_quarantined"]
    assert got["rows"] == h["items_landed"]
    assert got["item_quarantine_rows"] == h["items_quarantined"]
    if got["summary"] is not None:
        assert got["summary"]["items_read"] == h["items_read"]
    else:
        assert h["status"] == "error" and h["items_landed"] == 0


@hsettings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_parser_never_raises_on_arbitrary_bytes(body):
    doc = parse_document(body)
    assert doc.items_read == len(doc.entries) + len(doc.failures)
