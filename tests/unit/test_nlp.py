"""Sentiment building blocks with the real NLTK VADER and the real config files (taxonomy: test_taxonomy.py,
language gate: test_language.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fixtures.texts import TOPIC_IDS, mixed_texts
from riskradar.nlp.sentiment import DomainLexicon, get_scorer, label_for, phrase_token, split_sentences

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nltk_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("nltk_data")


@pytest.fixture(scope="module")
def scorer(nltk_dir):
    return get_scorer(REPO / "config" / "lexicon.yml", nltk_dir)


@pytest.fixture(scope="module")
def plain(nltk_dir):
    return get_scorer(None, nltk_dir)


def test_scorer_is_cached_per_process(scorer, nltk_dir):
    assert get_scorer(REPO / "config" / "lexicon.yml", nltk_dir) is scorer


def test_offline_lexicon_laid_out_for_nltk(scorer, nltk_dir):
    import nltk

    assert (nltk_dir / "sentiment" / "vader_lexicon.zip").is_file()
    assert str(nltk_dir) in nltk.data.path
    assert len(scorer.analyzer.lexicon) > 7000  # VADER's own entries are there, not just ours


@pytest.mark.parametrize("text", [
    "My channel got demonetized again.",
    "Creators say they were shadowbanned after the update",
    "Seller reports a chargeback on every order from the promotion",
])
def test_domain_word_turns_neutral_text_negative(text, scorer, plain):
    assert plain.score_text(text).compound > -0.05  # plain VADER: neutral
    assert scorer.score_text(text).compound <= -0.05
    assert scorer.score_text(text).label == "negative"


def test_phrase_rewritten_to_one_token_with_its_valence(scorer, plain):
    text = "Ad account disabled. Payout delayed again!"
    assert scorer.rewrite_phrases(text) == "adaccountdisabled. payoutdelayed again!"
    assert scorer.rewrite_phrases("AD-ACCOUNT   disabled") == phrase_token("ad account disabled")
    assert scorer.analyzer.lexicon[phrase_token("payout delayed")] < 0
    assert scorer.score_text("Payout delayed for the third month").compound < \
        plain.score_text("Payout delayed for the third month").compound - 0.2
    # a phrase only matches as whole words
    assert scorer.rewrite_phrases("the payout delayedness") == "the payout delayedness"


def test_lexicon_rejects_bad_entries():
    with pytest.raises(ValueError, match="version"):
        DomainLexicon.from_mapping({"words": {"scam": -3}})
    with pytest.raises(ValueError, match="outside"):
        DomainLexicon.from_mapping({"version": "x", "words": {"scam": -9}})
    with pytest.raises(ValueError, match="one word"):
        DomainLexicon.from_mapping({"version": "x", "phrases": {"scam": -2}})


def test_positive_text_stays_positive(scorer):
    assert scorer.score_text("The new AdNova dashboard is great, support fixed it fast").label == "positive"


@pytest.mark.parametrize("compound,label", [
    (0.05, "positive"), (0.0499, "neutral"), (0.0, "neutral"), (-0.0499, "neutral"),
    (-0.05, "negative"), (0.9, "positive"), (-0.9, "negative"), (None, "unscored"),
])
def test_label_thresholds(compound, label):
    assert label_for(compound) == label


def test_sentence_splitter_needs_no_punkt():
    text = 'AdNova will refund U.S. advertisers $3.5 million. "It was a mistake." Critics disagree! Why? no.'
    assert split_sentences(text) == [
        "AdNova will refund U.S. advertisers $3.5 million.", '"It was a mistake."',
        "Critics disagree!", "Why? no.",
    ]


def test_short_document_is_scored_whole(scorer):
    """Title + a short summary is one VADER text (as VADER was validated), not a mean of sentences."""
    doc = scorer.score_document("Scam ads flood Pixelgram", "Users lost money. The company said it removed the ads.")
    whole = scorer.score_text("Scam ads flood Pixelgram. Users lost money. The company said it removed the ads.")
    assert doc == whole
    parts = [scorer.score_text(t).compound for t in
             ["Scam ads flood Pixelgram", "Users lost money.", "The company said it removed the ads."]]
    assert abs(doc.compound) > abs(sum(parts) / 3)  # the mean would have flattened it
    assert doc.label == "negative"
    empty = scorer.score_document(None, "")
    assert (empty.compound, empty.neu) == (0.0, 1.0)


def test_long_document_blends_whole_text_and_intensity_weighted_sentences(scorer):
    from riskradar.nlp.sentiment import LONG_SENTENCES

    sentences = ["Advertisers were scammed by fake ads.", "The company said it was reviewing the reports.",
                 "Officials met on Tuesday.", "The meeting lasted two hours.", "Payouts resumed on Friday.",
                 "Creators called the delay unacceptable and outrageous."]
    assert len(sentences) + 1 > LONG_SENTENCES
    doc = scorer.score_document("Scam ads hit advertisers", " ".join(sentences))
    parts = [scorer.score_text(t).compound for t in ["Scam ads hit advertisers", *sentences]]
    weighted = sum(abs(c) * c for c in parts) / sum(abs(c) for c in parts)
    whole = scorer.score_text("Scam ads hit advertisers. " + " ".join(sentences)).compound
    assert doc.compound == pytest.approx((whole + weighted) / 2, abs=1e-4)
    assert doc.label == "negative"


@pytest.mark.parametrize("title,summary", [("?", ""), ("a", "!!! ..."), ("OK", "?"), ("", "")])
def test_degenerate_text_is_a_valid_neutral_distribution(scorer, title, summary):
    s = scorer.score_document(title, summary)
    assert s.neg + s.neu + s.pos == pytest.approx(1.0, abs=0.01)


def test_hashtags_are_read_as_words(scorer):
    assert scorer.rewrite_phrases("Ads everywhere #scam #bots") == "Ads everywhere scam bots"
    assert scorer.score_text("Another one of these #scam").label == "negative"
    assert scorer.rewrite_phrases("Issue #42 and C# code") == "Issue #42 and C# code"


@pytest.fixture(scope="module")
def labelled_report():
    from riskradar.config import Settings
    from riskradar.nlp.evaluate import evaluate_labelled

    return evaluate_labelled(Settings.from_env(), REPO / "tests" / "data" / "labelled_items.tsv")


def test_labelled_set_is_large_and_well_formed():
    from riskradar.nlp.evaluate import load_labelled

    items = load_labelled(REPO / "tests" / "data" / "labelled_items.tsv")
    assert len(items) >= 300
    assert len({it.text for it in items}) == len(items)  # no duplicates
    assert {t for it in items for t in it.topics} == set(TOPIC_IDS)
    assert {it.sentiment for it in items} == {"negative", "neutral", "positive", "unscored"}
    assert all((it.sentiment == "unscored") == (it.language != "en") for it in items)


def test_domain_lexicon_raises_complaint_recall_without_hurting_general_text(labelled_report):
    s = labelled_report["sentiment"]
    plain, domain = s["complaints"]["vader"], s["complaints"]["vader_domain"]
    assert domain["per_label"]["negative"]["recall"] >= plain["per_label"]["negative"]["recall"] + 0.15
    assert domain["per_label"]["negative"]["recall"] >= 0.6
    assert domain["per_label"]["negative"]["precision"] >= 0.9
    assert s["all"]["vader_domain"]["accuracy"] >= s["all"]["vader"]["accuracy"] + 0.05
    assert s["all"]["vader_domain"]["accuracy"] >= 0.62 and s["all"]["vader_domain"]["macro_f1"] >= 0.55
    # the bar: general-purpose correlation may drop by at most 0.01
    assert s["general"]["vader_domain"]["pearson_r"] >= s["general"]["vader"]["pearson_r"] - 0.01


def test_taxonomy_precision_and_recall_floors(labelled_report):
    topics = labelled_report["topics"]
    assert topics["micro"]["precision"] >= 0.85 and topics["micro"]["recall"] >= 0.72
    for topic_id, m in topics["per_topic"].items():
        assert m["support"] >= 10, topic_id
        assert m["precision"] >= 0.75, (topic_id, m)
        assert m["recall"] >= 0.5, (topic_id, m)


def test_language_gate_on_labelled_set(labelled_report):
    gate = labelled_report["language_gate"]
    assert gate["foreign_unscored"] == 1.0 and gate["english_kept"] >= 0.97


def test_sample_corpus_truth_floors():
    from riskradar.config import Settings
    from riskradar.nlp.evaluate import evaluate_sample, format_report

    report = evaluate_sample(Settings.from_env(), days=5)
    plain, domain = report["sentiment"]["all"]["vader"], report["sentiment"]["all"]["vader_domain"]
    assert domain["per_label"]["negative"]["recall"] >= max(0.8, plain["per_label"]["negative"]["recall"])
    assert domain["accuracy"] >= 0.7
    assert report["topics"]["micro"]["f1"] >= 0.88
    assert report["language_gate"]["accuracy"] >= 0.99
    assert "| scam_ads |" in format_report(report)


def test_metrics_helpers():
    from riskradar.nlp.evaluate import classification, multilabel, pearson

    rep = classification(["negative", "positive", "neutral", "negative"], ["negative", "neutral", "neutral", "positive"])
    assert rep["accuracy"] == 0.5
    assert rep["per_label"]["negative"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                                            "support": 2, "predicted": 1}
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0) and pearson([1, 1], [0, 1]) == 0.0
    ml = multilabel([["a"], ["a", "b"], []], [["a"], ["b"], ["b"]], ["a", "b"])
    assert ml["per_topic"]["a"]["recall"] == 0.5 and ml["per_topic"]["b"]["precision"] == 0.5
    assert ml["exact_match"] == pytest.approx(1 / 3)


def test_config_versions_are_recorded_in_their_changes():
    for name in ("lexicon.yml", "taxonomy.yml"):
        data = yaml.safe_load((REPO / "config" / name).read_text())
        assert data["changes"][0]["version"] == data["version"], name
        assert len({c["version"] for c in data["changes"]}) == len(data["changes"]), name


def test_sentence_splitter_fast_path_matches_the_regex():
    from riskradar.nlp.sentiment import _SENTENCE_SPLIT

    for text in mixed_texts() + ["  ", " a b ", "No stop here", "One. Two", "Wait!? \"Yes\" (no)"]:
        assert split_sentences(text) == [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]
