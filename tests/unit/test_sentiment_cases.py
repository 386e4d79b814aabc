"""Behaviour cases of the shipped scorer: the real NLTK VADER, config/lexicon.yml, config/taxonomy.yml.

Every case goes through `riskradar.score.score_item`, the function the pipeline and the CLI share.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from riskradar.nlp.sentiment import get_scorer, replace_emoji
from riskradar.nlp.taxonomy import Taxonomy
from riskradar.score.items import score_item

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    nltk_dir = tmp_path_factory.mktemp("nltk_data")
    return get_scorer(REPO / "config" / "lexicon.yml", nltk_dir), Taxonomy.from_file(REPO / "config" / "taxonomy.yml")


@pytest.fixture(scope="module")
def score(models):
    scorer, taxonomy = models

    def run(text: str, declared: str | None = "en") -> dict:
        return score_item(None, text, declared, scorer, taxonomy)

    return run


def compound(score, text: str) -> float:
    row = score(text)
    assert row["is_scored"], text
    return row["sentiment_compound"]


# ---- negation ----

@pytest.mark.parametrize("plain,negated", [
    ("The new ads dashboard is good", "The new ads dashboard is not good"),
    ("Support was helpful", "Support wasn't helpful"),
    ("The refund process is easy", "The refund process is never easy"),
])
def test_negation_flips_praise(score, plain, negated):
    assert compound(score, plain) >= 0.05
    assert compound(score, negated) <= -0.05


@pytest.mark.parametrize("text", [
    "My channel was not demonetized after all",
    "The payout was not delayed this time",
    "Good news, our ad account isn't suspended anymore",
])
def test_negated_domain_word_is_not_negative(score, text):
    assert compound(score, text) > -0.05


# ---- intensifiers ----

def test_intensifiers_strengthen_and_hedges_soften(score):
    base = compound(score, "The ads are annoying")
    assert compound(score, "The ads are very annoying") < base
    assert compound(score, "The ads are extremely annoying") < base
    assert compound(score, "The ads are slightly annoying") > base
    assert compound(score, "The support team is really great") > compound(score, "The support team is great")


def test_exclamation_marks_intensify(score):
    assert compound(score, "Account suspended again!!!") < compound(score, "Account suspended again")


# ---- "but" clauses: what follows "but" dominates ----

def test_but_clause_carries_the_verdict(score):
    assert compound(score, "Support was helpful but my account is still suspended") <= -0.05
    assert compound(score, "My account is still suspended but support was helpful") >= 0.05
    assert compound(score, "The app is great but the pop ups make it almost unusable") <= -0.05


# ---- emoji ----

def test_emoji_become_words_vader_reads(score):
    assert replace_emoji("Payout arrived 😍") == "Payout arrived  smiling face with heart-eyes"
    assert replace_emoji("plain ascii stays") == "plain ascii stays"
    assert compound(score, "Payout arrived 😍") >= 0.05
    assert compound(score, "Payout arrived 😡") <= -0.05
    assert compound(score, "Payout arrived") == 0.0
    assert compound(score, "Ads everywhere 🙄") <= -0.05
    assert compound(score, "New dashboard 👍") >= 0.05
    assert compound(score, "New dashboard 👎") <= -0.05


def test_emoji_only_text(score):
    row = score("😡😡😡")
    assert row["is_scored"] and row["sentiment_label"] == "negative"


# ---- all caps ----

def test_all_caps_word_in_mixed_case_text_is_emphasised(score):
    assert compound(score, "my account was SUSPENDED") < compound(score, "my account was suspended")
    assert compound(score, "The new dashboard is GOOD") > compound(score, "The new dashboard is good")


def test_all_caps_text_still_scored(score):
    row = score("TOO MANY ADS. UNINSTALLED.")
    assert row["sentiment_label"] == "negative" and row["topics"] == ["ad_experience"]


# ---- language: mixed and foreign text ----

@pytest.mark.parametrize("text", [
    "Creators are furious about the payout delays on Streamly this month, c'est la vie apparently",
    "Scam ads on AdNova again, the platform says it removed them but they are back, qué vergüenza",
])
def test_mostly_english_mixed_text_is_scored(score, text):
    row = score(text)
    assert row["detected_language"] == "en" and row["is_scored"]
    assert row["sentiment_label"] == "negative" and row["topics"]


@pytest.mark.parametrize("text,lang", [
    ("Los anuncios scam están por todas partes en la plataforma y nadie hace nada", "es"),
    ("Les créateurs attendent toujours leurs paiements depuis deux mois, c'est une honte", "fr"),
])
def test_mostly_foreign_text_is_unscored_not_neutral(score, text, lang):
    row = score(text)
    assert row["detected_language"] == lang and row["is_scored"] is False
    assert row["sentiment_label"] == "unscored" and row["sentiment_compound"] is None
    # topics come from the language's own vocabulary (issue 18), never from English terms
    assert row["matched_terms"] == [] or lang in ("fr", "es", "pt", "de", "id", "vi", "tr", "th", "ja")


def test_foreign_text_still_counts_platforms(score):
    row = score("Anuncios fraudulentos con famosos falsos inundan Pixelgram y AdNova")
    assert row["is_scored"] is False and row["platforms"] == ["adnova", "pixelgram"]


# ---- empty and degenerate text ----

@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_unscored_without_a_declared_language(score, text):
    row = score(text, declared=None)
    assert row["detected_language"] is None and row["is_scored"] is False
    assert row["sentiment_label"] == "unscored" and row["topics"] == [] and row["platforms"] == []


@pytest.mark.parametrize("text", ["", "?!", "..."])
def test_empty_english_item_is_neutral(score, text):
    row = score(text, declared="en")
    assert row["is_scored"] and row["sentiment_label"] == "neutral" and row["sentiment_compound"] == 0.0
    assert row["sentiment_neu"] == 1.0 and row["topics"] == []


def test_very_short_text_keeps_the_declared_language(score):
    assert score("great")["detected_language"] == "en"
    assert score("great")["sentiment_label"] == "positive"


# ---- domain vocabulary VADER does not know ----

@pytest.mark.parametrize("text", [
    "Demonetized again.", "Third chargeback this week", "Shadowbanned after one post",
    "Payout delayed, support says processing", "Ad account disabled", "Counterfeit, stitching came apart",
])
def test_complaint_vocabulary_is_negative(score, text):
    assert score(text)["sentiment_label"] == "negative"


# ---- taxonomy: a positive and a negative example per category, written here, not in the config ----

CATEGORY_CASES = {
    "scam_ads": ("Lost $300 to a crypto ad with a fake celebrity endorsement",
                 "Police warn about a phone scam targeting pensioners"),
    "misleading_claims": ("The product looks nothing like the ad, total bait and switch",
                          "Exactly as described, fast delivery"),
    "counterfeit_goods": ("ShopSphere promoted listings full of counterfeit sneakers",
                          "Museum displays a famous forgery next to the original painting"),
    "prohibited_products": ("Vape ads keep showing up for my 14 year old",
                            "City council debates new smoking ban in parks"),
    "adult_content_ads": ("Explicit dating ads in a kids colouring app",
                          "Explicit lyrics warning added to the new album"),
    "political_ads": ("Election ad spending hits a record on AdNova",
                      "Senator's campaign raises record sum ahead of the midterms"),
    "ad_fraud": ("Half our ad clicks are bots, classic click fraud",
                 "Former bank manager jailed for fraud"),
    "advertiser_accounts": ("My ad account was disabled overnight with no reason",
                            "Bank customers locked out of their accounts during outage"),
    "creator_payouts": ("Streamly creators say payouts are two months late",
                        "Lottery winner collects record payout"),
    "privacy_targeting": ("Got targeted ads for a pregnancy test after one search, creepy",
                          "Hospital data breach exposes patient records"),
    "policy_enforcement": ("Ad rejected for a policy violation, my appeal was denied",
                           "Court hears appeal in long-running contract dispute"),
    "brand_safety": ("Brands pause advertising after ads appeared next to extremist posts",
                     "Safety recall issued for a popular car seat"),
    "ad_experience": ("Unskippable ads every two minutes, the app is unusable",
                      "Pop-up shop opens downtown this weekend"),
}


@pytest.mark.parametrize("topic_id", sorted(CATEGORY_CASES))
def test_category_positive_and_negative_example(score, topic_id, models):
    assert topic_id in {c.id for c in models[1].categories}
    positive, negative = CATEGORY_CASES[topic_id]
    hit = score(positive)
    assert topic_id in hit["topics"], positive
    assert any(term.startswith(f"{topic_id}:") for term in hit["matched_terms"])
    assert topic_id not in score(negative)["topics"], negative


def test_every_category_has_cases(models):
    assert set(CATEGORY_CASES) == {c.id for c in models[1].categories}


# ---- the faster tokenisation must not change a single score ----

def test_fast_analyzer_equals_nltk_on_the_labelled_set(models):
    from nltk.sentiment import SentimentIntensityAnalyzer
    from riskradar.nlp.evaluate import load_labelled

    scorer = models[0]
    stock = SentimentIntensityAnalyzer()
    stock.lexicon = scorer.analyzer.lexicon
    texts = [it.text for it in load_labelled(REPO / "tests" / "data" / "labelled_items.tsv")]
    texts += ["", "!!!", "U.S. ads!!", "'cat' \"dog\" ,cat, cat,", "Not good!?!? :) :( :D", "kind of good",
              "GREAT product, but BAD ads...", "don't, won't; can't.", "¡hola! ¿qué? é!", "-- -- --"]
    for text in texts:
        assert scorer.analyzer.polarity_scores(text) == stock.polarity_scores(text), text


def test_fast_analyzer_equals_nltk_on_random_text(models):
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from nltk.sentiment import SentimentIntensityAnalyzer

    scorer = models[0]
    stock = SentimentIntensityAnalyzer()
    stock.lexicon = scorer.analyzer.lexicon
    words = st.sampled_from(["good", "bad", "not", "very", "but", "scam", "GREAT", "kind", "of", "ads", ":)",
                             "!!", "?", ",", "'", '"', "-", "no", "never", "don't", "x", "é"])
    glue = st.sampled_from(["", " ", "  ", "!", ",", ".", "'", "?!?"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(words, glue), max_size=15))
    def check(parts):
        text = "".join(w + g for w, g in parts)
        assert scorer.analyzer.polarity_scores(text) == stock.polarity_scores(text)

    check()


@pytest.mark.parametrize("text,declared,expected", [
    ("Third chargeback this week", "en", "en"),  # no detector call needed
    ("Anuncios fraudulentos inundan la plataforma", "en", "es"),  # foreign function word
    ("Werbetreibende beklagen gesperrte Werbekonten ohne Begründung", "en", "de"),  # non-ASCII letter
])
def test_declared_english_fast_path_still_catches_foreign_text(text, declared, expected):
    from riskradar.nlp.language import detect_language

    assert detect_language(text, declared) == expected


def test_narrowed_phrase_regex_rewrites_as_the_full_one(models):
    """`rewrite_phrases` runs only the phrases a text can hold; the full alternation must agree."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from riskradar.nlp.evaluate import load_labelled
    from riskradar.nlp.sentiment import _HASHTAG

    scorer = models[0]

    def full(text: str) -> str:
        return scorer._rules.rewrite(scorer._phrase_re.sub(scorer._phrase_sub, _HASHTAG.sub("", replace_emoji(text))))

    texts = [it.text for it in load_labelled(REPO / "tests" / "data" / "labelled_items.tsv")]
    phrases = list(scorer._phrases)
    texts += phrases + [p.upper().replace(" ", "-") for p in phrases] + [f"x{p} .{p}. -{p}-" for p in phrases]
    for text in texts:
        assert scorer.rewrite_phrases(text) == full(text), text
    assert sum(scorer.rewrite_phrases(p) != p for p in phrases) == len(phrases)  # each one rewritten

    words = st.sampled_from(sorted({w for p in phrases for w in p.replace("-", " ").split()} | {"ad", "é", "#"}))
    glue = st.sampled_from([" ", "-", "  ", ".", ",", "_", "'", " - "])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.tuples(words, glue), max_size=10))
    def check(parts):
        text = "".join(w + g for w, g in parts)
        assert scorer.rewrite_phrases(text) == full(text)

    check()


def test_fast_analyzer_but_and_least_rules_equal_nltk(models):
    from nltk.sentiment import SentimentIntensityAnalyzer

    scorer = models[0]
    stock = SentimentIntensityAnalyzer()
    stock.lexicon = scorer.analyzer.lexicon
    for text in ["good but bad", "BUT it is great", "at least good", "very least bad", "least good", "but",
                 "good, but... never so good", "kind of bad but sort of fine", "the bomb but not GOOD"]:
        assert scorer.analyzer.polarity_scores(text) == stock.polarity_scores(text), text
