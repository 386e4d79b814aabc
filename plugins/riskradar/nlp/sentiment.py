"""Sentiment: NLTK's VADER fitted to monetization-risk language by a versioned domain lexicon.

VADER scores general social-media text well but does not know "demonetized" or "chargeback", and
reads "ad account disabled" as three harmless words. `config/lexicon.yml` fixes both: `words` update
the analyzer's lexicon, and `phrases` are rewritten to single tokens (before VADER tokenises) that
carry their own valence.

A document is scored as its title plus its summary split into sentences (regex splitter, no
downloaded data); the document's neg/neu/pos/compound are the means over those segments. Averaging
keeps long summaries from saturating the compound at +/-1, which VADER's sum-then-normalise does.

Emoji: NLTK's VADER ignores them (the standalone vaderSentiment package does not), so before
scoring each emoji is replaced by its name from vaderSentiment's `emoji_utf8_lexicon.txt` ("😡" ->
"enraged face"), which VADER's word lexicon then reads, as in the reference implementation.

One analyzer per process and lexicon content (`get_scorer`), never one per item.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from riskradar.nlp.rules import Rule, RuleLayer, parse_rules
from riskradar.nlp.vader_data import ensure_vader_lexicon
from riskradar.nlp.vader_fast import fast_analyzer_class

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
LONG_SENTENCES = 5  # more sentences than this (title included) make a long text, scored by sentences
MAX_SEGMENTS = 12  # sentences scored one by one in a long text; the rest still count in the whole

# Sentence boundary: ., ! or ? (possibly repeated, possibly followed by a closing quote) and
# whitespace, then something that can start a sentence. Keeps "U.S." and "3.5" together.
_SENTENCE_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])")
_PHRASE_GAP = r"[\s\-]+"
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)
_HASHTAG = re.compile(r"(?<![\w#])#(?=[^\W\d_])")


@dataclass(frozen=True)
class SentimentScore:
    neg: float
    neu: float
    pos: float
    compound: float

    @property
    def label(self) -> str:
        return label_for(self.compound)


def label_for(compound: float | None) -> str:
    """VADER's customary thresholds: >= 0.05 positive, <= -0.05 negative, otherwise neutral."""
    if compound is None:
        return "unscored"
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class DomainLexicon:
    """The parsed `config/lexicon.yml`."""

    version: str
    words: dict[str, float]
    phrases: dict[str, float]
    rules: tuple[Rule, ...] = ()

    @classmethod
    def from_mapping(cls, data: dict[str, Any], origin: str = "lexicon.yml") -> DomainLexicon:
        version = data.get("version")
        if version in (None, ""):
            raise ValueError(f"{origin}: missing `version`")
        words = _valences(data.get("words") or {}, f"{origin}: words")
        phrases = _valences(data.get("phrases") or {}, f"{origin}: phrases")
        for phrase in phrases:
            if len(phrase.replace("-", " ").split()) < 2:
                raise ValueError(f"{origin}: phrase {phrase!r} has one word; put it under `words`")
        rules = parse_rules(data.get("rules"), data.get("rule_macros"), origin)
        return cls(version=str(version), words=words, phrases=phrases, rules=rules)

    @classmethod
    def from_file(cls, path: Path) -> DomainLexicon:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping at the top level")
        return cls.from_mapping(data, str(path))


def _valences(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping of term -> valence, got {type(raw).__name__}")
    out: dict[str, float] = {}
    for term, value in raw.items():
        try:
            valence = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: valence of {term!r} is not a number: {value!r}") from None
        if not -4.0 <= valence <= 4.0:
            raise ValueError(f"{where}: valence of {term!r} is {valence}, outside VADER's -4..4")
        out[str(term).strip().lower()] = valence
    return out


def phrase_token(phrase: str) -> str:
    """The single token a phrase becomes: its words run together ("payout delayed" -> "payoutdelayed").

    Not joined with "_": NLTK's VADER strips punctuation around tokens by looking them up with all
    punctuation removed, so "payout_delayed." would keep its full stop and miss the lexicon.
    """
    return "".join(re.split(_PHRASE_GAP, phrase.strip().lower()))


@lru_cache(maxsize=1)
def emoji_names() -> tuple[dict[str, str], re.Pattern[str] | None]:
    """Emoji -> name from the vaderSentiment wheel, and one regex that finds any of them."""
    try:
        raw = resources.files("vaderSentiment").joinpath("emoji_utf8_lexicon.txt").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - install defect
        return {}, None
    names = {}
    for line in raw.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0] and not parts[0].isascii():
            names[parts[0]] = parts[1].strip()
    if not names:
        return {}, None
    body = "|".join(re.escape(e) for e in sorted(names, key=len, reverse=True))
    return names, re.compile(f"(?:{body})\ufe0f?")


