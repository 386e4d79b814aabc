"""Score stage end to end on real Parquet parts in a temporary data dir."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import storage
from riskradar.schemas import LANDING, SCORED
from riskradar.score import PLATFORMS_REFERENCE, TOPICS_REFERENCE, score_interval, score_table, score_texts

START = datetime(2026, 8, 3, 10, tzinfo=UTC)
END = START + timedelta(hours=1)


def landing_row(n: int, title: str, summary: str = "", language: str | None = "en",
                source_id: str = "global_newswire") -> dict:
    guid = f"{source_id}-{n}"
    return {
        "item_id": hashlib.sha1(guid.encode()).hexdigest(), "source_id": source_id, "source_type": "news",
        "guid": guid, "url": f"https://example.test/{guid}", "title": title, "summary": summary,
        "author": None, "language": language, "published_at": START + timedelta(minutes=n),
        "is_published_at_fallback": False, "story_id": hashlib.sha1(title.encode()).hexdigest(),
        "content_hash": hashlib.sha1((title + summary).encode()).hexdigest(),
        "interval_start": START, "interval_end": END, "run_id": "scheduled__2026-08-03T10:00:00+00:00",
    }


ROWS = [
    landing_row(1, "Scam ads with fake celebrity endorsements flood AdNova",
                "Users say they lost savings after clicking the ads. AdNova said it removed thousands."),
    landing_row(2, "AdNova launches new reporting dashboard",
                "Advertisers praised the clear, helpful charts in the update."),
    landing_row(3, "Anuncios fraudulentos con famosos inundan Pixelgram",
                "Los usuarios denuncian que perdieron dinero tras hacer clic en los anuncios de la plataforma.",
                language="es"),
    landing_row(4, "My channel got demonetized and the payout delayed again", "No explanation from Streamly."),
    landing_row(5, "Weather: sunny spells", "Light winds and a high of 24 degrees."),
]


def write_landing(settings, rows: list[dict], source_id: str = "global_newswire"):
    path = storage.partition_path(settings.landing_dir, START, source_id=source_id)
    return storage.write_table_atomic(storage.rows_to_table(rows, LANDING), path)


def test_score_table_schema_and_values(settings):
    scored = score_table(storage.rows_to_table(ROWS, LANDING), settings)
    assert scored.schema.equals(SCORED)
    rows = {r["guid"]: r for r in scored.to_pylist()}
    scam = rows["global_newswire-1"]
    assert scam["is_scored"] and scam["sentiment_label"] == "negative"
    assert "scam_ads" in scam["topics"]
    assert scam["platforms"] == ["adnova"]
    assert rows["global_newswire-2"]["sentiment_label"] == "positive"
    spanish = rows["global_newswire-3"]
    assert spanish["detected_language"] == "es"
    assert spanish["is_scored"] is False and spanish["sentiment_label"] == "unscored"
    assert [spanish[c] for c in ("sentiment_neg", "sentiment_neu", "sentiment_pos", "sentiment_compound")] \
        == [None] * 4
    assert spanish["platforms"] == ["pixelgram"]  # share of voice still counts it
    payout = rows["global_newswire-4"]
    assert payout["topics"] == ["creator_payouts"] and payout["sentiment_label"] == "negative"
    assert payout["platforms"] == ["streamly"]
    noise = rows["global_newswire-5"]
    assert noise["topics"] == [] and noise["matched_terms"] == [] and noise["is_scored"]
    versions = {(r["taxonomy_version"], r["lexicon_version"]) for r in rows.values()}
    tax = yaml.safe_load((settings.config_dir / "taxonomy.yml").read_text())["version"]
    lex = yaml.safe_load((settings.config_dir / "lexicon.yml").read_text())["version"]
    assert versions == {(str(tax), str(lex))}
    # landing columns pass through untouched
    assert scored.select(LANDING.names).equals(storage.rows_to_table(ROWS, LANDING))


def test_score_table_rejects_foreign_input(settings):
    with pytest.raises(ValueError, match="LANDING columns"):
        score_table(pa.table({"title": ["x"]}), settings)


def test_versions_follow_the_config_files(settings):
    lex_path = settings.config_dir / "lexicon.yml"
    lex = yaml.safe_load(lex_path.read_text())
    lex["version"] = "test-lexicon-2"
    lex_path.write_text(yaml.safe_dump(lex))
    scored = score_table(storage.rows_to_table(ROWS[:1], LANDING), settings)
    assert scored.column("lexicon_version").to_pylist() == ["test-lexicon-2"]


def test_score_interval_end_to_end(settings):
    write_landing(settings, ROWS, "global_newswire")
    write_landing(settings, [], "seller_forum")  # ran, nothing new
    # metro_daily has no landing part: it failed, so scoring skips it
    result = score_interval(START, END, "run-1", settings,
                            source_ids=["global_newswire", "seller_forum", "metro_daily"])

    out = storage.partition_path(settings.scored_dir, START, source_id="global_newswire")
    empty = storage.partition_path(settings.scored_dir, START, source_id="seller_forum")
    assert sorted(result["parts_written"]) == sorted([str(out), str(empty)])
    assert not (settings.scored_dir / "source=metro_daily").exists()
    assert result["sources_skipped"] == ["metro_daily"]
    assert result["items_scored"] == 4 and result["items_unscored"] == 1
    assert result["per_source"]["seller_forum"] == {"items": 0, "scored": 0, "unscored": 0, "parts": 1}
    assert result["topics"]["scam_ads"] == 1 and result["topics"]["creator_payouts"] == 1
    assert result["taxonomy_version"] and result["lexicon_version"]

    table = pq.read_table(out)
    assert table.schema.equals(SCORED, check_metadata=False)
    assert table.num_rows == len(ROWS)
    empty_table = pq.read_table(empty)
    assert empty_table.num_rows == 0 and empty_table.schema.equals(SCORED, check_metadata=False)

    # reference tables for dbt
    topics = pq.read_table(settings.reference_dir / "topics.parquet")
    platforms = pq.read_table(settings.reference_dir / "platforms.parquet")
    assert topics.schema.equals(TOPICS_REFERENCE, check_metadata=False)
    assert platforms.schema.equals(PLATFORMS_REFERENCE, check_metadata=False)
    assert topics.num_rows == 13
    assert set(topics.column("severity").to_pylist()) <= {"low", "medium", "high"}
    assert dict(zip(platforms.column("platform_id").to_pylist(),
                    platforms.column("is_own_platform").to_pylist(), strict=True))["adnova"] is True
    assert result["reference_changed"] == {"topics": True, "platforms": True}

    # rerun: same bytes, nothing appended, references untouched
    before = out.read_bytes()
    topics_mtime = (settings.reference_dir / "topics.parquet").stat().st_mtime_ns
    again = score_interval(START, END, "run-2", settings,
                           source_ids=["global_newswire", "seller_forum", "metro_daily"])
    assert out.read_bytes() == before
    assert len(list(out.parent.glob("*.parquet"))) == 1
    assert again["reference_changed"] == {"topics": False, "platforms": False}
    assert result["texts_reused"] == 0 and again["texts_reused"] == len(ROWS)  # nothing rescored
    assert (settings.reference_dir / "topics.parquet").stat().st_mtime_ns == topics_mtime
    volatile = ("run_id", "reference_changed", "texts_reused")
    assert {k: v for k, v in again.items() if k not in volatile} == \
        {k: v for k, v in result.items() if k not in volatile}


def test_score_interval_all_sources_and_interval_bounds(settings):
    write_landing(settings, ROWS[:2], "global_newswire")
    write_landing(settings, ROWS[3:4], "app_reviews")
    # a part of the next interval is not this run's business
    nxt = storage.partition_path(settings.landing_dir, END, source_id="global_newswire")
    storage.write_table_atomic(storage.rows_to_table(ROWS[4:], LANDING), nxt)
    result = score_interval(START, END, "run-1", settings)
    assert set(result["per_source"]) == {"global_newswire", "app_reviews"}
    assert result["items_scored"] == 3
    assert not storage.partition_path(settings.scored_dir, END, source_id="global_newswire").exists()


def test_reference_rewritten_when_taxonomy_changes(settings):
    score_interval(START, END, "run-1", settings)
    tax_path = settings.config_dir / "taxonomy.yml"
    tax = yaml.safe_load(tax_path.read_text())
    tax["version"] = "test-taxonomy-2"
    tax_path.write_text(yaml.safe_dump(tax))
    result = score_interval(START, END, "run-2", settings)
    assert result["reference_changed"]["topics"] is True
    topics = pq.read_table(settings.reference_dir / "topics.parquet")
    assert set(topics.column("taxonomy_version").to_pylist()) == {"test-taxonomy-2"}


def test_score_texts_shares_the_pipeline_path(settings):
    out = list(score_texts(["My channel got demonetized and the payout is late, creators are furious",
                            "Los anunciantes denuncian anuncios fraudulentos en la plataforma de vídeo", ""],
                           settings))
    assert [o["label"] for o in out] == ["negative", "unscored", "unscored"]
    assert out[0]["topics"] == ["creator_payouts"] and out[0]["language"] == "en"
    assert out[1]["compound"] is None and out[1]["language"] == "es"
    assert set(out[0]) == {"neg", "neu", "pos", "compound", "label", "language", "topics", "matched_terms",
                           "platforms"}


def test_new_lexicon_version_rescores_everything(settings):
    write_landing(settings, ROWS, "global_newswire")
    score_interval(START, END, "run-1", settings)
    lex_path = settings.config_dir / "lexicon.yml"
    lex = yaml.safe_load(lex_path.read_text())
    lex["version"] = "test-lexicon-3"
    lex["words"]["dashboard"] = -3.0  # changes a score, so reuse would show
    lex_path.write_text(yaml.safe_dump(lex))
    result = score_interval(START, END, "run-2", settings)
    assert result["texts_reused"] == 0 and result["lexicon_version"] == "test-lexicon-3"
    table = pq.read_table(storage.partition_path(settings.scored_dir, START, source_id="global_newswire"))
    assert set(table.column("lexicon_version").to_pylist()) == {"test-lexicon-3"}
    dashboard = next(r for r in table.to_pylist() if "dashboard" in r["title"])
    assert dashboard["sentiment_compound"] < 0.4113  # rescored with the new valence
