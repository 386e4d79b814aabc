"""The sample corpus's phrase banks and mix, loaded from the data files beside this module.

Text lives in `sample_data/phrases/*.yml` and the shape of the corpus (volumes, weights, languages)
in `sample_data/mix.yml` and `sample_data/incidents.yml`, so a phrase or a weight changes without
touching code. Lists keep their file order: the generator draws by position, so the same files
and seed give the same corpus. Topics and platforms come from the project's taxonomy
(`sample_data.sources`); every topic the data names must be one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from sample_data.project_config import TAXONOMY_PLATFORMS, TOPICS

DATA_DIR = Path(__file__).resolve().parent
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_data(name: str) -> dict[str, Any]:
    path = DATA_DIR / name
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_Loader)  # noqa: S506 (a safe loader, the C one when available)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


class Line(NamedTuple):
    """A fixed (polarity, title, summary) item: ads-industry news, noise, complaints."""

    polarity: str
    title: str
    summary: str


class Pair(NamedTuple):
    """A news item about two topics at once."""

    topic_a: str
    topic_b: str
    polarity: str
    title: str
    summary: str


class Foreign(NamedTuple):
    """A non-English news item; topic None is noise."""

    lang: str
    topic: str | None
    polarity: str
    title: str
    summary: str


class ForeignVoice(NamedTuple):
    """A short non-English first-person line."""

    lang: str
    topic: str | None
    polarity: str
    text: str


def _lines(rows: list[dict[str, str]]) -> list[Line]:
    return [Line(r["polarity"], r["title"], r["summary"]) for r in rows]


def _incident(raw: dict[str, Any]) -> dict[str, Any]:
    spec = dict(raw)
    spec["lines"] = [(line["title"], line["summary"]) for line in raw["lines"]]
    return spec


_slots = load_data("phrases/slots.yml")
_styles = load_data("phrases/styles.yml")
_noise = load_data("phrases/noise.yml")
_mixed = load_data("phrases/mixed.yml")
_foreign = load_data("phrases/foreign.yml")
_incidents = load_data("incidents.yml")
MIX: dict[str, Any] = load_data("mix.yml")

# ---- platforms: the taxonomy's, in its order, weighted by how often the corpus names them -----
PLATFORMS: tuple[tuple[str, float], ...] = tuple(
    (name, MIX["platform_weights"].get(pid, MIX["default_platform_weight"])) for pid, name in TAXONOMY_PLATFORMS)

# ---- slot values ---------------------------------------------------------------------------
SLOTS: dict[str, list[str]] = _slots["slots"]
NUMBERS: dict[str, list[Any]] = _slots["numbers"]
PLATFORM_APPS: dict[str, str] = _slots["platform_apps"]  # the app a review names for a platform
HASHTAGS: dict[str, list[str]] = _slots["hashtags"]

# ---- per-topic English bank and multi-topic / industry / non-English items -------------------
BANK: dict[str, dict[str, Any]] = load_data("phrases/topics.yml")["topics"]
PAIRS = [Pair(r["topics"][0], r["topics"][1], r["polarity"], r["title"], r["summary"]) for r in _mixed["pairs"]]
INDUSTRY = _lines(_mixed["industry"])
FOREIGN = [Foreign(r["lang"], r["topic"], r["polarity"], r["title"], r["summary"]) for r in _foreign["foreign"]]
REGIONAL: dict[str, dict[str, Any]] = load_data("phrases/regional.yml")["languages"]
FOREIGN_VOICE = [ForeignVoice(r["lang"], r["topic"], r["polarity"], r["text"]) for r in _foreign["foreign_voice"]]

# ---- noise ---------------------------------------------------------------------------------
NOISE = _lines(_noise["tricky"])
NOISE_VOICE = _lines(_noise["tricky_voice"])
COMPLAINT_NOISE = _lines(_noise["complaints"])
NEWS_NOISE: dict[str, Any] = _noise["news"]
VOICE_NOISE: dict[str, Any] = _noise["voice"]

# ---- source styles -------------------------------------------------------------------------
FORUM: dict[str, Any] = _styles["forum"]
REVIEW: dict[str, Any] = _styles["review"]
SOCIAL_OPENERS: list[str] = _styles["social"]["openers"]
NEWS_NEGATIVE_CLOSERS: list[str] = _styles["news"]["negative_closers"]
SECTIONS: dict[str, Any] = _styles["sections"]
HEADLINE_LABELS: list[str] = _styles["headline_edits"]["labels"]
HEADLINE_SWAPS: list[tuple[str, str]] = [(old, new) for old, new in _styles["headline_edits"]["swaps"]]
HEADLINE_TAILS: list[str] = _styles["headline_edits"]["tails"]
LINKS: dict[str, list[str]] = _styles["links"]

# ---- incidents -----------------------------------------------------------------------------
INCIDENTS: list[dict[str, Any]] = [_incident(s) for s in _incidents["incidents"]]
POSITIVE_EVENT: dict[str, Any] = _incident(_incidents["positive_event"])


def check_topics(topics: Sequence[str] = TOPICS,
                 platform_ids: Sequence[str] = tuple(pid for pid, _ in TAXONOMY_PLATFORMS)) -> None:
    """Every topic and platform the data names is one of the taxonomy's, and every topic the corpus
    draws (weighted, or with an incident) has phrases: a clear error instead of a KeyError mid-run."""
    named = {
        "phrases/topics.yml": set(BANK),
        "phrases/slots.yml hashtags": set(HASHTAGS),
        "phrases/mixed.yml": {t for p in PAIRS for t in (p.topic_a, p.topic_b)},
        "phrases/foreign.yml": {f.topic for f in [*FOREIGN, *FOREIGN_VOICE] if f.topic},
        "incidents.yml": {s["topic"] for s in [*INCIDENTS, POSITIVE_EVENT]},
        "phrases/regional.yml": {line["topic"] for spec in REGIONAL.values()
                                 for line in [*spec["background"], spec["incident"]] if line["topic"]},
        "mix.yml topic_weights": {t for w in MIX["topic_weights"].values() for t in w},
    }
    for where, used in named.items():
        unknown = sorted(used - set(topics))
        if unknown:
            raise ValueError(f"sample_data/{where}: topics {unknown} are not categories of config/taxonomy.yml")
    missing = sorted((named["mix.yml topic_weights"] | named["incidents.yml"]) - set(BANK))
    if missing:
        raise ValueError(f"sample_data: topics {missing} are weighted (mix.yml) or have incidents but no phrases "
                         f"in phrases/topics.yml")
    unknown_platforms = sorted(set(MIX["platform_weights"]) - set(platform_ids))
    if unknown_platforms:
        raise ValueError(f"sample_data/mix.yml: platform_weights {unknown_platforms} are not platforms of "
                         f"config/taxonomy.yml")


check_topics()
