"""Column contracts of the Parquet zones. dbt sources, GX suites and tests all read these.

Timestamps are UTC, microsecond precision. A zone file is one partition part:
`<zone>/source=<source_id>/date=<YYYY-MM-DD>/part-<YYYYmmddTHHMM>.parquet`, where the date and
the part stamp come from the Airflow data interval start (see storage.partition_path).
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

LANDING = pa.schema(
    [
        ("item_id", pa.string()),  # sha1 of guid, else canonical URL, else content hash
        ("source_id", pa.string()),
        ("source_type", pa.string()),  # news | trade_press | forum | review | social
        ("guid", pa.string()),
        ("url", pa.string()),  # canonical: tracking params and fragment removed
        ("has_link", pa.bool_()),  # false for an entry without a link (its item_id is the content hash)
        ("title", pa.string()),  # plain text, HTML stripped, entities decoded
        ("summary", pa.string()),  # plain text
        ("author", pa.string()),
        ("language", pa.string()),  # ISO 639-1 declared by item, feed or source; may be null
        ("published_at", TS),
        ("is_published_at_fallback", pa.bool_()),  # true when the feed gave no usable date
        ("story_id", pa.string()),  # shared by syndicated copies (normalised-title hash)
        ("content_hash", pa.string()),
        ("interval_start", TS),
        ("interval_end", TS),
        ("run_id", pa.string()),
    ]
)

SCORED = pa.schema(
    list(LANDING)
    + [
        ("detected_language", pa.string()),
        ("is_scored", pa.bool_()),  # false for non-English items: unscored, not neutral
        ("sentiment_neg", pa.float64()),
        ("sentiment_neu", pa.float64()),
        ("sentiment_pos", pa.float64()),
        ("sentiment_compound", pa.float64()),
        ("sentiment_label", pa.string()),  # positive | neutral | negative | unscored
        ("topics", pa.list_(pa.string())),  # taxonomy category ids, multi-label
        ("matched_terms", pa.list_(pa.string())),  # evidence, "<topic_id>:<term>"
        ("platforms", pa.list_(pa.string())),  # platform ids mentioned
        ("taxonomy_version", pa.string()),
        ("lexicon_version", pa.string()),
    ]
)

QUARANTINE = pa.schema(
    [
        ("stage", pa.string()),  # fetch | parse | landing_gate | scored_gate | ...
        ("source_id", pa.string()),
        ("item_id", pa.string()),
        ("reason", pa.string()),  # human-readable cause
        ("expectation", pa.string()),  # GX expectation id when a gate quarantined the row
        ("raw", pa.string()),  # JSON of whatever could be read of the item
        ("interval_start", TS),
        ("interval_end", TS),
        ("run_id", pa.string()),
    ]
)

SOURCE_HEALTH = pa.schema(
    [
        ("source_id", pa.string()),
        ("source_type", pa.string()),
        ("status", pa.string()),  # ok | empty | error
        ("http_status", pa.int32()),
        ("error", pa.string()),
        ("items_read", pa.int64()),
        ("items_landed", pa.int64()),
        ("items_duplicate", pa.int64()),
        ("items_quarantined", pa.int64()),
        ("latency_ms", pa.float64()),
        ("interval_start", TS),
        ("interval_end", TS),
        ("run_id", pa.string()),
        # trailing columns added by ingest hardening (issue 3): older parts lack them
        ("consecutive_failures", pa.int64()),  # failed intervals in a row, this one included (0 if ok)
        ("last_success_at", TS),  # end of the latest interval that did not fail (null: never)
        ("items_future_dated", pa.int64()),  # items dated > 1 day after the interval: date replaced, flagged
        ("is_not_modified", pa.bool_()),  # HTTP 304: the cached copy of the feed was re-read
        ("is_truncated", pa.bool_()),  # body over max_bytes: cut off, what was readable is kept
        ("response_bytes", pa.int64()),  # payload size after decompression
    ]
)

DQ_RESULTS = pa.schema(
    [
        ("run_id", pa.string()),
        ("interval_start", TS),
        ("interval_end", TS),
        ("step", pa.string()),  # landing | scored | marts
        ("suite", pa.string()),
        ("expectation", pa.string()),  # expectation type + column, e.g. expect_column_values_to_not_be_null:title
        ("severity", pa.string()),  # critical | warning
        ("success", pa.bool_()),
        ("observed_value", pa.string()),
        ("unexpected_count", pa.int64()),
        ("element_count", pa.int64()),
        ("validated_at", TS),  # audit only; never used by metrics
    ]
)

SENTIMENT_LABELS = ("positive", "neutral", "negative", "unscored")
SOURCE_TYPES = ("news", "trade_press", "forum", "review", "social")
