"""The simulation: a day-by-day stream of items per source, incidents on top, syndicated copies.

One `random.Random(seed)` drives everything in a fixed order (base items, incidents, syndication,
repeats at write time); syndicated headline edits use their own seeded stream. Same arguments,
same corpus.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sample_data.banks import (
    FOREIGN,
    FOREIGN_VOICE,
    INCIDENTS,
    INDUSTRY,
    LINKS,
    MIX,
    PAIRS,
    POSITIVE_EVENT,
    SECTIONS,
    SLOTS,
)
from sample_data.project_config import TOPICS, Source
from sample_data.render import summary_html
from sample_data.text import (
    Slots,
    edit_headline,
    fill,
    hashtags,
    item_topics,
    noise_news,
    noise_voice,
    slug,
    topic_text,
    weighted,
)

BASELINE_DAYS = 14  # incidents start after this many quiet days, so every topic has a baseline


@dataclass
class Item:
    """One generated feed item plus its truth. `xml` is rendered once, so a repeat is byte-identical."""

    guid: str
    source_id: str
    date: str
    published: datetime | None
    title: str
    summary_html: str
    link: str | None
    author: str | None
    category: str | None
    topics: list[str]
    polarity: str
    language: str
    story_id: str
    syndicated_from: str | None = None
    incident_id: str | None = None
    defect: str | None = None
    use_cdata: bool = False
    xml: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def topic_weight(src: Source, topic: str) -> float:
    """How often a source talks about a topic: its type's weight times the source's own nudge."""
    return MIX["topic_weights"][src.type].get(topic, 0.0) * MIX["source_topic_boost"].get(src.id, {}).get(topic, 1.0)


def incident_targets(length: int, base: float, magnitude: float) -> list[int]:
    """Extra items per incident day: a rise and fall whose mean daily multiplier is `magnitude`."""
    shape = [0.6 + 0.8 * math.sin(math.pi * (k + 0.5) / length) for k in range(length)]
    norm = sum(shape) / length
    return [round(max(base, 2.0) * (magnitude - 1) * k / norm) for k in shape]


def layout_incidents(days: int) -> list[tuple[int, int]]:
    """(start_index, end_index inclusive) per entry of INCIDENTS, all after the baseline window when possible."""
    fracs = [0.05 + 0.9 * k / max(1, len(INCIDENTS) - 1) for k in range(len(INCIDENTS))]
    first = BASELINE_DAYS if days >= BASELINE_DAYS + 2 else max(1, days // 2)
    window = days - first
    spans: list[tuple[int, int]] = []
    if days < 4 or window < 1:
        return spans
    for spec, frac in zip(INCIDENTS, fracs, strict=True):
        dur = max(1, min(spec["duration"], window))
        start = first + round(frac * (window - dur))
        spans.append((start, start + dur - 1))
    return spans


class Corpus:
    def __init__(self, sources: list[Source], start: date, days: int, mean: float, seed: int):
        for s in sources:
            if s.type not in MIX["polarity_mix"]:
                raise ValueError(f"source {s.id}: unsupported type {s.type!r} (no polarity mix in sample_data/mix.yml)")
        self.sources = sources
        self.by_id = {s.id: s for s in sources}
        self.start = start
        self.days = days
        self.mean = mean
        self.seed = seed
        self.rng = random.Random(seed)
        self.items: dict[tuple[str, int], list[Item]] = {(s.id, d): [] for s in sources for d in range(days)}
        self.seq: dict[tuple[str, int], int] = {}
        self.story_seq = 0
        shares = {s.id: MIX["source_share"].get(s.id, MIX["default_source_share"]) for s in sources}
        share_total = sum(shares.values())
        self.share = {sid: n / share_total for sid, n in shares.items()}

    # -- item construction ------------------------------------------------------------------
    def day(self, d: int) -> date:
        return self.start + timedelta(days=d)

    def _new_story(self, d: int) -> str:
        self.story_seq += 1
        return f"st-{self.day(d):%Y%m%d}-{self.story_seq:06d}"

    def _timestamp(self, d: int, after: datetime | None = None) -> datetime:
        day = self.day(d)
        base = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if after is not None:
            ts = after + timedelta(minutes=self.rng.randint(5, 240))
            return ts if ts.date() == day else base + timedelta(hours=23, minutes=59, seconds=self.rng.randint(0, 59))
        # more items in the daytime hours (UTC), like a real stream
        hour = min(23, max(0, int(self.rng.triangular(0, 24, 14))))
        return base + timedelta(hours=hour, minutes=self.rng.randint(0, 59), seconds=self.rng.randint(0, 59))

    def _author(self, src: Source) -> str | None:
        rng = self.rng
        if rng.random() < MIX["author_missing"][src.type]:
            return None
        if src.type in ("news", "trade_press"):
            return rng.choice(SLOTS["reporter"])
        if src.type == "social":
            return rng.choice(SLOTS["handle"])
        return rng.choice(SLOTS["user"])

    def _link(self, src: Source, d: int, seq: int, title: str, section: str | None) -> str:
        rng = self.rng
        day = self.day(d)
        title_slug = slug(title)
        if src.type == "forum":
            url = f"https://{src.domain}/t/{title_slug}/{day:%Y%m%d}{seq:04d}"
        elif src.type == "review":
            url = f"https://{src.domain}/reviews/{day:%Y%m%d}{seq:04d}"
        elif src.type == "social":
            url = f"https://{src.domain}/status/{day:%Y%m%d}{seq:05d}"
        else:
            url = f"https://{src.domain}/{slug(section or 'news')}/{day:%Y/%m/%d}/{title_slug}-{seq}"
        if rng.random() < 0.35:
            url += "?utm_source=rss&utm_medium=feed&utm_campaign=" + rng.choice(LINKS["utm_campaigns"])
        if rng.random() < 0.08:
            url += "#" + rng.choice(LINKS["fragments"])
        return url

    def _category(self, src: Source, kind: str) -> str | None:
        if src.type == "news":
            section = SECTIONS["news"][kind]
            return self.rng.choice(section) if isinstance(section, list) else section
        if src.type in ("trade_press", "forum"):
            return self.rng.choice(SECTIONS[src.type])
        return None

    def _make(self, src: Source, d: int, title: str, summary: str, topics: list[str], polarity: str, language: str,
              kind: str, *, story_id: str | None = None, published: datetime | None = None,
              syndicated_from: str | None = None, incident_id: str | None = None, allow_defect: bool = True) -> Item:
        rng = self.rng
        seq = self.seq.get((src.id, d), 0) + 1
        self.seq[(src.id, d)] = seq
        day = self.day(d)
        if src.kind == "atom":
            guid = f"tag:{src.domain},{day.isoformat()}:{seq:04d}"
        else:
            guid = f"{src.id.replace('_', '-')}-{day:%Y%m%d}-{seq:04d}"
        category = self._category(src, kind)
        link = self._link(src, d, seq, title, category)
        item = Item(guid=guid, source_id=src.id, date=day.isoformat(),
                    published=published or self._timestamp(d), title=title, summary_html="",
                    link=link, author=self._author(src), category=category, topics=topics, polarity=polarity,
                    language=language, story_id=story_id or self._new_story(d), syndicated_from=syndicated_from,
                    incident_id=incident_id)
        item.summary_html = summary_html(rng, summary, link) if summary else ""
        item.use_cdata = src.kind == "rss" and rng.random() < 0.06
        item.extra["kind"] = kind
        item.extra["summary_text"] = summary
        if allow_defect:
            x = rng.random()
            if x < 0.001:
                item.defect = "no_title_no_description"
                item.title, item.summary_html = "", ""
            elif x < 0.002:
                item.defect = "no_link_no_guid"
                item.link = None
            elif x < 0.005:
                item.published = None  # ingest falls back to the interval time
        self.items[(src.id, d)].append(item)
        return item

    # -- content choice -----------------------------------------------------------------------
    def _language(self, src: Source) -> str:
        if src.id in MIX["multilingual_sources"] or (src.language != "en" and src.type == "news"):
            return weighted(self.rng, tuple(MIX["multilingual_languages"].items()))
        if self.rng.random() < 0.03:
            return self.rng.choice(MIX["stray_languages"])
        return "en"

    def _foreign(self, src: Source, lang: str, want_topic: bool | None, topic: str | None = None,
                 slots: Slots | None = None) -> tuple[str, str, list[str], str, str]:
        rng = self.rng
        slots = slots if slots is not None else Slots(rng)
        slots["tag"] = ""
        if src.type in ("forum", "review", "social") and want_topic is not False and rng.random() < 0.5:
            cands = [v for v in FOREIGN_VOICE if v.lang == lang and (topic is None or v.topic == topic)]
            if cands:
                _, t, pol, line = rng.choice(cands)
                text = fill(line, slots)
                return text.split(".")[0][:90], text, [t] if t else [], pol, "topical"
        cands = [f for f in FOREIGN if f.lang == lang and (topic is None or f.topic == topic)
                 and (want_topic is None or (f.topic is not None) == want_topic)]
        if not cands:
            cands = [f for f in FOREIGN if f.lang == lang]
        _, t, pol, title, summary = rng.choice(cands)
        return fill(title, slots), fill(summary, slots), [t] if t else [], pol, "topical" if t else "noise"

    def _polarity(self, stype: str) -> str:
        mix = MIX["polarity_mix"][stype]
        neg, neu = mix["negative"], mix["neutral"]
        x = self.rng.random()
        return "negative" if x < neg else "neutral" if x < neg + neu else "positive"

    def _base_item(self, src: Source, d: int) -> Item:
        rng = self.rng
        lang = self._language(src)
        stype = src.type
        x = rng.random()
        kind = "topical" if x < 0.60 else "noise" if x < 0.90 else "industry"
        if stype == "review" and kind == "industry":
            kind = "noise"
        if lang != "en":
            title, summary, topics, pol, kind2 = self._foreign(src, lang, want_topic=(kind == "topical"))
            return self._make(src, d, title, summary, topics, pol, lang, kind2)
        slots = Slots(rng)
        if kind == "noise":
            if stype in ("forum", "review") or (stype == "social" and rng.random() < 0.5):
                pol, title, summary = noise_voice(rng, stype, slots)
            else:
                pol, title, summary = noise_news(rng, slots, stype)
            return self._make(src, d, title, summary, [], pol, lang, "noise")
        if kind == "industry":
            pol, title, summary = rng.choice(INDUSTRY)
            return self._make(src, d, fill(title, slots), fill(summary, slots), [], pol, lang, "industry")
        if stype in ("news", "trade_press") and rng.random() < 0.14:
            a, b, pol, title, summary = rng.choice(PAIRS)
            return self._make(src, d, fill(title, slots), fill(summary, slots), [a, b], pol, lang, "topical")
        topic = weighted(rng, [(t, topic_weight(src, t)) for t in TOPICS])
        pol = self._polarity(stype)
        title, summary = topic_text(rng, topic, pol, stype, slots)
        return self._make(src, d, title, summary, item_topics(topic, slots), pol, lang, "topical")

    def _event_item(self, src: Source, d: int, spec: dict[str, Any], incident_id: str | None, positive: bool) -> Item:
        rng = self.rng
        lang = self._language(src)
        topic = spec["topic"]
        slots = Slots(rng, dict(spec.get("slots", {})))
        if positive:
            pol = "positive" if rng.random() < 0.85 else "neutral"
        else:
            x = rng.random()
            pol = "negative" if x < 0.92 else "neutral" if x < 0.98 else "positive"
        if lang != "en":
            title, summary, _, fpol, _ = self._foreign(src, lang, want_topic=True, topic=topic, slots=slots)
            return self._make(src, d, title, summary, [topic], fpol, lang, "topical", incident_id=incident_id)
        if pol != "neutral" and (pol == "negative") != positive:
            title, summary = topic_text(rng, topic, pol, src.type, slots)
        elif rng.random() < 0.55 and pol != "neutral":
            title, summary = (fill(s, slots) for s in rng.choice(spec["lines"]))
            if src.type == "social":
                slots["tag"] = hashtags(rng, [topic])
                summary = f"{summary} {slots['tag']}"
        else:
            title, summary = topic_text(rng, topic, pol, src.type, slots)
        return self._make(src, d, title, summary, item_topics(topic, slots), pol, lang, "topical", incident_id=incident_id)

    # -- passes -------------------------------------------------------------------------------
    def generate_base(self) -> None:
        for d in range(self.days):
            weekday = self.day(d).weekday()
            for src in self.sources:
                factor = 1.0 if weekday < 5 else (1.15 if src.type in ("social", "review") else 0.75)
                n = max(3, round(self.mean * self.share[src.id] * factor * self.rng.uniform(0.85, 1.15)))
                for _ in range(n):
                    self._base_item(src, d)

    def english_counts(self, d: int) -> dict[str, int]:
        counts = dict.fromkeys(TOPICS, 0)
        for src in self.sources:
            for it in self.items[(src.id, d)]:
                if it.language == "en" and not it.defect:
                    for t in it.topics:
                        counts[t] += 1
        return counts

    def _pick_event_source(self, topic: str) -> Source:
        """Incident chatter comes mostly from forums, social, reviews and news, where the topic lives."""
        pairs = [(s.id, MIX["incident_source_types"].get(s.type, 1.0) * topic_weight(s, topic)
                  * (0.3 if s.language != "en" else 1.0)) for s in self.sources]
        return self.by_id[weighted(self.rng, pairs)]

    def inject_events(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        spans = layout_incidents(self.days)
        quiet_days = min([s for s, _ in spans] + [self.days])
        quiet_days = max(1, quiet_days)
        baseline = dict.fromkeys(TOPICS, 0.0)
        for d in range(quiet_days):
            for t, n in self.english_counts(d).items():
                baseline[t] += n / quiet_days
        incidents = []
        for k, (spec, (s, e)) in enumerate(zip(INCIDENTS, spans, strict=False), start=1):
            inc_id = f"inc-{k:02d}-{spec['topic']}"
            self._inject(spec, s, e, baseline[spec["topic"]], inc_id, positive=False)
            incidents.append({"incident_id": inc_id, "topic": spec["topic"], "language": "en", "start_date": self.day(s).isoformat(),
                              "end_date": self.day(e).isoformat(), "magnitude": spec["magnitude"],
                              "sentiment_shift": spec["sentiment_shift"], "description": spec["description"],
                              "baseline_daily_mentions": round(baseline[spec["topic"]], 2),
                              "platform": spec["slots"].get("platform")})
        events = []
        if self.days >= BASELINE_DAYS + 4:
            first = BASELINE_DAYS
            s = first + round(0.42 * (self.days - first - POSITIVE_EVENT["duration"]))
            e = s + POSITIVE_EVENT["duration"] - 1
            clash = any(spec["topic"] == POSITIVE_EVENT["topic"] and a <= e and s <= b
                        for spec, (a, b) in zip(INCIDENTS, spans, strict=False))
        if self.days >= BASELINE_DAYS + 4 and not clash:
            self._inject(POSITIVE_EVENT, s, e, baseline[POSITIVE_EVENT["topic"]], None, positive=True)
            events.append({"event_id": "evt-01-positive", "topic": POSITIVE_EVENT["topic"], "polarity": "positive",
                           "start_date": self.day(s).isoformat(), "end_date": self.day(e).isoformat(),
                           "magnitude": POSITIVE_EVENT["magnitude"], "sentiment_shift": POSITIVE_EVENT["sentiment_shift"],
                           "description": POSITIVE_EVENT["description"]})
        return incidents, events

    def _inject(self, spec: dict[str, Any], s: int, e: int, base: float, inc_id: str | None, positive: bool) -> None:
        for d, target in zip(range(s, e + 1), incident_targets(e - s + 1, base, spec["magnitude"]), strict=True):
            english = 0
            guard = 0
            while english < target and guard < target * 4 + 20:
                guard += 1
                item = self._event_item(self._pick_event_source(spec["topic"]), d, spec, inc_id, positive)
                if item.language == "en" and not item.defect:
                    english += 1

    def syndicate(self) -> None:
        """~8% of English news/trade stories reappear on 1-2 other news/trade sources the same day.

        Most copies carry a copy-desk edit (see edit_headline), half name the original outlet: an
        exact title match misses them, so story clustering has to recognise near-duplicates.
        """
        rng = self.rng
        # copy desks edit headlines; a separate stream so the edits leave the rest of the corpus as it was
        edits = random.Random(f"syndicate-edits-{self.seed}")
        wires = [s for s in self.sources if s.type in ("news", "trade_press")]
        for d in range(self.days):
            for src in wires:
                for it in list(self.items[(src.id, d)]):
                    if it.language != "en" or it.defect or it.syndicated_from or rng.random() >= 0.08:
                        continue
                    others = [w for w in wires if w.id != src.id]
                    for target in rng.sample(others, k=min(len(others), rng.choice((1, 1, 2)))):
                        title = edit_headline(edits, it.title)
                        if rng.random() < 0.5:
                            title = f"{title} - {src.name.replace(' (synthetic)', '')}"
                        summary = it.extra["summary_text"]
                        if rng.random() < 0.4:
                            summary = summary.split(". ")[0].rstrip(".") + "."
                        self._make(target, d, title, summary, list(it.topics), it.polarity, "en", it.extra["kind"],
                                   story_id=it.story_id, published=self._timestamp(d, after=it.published or None),
                                   syndicated_from=it.guid, incident_id=it.incident_id, allow_defect=False)


def build_corpus(sources: list[Source], first: date, days: int, mean: float,
                 seed: int) -> tuple[Corpus, list[dict[str, Any]], list[dict[str, Any]]]:
    """The whole corpus in memory (items with their truth), its incidents and positive events."""
    corpus = Corpus(sources, first, days, mean, seed)
    corpus.generate_base()
    incidents, events = corpus.inject_events()
    corpus.syndicate()
    from sample_data.regional import add_regional  # it builds on this module

    incidents += add_regional(corpus, first_number=len(incidents) + 1)
    return corpus, incidents, events
