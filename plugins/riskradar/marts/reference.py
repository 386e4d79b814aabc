"""The reference tables dbt reads from `<data>/reference/`: the taxonomy's topics and platforms
(`topics.parquet`, `platforms.parquet`, with `is_own_platform` from `own: true`) and the configured
sources (`sources.parquet`). Each is rewritten only when its content changes, so a build's inputs
fingerprint (riskradar.marts.build) moves only on a real config change.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from riskradar import storage
from riskradar.config import Settings
from riskradar.ingest.sources import load_sources
from riskradar.nlp.taxonomy import Taxonomy, load_taxonomy
from riskradar.schemas import PLATFORMS_REFERENCE, SOURCES_REFERENCE, TOPICS_REFERENCE


def _reference(items: list, schema: pa.Schema, attrs: dict[str, str], **constants: object) -> pa.Table:
    """One row per item: each column from the item's attribute `attrs[column]` (default: the column's
    own name), or a constant for every row."""
    columns = {name: [constants[name]] * len(items) if name in constants
               else [getattr(item, attrs.get(name, name)) for item in items] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


def topics_reference(taxonomy: Taxonomy) -> pa.Table:
    return _reference(taxonomy.categories, TOPICS_REFERENCE, {"topic_id": "id", "topic_name": "name"},
                      taxonomy_version=taxonomy.version)


def platforms_reference(taxonomy: Taxonomy) -> pa.Table:
    return _reference(taxonomy.platforms, PLATFORMS_REFERENCE,
                      {"platform_id": "id", "platform_name": "name", "is_own_platform": "own"})


def write_reference_tables(settings: Settings) -> dict[str, bool]:
    """Publish topics.parquet and platforms.parquet from config/taxonomy.yml; report which changed."""
    taxonomy = load_taxonomy(settings.config_dir / "taxonomy.yml")
    ref = settings.reference_dir
    return {
        "topics": storage.write_table_if_changed(topics_reference(taxonomy), ref / "topics.parquet"),
        "platforms": storage.write_table_if_changed(platforms_reference(taxonomy), ref / "platforms.parquet"),
    }


def write_sources_reference(settings: Settings) -> Path:
    """Publish config/sources.yml as reference/sources.parquet, the `sources` dbt source."""
    table = _reference(load_sources(settings), SOURCES_REFERENCE,
                       {"source_id": "id", "source_name": "name", "source_type": "type"})
    path = settings.reference_dir / "sources.parquet"
    storage.write_table_if_changed(table, path)
    return path
