"""Sentiment measured on real, human-labelled text (`../shared/data/eval/`, never copied into the repo).

Every figure this project wrote about itself before was measured on text it wrote itself. These sets
are other people's text with other people's labels:

- `vader_snippets/`: review and editorial sentences rated -4..+4 by about 20 people each (Hutto &
  Gilbert, ICWSM 2014): Pearson r between the compound and the mean rating.
- `uci_sentences/`: yelp and imdb review sentences labelled positive/negative (Kotzias et al., KDD
  2015): negative recall and precision, and accuracy over the two labels (neutral counts as wrong).

The sets are single sentences, so they cannot show what scoring does to a multi-sentence post; the
documents built here join two to four sentences of one set (same label, or a majority label with one
sentence of the other; rated documents take the mean rating), and long documents of six to ten
sentences stand in for articles. The draws are seeded: the same documents on every run.

Each text runs through `riskradar.score.items.score_item` (language gate, domain lexicon, complaint rules)
beside plain NLTK VADER on the whole text, as a new user would compare them.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskradar.config import Settings
from riskradar.nlp.evaluate import pearson

RATED_SETS = {
    "amazon": "vader_snippets/amazonReviewSnippets_GroundTruth.txt",
    "nyt": "vader_snippets/nytEditorialSnippets_GroundTruth.txt",
    "movie": "vader_snippets/movieReviewSnippets_GroundTruth.txt",
}
LABELLED_SETS = {
    "yelp": "uci_sentences/yelp_labelled.txt",
    "imdb": "uci_sentences/imdb_labelled.txt",
}
DOC_SEED = 20261203
DOCS_PER_KIND = 600  # documents of each kind built from each set
LONG_DOCS = 300


@dataclass(frozen=True)
class RealText:
    text: str
    rating: float | None  # mean human rating (-4..4), rated sets
    label: str | None  # "negative" | "positive", labelled sets


def eval_dir(settings: Settings) -> Path:
    """`RISKRADAR_EVAL_DIR`, else `../shared/data/eval` beside the project."""
    configured = os.environ.get("RISKRADAR_EVAL_DIR")
    return Path(configured) if configured else settings.home.parent / "shared" / "data" / "eval"


def load_rated(path: Path) -> list[RealText]:
    """`id <TAB> mean rating <TAB> text`, CRLF; a row without a number is an error, not a skip."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t", 2)
        if len(parts) != 3:
            raise ValueError(f"{path}:{n}: expected id, rating and text")
        out.append(RealText(parts[2].strip(), float(parts[1]), None))
    return out


