"""Language gate: VADER is English-only, so every item gets a detected language before scoring.

`langdetect` (a port of Google's language-detection) is accurate on headline-plus-summary text but
costs ~2 ms per call. Most of our items are English, so a cheap function-word count settles the
clear cases first and only the rest go to langdetect. Very short texts carry too little signal for
either, so they keep the language the item or feed declared.

The texts that do reach langdetect run through `_detect_probabilities`, langdetect's own
algorithm step for step (same seeded random draws, same products and sums in the same order) with
the per-language arithmetic on numpy rows instead of Python loops, and a memo keyed by the n-gram
features langdetect extracts (digits, URLs and repeated spaces are not features, so "... (1)" and
"... (2)" share one entry). Both give langdetect's exact probabilities; tests compare them.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np
from langdetect import DetectorFactory, LangDetectException, detector_factory
from langdetect.lang_detect_exception import ErrorCode

# Deterministic detection: langdetect samples n-grams at random unless seeded.
DetectorFactory.seed = 0
_SEED_LOCK = threading.Lock()

MIN_LETTERS = 20  # below this many letters, trust the declared language
MIN_WORDS = 4
SHORT_WORDS = 15  # below this many words langdetect's answer is shaky
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
    no non-ASCII letters (é, ñ, ß). Short English headlines rarely pass `looks_english` ("Third
    chargeback this week") and langdetect costs ~1 ms each, which dominated scoring time; a foreign
    text wrongly declared English nearly always has an accented letter or a foreign function word.
    """
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


def _langdetect(text: str) -> list[tuple[str, float]]:
    """langdetect's candidates, most probable first; empty when it finds no features."""
    with _SEED_LOCK:  # langdetect's factory seeding is module-global
        try:
            found = detect_langs(text)
        except LangDetectException:
            return []
    return [(normalise_code(c.lang) or c.lang, float(c.prob)) for c in found]


FEATURE_MEMO_MAX = 4096  # distinct n-gram feature lists remembered per process
_FEATURE_MEMO: dict[tuple[str, ...], list[float]] = {}


def detect_langs(text: str) -> list[Any]:
    """`langdetect.detect_langs(text)`, same result, several times faster (see the module doc)."""
    detector_factory.init_factory()
    detector = detector_factory._factory.create()
    detector.append(text)
    detector.cleaning_text()
    ngrams = detector._extract_ngrams()
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    key = (detector.seed, detector.alpha, detector.n_trial, *ngrams)
    langprob = _FEATURE_MEMO.get(key)
    if langprob is None:
        if len(_FEATURE_MEMO) >= FEATURE_MEMO_MAX:
            _FEATURE_MEMO.clear()
        langprob = _FEATURE_MEMO[key] = _detect_probabilities(detector, ngrams)
    return detector._sort_probability(langprob)


def warm_up() -> None:
    """Load langdetect's profiles and their matrix now rather than on the first undecided text."""
    detector_factory.init_factory()
    _profile_rows(detector_factory._factory.create())


_PROFILE_ROWS: dict[int, tuple[dict[str, int], np.ndarray]] = {}


def _profile_rows(detector: Any) -> tuple[dict[str, int], np.ndarray]:
    """langdetect's n-gram -> per-language probabilities as one matrix (built once per process)."""
    prob_map = detector.word_lang_prob_map
    rows = _PROFILE_ROWS.get(id(prob_map))
    if rows is None:
        words = list(prob_map)
        rows = ({w: i for i, w in enumerate(words)}, np.array([prob_map[w] for w in words], dtype=np.float64))
        _PROFILE_ROWS.clear()
        _PROFILE_ROWS[id(prob_map)] = rows
    return rows


def _detect_probabilities(detector: Any, ngrams: list[str]) -> list[float]:
    """`Detector._detect_block` with numpy rows: the same draws from the same seeded generator, and
    per language the same products (`prob *= weight + p`) and the same left-to-right sum, so every
    float is identical to langdetect's (IEEE multiplication and division are exact per element)."""
    index, matrix = _profile_rows(detector)
    rows = [index[w] for w in ngrams]  # choice() depends only on the length, so it picks the same item
    distinct = sorted(set(rows))
    n_langs = len(detector.langlist)
    rng = detector.random
    rng.seed(detector.seed)
    langprob = np.zeros(n_langs)
    for _ in range(detector.n_trial):
        prob = np.full(n_langs, 1.0 / n_langs) if detector.prior_map is None else np.array(detector.prior_map)
        alpha = detector.alpha + rng.gauss(0.0, 1.0) * detector.ALPHA_WIDTH
        factors = (alpha / detector.BASE_FREQ) + matrix[distinct]  # langdetect's `weight + p`
        by_row = dict(zip(distinct, factors, strict=True))
        i = 0
        while True:
            prob *= by_row[rng.choice(rows)]
            if i % 5 == 0:
                prob /= sum(prob.tolist())  # Python's own sum, as langdetect's _normalize_prob
                if prob.max() > detector.CONV_THRESHOLD or i >= detector.ITERATION_LIMIT:
                    break
            i += 1
        langprob += prob / detector.n_trial
    return langprob.tolist()


def _keep_declared(declared: str, top_prob: float, probs: dict[str, float], words: list[str]) -> bool:
    """Overrule langdetect with the declared language when langdetect is unsure.

    langdetect misreads short texts ("Explicit ads on a children's app. Unacceptable." comes out
    Catalan), so a short text keeps its declared language when langdetect gives it some chance and
    the text's function words point to it rather than elsewhere.
    """
    p_declared = probs.get(declared, 0.0)
    if top_prob < 0.5 or p_declared >= 0.2:
        return True
    if len(words) >= SHORT_WORDS or p_declared < 0.05:
        return False
    counts = stopword_counts(words)
    mine = counts.get(declared, 0)
    return mine > 0 and mine >= max(n for lang, n in counts.items() if lang != declared)


def detect_language(text: str | None, declared: str | None = None) -> str | None:
    """ISO 639-1 code of `text`, or the declared code when the text is too short to tell.

    Returns None only when there is neither usable text nor a declared language.
    """
    declared = normalise_code(declared)
    text = (text or "").strip()
    # lowercasing ASCII text first finds the same words; elsewhere it could change what is a letter
    words = _WORD.findall(text.lower()) if text.isascii() else [w.lower() for w in _WORD.findall(text)]
    letters = len("".join(words))
    if letters < MIN_LETTERS or len(words) < 3:
        if declared:
            return declared
        if not words:
            return None
        # nothing declared: best effort on the little text there is
    if looks_english(words) or (declared == "en" and plausibly_english(words, text)):
        return "en"
    candidates = _langdetect(text)
    if not candidates:
        return declared
    code, prob = candidates[0]
    if declared and declared != code and _keep_declared(declared, prob, dict(candidates), words):
        return declared
    return code  # langdetect reports Chinese with a region ('zh-cn'); normalise_code keeps 'zh'
