"""Per-language risk-topic precision and recall on `tests/data/multilingual_topics.tsv`.

The set holds items written for this project in each language the taxonomy has a vocabulary for
(columns language, text, topics comma-separated, sentiment neg/neu/pos, split): posts, reviews and
headlines about ads and monetization plus noise with no risk topic. `split` is `dev` for the items
the vocabulary was measured and revised on and `heldout` for items written after it was frozen.
Every text is tagged with `Taxonomy.match(text, language)`, the call the score stage makes, so the
figures measure what ships. Precision and recall are micro-averaged over item x topic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskradar.config import Settings
from riskradar.nlp.evaluate import DEFAULT_SET, load_labelled, multilabel
from riskradar.nlp.taxonomy import Taxonomy, load_taxonomy

MULTILINGUAL_SET = Path("tests") / "data" / "multilingual_topics.tsv"
SENTIMENTS = ("neg", "neu", "pos")
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class TopicItem:
    language: str
    text: str
    topics: tuple[str, ...]
    sentiment: str
    split: str


def load_topic_items(path: Path, topic_ids: set[str] | None = None) -> list[TopicItem]:
    """Read the multilingual set; an unknown topic, sentiment or split is an error, not a silent miss."""
    items = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            topics = tuple(t.strip() for t in (row.get("topics") or "").split(",") if t.strip())
            unknown = [t for t in topics if topic_ids is not None and t not in topic_ids]
            if unknown or row.get("sentiment") not in SENTIMENTS or row.get("split") not in SPLITS \
                    or not (row.get("text") or "").strip() or not (row.get("language") or "").strip():
                raise ValueError(f"{path}:{n}: bad row (unknown topics {unknown}?)")
            items.append(TopicItem(row["language"].strip(), row["text"].strip(), topics,
                                   row["sentiment"], row["split"]))
    return items


def evaluate_topics_by_language(taxonomy: Taxonomy, items: list[TopicItem],
                                english: list[tuple[str, tuple[str, ...]]] = ()) -> dict[str, Any]:
    """Micro precision/recall per language (all items, and per split) plus the English labelled set."""
    topic_ids = [c.id for c in taxonomy.categories]
    groups: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
    for it in items:
        pred = taxonomy.match(it.text, it.language).topics
        for key in (it.language, f"{it.language}:{it.split}"):
            groups.setdefault(key, []).append((it.topics, pred))
    if english:
        groups["en"] = [(gold, taxonomy.match(text, "en").topics) for text, gold in english]
    out = {}
    for key, pairs in sorted(groups.items()):
        m = multilabel([g for g, _ in pairs], [p for _, p in pairs], topic_ids)
        out[key] = {"items": len(pairs), "with_topics": sum(1 for g, _ in pairs if g),
                    **{k: m["micro"][k] for k in ("precision", "recall", "f1", "support", "predicted")},
                    "exact_match": m["exact_match"]}
    return {"taxonomy_version": taxonomy.version, "languages": out}


def evaluate_languages(settings: Settings, path: Path | None = None) -> dict[str, Any]:
    """The per-language table of the shipped taxonomy on the multilingual set and the English set."""
    taxonomy = load_taxonomy(settings.config_dir / "taxonomy.yml")
    items = load_topic_items(path or settings.home / MULTILINGUAL_SET, {c.id for c in taxonomy.categories})
    english = [(it.text, it.topics) for it in load_labelled(settings.home / DEFAULT_SET) if it.language == "en"]
    report = evaluate_topics_by_language(taxonomy, items, english)
    report["dataset"] = str(path or MULTILINGUAL_SET)
    return report


def format_languages(report: dict[str, Any]) -> str:
    lines = [f"## Risk topics per language (taxonomy {report['taxonomy_version']}, {report.get('dataset', '')})", "",
             "Micro-averaged over item x topic; `en` is tests/data/labelled_items.tsv.", "",
             "| language | items | with topics | precision % | recall % | F1 % | exact % |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for key, m in report["languages"].items():
        lines.append(f"| {key} | {m['items']} | {m['with_topics']} | {100 * m['precision']:.1f} | "
                     f"{100 * m['recall']:.1f} | {100 * m['f1']:.1f} | {100 * m['exact_match']:.1f} |")
    return "\n".join(lines)
