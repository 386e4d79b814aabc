"""Risk taxonomy matching: which monetization-risk topics and which platforms an item talks about.

`config/taxonomy.yml` (versioned) lists platforms and categories. Each category has:
- `include`: words or phrases that tag the item on their own ("click fraud", "demonetized");
- `requires_ad_context`: words that are a risk only when ads are being talked about ("fraud",
  "scam"): they count when an ad-context term (`ad_context.terms`, or the category's own
  `context_terms`, e.g. "creators" for payouts) occurs within `ad_context.window` words;
- `patterns`: regular expressions for what a word list cannot say (numbers, optional words);
- `exclude`: phrases that veto any include/context/pattern hit they overlap ("phone scam",
  "tax fraud", "banned from the league"). Top-level `exclude` applies to every category.

Matching is case-insensitive on word boundaries: the text is tokenised once into lowercase words
(hyphens and punctuation separate words, so "pop-up" equals "pop up") and every term is looked up
as a word n-gram in one dictionary, so cost grows with the text, not with the vocabulary. The last
word of every term also matches its plural ("scam ad" matches "scam ads", "policy" "policies").
Matching is multi-label; the evidence is `"<topic_id>:<term>"` with the term as configured.

Other languages have their own vocabulary under `languages:` (riskradar.nlp.multilingual);
`match(text, language)` picks it, and English (or a language without one) reads the vocabulary above.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from riskradar.nlp.matching import (
    _GLOBAL,
    AD_CONTEXT,
    CONTEXT,
    EXCLUDE,
    INCLUDE,
    platform_regexes,
    resolve_hits,
)

if TYPE_CHECKING:
    from riskradar.nlp.multilingual import LanguageVocabulary

SEVERITIES = ("low", "medium", "high")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")



@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    severity: str
    severity_weight: float
    include: tuple[str, ...] = ()
    requires_ad_context: tuple[str, ...] = ()
    context_terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    aliases: tuple[str, ...]
    own: bool = False
    case_sensitive: bool = False


@dataclass(frozen=True)
class TaxonomyMatch:
    topics: list[str]
    matched_terms: list[str]
    platforms: list[str]


def tokenize(text: str) -> list[re.Match[str]]:
    """Lowercase word tokens with their character spans."""
    return list(_TOKEN.finditer(text.lower()))


def _term_tokens(term: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in tokenize(term))


def _plural_variants(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The term plus simple plurals of its last word: ad->ads, policy->policies, box->boxes."""
    *head, last = tokens
    forms = {last}
    if not last[-1].isdigit() and len(last) > 1:
        if last.endswith("y") and last[-2:-1] not in ("a", "e", "o", "u"):
            forms.add(last[:-1] + "ies")
        elif last.endswith(("s", "x", "z", "ch", "sh")):
            forms.add(last + "es")
        else:
            forms.add(last + "s")
    return [(*head, f) for f in sorted(forms)]


