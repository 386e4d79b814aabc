"""Feed XML for the sample corpus: RSS 2.0 items, Atom 1.0 entries and the daily snapshot around them.

Strings rather than an XML library, so CDATA sections and byte-identical repeats of an item are easy.
"""

from __future__ import annotations

import html
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from sample_data.project_config import Source

if TYPE_CHECKING:
    from sample_data.corpus import Item


def rfc822(ts: datetime) -> str:
    return ts.strftime("%a, %d %b %Y %H:%M:%S +0000")


def rfc3339(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def summary_html(rng: random.Random, text: str, link: str | None) -> str:
    """Plain text -> the HTML a real feed puts in <description>: paragraphs, entities, read-more links."""
    body = html.escape(text, quote=False)
    if rng.random() < 0.25:
        body = body.replace("'", "&#8217;")
    if rng.random() < 0.1:
        body = body.replace(". ", ".&nbsp; ", 1)
    out = f"<p>{body}</p>" if rng.random() < 0.6 else body
    if link and rng.random() < 0.3:
        out += f' <a href="{html.escape(link)}">Read more</a>'
    if rng.random() < 0.05:
        out += '<img src="https://cdn.example/pixel.gif" width="1" height="1" alt="">'
    return out


def render_rss_item(item: Item, default_lang: str) -> str:
    parts = ["    <item>"]
    if item.title:
        parts.append(f"      <title>{xml_escape(item.title)}</title>")
    if item.link:
        parts.append(f"      <link>{xml_escape(item.link)}</link>")
    if item.guid and item.defect != "no_link_no_guid":
        parts.append(f'      <guid isPermaLink="false">{xml_escape(item.guid)}</guid>')
    if item.published:
        parts.append(f"      <pubDate>{rfc822(item.published)}</pubDate>")
    if item.summary_html:
        if item.use_cdata:
            parts.append(f"      <description><![CDATA[{item.summary_html}]]></description>")
        else:
            parts.append(f"      <description>{xml_escape(item.summary_html)}</description>")
    if item.author:
        parts.append(f"      <dc:creator>{xml_escape(item.author)}</dc:creator>")
    if item.category:
        parts.append(f"      <category>{xml_escape(item.category)}</category>")
    if item.language != default_lang:
        parts.append(f"      <dc:language>{item.language}</dc:language>")
    parts.append("    </item>")
    return "\n".join(parts)


def render_atom_entry(item: Item, default_lang: str) -> str:
    lang = f" xml:lang={quoteattr(item.language)}" if item.language != default_lang else ""
    parts = [f"  <entry{lang}>"]
    if item.guid and item.defect != "no_link_no_guid":
        parts.append(f"    <id>{xml_escape(item.guid)}</id>")
    if item.title:
        parts.append(f"    <title>{xml_escape(item.title)}</title>")
    if item.link:
        parts.append(f'    <link rel="alternate" type="text/html" href={quoteattr(item.link)}/>')
    if item.published:
        parts.append(f"    <published>{rfc3339(item.published)}</published>")
        parts.append(f"    <updated>{rfc3339(item.published)}</updated>")
    if item.summary_html:
        parts.append(f'    <summary type="html">{xml_escape(item.summary_html)}</summary>')
    if item.author:
        parts.append(f"    <author><name>{xml_escape(item.author)}</name></author>")
    if item.category:
        parts.append(f"    <category term={quoteattr(item.category)}/>")
    if item.language != default_lang:
        parts.append(f"    <dc:language>{item.language}</dc:language>")
    parts.append("  </entry>")
    return "\n".join(parts)


def render_entry(src: Source, item: Item) -> str:
    """One item's XML in its source's kind (rendered once: a repeat on a later day is byte-identical)."""
    return (render_rss_item if src.kind == "rss" else render_atom_entry)(item, src.language)


def render_feed(src: Source, day: date, items: Sequence[Item]) -> str:
    home = f"https://{src.domain}/"
    if src.kind == "rss":
        build = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
        head = ['<?xml version="1.0" encoding="utf-8"?>',
                '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
                "  <channel>",
                f"    <title>{xml_escape(src.name)}</title>",
                f"    <link>{home}</link>",
                f'    <atom:link href="{home}feed.xml" rel="self" type="application/rss+xml"/>',
                f"    <description>{xml_escape(src.name)}: synthetic sample feed for RiskRadar (fictional content)</description>",
                f"    <language>{src.language}</language>",
                f"    <lastBuildDate>{rfc822(build)}</lastBuildDate>",
                "    <generator>riskradar sample_data/generate.py</generator>"]
        return "\n".join(head + [i.xml for i in items] + ["  </channel>", "</rss>", ""])
    updated = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
    head = ['<?xml version="1.0" encoding="utf-8"?>',
            f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="{src.language}">',
            f"  <title>{xml_escape(src.name)}</title>",
            "  <subtitle>Synthetic sample feed for RiskRadar (fictional content)</subtitle>",
            f"  <id>tag:{src.domain},2026:feed</id>",
            f'  <link rel="alternate" href="{home}"/>',
            f'  <link rel="self" href="{home}atom.xml"/>',
            f"  <updated>{rfc3339(updated)}</updated>"]
    return "\n".join(head + [i.xml for i in items] + ["</feed>", ""])
