"""Sentiment and the language gate on real, human-labelled text (../shared/data/eval, not in the repo).

These are issue 13's targets, measured as `riskradar nlp-eval --real` measures them: every text
through the pipeline's own `score_item`, beside plain NLTK VADER on the whole text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from riskradar.config import Settings
from riskradar.nlp.realeval import build_documents, eval_dir, evaluate_language, evaluate_real, load_sets

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real_settings(tmp_path_factory) -> Settings:
    settings = Settings(home=REPO, data_dir=tmp_path_factory.mktemp("data"), config_dir=REPO / "config")
    if not eval_dir(settings).is_dir():
        pytest.skip(f"real evaluation sets not found at {eval_dir(settings)} (RISKRADAR_EVAL_DIR)")
    return settings


@pytest.fixture(scope="module")
def report(real_settings) -> dict:
    return evaluate_real(real_settings)["sets"]


def test_every_shared_set_and_its_documents_are_evaluated(report):
    for name in ("amazon", "nyt", "movie", "yelp", "imdb"):
        for suffix in ("", " same docs", " mixed docs", " long docs"):
            assert report[f"{name}{suffix}"]["riskradar"]["n"] > 100, name + suffix


@pytest.mark.parametrize("name", ["amazon", "nyt", "movie"])
def test_pearson_r_never_below_plain_vader(report, name):
    row = report[name]
    assert row["riskradar"]["pearson_r"] >= row["plain"]["pearson_r"] - 0.005
    for kind in ("same", "mixed", "long"):  # multi-sentence documents: at least plain's
        docs = report[f"{name} {kind} docs"]
        assert docs["riskradar"]["pearson_r"] >= docs["plain"]["pearson_r"], kind


def test_complaints_found_without_losing_precision(report):
    both = report["yelp + imdb"]
    assert both["plain"]["neg_recall"] == pytest.approx(0.534, abs=0.002)  # the published baseline
    assert both["riskradar"]["neg_recall"] >= 0.62
    for name in ("yelp", "imdb"):
        row = report[name]
        assert row["riskradar"]["accuracy"] >= 0.70, name
        assert row["riskradar"]["neg_precision"] >= row["plain"]["neg_precision"], name


def test_real_english_is_almost_never_unscored(report):
    for name in ("amazon", "nyt", "movie", "yelp", "imdb"):
        assert report[name]["riskradar"]["unscored"] <= 0.003, name


def test_language_gate_targets(real_settings):
    gate = evaluate_language(real_settings)
    assert gate["english_sentences"] > 20_000
    assert gate["english_kept"] >= 0.997
    assert gate["foreign_undeclared"] >= 0.95
    assert gate["foreign_in_english_feed"] >= 0.95
    assert set(gate["multilingual"]) >= {"es", "pt", "id", "de", "fr", "it", "vi", "tr"}
    assert all(row["n"] >= 30 for row in gate["multilingual"].values())


def test_documents_are_seeded_and_follow_their_labels(real_settings):
    sets = load_sets(eval_dir(real_settings))
    first = build_documents(sets["yelp"], "mixed", 50)
    assert first == build_documents(sets["yelp"], "mixed", 50)
    sentences = {t.text: t.label for t in sets["yelp"]}
    for doc in first:
        labels = [lab for text, lab in sentences.items() if text in doc.text]
        assert labels.count(doc.label) >= 2  # two of the three sentences carry the document's label
