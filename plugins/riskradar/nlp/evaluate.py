"""How well sentiment and the risk taxonomy read our kind of text, measured on labelled data.

Two references:

- `tests/data/labelled_items.tsv`: hand-written, hand-labelled headlines, posts and reviews about
  ads and monetization plus noise (columns text, sentiment, topics, kind, language). Items of kind
  `general` are everyday sentences unrelated to ads: they stand in for a general-purpose set, to
  check the domain lexicon does not hurt ordinary text.
- the synthetic sample corpus (`sample_data/generate.py`), generated into a temporary directory and
  read back from its feed files, against `items_truth.jsonl`.

Every text goes through `riskradar.score.items.score_item`, the function the pipeline uses, once with
plain VADER and once with VADER + `config/lexicon.yml`, so the numbers measure what ships.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskradar.config import Settings
from riskradar.nlp.sentiment import SentimentScorer, get_scorer
from riskradar.nlp.taxonomy import Taxonomy, load_taxonomy
from riskradar.score.items import score_item

LABELS = ("negative", "neutral", "positive")
LABEL_VALUE = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
DEFAULT_SET = Path("tests") / "data" / "labelled_items.tsv"
COMPLAINT_KINDS = ("post", "review")  # first-person complaint style, where plain VADER misses most
# Labelled texts are read as if from a feed that declares English, like most of ours: the gate must
# still catch the foreign ones, and very short English texts keep the declaration (as in the pipeline).
DECLARED_LANGUAGE = "en"


@dataclass(frozen=True)
class LabelledItem:
    text: str
    sentiment: str  # negative | neutral | positive | unscored (not English)
    topics: tuple[str, ...]
    kind: str  # headline | post | review | general
    language: str


def load_labelled(path: Path) -> list[LabelledItem]:
    """Read the labelled TSV; reject unknown labels so a typo cannot silently skew the figures."""
    items = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            label = (row.get("sentiment") or "").strip()
            if label not in (*LABELS, "unscored"):
                raise ValueError(f"{path}:{n}: unknown sentiment label {label!r}")
            text = (row.get("text") or "").strip()
            if not text:
                raise ValueError(f"{path}:{n}: empty text")
            topics = tuple(t for t in (row.get("topics") or "").split("|") if t)
            items.append(LabelledItem(text, label, topics, (row.get("kind") or "").strip(),
                                      (row.get("language") or "en").strip()))
    return items


# ---- metrics ----

def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1; a metric with an empty denominator is 0 (and says so in support)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": tp + fn, "predicted": tp + fp}


def classification(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-label precision/recall of single-label predictions."""
    if len(gold) != len(pred):
        raise ValueError("gold and predictions differ in length")
    per = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        per[lab] = prf(tp, fp, fn)
    n = len(gold)
    return {
        "n": n,
        "accuracy": sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / n if n else 0.0,
        "macro_f1": sum(per[lab]["f1"] for lab in labels) / len(labels),
        "per_label": per,
    }


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation; 0 when either side is constant."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def multilabel(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]], labels: Sequence[str]) -> dict[str, Any]:
    """Per-topic precision/recall/F1 plus micro and macro averages of a multi-label tagger."""
    per = {}
    totals = [0, 0, 0]
    for lab in labels:
        tp = fp = fn = 0
        for g, p in zip(gold, pred, strict=True):
            g, p = set(g), set(p)
            tp += lab in g and lab in p
            fp += lab not in g and lab in p
            fn += lab in g and lab not in p
        per[lab] = prf(tp, fp, fn)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
    exact = sum(1 for g, p in zip(gold, pred, strict=True) if set(g) == set(p))
    return {
        "n": len(gold),
        "per_topic": per,
        "micro": prf(*totals),
        "macro_f1": sum(v["f1"] for v in per.values()) / len(per) if per else 0.0,
        "exact_match": exact / len(gold) if gold else 0.0,
    }


# ---- evaluations ----

