"""Scored gate: sentiment and taxonomy output of one interval, before dbt reads it.

Everything here is critical except the neg+neu+pos sum: scores out of range, labels that do not
match `is_scored`, topics outside the taxonomy, missing versions or a row count that differs
from the landing zone (scoring lost or invented items) block dbt.
"""

from __future__ import annotations

from functools import lru_cache

SUITE_NAME = "scored"
ID_COLUMNS = {"batch": ["source_id", "item_id"], "topics": ["source_id", "item_id", "topic_id"],
              "counts": ["source_id", "interval_start"], "schema": ["part", "column"],
              "labels": ["source_id", "item_id"]}
# Fallback when config/taxonomy.yml is absent (docs/data_contracts.md lists the same ids).
DEFAULT_TOPIC_IDS = (
    "scam_ads", "misleading_claims", "counterfeit_goods", "prohibited_products", "adult_content_ads",
    "political_ads", "ad_fraud", "advertiser_accounts", "creator_payouts", "privacy_targeting",
    "policy_enforcement", "brand_safety", "ad_experience",
)


def taxonomy_ids(settings) -> list[str]:
    """Category ids of config/taxonomy.yml (`categories`: a list of {id: ...} or a mapping by id)."""
    path = settings.config_dir / "taxonomy.yml"
    if not path.is_file():
        return list(DEFAULT_TOPIC_IDS)
    return list(_taxonomy_ids(settings, path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _taxonomy_ids(settings, mtime_ns: int) -> tuple[str, ...]:
    """Parsed once per process and taxonomy version (the YAML takes ~0.5 s to load)."""
    categories = settings.load_yaml("taxonomy.yml").get("categories") or []
    if isinstance(categories, dict):
        return tuple(str(k) for k in categories)
    return tuple(str(c["id"]) for c in categories if isinstance(c, dict) and c.get("id"))


def frames(batch, settings, inputs):
    """Derived frames: one row per (item, topic), and landing vs scored row counts per part."""
    import pandas as pd
    import pyarrow.parquet as pq
    from riskradar import storage
    from riskradar.schemas import SCORED

    missing = [c for c in SCORED.names if c not in batch.columns]
    if missing:  # a schema change: columns_match_schema fails; keep the derived checks runnable
        batch = batch.reindex(columns=list(batch.columns) + missing)
    topics = batch[["source_id", "item_id", "topics"]].explode("topics").rename(columns={"topics": "topic_id"})
    topics = topics[topics["topic_id"].notna()].reset_index(drop=True)

    # per part of the whole interval, from Parquet footers: built once when the gate runs in chunks
    counts: dict[tuple[str, str], dict[str, int]] = {}
    zones = (("landing_rows", settings.landing_dir), ("scored_rows", settings.scored_dir)) if inputs.chunk == 0 else ()
    for column, zone_dir in zones:
        for part in storage.parts_for_interval(zone_dir, inputs.start, inputs.end):
            key = (part.parent.parent.name.split("=", 1)[1], part.name)
            counts.setdefault(key, {"landing_rows": 0, "scored_rows": 0})[column] += pq.read_metadata(part).num_rows
    count_frame = pd.DataFrame(
        [{"source_id": s, "interval_start": name, **c} for (s, name), c in sorted(counts.items())],
        columns=["source_id", "interval_start", "landing_rows", "scored_rows"])

    sums = batch[["source_id", "item_id", "is_scored"]].copy()
    sums["sentiment_sum"] = batch[["sentiment_neg", "sentiment_neu", "sentiment_pos"]].sum(axis=1, min_count=3)
    sums = sums[sums["is_scored"].fillna(False).astype(bool)].reset_index(drop=True)

    # the label the scorer's own thresholds give for the stored compound (nlp.sentiment.label_for)
    from riskradar.nlp.sentiment import label_for

    labels = batch[["source_id", "item_id", "is_scored", "sentiment_compound", "sentiment_label"]].copy()
    labels = labels[labels["is_scored"].fillna(False).astype(bool)].reset_index(drop=True)
    labels["expected_label"] = [label_for(None if pd.isna(c) else float(c)) for c in labels["sentiment_compound"]]
    return {"topics": topics, "counts": count_frame, "sums": sums, "labels": labels}


def build(settings, inputs):
    import great_expectations as gx
    from riskradar.quality import Spec
    from riskradar.schemas import SCORED, SENTIMENT_LABELS

    e = gx.expectations
    scored_labels = [label for label in SENTIMENT_LABELS if label != "unscored"]
    specs = [
        Spec(e.ExpectTableColumnsToMatchOrderedList(column_list=SCORED.names), name="columns_match_schema"),
        Spec(e.ExpectColumnPairValuesToBeEqual(column_A="actual_type", column_B="expected_type"),
             frame="schema", name="column_types_match_schema"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="item_id")),
        Spec(e.ExpectCompoundColumnsToBeUnique(column_list=["source_id", "interval_start", "item_id"]),
             name="item_scored_once_within_part"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="is_scored")),
        Spec(e.ExpectColumnValuesToBeBetween(column="sentiment_compound", min_value=-1, max_value=1)),
        Spec(e.ExpectColumnValuesToBeNull(column="sentiment_compound", row_condition="is_scored == False",
                                          condition_parser="pandas"), name="unscored_has_no_compound"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="sentiment_compound", row_condition="is_scored == True",
                                             condition_parser="pandas"), name="scored_has_compound"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="sentiment_label")),
        Spec(e.ExpectColumnValuesToBeInSet(column="sentiment_label", value_set=list(SENTIMENT_LABELS))),
        Spec(e.ExpectColumnValuesToBeInSet(column="sentiment_label", value_set=["unscored"],
                                           row_condition="is_scored == False", condition_parser="pandas"),
             name="unscored_label_is_unscored"),
        Spec(e.ExpectColumnValuesToBeInSet(column="sentiment_label", value_set=scored_labels,
                                           row_condition="is_scored == True", condition_parser="pandas"),
             name="scored_label_is_polarity"),
        Spec(e.ExpectColumnPairValuesToBeEqual(column_A="sentiment_label", column_B="expected_label"),
             frame="labels", name="label_consistent_with_compound"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="taxonomy_version")),
        Spec(e.ExpectColumnValuesToNotBeNull(column="lexicon_version")),
        Spec(e.ExpectColumnValuesToBeInSet(column="topic_id", value_set=taxonomy_ids(settings)),
             frame="topics", name="topics_in_taxonomy"),
        Spec(e.ExpectColumnPairValuesToBeEqual(column_A="scored_rows", column_B="landing_rows"),
             frame="counts", name="scored_rows_equal_landing_rows"),
        Spec(e.ExpectColumnValuesToBeBetween(column="sentiment_sum", min_value=0.99, max_value=1.01),
             frame="sums", severity="warning", name="neg_neu_pos_sum_to_one"),
    ]
    for column in ("sentiment_neg", "sentiment_neu", "sentiment_pos"):
        specs.append(Spec(e.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1)))
    return specs