def _as_str_list(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ValueError(f"{where}: expected a list of non-empty strings")
    return tuple(x.strip() for x in raw)


class Taxonomy:
    """Compiled taxonomy; build once per process (`Taxonomy.from_file`) and call `match` per item."""

    def __init__(self, version: str, categories: list[Category], platforms: list[Platform],
                 ad_context_terms: tuple[str, ...], ad_context_window: int = 12,
                 global_exclude: tuple[str, ...] = (),
                 languages: dict[str, LanguageVocabulary] | None = None):
        self.version = version
        self.languages = languages or {}
        self.categories = categories
        self.platforms = platforms
        self.ad_context_terms = ad_context_terms
        self.ad_context_window = ad_context_window
        self.global_exclude = global_exclude
        # n-gram -> [(category index, kind, configured term)]
        self._index: dict[tuple[str, ...], list[tuple[int, str, str]]] = defaultdict(list)
        self._max_n: dict[str, int] = {}  # first word -> longest n-gram starting with it
        for ci, cat in enumerate(categories):
            for kind, terms in ((INCLUDE, cat.include), (CONTEXT, cat.requires_ad_context),
                                (EXCLUDE, cat.exclude)):
                for term in terms:
                    self._add(term, ci, kind)
            for term in cat.context_terms:
                self._add(term, ci, AD_CONTEXT)
        for term in ad_context_terms:
            self._add(term, _GLOBAL, AD_CONTEXT)
        for term in global_exclude:
            self._add(term, _GLOBAL, EXCLUDE)
        self._patterns = [
            (ci, pat, re.compile(pat, re.IGNORECASE))
            for ci, cat in enumerate(categories) for pat in cat.patterns
        ]
        self._platform_res = platform_regexes(platforms)
        # what every match of each regex must contain: ASCII text lacking it skips the regex
        self._pattern_needs = [required_literals(rx) for _ci, _pat, rx in self._patterns]
        self._platform_needs = [required_literals(rx) for _pid, rx in self._platform_res]

    def _add(self, term: str, ci: int, kind: str) -> None:
        tokens = _term_tokens(term)
        if not tokens:
            raise ValueError(f"taxonomy term {term!r} has no words")
        for v in _plural_variants(tokens):
            entry = (ci, kind, term)
            if entry not in self._index[v]:
                self._index[v].append(entry)
            self._max_n[v[0]] = max(self._max_n.get(v[0], 0), len(v))

    # ---- construction from YAML ----
    @classmethod
    def from_mapping(cls, data: dict[str, Any], origin: str = "taxonomy.yml") -> Taxonomy:
        version = data.get("version")
        if version in (None, ""):
            raise ValueError(f"{origin}: missing `version`")
        platforms = []
        for i, raw in enumerate(data.get("platforms") or []):
            where = f"{origin}: platforms[{i}]"
            pid = raw.get("id") if isinstance(raw, dict) else None
            if not pid or not _ID.match(str(pid)):
                raise ValueError(f"{where}: `id` must be snake_case, got {pid!r}")
            name = str(raw.get("name") or pid)
            aliases = _as_str_list(raw.get("aliases"), f"{where}.aliases") or (name,)
            if name not in aliases:
                aliases = (name, *aliases)
            platforms.append(Platform(str(pid), name, aliases, bool(raw.get("own", False)),
                                      bool(raw.get("case_sensitive", False))))
        categories = []
        seen: set[str] = set()
        for i, raw in enumerate(data.get("categories") or []):
            where = f"{origin}: categories[{i}]"
            if not isinstance(raw, dict):
                raise ValueError(f"{where}: expected a mapping")
            cid = str(raw.get("id") or "")
            if not _ID.match(cid):
                raise ValueError(f"{where}: `id` must be snake_case, got {cid!r}")
            if cid in seen:
                raise ValueError(f"{where}: duplicate category id {cid!r}")
            seen.add(cid)
            severity = str(raw.get("severity") or "").lower()
            if severity not in SEVERITIES:
                raise ValueError(f"{where} ({cid}): severity must be one of {SEVERITIES}, got {severity!r}")
            try:
                weight = float(raw.get("severity_weight"))
            except (TypeError, ValueError):
                raise ValueError(f"{where} ({cid}): severity_weight must be a number") from None
            patterns = _as_str_list(raw.get("patterns"), f"{where}.patterns")
            for pat in patterns:
                try:
                    re.compile(pat)
                except re.error as exc:
                    raise ValueError(f"{where} ({cid}): bad pattern {pat!r}: {exc}") from None
            examples_raw = raw.get("examples") or {}
            examples = {k: _as_str_list(examples_raw.get(k), f"{where}.examples.{k}")
                        for k in ("positive", "negative")}
            cat = Category(
                id=cid, name=str(raw.get("name") or cid), description=str(raw.get("description") or ""),
                severity=severity, severity_weight=weight,
                include=_as_str_list(raw.get("include"), f"{where}.include"),
                requires_ad_context=_as_str_list(raw.get("requires_ad_context"), f"{where}.requires_ad_context"),
                context_terms=_as_str_list(raw.get("context_terms"), f"{where}.context_terms"),
                patterns=patterns, exclude=_as_str_list(raw.get("exclude"), f"{where}.exclude"),
                examples=examples,
            )
            if not (cat.include or cat.requires_ad_context or cat.patterns):
                raise ValueError(f"{where} ({cid}): no include terms, context terms or patterns")
            categories.append(cat)
        if not categories:
            raise ValueError(f"{origin}: no categories")
        ctx = data.get("ad_context") or {}
        from riskradar.nlp.multilingual import compile_languages

        return cls(
            version=str(version), categories=categories, platforms=platforms,
            ad_context_terms=_as_str_list(ctx.get("terms"), f"{origin}: ad_context.terms"),
            ad_context_window=int(ctx.get("window", 12)),
            global_exclude=_as_str_list(data.get("exclude"), f"{origin}: exclude"),
            languages=compile_languages(data.get("languages"), categories, platforms, origin),
        )

    @classmethod
    def from_file(cls, path: Path) -> Taxonomy:
        with Path(path).open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping at the top level")
        return cls.from_mapping(data, str(path))

    # ---- matching ----
    def _hits(self, tokens: list[str]) -> list[tuple[int, str, str, int, int]]:
        """(category index, kind, term, first token, last token + 1) for every n-gram hit."""
        hits = []
        index, max_n = self._index, self._max_n
        n_tokens = len(tokens)
        for i, tok in enumerate(tokens):
            longest = max_n.get(tok)
            if not longest:
                continue
            for n in range(1, min(longest, n_tokens - i) + 1):
                entries = index.get(tuple(tokens[i:i + n]))
                if entries:
                    hits.extend((ci, kind, term, i, i + n) for ci, kind, term in entries)
        return hits

    def match(self, text: str | None, language: str | None = None) -> TaxonomyMatch:
        """Topics (sorted ids), evidence ("<topic_id>:<term>", sorted) and platform ids of `text`,
        read with the vocabulary of `language` (ISO 639-1; English when None, "en" or unlisted)."""
        vocabulary = self.languages.get(language) if language else None
        if vocabulary is not None:
            return vocabulary.match(text)
        text = text or ""
        lowered = text.lower()
        tokens = _TOKEN.findall(lowered)  # the words of `tokenize(text)`
        topics, evidence, vetoed = resolve_hits(self._hits(tokens), self.categories, self.ad_context_window)

        ascii_text = lowered.isascii()
        matches: list[re.Match[str]] | None = None
        if self._patterns:
            for (ci, _pat, rx), needs in zip(self._patterns, self._pattern_needs, strict=True):
                if ascii_text and not _may_contain(lowered, needs):
                    continue
                for m in rx.finditer(lowered):
                    if matches is None:
                        matches = tokenize(text)
                    a, b = _token_span(matches, m.start(), m.end())
                    if vetoed(ci, a, b):
                        continue
                    cid = self.categories[ci].id
                    topics.add(cid)
                    evidence.add(f"{cid}:{' '.join(m.group(0).split())[:60]}")
                    break

        platforms = sorted(pid for (pid, rx), needs in zip(self._platform_res, self._platform_needs, strict=True)
                           if (not ascii_text or _may_contain(lowered, needs)) and rx.search(text))
        return TaxonomyMatch(sorted(topics), sorted(evidence), platforms)


def required_literals(rx: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """Clauses that every match of `rx` satisfies: each clause is a set of lowercase ASCII strings,
    one of which occurs in the lowercased matched text ("\\bfake (?:bags?|shoes)" -> ({"fake "},
    {"bag", "shoes"})). Only literals the pattern spells out count, so the clauses are necessary
    conditions whatever the case flags; a pattern the parser cannot read gives no clauses."""
    try:
        from re import _constants as c
        from re import _parser
        parsed = _parser.parse(rx.pattern, rx.flags)
    except Exception:  # noqa: BLE001 - a prefilter may only ever be skipped, never fail a match
        return ()
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

    def clauses(seq: Any) -> list[frozenset[str]]:
        out: list[frozenset[str]] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                out.append(frozenset({"".join(run).lower()}))
                run.clear()

        for op, av in seq:
            if op is c.LITERAL and av < 128:
                run.append(chr(av))
                continue
            flush()
            if op is c.SUBPATTERN:
                out.extend(clauses(av[-1]))
            elif op is getattr(c, "ATOMIC_GROUP", None):
                out.extend(clauses(av))
            elif op in repeats and av[0] >= 1:
                out.extend(clauses(av[2]))
            elif op is c.BRANCH:
                options: set[str] = set()
                for alternative in av[1]:
                    inner = clauses(alternative)
                    if not inner:
                        break  # this alternative needs no literal: the branch gives no clause
                    options |= max(inner, key=lambda clause: min(map(len, clause)))
                else:
                    out.append(frozenset(options))
        flush()
        return out

    # longest literals first: they are the rarest, so a text without them is rejected soonest
    ordered = sorted(clauses(parsed), key=lambda clause: -min(map(len, clause)))
    return tuple(tuple(sorted(clause, key=len, reverse=True)) for clause in ordered)


def _may_contain(lowered: str, needs: tuple[tuple[str, ...], ...]) -> bool:
    for clause in needs:
        for literal in clause:
            if literal in lowered:
                break
        else:
            return False
    return True


def _token_span(matches: list[re.Match[str]], start: int, end: int) -> tuple[int, int]:
    """Token index range covered by the character range [start, end)."""
    a = next((i for i, m in enumerate(matches) if m.end() > start), len(matches))
    b = next((i for i, m in enumerate(matches) if m.start() >= end), len(matches))
    return a, max(b, a + 1)


_CACHE: dict[tuple[str, int, int], Taxonomy] = {}


def load_taxonomy(path: Path) -> Taxonomy:
    """Process-wide compiled taxonomy, rebuilt when the file changes."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    tax = _CACHE.get(key)
    if tax is None:
        tax = Taxonomy.from_file(path)
        _CACHE[key] = tax
    return tax
