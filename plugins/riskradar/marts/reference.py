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

TOPICS_REFERENCE = pa.schema([
    ("topic_id", pa.string()),
    ("topic_name", pa.string()),
    ("description", pa.string()),
    ("severity", pa.string()),
    ("severity_weight", pa.float64()),
    ("taxonomy_version", pa.string()),
])
PLATFORMS_REFERENCE = pa.schema([
    ("platform_id", pa.string()),
    ("platform_name", pa.string()),
    ("is_own_platform", pa.bool_()),
])


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
    sources = load_sources(settings)
    table = pa.table(
        {
            "source_id": [s.id for s in sources],
            "source_name": [s.name for s in sources],
            "source_type": [s.type for s in sources],
            "kind": [s.kind for s in sources],
            "region": [s.region for s in sources],
            "language": [s.language for s in sources],
            "weight": pa.array([s.weight for s in sources], pa.float64()),
            "enabled": pa.array([s.enabled for s in sources], pa.bool_()),
        }
    )
    path = settings.reference_dir / "sources.parquet"
    storage.write_table_if_changed(table, path)
    return path
