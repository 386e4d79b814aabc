"""The risk taxonomy (config/taxonomy.yml) with its real vocabulary: tagging, exclusions, platforms, validation,
and the regex prefilters that must never skip a match."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fixtures.texts import TOPIC_IDS, mixed_texts
from riskradar.nlp.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.from_file(REPO / "config" / "taxonomy.yml")


def test_taxonomy_has_the_contract_topics_and_platforms(taxonomy):
    assert [c.id for c in taxonomy.categories] == TOPIC_IDS
    assert {p.id for p in taxonomy.platforms} == {"adnova", "streamly", "chirp", "shopsphere", "pixelgram"}
    assert [p.id for p in taxonomy.platforms if p.own] == ["adnova"]
    assert taxonomy.version


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_every_category_tags_its_examples_and_not_its_counter_examples(taxonomy, topic_id):
    cat = next(c for c in taxonomy.categories if c.id == topic_id)
    assert cat.examples["positive"] and cat.examples["negative"]
    for text in cat.examples["positive"]:
        match = taxonomy.match(text)
        assert topic_id in match.topics, text
        assert any(t.startswith(f"{topic_id}:") for t in match.matched_terms)
    for text in cat.examples["negative"]:
        assert taxonomy.match(text).topics == [], text


@pytest.mark.parametrize("text,topic", [
    ("Fake celebrity endorsement ads promote a crypto scheme", "scam_ads"),
    ("Regulator targets deceptive advertising of miracle cure supplements", "misleading_claims"),
    ("ShopSphere listings full of counterfeit sneakers", "counterfeit_goods"),
    ("Vape ads keep reaching teenagers on Chirp", "prohibited_products"),
    ("Explicit ads show up in a kids game", "adult_content_ads"),
    ("Platform publishes political ad spending in its ad library", "political_ads"),
    ("Publishers hit by click fraud and IVT from a botnet", "ad_fraud"),
    ("Our ad account was disabled and billing charged us twice", "advertiser_accounts"),
    ("Creators demonetised after the revenue share cut", "creator_payouts"),
    ("Retargeting pixels collected data without cookie consent, GDPR complaint says", "privacy_targeting"),
    ("Ad disapproved for a policy violation, my appeal was denied", "policy_enforcement"),
    ("Brands pause advertising after ads appeared next to extremist videos", "brand_safety"),
    ("Unskippable 30 second ads every two minutes, pop-ups everywhere", "ad_experience"),
    # how people actually write it: no taxonomy keyword phrase, context carries it
    ("Anyone else getting flooded with those crypto giveaway ads?", "scam_ads"),
    ("Brands flee Chirp after ads run next to neo-Nazi posts", "brand_safety"),
    ("Watchdog: AdNova let predatory payday lenders target people in debt", "prohibited_products"),
    ("FTC sues marketer over fake weight-loss testimonials in social ads", "misleading_claims"),
    ("Pixelgram creators report RPMs down 60% this month", "creator_payouts"),
    ("Advertisers sue AdNova over inflated video view metrics", "ad_fraud"),
])
def test_true_positives(taxonomy, text, topic):
    assert topic in taxonomy.match(text).topics


@pytest.mark.parametrize("text", [
    "Police warn of a new phone scam targeting pensioners",
    "Striker banned from the league for three matches after red card",
    "Former CFO convicted of tax fraud",
    "Pop-up shop opens downtown this weekend",
    "Appeals court rules on contract case",
    "Local bakery wins award for best cookie",
    "The weather will be sunny with light winds",
    "Former bank manager jailed for fraud",
    "Insurance payouts for flood victims delayed by months",
    "Hospital data breach exposes patient records",
    "Senator's campaign raises record sum ahead of midterms",
    "Election officials warn of misinformation about polling places",
    "AdNova reports quarterly ad revenue up 12%, earnings beat forecasts",
    "The referee was suspended pending review of the controversial call",
    "Union rejects pay offer, strike to continue",
])
def test_exclusions_and_noise_give_no_topic(taxonomy, text):
    assert taxonomy.match(text).topics == []


def test_exclusion_vetoes_only_the_overlapping_hit(taxonomy):
    text = "Phone scam season again, and scam ads are back on AdNova"
    match = taxonomy.match(text)
    assert match.topics == ["scam_ads"]
    assert "scam_ads:scam ad" in match.matched_terms


def test_ad_context_required_for_ambiguous_terms(taxonomy):
    assert "ad_fraud" not in taxonomy.match("Investigators uncover fraud at a logistics company").topics
    assert "ad_fraud" in taxonomy.match("Investigators uncover fraud in programmatic ad impressions").topics


def test_plurals_and_hyphens(taxonomy):
    assert "scam_ads" in taxonomy.match("So many scam adverts today").topics
    assert "ad_experience" in taxonomy.match("Too many pop up ads").topics
    assert "ad_experience" in taxonomy.match("Non-skippable ads are the worst").topics


def test_evidence_is_configured_term_and_sorted(taxonomy):
    match = taxonomy.match("CLICK FRAUD and Bot Traffic hit advertisers")
    assert match.matched_terms == sorted(match.matched_terms)
    assert "ad_fraud:click fraud" in match.matched_terms
    assert "ad_fraud:bot traffic" in match.matched_terms


def test_platform_detection(taxonomy):
    assert taxonomy.match("AdNova and Pixelgram respond; Shop Sphere silent").platforms == \
        ["adnova", "pixelgram", "shopsphere"]
    assert taxonomy.match("Streamly's partner program").platforms == ["streamly"]
    # the brand is capitalised; the bird sound is not a platform
    assert taxonomy.match("Chirp pauses ads").platforms == ["chirp"]
    assert taxonomy.match("birds chirp at dawn").platforms == []
    assert taxonomy.match("adnovas and xpixelgram").platforms == []


def test_taxonomy_validation_errors(tmp_path):
    base = yaml.safe_load((REPO / "config" / "taxonomy.yml").read_text())
    bad = dict(base, categories=[dict(base["categories"][0], severity="extreme")])
    with pytest.raises(ValueError, match="severity"):
        Taxonomy.from_mapping(bad)
    bad = dict(base, categories=[dict(base["categories"][0], patterns=["(unclosed"])])
    with pytest.raises(ValueError, match="bad pattern"):
        Taxonomy.from_mapping(bad)
    bad = dict(base, categories=[base["categories"][0], base["categories"][0]])
    with pytest.raises(ValueError, match="duplicate"):
        Taxonomy.from_mapping(bad)


def test_category_context_terms(taxonomy):
    # "payout" is a creator-money risk only next to creator words (or ad words), never a lottery win
    assert "creator_payouts" in taxonomy.match("Streamers say their payouts are late again").topics
    assert taxonomy.match("Lottery winner collects record payout").topics == []
    assert taxonomy.match("Flood victims say insurance payouts are delayed").topics == []


def test_required_literals_of_a_pattern():
    import re

    from riskradar.nlp.taxonomy import required_literals

    assert required_literals(re.compile(r"\bfake (?:bags?|shoes)\b", re.I)) == (("fake ",), ("shoes", "bag"))
    assert required_literals(re.compile(r"(?:\d+|two) ads?", re.I)) == ((" ad",),)
    assert required_literals(re.compile(r"x*(?:ab|\w+)")) == ()  # an alternative without a literal
    assert required_literals(re.compile(r"Chirp|CHIRP")) == (("hirp",), ("c",))


def test_regex_prefilters_never_skip_a_match(taxonomy):
    """Every pattern and platform regex that matches a text passes its literal prefilter, and
    matching with the prefilters gives what matching without them gives."""
    import random

    from riskradar.nlp.taxonomy import _may_contain

    unfiltered = Taxonomy.from_file(REPO / "config" / "taxonomy.yml")
    unfiltered._pattern_needs = [() for _ in unfiltered._patterns]
    unfiltered._platform_needs = [() for _ in unfiltered._platform_res]
    rng = random.Random(5)
    texts = mixed_texts()
    examples = [t for c in taxonomy.categories for k in ("positive", "negative") for t in c.examples.get(k, ())]
    texts += examples + [" ".join(rng.sample(texts + examples, 3)) for _ in range(300)]
    hits = 0
    for text in texts:
        lowered = text.lower()
        if lowered.isascii():  # the prefilters apply to ASCII text only: "ſtreamly" matches "Streamly"
            for (_ci, _pat, rx), needs in zip(taxonomy._patterns, taxonomy._pattern_needs, strict=True):
                if rx.search(lowered):
                    hits += 1
                    assert _may_contain(lowered, needs), (rx.pattern, text)
            for (_pid, rx), needs in zip(taxonomy._platform_res, taxonomy._platform_needs, strict=True):
                if rx.search(text):
                    hits += 1
                    assert _may_contain(lowered, needs), (rx.pattern, text)
        assert taxonomy.match(text) == unfiltered.match(text), text
    assert unfiltered.match("ſtreamly ads").platforms == taxonomy.match("ſtreamly ads").platforms == ["streamly"]
    assert hits > 100  # the texts exercise the regexes
