"""Item text from the phrase banks: slot filling, per-topic lines in each source's style, noise.

Every function draws from the `random.Random` it is given, in a fixed order: the same stream
gives the same text. The phrases themselves live in `sample_data/phrases/` (see `banks`).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence

from sample_data.banks import (
    BANK,
    COMPLAINT_NOISE,
    FORUM,
    HASHTAGS,
    HEADLINE_LABELS,
    HEADLINE_SWAPS,
    HEADLINE_TAILS,
    NEWS_NEGATIVE_CLOSERS,
    NEWS_NOISE,
    NOISE,
    NOISE_VOICE,
    NUMBERS,
    PLATFORM_APPS,
    PLATFORMS,
    REVIEW,
    SLOTS,
    SOCIAL_OPENERS,
    VOICE_NOISE,
)
from sample_data.project_config import TOPICS

# A forum title keeps its capital after a prefix when it starts with a name.
_KEEP_CAPITAL = ("I ", *(name for name, _ in PLATFORMS))


class Slots(dict):
    """Lazy slot values for str.format_map: drawn once per item so a template stays consistent."""

    def __init__(self, rng: random.Random, overrides: dict[str, str] | None = None):
        super().__init__(overrides or {})
        self.rng = rng
        self.extra_topics: list[str] = []

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "platform":
            value = weighted(rng, PLATFORMS)
        elif key == "amount":
            value = rng.choice(NUMBERS["currency"]) + f"{rng.choice(NUMBERS['amount']):,}"
        elif key == "pct":
            value = str(rng.randint(*NUMBERS["pct"]))
        elif key == "count":
            value = f"{rng.choice(NUMBERS['count']):,}"
        elif key == "days":
            value = str(rng.randint(*NUMBERS["days"]))
        elif key == "tag":
            value = ""  # filled by the caller with topic hashtags
        elif key == "app" and "platform" in self:  # keep a review's app and platform consistent
            value = PLATFORM_APPS.get(self["platform"], self["platform"])
        elif key in SLOTS:
            value = rng.choice(SLOTS[key])
        else:
            raise KeyError(f"unknown template slot {{{key}}}")
        self[key] = value
        return value


def weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def fill(template: str, slots: Slots) -> str:
    """Fill a template; a trailing ` ||topic` marker records an extra truth topic for the item."""
    template, *marks = template.split(" ||")
    for topic in marks:
        if topic not in TOPICS:
            raise ValueError(f"unknown topic marker {topic!r} in template {template!r}")
        if topic not in slots.extra_topics:
            slots.extra_topics.append(topic)
    return template.format_map(slots).strip()


def item_topics(primary: str, slots: Slots) -> list[str]:
    return [primary] + [t for t in slots.extra_topics if t != primary]


def hashtags(rng: random.Random, topics: Sequence[str]) -> str:
    tags = [rng.choice(HASHTAGS[t]) for t in topics if t in HASHTAGS]
    return " ".join(dict.fromkeys(tags))


def _stars(n: int) -> str:
    return f"{n} star{'s' if n > 1 else ''}"


def topic_text(rng: random.Random, topic: str, polarity: str, stype: str, slots: Slots) -> tuple[str, str]:
    """(title, summary) for one topical item in the style of the source type."""
    bank = BANK[topic]
    slots["tag"] = hashtags(rng, [topic])
    if polarity == "positive":
        if stype in ("forum", "review", "social") and bank.get("pos_voice") and rng.random() < 0.75:
            line = fill(rng.choice(bank["pos_voice"]), slots)
            if stype == "review":
                return fill(rng.choice(REVIEW["titles_positive"]), slots), f"{rng.choice(REVIEW['stars_positive'])} stars. {line}"
            if stype == "social":
                return line, f"{line} {slots['tag']}"
            return line.split(".")[0][:90], line
        return fill(rng.choice(bank["pos"]["title"]), slots), fill(rng.choice(bank["pos"]["summary"]), slots)
    if polarity == "neutral":
        title = fill(rng.choice(bank["neu"]["title"]), slots)
        summary = fill(rng.choice(bank["neu"]["summary"]), slots)
        if stype == "forum":
            return f"{rng.choice(FORUM['neutral_labels'])} {title}", f"{summary} {FORUM['neutral_tail']}"
        if stype == "social":
            return title, f"{title}. {summary} {slots['tag']}"
        return title, summary
    # negative
    if stype == "trade_press":
        src = bank["trade"] if rng.random() < 0.65 else bank["neg"]
        return fill(rng.choice(src["title"]), slots), fill(rng.choice(bank["trade"]["summary"]), slots)
    if stype == "forum":
        title = vary_forum_title(rng, fill(rng.choice(bank["voice"]["title"]), slots), slots)
        return title, fill(rng.choice(bank["voice"]["body"]), slots) + rng.choice(FORUM["closers"])
    if stype == "review":
        body = fill(rng.choice(bank["review"]), slots)
        title = body.split(".")[0][:60] if rng.random() < 0.4 else fill(rng.choice(REVIEW["titles_negative"]), slots)
        return title, f"{_stars(rng.choice(REVIEW['stars_negative']))}. {body}"
    if stype == "social":
        post = rng.choice(SOCIAL_OPENERS).format_map(slots) + fill(rng.choice(bank["social"]), slots)
        return post.split(" #")[0][:120], post
    summary = fill(rng.choice(bank["neg"]["summary"]), slots)
    if rng.random() < 0.3:
        summary += " " + rng.choice(NEWS_NEGATIVE_CLOSERS)
    return fill(rng.choice(bank["neg"]["title"]), slots), summary


def vary_forum_title(rng: random.Random, title: str, slots: Slots) -> str:
    """Forum threads rarely share a title word for word: add the prefixes and tails people type."""
    prefix = rng.choice(FORUM["prefixes"]).format_map(slots)
    suffix = rng.choice(FORUM["suffixes"]).format_map(slots)
    if prefix and title[:1].isupper() and not title.startswith(_KEEP_CAPITAL):
        title = title[0].lower() + title[1:]
    return f"{prefix}{title}{suffix}"


def _fixed(rng: random.Random, lines: Sequence[tuple[str, str, str]], slots: Slots) -> tuple[str, str, str]:
    pol, title, summary = rng.choice(lines)
    return pol, fill(title, slots), fill(summary, slots)


def noise_news(rng: random.Random, slots: Slots, stype: str = "news") -> tuple[str, str, str]:
    """Irrelevant news: a third from the tricky fixed bank, the rest composed so headlines vary."""
    x = rng.random() if stype != "trade_press" else rng.uniform(0.35, 0.55)  # trade press: business only
    if x < 0.35:
        return _fixed(rng, NOISE, slots)
    slots.setdefault("company2", rng.choice([c for c in SLOTS["company"] if c != slots["company"]]))
    if x < 0.55:
        biz = NEWS_NOISE["business"]
        event = fill(rng.choice(biz["events"]), slots)
        pol = "positive" if any(w in event for w in biz["positive_cues"]) else (
            "negative" if any(w in event for w in biz["negative_cues"]) else "neutral")
        title = f"{slots['company']} {event}"
        summaries = [s.format_map(slots) for s in biz["summaries"]]  # slots are drawn before the choice
        return pol, title, rng.choice(summaries)
    if x < 0.75:
        sport = NEWS_NOISE["sport"]
        team2 = rng.choice([t for t in SLOTS["team"] if t != slots["team"]])
        verb, outcome = rng.choice(sport["verbs"])
        a, b = rng.randint(0, 4), rng.randint(0, 3)
        if outcome == "loss":
            a, b = min(a, b), max(a, b) + 1
        elif outcome == "draw":
            b = a
        elif outcome == "win":
            a, b = max(a, b) + 1, min(a, b)
        pol = "positive" if outcome == "win" else "neutral"
        return pol, f"{slots['team']} {verb} {team2} {a}-{b}", rng.choice(sport["summaries"])
    if x < 0.87:
        weather = NEWS_NOISE["weather"]
        slots["weather"] = rng.choice(weather["events"])
        return "neutral", weather["title"].format_map(slots), weather["summary"]
    life = NEWS_NOISE["life"]
    return "positive", fill(rng.choice(life["titles"]), slots), life["summary"]


def noise_voice(rng: random.Random, stype: str, slots: Slots) -> tuple[str, str, str]:
    """Irrelevant first-person posts and reviews (questions, milestones, bug reports)."""
    if stype == "review" and rng.random() < 0.4:
        return _fixed(rng, COMPLAINT_NOISE, slots)
    if stype != "review" and rng.random() < 0.2:
        return _fixed(rng, NOISE_VOICE, slots)
    if stype == "review":
        app = VOICE_NOISE["app"]
        title = rng.choice(app["titles"])
        positive = any(w in title for w in app["positive_cues"])
        stars = rng.choice(app["stars_positive"]) if positive else rng.choice(app["stars_negative"])
        body = app["positive_body"] if positive else rng.choice(app["negative_bodies"])
        return ("positive" if positive else "negative"), title, f"{_stars(stars)}. {title}. {body}"
    if rng.random() < 0.6:
        ask = VOICE_NOISE["ask"]
        slots.setdefault("thing", rng.choice(ask["thing"]))
        slots.setdefault("purpose", fill(rng.choice(ask["purpose"]), slots))
        return "neutral", fill(rng.choice(ask["titles"]), slots), rng.choice(ask["bodies"])
    happy = VOICE_NOISE["happy"]
    return "positive", fill(rng.choice(happy["titles"]), slots), rng.choice(happy["bodies"])


def edit_headline(rng: random.Random, title: str) -> str:
    """A syndicated copy's headline: unchanged (30%) or with one or two small copy-desk edits."""
    if rng.random() < 0.3:
        return title
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.choice(("label", "swap", "swap", "tail", "cut"))
        words = title.split(" ")
        if kind == "label":
            title = rng.choice(HEADLINE_LABELS) + title
        elif kind == "swap":
            options = [(i, new) for i, w in enumerate(words) for old, new in HEADLINE_SWAPS if w.lower() == old]
            if options:
                i, new = rng.choice(options)
                words[i] = new[:1].upper() + new[1:] if words[i][:1].isupper() else new
                title = " ".join(words)
        elif kind == "tail":
            title = title.rstrip(".") + rng.choice(HEADLINE_TAILS)
        elif kind == "cut" and "," in title and title.index(",") > len(title) // 2:
            title = title[: title.rindex(",")]
    return title


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = "".join(c if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words[:8]) or "item"