def load_labelled(path: Path) -> list[RealText]:
    """`sentence <TAB> 0|1` (1 positive)."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        text, _, label = line.rpartition("\t")
        if label.strip() not in ("0", "1") or not text.strip():
            raise ValueError(f"{path}:{n}: expected a sentence and a 0/1 label")
        out.append(RealText(text.strip(), None, "positive" if label.strip() == "1" else "negative"))
    return out


def load_sets(root: Path) -> dict[str, list[RealText]]:
    """Every shared set that is present, by name (a missing directory is an error that says where)."""
    if not root.is_dir():
        raise FileNotFoundError(f"real evaluation data not found at {root} (set RISKRADAR_EVAL_DIR)")
    sets: dict[str, list[RealText]] = {}
    for name, rel in RATED_SETS.items():
        if (root / rel).is_file():
            sets[name] = load_rated(root / rel)
    for name, rel in LABELLED_SETS.items():
        if (root / rel).is_file():
            sets[name] = load_labelled(root / rel)
    return sets


def _join(sentences: Sequence[str]) -> str:
    return " ".join(s if s[-1:] in ".!?" else s + "." for s in sentences)


def _sign(t: RealText) -> int:
    if t.label is not None:
        return -1 if t.label == "negative" else 1
    return -1 if (t.rating or 0.0) < 0 else 1


def build_documents(texts: list[RealText], kind: str, n: int, seed: int = DOC_SEED) -> list[RealText]:
    """Multi-sentence documents from one set's sentences (seeded, so the same on every run).

    - `same`: 2-4 sentences of one sign; label that sign, rating the mean.
    - `mixed`: 3 sentences, two of one sign and one of the other, in random order; the label follows
      the majority, the rating is the mean (which follows the stronger sentences).
    - `long`: 6-10 sentences drawn at random (an article's length); rating the mean, label its sign.
    """
    rng = random.Random(f"{seed}-{kind}")
    by_sign = {s: [t for t in texts if _sign(t) == s and (t.rating is None or abs(t.rating) >= 0.5)]
               for s in (-1, 1)}
    labelled = texts[0].label is not None
    docs = []
    for _ in range(n):
        if kind == "same":
            sign = rng.choice((-1, 1))
            parts = rng.sample(by_sign[sign], rng.randint(2, 4))
        elif kind == "mixed":
            sign = rng.choice((-1, 1))
            parts = rng.sample(by_sign[sign], 2) + rng.sample(by_sign[-sign], 1)
            rng.shuffle(parts)
        elif kind == "long":
            parts = rng.sample(texts, rng.randint(6, 10))
        else:
            raise ValueError(f"unknown document kind {kind!r}")
        if labelled:
            if kind == "long":
                votes = sum(_sign(p) for p in parts)
                sign = votes // abs(votes) if votes else rng.choice((-1, 1))
            docs.append(RealText(_join([p.text for p in parts]), None, "negative" if sign < 0 else "positive"))
        else:
            docs.append(RealText(_join([p.text for p in parts]), sum(p.rating for p in parts) / len(parts), None))
    return docs


Scorer = Callable[[str], tuple[float | None, str]]  # text -> (compound or None when unscored, label)


def metrics(texts: Sequence[RealText], scored: Sequence[tuple[float | None, str]]) -> dict[str, Any]:
    """Pearson r (rated), negative recall/precision, accuracy over pos/neg, unscored share.

    An unscored text counts as neutral (compound 0): it is a miss, not a removal."""
    compounds = [c if c is not None else 0.0 for c, _ in scored]
    labels = [lab if c is not None else "neutral" for c, lab in scored]
    gold = [t.label if t.label is not None else ("negative" if (t.rating or 0) < 0 else "positive")
            if t.rating is not None and abs(t.rating) >= 0.5 else None for t in texts]
    out: dict[str, Any] = {"n": len(texts), "unscored": sum(c is None for c, _ in scored) / max(1, len(texts))}
    if texts and texts[0].rating is not None:
        out["pearson_r"] = pearson(compounds, [t.rating for t in texts])
    pairs = [(g, p) for g, p in zip(gold, labels, strict=True) if g is not None]
    neg_gold = sum(g == "negative" for g, _ in pairs)
    neg_pred = sum(p == "negative" for _, p in pairs)
    neg_hit = sum(g == p == "negative" for g, p in pairs)
    out["neg_recall"] = neg_hit / neg_gold if neg_gold else 0.0
    out["neg_precision"] = neg_hit / neg_pred if neg_pred else 0.0
    out["accuracy"] = sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0
    return out


def plain_vader(settings: Settings) -> Scorer:
    """Stock NLTK VADER, whole text, VADER's ±0.05 thresholds: the baseline a user would try."""
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    from riskradar.nlp.sentiment import _ensure_nltk_path, label_for

    _ensure_nltk_path(settings.nltk_data_dir)
    analyzer = SentimentIntensityAnalyzer()

    def score(text: str) -> tuple[float | None, str]:
        c = analyzer.polarity_scores(text)["compound"]
        return c, label_for(c)
    return score


def riskradar_scorer(settings: Settings, declared_language: str | None = "en") -> Scorer:
    """The pipeline's own path: `score_item` with the shipped lexicon and taxonomy."""
    from riskradar.score.items import load_models, score_item

    scorer, taxonomy = load_models(settings)

    def score(text: str) -> tuple[float | None, str]:
        row = score_item(None, text, declared_language, scorer, taxonomy)
        return row["sentiment_compound"], row["sentiment_label"]
    return score


def evaluate_real(settings: Settings, root: Path | None = None,
                  docs: int = DOCS_PER_KIND, long_docs: int = LONG_DOCS) -> dict[str, Any]:
    """Plain VADER beside RiskRadar on every shared set and on the documents built from each."""
    sets = load_sets(root or eval_dir(settings))
    models = {"plain": plain_vader(settings), "riskradar": riskradar_scorer(settings)}
    evaluated: dict[str, list[RealText]] = {}
    for name, texts in sets.items():
        evaluated[name] = texts
        for kind, n in (("same", docs), ("mixed", docs), ("long", long_docs)):
            if n:
                evaluated[f"{name} {kind} docs"] = build_documents(texts, kind, n)
    if "yelp" in sets and "imdb" in sets:
        evaluated["yelp + imdb"] = sets["yelp"] + sets["imdb"]
    rows = {}
    for name, texts in evaluated.items():
        rows[name] = {m: metrics(texts, [fn(t.text) for t in texts]) for m, fn in models.items()}
    return {"root": str(root or eval_dir(settings)), "sets": rows}


MULTILINGUAL_SET = Path("tests") / "data" / "language_short_texts.tsv"


def load_multilingual(path: Path) -> list[tuple[str, str, str]]:
    """(language, kind, text) rows of the hand-written short texts (written for this project)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].strip():
            raise ValueError(f"{path}:{n}: expected language, kind and text")
        rows.append((parts[0].strip(), parts[1].strip(), parts[2].strip()))
    return rows


def evaluate_language(settings: Settings, root: Path | None = None) -> dict[str, Any]:
    """The language gate: English kept on the real English sets (declared English, as in our feeds),
    and the hand-written short texts detected with no declaration and inside an English feed."""
    import time

    from riskradar.nlp.language import describe, detect_language

    sets = load_sets(root or eval_dir(settings))
    english = [t.text for texts in sets.values() for t in texts]
    started = time.process_time()
    kept = sum(detect_language(text, "en") == "en" for text in english)
    cpu = time.process_time() - started
    rows = load_multilingual(settings.home / MULTILINGUAL_SET)
    by_language: dict[str, dict[str, float]] = {}
    for declared, name in ((None, "undeclared"), ("en", "declared_en")):
        for lang in sorted({r[0] for r in rows}):
            mine = [r for r in rows if r[0] == lang]
            hits = sum(detect_language(text, declared) == lang for _, _, text in mine)
            by_language.setdefault(lang, {"n": len(mine)})[name] = hits / len(mine)
    foreign = [r for r in rows if r[0] != "en"]
    return {
        **describe(),
        "english_sentences": len(english),
        "english_kept": kept / max(1, len(english)),
        "cpu_us_per_text": 1e6 * cpu / max(1, len(english)),
        "multilingual": by_language,
        "foreign_undeclared": sum(detect_language(t) == lang for lang, _, t in foreign) / max(1, len(foreign)),
        "foreign_in_english_feed": sum(detect_language(t, "en") == lang for lang, _, t in foreign)
        / max(1, len(foreign)),
    }


def format_language(report: dict[str, Any]) -> str:
    lines = [f"Language gate ({report['detector']}, languages.yml {report['languages_version']}): "
             f"{100 * report['english_kept']:.2f} % of {report['english_sentences']} real English sentences "
             f"kept as English ({report['cpu_us_per_text']:.0f} µs CPU per text); hand-written short texts "
             f"detected {100 * report['foreign_undeclared']:.1f} % with no declared language, "
             f"{100 * report['foreign_in_english_feed']:.1f} % inside a feed declaring English.", "",
             "| language | n | detected, undeclared | detected, feed declares en |", "|---|---:|---:|---:|"]
    for lang, row in report["multilingual"].items():
        lines.append(f"| {lang} | {row['n']} | {100 * row['undeclared']:.1f} % | {100 * row['declared_en']:.1f} % |")
    return "\n".join(lines) + "\n"


def format_real(report: dict[str, Any]) -> str:
    """Markdown table: one row per set, plain VADER and RiskRadar side by side."""
    cols = ("pearson_r", "neg_recall", "neg_precision", "accuracy", "unscored")
    head = ["set", "n"] + [f"{c} {m}" for c in ("r", "neg recall", "neg precision", "accuracy", "unscored")
                           for m in ("plain", "RR")]
    lines = [f"Real sets from {report['root']}", "", "| " + " | ".join(head) + " |",
             "|---|" + "---:|" * (len(head) - 1)]
    for name, row in report["sets"].items():
        cells = [name, str(row["plain"]["n"])]
        for c in cols:
            for m in ("plain", "riskradar"):
                v = row[m].get(c)
                cells.append("" if v is None else (f"{v:.3f}" if c != "unscored" else f"{100 * v:.2f} %"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