def _models(settings: Settings) -> tuple[SentimentScorer, SentimentScorer, Taxonomy]:
    plain = get_scorer(None, settings.nltk_data_dir)
    domain = get_scorer(settings.config_dir / "lexicon.yml", settings.nltk_data_dir)
    return plain, domain, load_taxonomy(settings.config_dir / "taxonomy.yml")


def _sentiment_block(gold: list[str], plain_rows: list[dict], domain_rows: list[dict]) -> dict[str, Any]:
    """Plain vs domain on the English items: classification, negative recall, Pearson r."""
    out: dict[str, Any] = {"n": len(gold)}
    for name, rows in (("vader", plain_rows), ("vader_domain", domain_rows)):
        pred = [r["sentiment_label"] for r in rows]
        rep = classification(gold, pred)
        rep["pearson_r"] = pearson([r["sentiment_compound"] or 0.0 for r in rows], [LABEL_VALUE[g] for g in gold])
        out[name] = rep
    return out


def evaluate_labelled(settings: Settings, path: Path | None = None) -> dict[str, Any]:
    """Sentiment (plain vs domain), taxonomy and language gate on the hand-labelled set."""
    items = load_labelled(path or settings.home / DEFAULT_SET)
    plain, domain, taxonomy = _models(settings)
    plain_rows = [score_item(None, it.text, DECLARED_LANGUAGE, plain, taxonomy) for it in items]
    domain_rows = [score_item(None, it.text, DECLARED_LANGUAGE, domain, taxonomy) for it in items]

    def subset(keep) -> dict[str, Any]:
        idx = [i for i, it in enumerate(items) if it.sentiment != "unscored" and keep(it)
               and domain_rows[i]["is_scored"] and plain_rows[i]["is_scored"]]
        return _sentiment_block([items[i].sentiment for i in idx],
                                [plain_rows[i] for i in idx], [domain_rows[i] for i in idx])

    english = [i for i, it in enumerate(items) if it.language == "en"]
    topic_ids = [c.id for c in taxonomy.categories]
    gate_gold = [it.language == "en" for it in items]
    gate_pred = [r["is_scored"] for r in domain_rows]
    return {
        "dataset": str(path or DEFAULT_SET),
        "items": len(items),
        "lexicon_version": domain.version,
        "taxonomy_version": taxonomy.version,
        "sentiment": {
            "all": subset(lambda it: True),
            "domain": subset(lambda it: it.kind != "general"),
            "complaints": subset(lambda it: it.kind in COMPLAINT_KINDS),
            "general": subset(lambda it: it.kind == "general"),
        },
        "topics": multilabel([items[i].topics for i in english], [domain_rows[i]["topics"] for i in english],
                             topic_ids),
        "language_gate": {
            "n": len(items),
            "accuracy": sum(g == p for g, p in zip(gate_gold, gate_pred, strict=True)) / len(items),
            "english_kept": sum(g and p for g, p in zip(gate_gold, gate_pred, strict=True)) / max(1, sum(gate_gold)),
            "foreign_unscored": sum((not g) and (not p) for g, p in zip(gate_gold, gate_pred, strict=True))
            / max(1, len(items) - sum(gate_gold)),
        },
    }


