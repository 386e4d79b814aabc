"""How often media_ingest polls, as configured: the one rule, cheap enough for DAG parsing.

`RISKRADAR_INGEST_CRON`, else `ingest_cron` in `config/sources.yml`, else hourly. This module
imports only the standard library and PyYAML, so `dags/` can read the cadence at parse time;
riskradar.ingest.sources.ingest_cron applies the same rule and validates the value
(`riskradar sources check`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HOURLY_CRON = "0 * * * *"
INGEST_CRON_ENV = "RISKRADAR_INGEST_CRON"


def configured_cron(sources_yml: Mapping[str, Any] | None) -> str:
    """The cadence from the environment, else from the parsed sources.yml mapping, else hourly."""
    value = os.environ.get(INGEST_CRON_ENV, "").strip()
    if value:
        return value
    data = sources_yml if isinstance(sources_yml, Mapping) else {}
    return str(data.get("ingest_cron") or HOURLY_CRON).strip()


def cron_at_parse_time(config_dir: Path) -> str:
    """configured_cron for a DAG file: a missing or broken sources.yml gives hourly (the ingest tasks
    then report the broken file with a clear message)."""
    import yaml

    try:
        data = yaml.safe_load((config_dir / "sources.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        data = None
    return configured_cron(data)
