"""Language gate: VADER is English-only, so every item gets a detected language before scoring.

Detection is py3langid (langid.py's naive Bayes over byte n-grams, the model inside the wheel, no
download), restricted to `config/languages.yml`'s candidate languages. langdetect, used before,
called short English posts Swedish ("Damn, running late sucks.") and cost a quarter of scoring
time; a detector restricted to the languages our users write in does not confuse them so.

The feed's declared language is a prior. Text that declares English and reads as English (enough
English function words, or some and no foreign ones and no accented letters) is English without
running the detector, which settles most items at a few microseconds. Otherwise the detector's
answer replaces the declared language only when it is confident (config thresholds); a text too
short to tell keeps the declared language.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MIN_WORDS = 4
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Short, high-frequency function words. English words that are also function words in the other
# languages ("a", "in", "an", "so", "me", "i") are left out so the count stays discriminative.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the of and to is are was were be been for with that this from by at as it its they their "
        "them than then have has had not but or will would can could should after over about into "
        "more most who which what when why how says said new after before all out up our we you your "
        "he she his her there these those because just also very too many much some any been being "
        "does did do doing off against under again while during on my if get got now like one only "
        "still nothing here where every other today yet his anyone someone everyone".split()
    ),
    "es": frozenset("el la los las del y que en por para con una un es son se su sus al lo como "
                    "más pero sin sobre entre también".split()),
    "fr": frozenset("le la les des du et que qui en pour avec une un est sont se sur au aux dans "
                    "par pas plus mais ce cette leur leurs".split()),
    "de": frozenset("der die das den dem des und ist sind nicht mit für auf ein eine einen von zu "
                    "im auch sich bei nach wird werden über".split()),
    "pt": frozenset("o os as do da dos das e que em para com uma um é são se seu sua ao na no "
                    "pelo pela mais mas não sobre também".split()),
    "it": frozenset("il lo gli la le del della dei delle e che per con una un è sono si suo sua "
                    "al nel nella più ma non anche sulla".split()),
    "nl": frozenset("de het een en van is zijn niet met voor op te dat die deze ook bij naar "
                    "wordt worden over".split()),
}
_OTHERS = tuple(k for k in _STOPWORDS if k != "en")
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}  # function word -> the languages it is one of
for _lang, _words in _STOPWORDS.items():
    for _w in _words:
        _LANGUAGES_OF[_w] = (*_LANGUAGES_OF.get(_w, ()), _lang)


def normalise_code(code: str | None) -> str | None:
    """'en-US', 'EN_gb' -> 'en'; blanks -> None."""
    if not code:
        return None
    code = code.strip().replace("_", "-").split("-")[0].lower()
    return code or None


def stopword_counts(words: list[str]) -> dict[str, int]:
    """How many of `words` (lowercase) are function words of each language we keep lists for."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    for w in words:
        for lang in _LANGUAGES_OF.get(w, ()):
            counts[lang] += 1
    return counts


def looks_english(words: list[str]) -> bool:
    """Cheap pre-check: plenty of English function words and clearly more than any other language."""
    if len(words) < MIN_WORDS:
        return False
    counts = stopword_counts(words)
    en = counts["en"]
    if en < 2 or en / len(words) < 0.1:
        return False
    return en >= 2 * max(counts[lang] for lang in _OTHERS) + 1


def plausibly_english(words: list[str], text: str) -> bool:
    """For text that declares English: some English function word, none of another language's, and
    no non-ASCII letters (é, ñ, ß). A foreign text wrongly declared English nearly always has an
    accented letter or a foreign function word."""
    if not (text.isascii() or not any(ch.isalpha() and not ch.isascii() for ch in text)):
        return False
    english = foreign = 0
    for w in words:
        if w in _ENGLISH_OR_WEAK:
            english += 1
        elif w in _FOREIGN:
            foreign += 1
    return english >= 1 and foreign == 0


# Function words English shares with the other lists (or too short to tell alone): not evidence
# against English in `plausibly_english`, and weak evidence for it.
_WEAK_EN = frozenset("a an in i so me no as is do up die over plus per son sin on to".split())
_ENGLISH_OR_WEAK = _STOPWORDS["en"] | _WEAK_EN
_FOREIGN = frozenset().union(*(_STOPWORDS[lang] for lang in _OTHERS))


