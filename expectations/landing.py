"""Landing gate: the parsed feed items of one interval, before anything scores them.

Rows with a null/empty title or (when has_link) a missing/unparseable URL are quarantined (row-level); a broken
schema, a null or duplicate item id or an unknown source fails the gate (critical); odd
publication times and language codes are recorded as warnings.
"""

from __future__ import annotations

from datetime import timedelta

SUITE_NAME = "landing"
MAX_QUARANTINE_SHARE = 0.05  # above this share of quarantined rows the batch itself is suspect
ID_COLUMNS = {"batch": ["source_id", "item_id"], "schema": ["part", "column"]}
URL_REGEX = r"^https?://[^\s/$.?#][^\s]*$"
LANGUAGE_REGEX = r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$"
MAX_TITLE_CHARS = 500


def build(settings, inputs):
    """The landing suite for one interval (published-time bounds depend on the interval)."""
    import great_expectations as gx
    from riskradar.quality import Spec
    from riskradar.schemas import LANDING

    e = gx.expectations
    mostly = 1 - MAX_QUARANTINE_SHARE
    return [
        Spec(e.ExpectTableColumnsToMatchOrderedList(column_list=LANDING.names), name="columns_match_schema"),
        Spec(e.ExpectColumnPairValuesToBeEqual(column_A="actual_type", column_B="expected_type"),
             frame="schema", name="column_types_match_schema"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="item_id")),
        Spec(e.ExpectCompoundColumnsToBeUnique(column_list=["source_id", "interval_start", "item_id"]),
             name="item_id_unique_within_part"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="source_id")),
        Spec(e.ExpectColumnValuesToBeInSet(column="source_id", value_set=list(inputs.source_ids))),
        Spec(e.ExpectColumnValuesToNotBeNull(column="title", mostly=mostly), row_level=True,
             reason="title is null"),
        Spec(e.ExpectColumnValueLengthsToBeBetween(column="title", min_value=1, mostly=mostly),
             row_level=True, reason="title is empty", name="title_not_empty"),
        # an entry without a link lands with has_link false (identified by its content hash); rows
        # written before the column existed (null) are still checked
        Spec(e.ExpectColumnValuesToNotBeNull(column="url", mostly=mostly, row_condition="has_link != False",
                                             condition_parser="pandas"), row_level=True, reason="url is null"),
        Spec(e.ExpectColumnValuesToMatchRegex(column="url", regex=URL_REGEX, mostly=mostly,
                                              row_condition="has_link != False", condition_parser="pandas"),
             row_level=True, reason="url is not an http(s) URL"),
        Spec(e.ExpectColumnValueLengthsToBeBetween(column="title", max_value=MAX_TITLE_CHARS),
             severity="warning", name=f"title_at_most_{MAX_TITLE_CHARS}_chars"),
        Spec(e.ExpectColumnValuesToBeBetween(column="published_at", min_value=inputs.start - timedelta(days=30),
                                             max_value=inputs.end + timedelta(days=1)),
             severity="warning", name="published_at_plausible_for_interval"),
        Spec(e.ExpectColumnValuesToMatchRegex(column="language", regex=LANGUAGE_REGEX),
             severity="warning", name="language_is_iso_code"),
    ]
