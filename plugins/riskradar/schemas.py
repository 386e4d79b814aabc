"""Column contracts of the Parquet zones: the one definition. dbt sources, GX suites and tests read
these; the column lists of the dbt zone sources (dbt_project/models/staging/riskradar/
_riskradar__sources.yml) and the column tables of docs/data_contracts.md are generated from them
(`tools/contracts.py`, whose `--check` a unit test runs).

Each column is (name, Arrow type, description). The descriptions live in DESCRIPTIONS, beside the
schemas rather than in the fields' metadata, which every Parquet part written with the schema
would then carry.

Timestamps are UTC, microsecond precision. A zone file is one partition part:
`<zone>/source=<source_id>/date=<YYYY-MM-DD>/part-<YYYYmmddTHHMM>.parquet`, where the date and
the part stamp come from the Airflow data interval start (see storage.partition_path).
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

SENTIMENT_LABELS = ("positive", "neutral", "negative", "unscored")
SOURCE_TYPES = ("news", "trade_press", "forum", "review", "social")

Column = tuple[str, pa.DataType, str]

# contract name -> column -> description, in schema order
DESCRIPTIONS: dict[str, dict[str, str]] = {}
# contract name -> schema, in definition order
CONTRACTS: dict[str, pa.Schema] = {}


def _contract(name: str, columns: list[Column]) -> pa.Schema:
    names = [column for column, _, _ in columns]
    if len(set(names)) != len(names) or any(not text for _, _, text in columns):
        raise ValueError(f"contract {name}: column names must be unique and every column described")
    DESCRIPTIONS[name] = {column: text for column, _, text in columns}
    CONTRACTS[name] = pa.schema([(column, typ) for column, typ, _ in columns])
    return CONTRACTS[name]


def columns(name: str) -> list[Column]:
    """The (name, type, description) columns of a contract, e.g. to extend it."""
    return [(f.name, f.type, DESCRIPTIONS[name][f.name]) for f in CONTRACTS[name]]


def _one_of(values: tuple[str, ...]) -> str:
    return " | ".join(values) + "."


LANDING = _contract("LANDING", [
    ("item_id", pa.string(), "sha1 of guid, else canonical URL, else content hash."),
    ("source_id", pa.string(), "Feed source id from config/sources.yml."),
    ("source_type", pa.string(), _one_of(SOURCE_TYPES)),
    ("guid", pa.string(), "Item guid as the feed gave it."),
    ("url", pa.string(), "Canonical URL: tracking parameters and fragment removed; null without a link."),
    ("has_link", pa.bool_(), "False for an entry the feed gave without a link (url null; item_id is the content hash)."),
    ("title", pa.string(), "Plain-text title: HTML stripped, entities decoded."),
    ("summary", pa.string(), "Plain-text summary."),
    ("author", pa.string(), "Author, if any."),
    ("language", pa.string(), "ISO 639-1 language declared by the item, feed or source; may be null."),
    ("published_at", TS, "Publication time (UTC)."),
    ("is_published_at_fallback", pa.bool_(), "True when the feed gave no usable date."),
    ("story_id", pa.string(), "Shared by syndicated copies of one story: a normalised-title hash on landing, "
                              "the near-duplicate cluster id (riskradar.stories.cluster) once scored."),
    ("content_hash", pa.string(), "Hash of the normalised content."),
    ("interval_start", TS, "Start of the ingest data interval."),
    ("interval_end", TS, "End of the ingest data interval."),
    ("run_id", pa.string(), "Airflow run that wrote the part."),
])

SCORED = _contract("SCORED", columns("LANDING") + [
    ("detected_language", pa.string(), "Language detected from the text."),
    ("is_scored", pa.bool_(), "False for non-English items: unscored, not neutral."),
    ("sentiment_neg", pa.float64(), "VADER negative proportion."),
    ("sentiment_neu", pa.float64(), "VADER neutral proportion."),
    ("sentiment_pos", pa.float64(), "VADER positive proportion."),
    ("sentiment_compound", pa.float64(), "VADER compound score in [-1, 1]."),
    ("sentiment_label", pa.string(), _one_of(SENTIMENT_LABELS)),
    ("topics", pa.list_(pa.string()), "Taxonomy topic ids (multi-label)."),
    ("matched_terms", pa.list_(pa.string()), "Evidence, '<topic_id>:<term>'."),
    ("platforms", pa.list_(pa.string()), "Platform ids mentioned."),
    ("taxonomy_version", pa.string(), "Version of config/taxonomy.yml used."),
    ("lexicon_version", pa.string(), "Version of config/lexicon.yml used."),
])

QUARANTINE = _contract("QUARANTINE", [
    ("stage", pa.string(), "Where the row was stopped: fetch | parse | landing_gate | scored_gate | ..."),
    ("source_id", pa.string(), "Feed source id."),
    ("item_id", pa.string(), "Item id; null for a row about a whole document (truncated body, refused URL)."),
    ("reason", pa.string(), "Human-readable cause."),
    ("expectation", pa.string(), "GX expectation id(s) when a gate quarantined the row."),
    ("raw", pa.string(), "JSON of whatever could be read of the item."),
    ("interval_start", TS, "Start of the ingest data interval."),
    ("interval_end", TS, "End of the ingest data interval."),
    ("run_id", pa.string(), "Airflow run that wrote the part."),
])

SOURCE_HEALTH = _contract("SOURCE_HEALTH", [
    ("source_id", pa.string(), "Feed source id."),
    ("source_type", pa.string(), _one_of(SOURCE_TYPES)),
    ("status", pa.string(), "ok | empty | error."),
    ("http_status", pa.int32(), "HTTP status of the fetch, if any."),
    ("error", pa.string(), "Error message when status = error."),
    ("items_read", pa.int64(), "Items parsed from the feed."),
    ("items_landed", pa.int64(), "Items written to landing."),
    ("items_duplicate", pa.int64(), "Items already seen."),
    ("items_quarantined", pa.int64(), "Items quarantined with a reason."),
    ("latency_ms", pa.float64(), "Fetch latency in milliseconds."),
    ("interval_start", TS, "Start of the ingest data interval."),
    ("interval_end", TS, "End of the ingest data interval."),
    ("run_id", pa.string(), "Airflow run id."),
    # trailing columns added by ingest hardening (issue 3): older parts lack them
    ("consecutive_failures", pa.int64(), "Failed intervals in a row up to this one (0 when it did not fail)."),
    ("last_success_at", TS, "End of the latest interval that did not fail; null if never."),
    ("items_future_dated", pa.int64(), "Items dated > 1 day after the interval end: date replaced and flagged."),
    ("is_not_modified", pa.bool_(), "HTTP 304: the cached copy of the feed was re-read."),
    ("is_truncated", pa.bool_(), "Body exceeded max_bytes and was cut off (what was readable is kept; "
                                 "reported in quarantine)."),
    ("response_bytes", pa.int64(), "Payload size after decompression."),
])

DQ_RESULTS = _contract("DQ_RESULTS", [
    ("run_id", pa.string(), "Airflow run id."),
    ("interval_start", TS, "Start of the validated interval."),
    ("interval_end", TS, "End of the validated interval."),
    ("step", pa.string(), "landing | scored | marts."),
    ("suite", pa.string(), "GX suite name."),
    ("expectation", pa.string(), "Expectation id: type and column, e.g. expect_column_values_to_not_be_null:title."),
    ("severity", pa.string(), "critical | warning."),
    ("success", pa.bool_(), "Whether the expectation passed."),
    ("observed_value", pa.string(), "Observed value as text."),
    ("unexpected_count", pa.int64(), "Rows that failed."),
    ("element_count", pa.int64(), "Rows validated."),
    ("validated_at", TS, "Audit only; never used by metrics."),
])

# ---- reference tables dbt reads from <data>/reference/ (riskradar.marts.reference writes them) ----

TOPICS_REFERENCE = _contract("TOPICS_REFERENCE", [
    ("topic_id", pa.string(), "Taxonomy topic id."),
    ("topic_name", pa.string(), "Display name."),
    ("description", pa.string(), "What the topic covers."),
    ("severity", pa.string(), "Severity label (critical | high | medium | low); may be absent."),
    ("severity_weight", pa.float64(), "Numeric ranking weight; may be absent (then derived from severity)."),
    ("taxonomy_version", pa.string(), "Version of config/taxonomy.yml."),
])

PLATFORMS_REFERENCE = _contract("PLATFORMS_REFERENCE", [
    ("platform_id", pa.string(), "Platform id (config/taxonomy.yml platforms[].id)."),
    ("platform_name", pa.string(), "Display name."),
    ("is_own_platform", pa.bool_(), "The taxonomy's `own: true`: the team's own platform."),
])

SOURCES_REFERENCE = _contract("SOURCES_REFERENCE", [
    ("source_id", pa.string(), "Source id (config/sources.yml)."),
    ("source_name", pa.string(), "Display name."),
    ("source_type", pa.string(), _one_of(SOURCE_TYPES)),
    ("kind", pa.string(), "Feed kind: rss | atom | json."),
    ("region", pa.string(), "Market or region the source covers."),
    ("language", pa.string(), "Language the source declares."),
    ("weight", pa.float64(), "Weight of the source in attention metrics."),
    ("enabled", pa.bool_(), "Whether media_ingest fetches it."),
])
