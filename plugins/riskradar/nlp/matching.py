"""What every taxonomy vocabulary shares, English or not: turning term hits into topics and
evidence (exclusions, ad-context windows) and the platform-mention regexes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from riskradar.nlp.taxonomy import Category, Platform

INCLUDE, CONTEXT, EXCLUDE, AD_CONTEXT = "include", "context", "exclude", "ad_context"
_GLOBAL = -1  # category index of top-level excludes and ad-context terms

Hit = tuple[int, str, str, int, int]  # (category index, kind, configured term, start, end)


def resolve_hits(hits: Iterable[Hit], categories: Sequence[Category], window: int,
                 ) -> tuple[set[str], set[str], Callable[[int, int, int], bool]]:
    """Topics and evidence of term hits (category index, kind, term, start, end), where an
    exclude vetoes the hits it overlaps and a context term counts only within `window` positions of
    an ad-context hit; also the veto test, for the pattern hits."""
    hits = list(hits)
    excl_at: dict[int, list[tuple[int, int]]] = defaultdict(list)
    context_at: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ci, kind, _term, a, b in hits:
        if kind == EXCLUDE:
            excl_at[ci].append((a, b))
        elif kind == AD_CONTEXT:
            context_at[ci].append((a, b))

    def vetoed(ci: int, a: int, b: int) -> bool:
        spans = excl_at.get(ci, []) + excl_at.get(_GLOBAL, [])
        return any(a < eb and ea < b for ea, eb in spans)

    def has_ad_context(ci: int, a: int, b: int) -> bool:
        spans = context_at.get(ci, []) + context_at.get(_GLOBAL, [])
        return any(ca < b + window and a - window < cb and not (a <= ca and cb <= b) for ca, cb in spans)

    evidence: set[str] = set()
    topics: set[str] = set()
    for ci, kind, term, a, b in hits:
        if kind not in (INCLUDE, CONTEXT) or vetoed(ci, a, b):
            continue
        if kind == CONTEXT and not has_ad_context(ci, a, b):
            continue
        cid = categories[ci].id
        topics.add(cid)
        evidence.add(f"{cid}:{term}")
    return topics, evidence, vetoed


def platform_regexes(platforms: Iterable[Platform], extra_aliases: dict[str, tuple[str, ...]] | None = None,
                     before: str = r"\w@#", after: str = r"\w") -> list[tuple[str, re.Pattern[str]]]:
    """One regex per platform over its aliases (spaces and hyphens between an alias's words are
    optional); `before`/`after` are the characters that may not touch a mention."""
    out = []
    for p in platforms:
        aliases = (*p.aliases, *(extra_aliases or {}).get(p.id, ()))
        out.append((p.id, re.compile(rf"(?<![{before}])(?:" + "|".join(
            r"[\s\-]*".join(re.escape(t) for t in re.split(r"[\s\-]+", a.strip()))
            for a in sorted(aliases, key=len, reverse=True)) + rf")(?![{after}])",
            0 if p.case_sensitive else re.IGNORECASE)))
    return out
