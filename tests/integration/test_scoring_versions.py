"""Recomputing history under a new taxonomy version keeps the old version's results queryable.

Score a day, change the taxonomy (a new include term, version bumped), rescore the same interval
(what a backfill does), build the marts: fct_mentions holds the new version only, and
fct_mention_versions holds both, with the topic the new term added visible only in the new one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import pipeline, storage
from riskradar.marts.build import build_interval
from riskradar.schemas import LANDING

pytestmark = pytest.mark.integration
DAY = datetime(2026, 8, 3, tzinfo=UTC)
TITLES = [
    ("AdNova rolls out a new sticker pack for creators", "People love the stickers."),
    ("Scam ads with fake celebrity endorsements flood AdNova", "Users say they lost savings."),
    ("Streamly viewers complain about the new sticker pack ads", "The sticker pack ads are everywhere."),
    ("Creators say payouts delayed again on Streamly", "No explanation from support."),
]


def _landing(settings) -> None:
    rows = []
    for n, (title, summary) in enumerate(TITLES):
        guid = f"versions-{n}"
        rows.append({
            "item_id": hashlib.sha1(guid.encode()).hexdigest(), "source_id": "global_newswire", "source_type": "news",
            "guid": guid, "url": f"https://news.example.test/{n}", "title": title, "summary": summary,
            "author": None, "language": "en", "published_at": DAY + timedelta(hours=n + 1),
            "is_published_at_fallback": False, "story_id": f"story-{n}", "content_hash": guid,
            "interval_start": DAY, "interval_end": DAY + timedelta(days=1), "run_id": "r1",
        })
    storage.write_table_atomic(storage.rows_to_table(rows, LANDING),
                               storage.partition_path(settings.landing_dir, DAY, source_id="global_newswire"))


def _new_taxonomy_version(settings) -> str:
    path = settings.config_dir / "taxonomy.yml"
    taxonomy = yaml.safe_load(path.read_text())
    old = taxonomy["version"]
    taxonomy["version"] = f"{old}-test"
    for category in taxonomy["categories"]:
        if category["id"] == "ad_experience":
            category["include"].append("sticker pack ads")
    path.write_text(yaml.safe_dump(taxonomy, sort_keys=False, allow_unicode=True))
    return old


def test_rescoring_under_a_new_taxonomy_keeps_the_old_version_queryable(settings):
    _landing(settings)
    end = DAY + timedelta(days=1)
    pipeline.score(DAY, end, "r1", settings)
    old = _new_taxonomy_version(settings)
    new = f"{old}-test"
    pipeline.score(DAY, end, "r2", settings)  # the backfill of the day under the new version

    kept = list(settings.scored_versions_dir.rglob("part-*.parquet"))
    assert len(kept) == 1 and kept[0].relative_to(settings.scored_versions_dir).parts[0] == f"taxonomy={old}"
    assert set(pq.read_table(kept[0]).column("taxonomy_version").to_pylist()) == {old}
    current = storage.partition_path(settings.scored_dir, DAY, source_id="global_newswire")
    assert set(pq.read_table(current).column("taxonomy_version").to_pylist()) == {new}
    # a rerun under the same version keeps nothing more
    pipeline.score(DAY, end, "r3", settings)
    assert list(settings.scored_versions_dir.rglob("part-*.parquet")) == kept

    build_interval(DAY, end, settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("select distinct taxonomy_version from fct_mentions").fetchall() == [(new,)]
        rows = con.execute("""
            select taxonomy_version, is_current_version, count(*) as items,
                   count(*) filter (where list_contains(topics, 'ad_experience')) as ad_experience
            from fct_mention_versions group by all order by is_current_version""").fetchall()
    assert rows == [(old, False, len(TITLES), 0), (new, True, len(TITLES), 1)]