def replace_emoji(text: str) -> str:
    """"Payout arrived 😡" -> "Payout arrived enraged face" (ASCII text returns untouched, fast)."""
    if text.isascii():
        return text
    names, rx = emoji_names()
    if rx is None:
        return text
    return rx.sub(lambda m: f" {names[m.group(0).rstrip(chr(0xFE0F))]} ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Regex sentence splitter (no punkt download); drops empty pieces."""
    if "." not in text and "!" not in text and "?" not in text:  # no boundary possible: skip the regex
        text = text.strip()
        return [text] if text else []
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


_ASCII_WORD = re.compile(r"\w+")


class SentimentScorer:
    """A VADER analyzer with the domain lexicon applied. Build through `get_scorer`."""

    def __init__(self, lexicon: DomainLexicon | None, nltk_data_dir: Path):
        _ensure_nltk_path(nltk_data_dir)
        self.analyzer = fast_analyzer_class()()
        self.version = lexicon.version if lexicon else "vader-only"
        self._phrase_re: re.Pattern[str] | None = None
        self._phrase_tokens: dict[str, str] = {}
        self._phrases: list[str] = []  # in the regex's order: longest first
        self._phrase_words: dict[str, list[tuple[int, frozenset[str]]]] | None = None  # by first word
        self._phrase_res: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._rules = RuleLayer(lexicon.rules if lexicon else ())
        self.analyzer.lexicon.update(self._rules.valences)
        if lexicon:
            self.analyzer.lexicon.update(lexicon.words)
            for phrase, valence in lexicon.phrases.items():
                token = phrase_token(phrase)
                self.analyzer.lexicon[token] = valence
                self._phrase_tokens[" ".join(re.split(_PHRASE_GAP, phrase))] = token
            if lexicon.phrases:
                self._phrases = sorted(lexicon.phrases, key=len, reverse=True)
                self._phrase_re = self._phrase_regex(self._phrases)
                words = [re.split(_PHRASE_GAP, p) for p in self._phrases]
                if all(w.isascii() and _ASCII_WORD.fullmatch(w) for ws in words for w in ws):
                    self._phrase_words = {}
                    for i, ws in enumerate(words):
                        self._phrase_words.setdefault(ws[0], []).append((i, frozenset(ws)))

    @staticmethod
    def _phrase_regex(phrases: list[str]) -> re.Pattern[str]:
        body = "|".join(_PHRASE_GAP.join(re.escape(w) for w in re.split(_PHRASE_GAP, p)) for p in phrases)
        return re.compile(rf"(?<![\w.-])(?:{body})(?![\w-])", re.IGNORECASE)

    def rewrite_phrases(self, text: str) -> str:
        """Prepare text for VADER: emoji to their names, drop hashtag marks ("#scam" -> "scam", as VADER's authors advise:
        it ignores hashtags otherwise), every lexicon phrase to its single token, then the complaint
        constructions of the rest to their rule's token (a domain phrase keeps its own valence)."""
        text = replace_emoji(text)
        if "#" in text:
            text = _HASHTAG.sub("", text)
        if self._phrase_re is not None:
            rx = self._phrase_regex_for(text)
            if rx is not None:
                text = rx.sub(self._phrase_sub, text)
        return self._rules.rewrite(text)

    def _phrase_regex_for(self, text: str) -> re.Pattern[str] | None:
        """The phrase regex narrowed to the phrases `text` can hold (None: it holds none).

        In ASCII text each word of a matching phrase is a whole word of the text (the regex wants
        no word character before the first word, a space or hyphen between words and none after
        the last), so a phrase with a word the text lacks matches nowhere in it. Dropping such
        alternatives from the alternation, the rest kept in order, leaves every match as it was,
        and a regex of one or two phrases runs far faster than one of all of them.
        """
        by_first = self._phrase_words
        if by_first is None or not text.isascii():
            return self._phrase_re
        words = set(_ASCII_WORD.findall(text.lower()))
        candidates = tuple(sorted(i for first in words.intersection(by_first)
                                  for i, phrase_words in by_first[first] if phrase_words <= words))
        if not candidates:
            return None
        rx = self._phrase_res.get(candidates)
        if rx is None:
            if len(self._phrase_res) >= 1024:
                self._phrase_res.clear()
            rx = self._phrase_res[candidates] = self._phrase_regex([self._phrases[i] for i in candidates])
        return rx

    def _phrase_sub(self, match: re.Match[str]) -> str:
        key = " ".join(re.split(_PHRASE_GAP, match.group(0).lower()))
        return self._phrase_tokens.get(key, match.group(0))

    def score_text(self, text: str) -> SentimentScore:
        """VADER on one piece of text (phrases rewritten first)."""
        return SentimentScore(*self._scores(text))

    def _scores(self, text: str) -> tuple[float, float, float, float]:
        return self._polarity(self.rewrite_phrases(text))

    def _polarity(self, prepared: str) -> tuple[float, float, float, float]:
        """VADER on text `rewrite_phrases` already prepared."""
        s = self.analyzer.polarity_scores(prepared)
        if s["neg"] + s["neu"] + s["pos"] == 0:
            # VADER returns all zeros when it finds no token ("?", "a"); that text is neutral
            return 0.0, 1.0, 0.0, 0.0
        return s["neg"], s["neu"], s["pos"], s["compound"]

    def score_document(self, title: str | None, summary: str | None) -> SentimentScore:
        """A document's sentiment: short text whole, long text by its sentences blended with the whole.

        VADER was designed and validated on short text scored whole, and on real multi-sentence
        posts and reviews whole-text scoring beats a mean over sentences (which pulls every mixed
        post toward zero). A long text (more than LONG_SENTENCES sentences, title included)
        saturates VADER's sum at +/-1, so it is scored as the mean of the whole-text score and the
        intensity-weighted mean of its sentences (each sentence weighted by |compound|, neutral
        filler counting for nothing), the aggregation that measured best on the long documents
        built from the real sets (`riskradar nlp-eval --real`). Each sentence is prepared
        (`rewrite_phrases`) once; the whole text is the prepared sentences joined.
        """
        title, summary = (title or "").strip(), (summary or "").strip()
        sentences = ([title] if title else []) + split_sentences(summary)
        if not sentences:
            return SentimentScore(0.0, 1.0, 0.0, 0.0)
        if len(sentences) <= LONG_SENTENCES:  # ":(" and "😡" alone are scored too
            return SentimentScore(*(round(v, 4) for v in self._scores(join_title(title, summary))))
        prepared = [self.rewrite_phrases(seg) for seg in sentences]
        whole = self._polarity(join_title(prepared[0], " ".join(prepared[1:])))
        scores = [self._polarity(seg) for seg in prepared if _HAS_WORD.search(seg)][:MAX_SEGMENTS]
        if not scores:  # no sentence with a word in it: the whole text is all there is
            return SentimentScore(*(round(v, 4) for v in whole))
        weights = [abs(sc[3]) for sc in scores]
        total = sum(weights)
        if total == 0:
            weights, total = [1.0] * len(scores), float(len(scores))
        weighted = [sum(w * sc[i] for w, sc in zip(weights, scores, strict=True)) / total for i in range(4)]
        return SentimentScore(*(round((a + b) / 2, 4) for a, b in zip(whole, weighted, strict=True)))


def join_title(title: str | None, summary: str | None) -> str:
    """Title and summary as one text: a full stop between them unless the title ends a sentence."""
    title, summary = (title or "").strip(), (summary or "").strip()
    if title and summary:
        sep = " " if title[-1] in ".!?" else ". "
        return f"{title}{sep}{summary}"
    return title or summary


def _ensure_nltk_path(nltk_data_dir: Path) -> None:
    import nltk

    ensure_vader_lexicon(nltk_data_dir)
    entry = str(nltk_data_dir)
    if entry not in nltk.data.path:
        nltk.data.path.insert(0, entry)


_SCORERS: dict[tuple[str, str], SentimentScorer] = {}
_LOCK = threading.Lock()


def get_scorer(lexicon_path: Path | None, nltk_data_dir: Path) -> SentimentScorer:
    """The process-wide scorer for this lexicon file content (None: plain VADER, for comparisons)."""
    if lexicon_path is None:
        digest = "none"
    else:
        digest = hashlib.sha256(Path(lexicon_path).read_bytes()).hexdigest()
    key = (str(nltk_data_dir), digest)
    with _LOCK:
        scorer = _SCORERS.get(key)
        if scorer is None:
            lexicon = DomainLexicon.from_file(Path(lexicon_path)) if lexicon_path else None
            scorer = SentimentScorer(lexicon, Path(nltk_data_dir))
            _SCORERS[key] = scorer
        return scorer