def sample_corpus_texts(out: Path, days: int, seed: int, home: Path) -> list[dict[str, Any]]:
    """Generate the sample corpus into `out`; return truth rows joined with title and summary from the feeds."""
    import feedparser

    from riskradar.ingest.normalize import clean_text, entry_summary

    if str(home) not in sys.path:
        sys.path.insert(0, str(home))
    from sample_data.generate import generate

    generate(out, days=days, seed=seed)
    texts: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for feed in sorted(out.glob("*/*.xml")):
        parsed = feedparser.parse(feed.read_bytes())
        lang = parsed.feed.get("language")
        for entry in parsed.entries:
            if entry.get("id"):
                texts[(feed.parent.name, entry["id"])] = (clean_text(entry.get("title")), entry_summary(entry),
                                                          entry.get("language") or lang)
    rows = []
    with (out / "items_truth.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            truth = json.loads(line)
            found = texts.get((truth["source_id"], truth["guid"]))
            if found is None or truth.get("defect"):
                continue  # defective items are quarantined by ingest, never scored
            title, summary, declared = found
            rows.append(dict(truth, text_title=title, text_summary=summary, declared_language=declared))
    return rows


def evaluate_sample(settings: Settings, days: int = 30, seed: int = 20260801) -> dict[str, Any]:
    """Sentiment, taxonomy and language gate against the synthetic corpus's per-item truth."""
    plain, domain, taxonomy = _models(settings)
    with tempfile.TemporaryDirectory(prefix="riskradar-eval-") as tmp:
        rows = sample_corpus_texts(Path(tmp) / "sample", days, seed, settings.home)
    plain_rows = [score_item(r["text_title"], r["text_summary"], r["declared_language"], plain, taxonomy)
                  for r in rows]
    domain_rows = [score_item(r["text_title"], r["text_summary"], r["declared_language"], domain, taxonomy)
                   for r in rows]
    idx = [i for i, r in enumerate(rows) if r["language"] == "en" and domain_rows[i]["is_scored"]]
    topic_ids = [c.id for c in taxonomy.categories]
    gate_gold = [r["language"] == "en" for r in rows]
    gate_pred = [d["is_scored"] for d in domain_rows]
    return {
        "dataset": f"sample corpus, {days} days, seed {seed}",
        "items": len(rows),
        "sentiment": {"all": _sentiment_block([rows[i]["polarity"] for i in idx],
                                              [plain_rows[i] for i in idx], [domain_rows[i] for i in idx])},
        "topics": multilabel([rows[i]["topics"] for i in idx], [domain_rows[i]["topics"] for i in idx], topic_ids),
        "language_gate": {
            "n": len(rows),
            "accuracy": sum(g == p for g, p in zip(gate_gold, gate_pred, strict=True)) / max(1, len(rows)),
            "unscored_share": 1 - sum(gate_pred) / max(1, len(rows)),
        },
    }


# ---- presentation ----

def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def format_report(report: dict[str, Any]) -> str:
    """Markdown tables (they paste into the README as they are)."""
    lines = [f"### {report['dataset']} ({report['items']} items)", ""]
    lines += ["| subset | n | model | accuracy % | macro-F1 % | neg. recall % | neg. precision % | Pearson r |",
              "|---|---:|---|---:|---:|---:|---:|---:|"]
    for name, block in report["sentiment"].items():
        for model in ("vader", "vader_domain"):
            rep = block[model]
            neg = rep["per_label"]["negative"]
            label = "VADER" if model == "vader" else "VADER + domain lexicon"
            lines.append(f"| {name} | {block['n']} | {label} | {_pct(rep['accuracy'])} | {_pct(rep['macro_f1'])} "
                         f"| {_pct(neg['recall'])} | {_pct(neg['precision'])} | {rep['pearson_r']:.3f} |")
    topics = report["topics"]
    lines += ["", "| topic | support | predicted | precision % | recall % | F1 % |", "|---|---:|---:|---:|---:|---:|"]
    for tid, m in topics["per_topic"].items():
        lines.append(f"| {tid} | {m['support']} | {m['predicted']} | {_pct(m['precision'])} | {_pct(m['recall'])} "
                     f"| {_pct(m['f1'])} |")
    micro = topics["micro"]
    lines.append(f"| **micro** | {micro['support']} | {micro['predicted']} | {_pct(micro['precision'])} "
                 f"| {_pct(micro['recall'])} | {_pct(micro['f1'])} |")
    lines.append(f"\nTopic sets exactly right: {_pct(topics['exact_match'])} % of {topics['n']} English items.")
    gate = report["language_gate"]
    lines.append("Language gate: " + ", ".join(
        f"{k.replace('_', ' ')} {_pct(v)} %" for k, v in gate.items() if k != "n") + f" (n={gate['n']}).")
    return "\n".join(lines) + "\n"