@dataclass(frozen=True)
class GateConfig:
    """The parsed `config/languages.yml`."""

    version: str
    candidates: tuple[str, ...]
    confident: float
    declared_at_most: float
    min_letters: int

    @classmethod
    def from_file(cls, path: Path) -> GateConfig:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        try:
            config = cls(str(data["version"]), tuple(normalise_code(c) for c in data["candidates"]),
                         float(data["confident"]), float(data["declared_at_most"]), int(data["min_letters"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: needs version, candidates, confident, declared_at_most, "
                             f"min_letters ({exc})") from None
        unknown = set(config.candidates) - set(_identifier_languages())
        if unknown or "en" not in config.candidates:
            raise ValueError(f"{path}: candidates must include en and only py3langid's codes "
                             f"(unknown: {sorted(unknown)})")
        return config


@lru_cache(maxsize=1)
def _identifier_languages() -> tuple[str, ...]:
    from py3langid.langid import _load_identifier

    return tuple(_load_identifier().nb_classes)


class LanguageGate:
    """py3langid restricted to the configured languages, with the declared language as a prior."""

    def __init__(self, config: GateConfig):
        from py3langid.langid import _load_identifier

        self.config = config
        self._identifier = _load_identifier(norm_probs=True, langs=list(config.candidates))
        self._lock = threading.Lock()  # the identifier keeps per-call scratch arrays

    def probabilities(self, text: str) -> list[tuple[str, float]]:
        """Candidate languages with their probabilities, most probable first."""
        with self._lock:
            return [(lang, float(p)) for lang, p in self._identifier.rank(text)]

    def detect(self, text: str | None, declared: str | None = None) -> str | None:
        """ISO 639-1 code of `text`, or the declared code when the text cannot overrule it.

        Returns None only when there is neither usable text nor a declared language.
        """
        declared = normalise_code(declared)
        text = (text or "").strip()
        words = _WORD.findall(text.lower()) if text.isascii() else [w.lower() for w in _WORD.findall(text)]
        if not words:
            return declared
        if len("".join(words)) < self.config.min_letters and declared:
            return declared
        if declared == "en" and (looks_english(words) or plausibly_english(words, text)):
            return "en"
        if declared is None and looks_english(words):
            return "en"
        ranked = self.probabilities(text)
        top, p_top = ranked[0]
        if declared is None or top == declared:
            return top
        p_declared = next((p for lang, p in ranked if lang == declared), 0.0)
        if p_top >= self.config.confident and p_declared <= self.config.declared_at_most:
            return top
        return declared


_GATES: dict[Any, LanguageGate] = {}
_GATES_LOCK = threading.Lock()


def config_path() -> Path:
    """`languages.yml` in the configured config directory (RISKRADAR_CONFIG_DIR or the project's);
    a config directory without one (an older copy) uses the project's."""
    from riskradar.config import Settings

    settings = Settings.from_env()
    path = settings.config_dir / "languages.yml"
    return path if path.exists() else settings.home / "config" / "languages.yml"


def get_gate(path: Path | None = None) -> LanguageGate:
    """The process-wide gate for this config file (by default the environment's, looked up once
    per environment, not per text)."""
    key: Any = Path(path) if path else (os.environ.get("RISKRADAR_CONFIG_DIR"), os.environ.get("RISKRADAR_HOME"))
    gate = _GATES.get(key)
    if gate is None:
        with _GATES_LOCK:
            gate = _GATES.get(key)
            if gate is None:
                if len(_GATES) >= 8:
                    _GATES.clear()
                gate = _GATES[key] = LanguageGate(GateConfig.from_file(Path(path) if path else config_path()))
    return gate


def detect_language(text: str | None, declared: str | None = None) -> str | None:
    """The configured gate's answer for `text` (see `LanguageGate.detect`)."""
    return get_gate().detect(text, declared)


def warm_up() -> None:
    """Load the detector's model now rather than on the first undecided text."""
    get_gate().probabilities("warm up")


def describe() -> dict[str, Any]:
    """What the gate runs with, for reports."""
    gate = get_gate()
    return {"detector": "py3langid", "languages_version": gate.config.version,
            "candidates": list(gate.config.candidates)}
