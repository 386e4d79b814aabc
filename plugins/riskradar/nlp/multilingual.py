"""Risk-topic vocabularies for the languages other than English (`languages:` in config/taxonomy.yml).

Each language lists, for every category of the English taxonomy, the same kinds of entries
(`include`, `requires_ad_context`, `context_terms`, `patterns`, `exclude`) plus its own `ad_context`
terms and top-level `exclude`; topic ids, names and severities are the English categories'.

How a language's text is read (`riskradar.nlp.matching` then applies the same rules as English):
- the text is NFKC-normalised (full-width Latin and half-width kana become ordinary letters) and
  lowercased (Turkish: "I" is "ı" and "İ" is "i"); with `fold_diacritics` accents are dropped from
  text and terms alike, so "anuncio" finds "anúncio" and "lua dao" finds "lừa đảo";
- spaced languages (`spaced: true`) match whole words: the words of a term are separated by any
  run of spaces or punctuation, the last word also matches with the language's `suffixes`
  (plurals: es "s", "es"; id "nya"), and `*` at either end of a word matches any letters there
  ("reklam*" finds "reklamları", "*betrug" finds "Werbebetrug");
- unspaced languages (th, ja) match a term as a character string anywhere; the ad-context
  `window` then counts characters, not words;
- platform mentions use the English aliases plus the language's `platform_aliases`; in unspaced
  languages a mention may touch native letters ("AdNovaの広告"), never a Latin letter or digit.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from riskradar.nlp import matching

if TYPE_CHECKING:
    from riskradar.nlp.taxonomy import Category, Platform, TaxonomyMatch

_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
_TERM_WORDS = re.compile(r"\*?[^\W_]+\*?", re.UNICODE)
_KINDS = (("include", matching.INCLUDE), ("requires_ad_context", matching.CONTEXT),
          ("exclude", matching.EXCLUDE), ("context_terms", matching.AD_CONTEXT))
_FOLD_EXTRA = str.maketrans({"ı": "i", "đ": "d", "ø": "o", "ł": "l"})
_LANGUAGE_KEYS = {"spaced", "fold_diacritics", "suffixes", "window", "ad_context", "exclude",
                  "platform_aliases", "categories"}


def normalise(text: str, language: str, fold: bool) -> str:
    """The form both a language's text and its terms are matched in."""
    text = unicodedata.normalize("NFKC", text)
    if language in ("tr", "az"):
        text = text.replace("İ", "i").replace("I", "ı")
    text = text.lower()
    if fold:
        text = "".join(ch if not unicodedata.combining(ch) else "" for ch in unicodedata.normalize("NFD", text))
        text = unicodedata.normalize("NFC", text).translate(_FOLD_EXTRA)
    return text


