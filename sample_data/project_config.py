"""What the project's configuration says the sample corpus covers: sources, topics, platforms.

Read with riskradar's own loaders (`riskradar.ingest.sources`, `riskradar.nlp.taxonomy`), so the
corpus follows the same validated config the pipeline ingests and scores with. The generator
reads the repository's `config/` (not RISKRADAR_CONFIG_DIR): the bundled corpus is the one its
README describes, whatever a deployment points the pipeline at.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from riskradar.config import Settings
from riskradar.ingest.sources import Source as ConfiguredSource
from riskradar.ingest.sources import load_sources as load_configured
from riskradar.nlp.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "config"
SOURCES_YML = CONFIG_DIR / "sources.yml"
FEED_KINDS = ("rss", "atom")

_TAXONOMY = load_taxonomy(CONFIG_DIR / "taxonomy.yml")
TOPICS: tuple[str, ...] = tuple(c.id for c in _TAXONOMY.categories)
TAXONOMY_PLATFORMS: tuple[tuple[str, str], ...] = tuple((p.id, p.name) for p in _TAXONOMY.platforms)


class Source(ConfiguredSource):
    """A source of sources.yml as the generator writes it: a definite default language and a
    `.example` domain for its links and ids."""

    @property
    def domain(self) -> str:
        return self.id.replace("_", "-") + ".example"


def load_sources(path: Path | str = SOURCES_YML) -> list[Source]:
    """The sources of a sources.yml (every one, enabled or not), validated by riskradar's loader."""
    path = Path(path)
    if path.name != "sources.yml":
        raise ValueError(f"{path}: riskradar reads sources from a config directory's sources.yml")
    settings = Settings(home=REPO, data_dir=REPO / "data", config_dir=path.parent)
    try:
        configured = load_configured(settings)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"sources config not found at {path}: the generator reads source ids and kinds from it") from exc
    sources = []
    for src in configured:
        if src.kind not in FEED_KINDS:
            raise ValueError(f"source {src.id}: kind must be rss or atom, got {src.kind!r}")
        values = {f.name: getattr(src, f.name) for f in fields(src)}
        sources.append(Source(**{**values, "language": src.language or "en"}))
    if not sources:
        raise ValueError(f"no sources in {path}")
    return sources