class LanguageVocabulary:
    """One language's compiled vocabulary; `Taxonomy.match(text, language)` calls `match`."""

    def __init__(self, language: str, categories: Sequence[Category], platforms: Sequence[Platform],
                 raw: dict[str, Any], origin: str):
        from riskradar.nlp.taxonomy import _as_str_list

        where = f"{origin}: languages.{language}"
        unknown = set(raw) - _LANGUAGE_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        self.language = language
        self.categories = list(categories)
        self.spaced = bool(raw.get("spaced", True))
        self.fold = bool(raw.get("fold_diacritics", False))
        self.suffixes = _as_str_list(raw.get("suffixes"), f"{where}.suffixes")
        self.window = int(raw.get("window", 12 if self.spaced else 40))
        groups: list[tuple[int, str, tuple[str, ...]]] = [
            (matching._GLOBAL, matching.AD_CONTEXT, _as_str_list(raw.get("ad_context"), f"{where}.ad_context")),
            (matching._GLOBAL, matching.EXCLUDE, _as_str_list(raw.get("exclude"), f"{where}.exclude"))]
        self._patterns: list[tuple[int, re.Pattern[str]]] = []
        per_category = raw.get("categories") or {}
        ids = [c.id for c in categories]
        if not isinstance(per_category, dict) or set(per_category) - set(ids):
            raise ValueError(f"{where}.categories: unknown category ids {sorted(set(per_category) - set(ids))}")
        for ci, cid in enumerate(ids):
            entry = per_category.get(cid)
            if not isinstance(entry, dict):
                raise ValueError(f"{where}.categories.{cid}: every category needs its terms in every language")
            for key, kind in _KINDS:
                groups.append((ci, kind, _as_str_list(entry.get(key), f"{where}.categories.{cid}.{key}")))
            for pat in _as_str_list(entry.get("patterns"), f"{where}.categories.{cid}.patterns"):
                try:
                    self._patterns.append((ci, re.compile(pat, re.IGNORECASE)))
                except re.error as exc:
                    raise ValueError(f"{where}.categories.{cid}: bad pattern {pat!r}: {exc}") from None
            if not (entry.get("include") or entry.get("requires_ad_context") or entry.get("patterns")):
                raise ValueError(f"{where}.categories.{cid}: no include terms, context terms or patterns")
        # one alternation per (category, kind), one capturing group per term: `lastindex` names the term
        self._groups = [(ci, kind, *self._compile(terms)) for ci, kind, terms in groups if terms]
        aliases = raw.get("platform_aliases") or {}
        extra = {pid: _as_str_list(a, f"{where}.platform_aliases.{pid}") for pid, a in aliases.items()}
        latin = "A-Za-z0-9"
        self._platform_res = (matching.platform_regexes(platforms, extra) if self.spaced
                              else matching.platform_regexes(platforms, extra, before=latin + "@#", after=latin))

    def _term_regex(self, term: str) -> str:
        norm = normalise(term, self.language, self.fold)
        if not self.spaced:
            return r"\s*".join(re.escape(part) for part in norm.split())
        words = _TERM_WORDS.findall(norm)
        if not words:
            raise ValueError(f"languages.{self.language}: term {term!r} has no words")
        parts = []
        for i, word in enumerate(words):
            core = re.escape(word.strip("*"))
            head = r"\w*" if word.startswith("*") else ""
            if word.endswith("*"):
                tail = r"\w*"
            elif i == len(words) - 1 and self.suffixes:
                tail = "(?:" + "|".join(re.escape(s) for s in self.suffixes) + ")?"
            else:
                tail = ""
            parts.append(head + core + tail)
        return r"[\W_]+".join(parts)

    def _compile(self, terms: tuple[str, ...]) -> tuple[tuple[str, ...], re.Pattern[str]]:
        """The terms longest first and their alternation, one capturing group per term in that order."""
        ordered = tuple(sorted(terms, key=len, reverse=True))
        body = "|".join(f"({self._term_regex(t)})" for t in ordered)
        return ordered, re.compile(rf"(?<!\w)(?:{body})(?!\w)" if self.spaced else body)

    def match(self, text: str | None) -> TaxonomyMatch:
        from riskradar.nlp.taxonomy import TaxonomyMatch

        raw = unicodedata.normalize("NFKC", text or "")
        norm = normalise(raw, self.language, self.fold)
        if self.spaced:
            words = list(_WORDS.finditer(norm))
            starts, ends = [m.start() for m in words], [m.end() for m in words]

            def span(a: int, b: int) -> tuple[int, int]:
                first = bisect_right(ends, a)
                return first, max(bisect_left(starts, b), first + 1)
        else:
            def span(a: int, b: int) -> tuple[int, int]:
                return a, b

        hits = []
        for ci, kind, names, rx in self._groups:
            for m in rx.finditer(norm):
                hits.append((ci, kind, names[m.lastindex - 1], *span(m.start(), m.end())))
        topics, evidence, vetoed = matching.resolve_hits(hits, self.categories, self.window)
        for ci, rx in self._patterns:
            for m in rx.finditer(norm):
                if vetoed(ci, *span(m.start(), m.end())):
                    continue
                cid = self.categories[ci].id
                topics.add(cid)
                evidence.add(f"{cid}:{' '.join(m.group(0).split())[:60]}")
                break
        platforms = sorted(pid for pid, rx in self._platform_res if rx.search(raw))
        return TaxonomyMatch(sorted(topics), sorted(evidence), platforms)


def compile_languages(raw: Any, categories: Sequence[Category], platforms: Sequence[Platform],
                      origin: str) -> dict[str, LanguageVocabulary]:
    """The `languages:` block of the taxonomy, one compiled vocabulary per ISO 639-1 code."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{origin}: `languages` must map language codes to vocabularies")
    out = {}
    for code, entry in raw.items():
        if not re.fullmatch(r"[a-z]{2}", str(code)) or code == "en" or not isinstance(entry, dict):
            raise ValueError(f"{origin}: languages.{code}: expected a two-letter code other than en "
                             "mapping to a vocabulary")
        out[str(code)] = LanguageVocabulary(str(code), categories, platforms, entry, origin)
    return out
