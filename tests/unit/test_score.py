"""Score stage end to end on real Parquet parts in a temporary data dir."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import storage
from riskradar.schemas import LANDING, PLATFORMS_REFERENCE, SCORED, TOPICS_REFERENCE
from riskradar.score.items import CLI_FIELDS, score_table, score_texts
from riskradar.score.task import score_interval

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
    assert spanish["topics"] == ["scam_ads"] and "scam_ads:anuncio* fraudulento*" in spanish["matched_terms"]
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
    assert result["topics"]["scam_ads"] == 2  # the English and the Spanish scam-ad items and result["topics"]["creator_payouts"] == 1
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
    assert out[1]["compound"] is None and out[1]["language"] == "es" and out[1]["topics"] == ["scam_ads"]
    assert set(out[0]) == {"neg", "neu", "pos", "compound", "label", "language", "topics", "matched_terms",
                           "platforms"}


def test_new_lexicon_version_rescores_everything(settings):
    write_landing(settings, ROWS, "global_newswire")
    score_interval(START, END, "run-1", settings)
    part = storage.partition_path(settings.scored_dir, START, source_id="global_newswire")
    before = next(r for r in pq.read_table(part).to_pylist() if "dashboard" in r["title"])["sentiment_compound"]
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
    assert dashboard["sentiment_compound"] < before - 0.1  # rescored with the new valence


# ---- the "Done means" invariant: every landed English item scored exactly once per lexicon version ----

def _landed(settings) -> dict[str, dict]:
    """item_id -> landing row, over the whole landing zone."""
    rows = {}
    for path in sorted(settings.landing_dir.rglob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["item_id"]] = row
    return rows


def _scored_zone(settings) -> tuple[list[dict], dict[str, bytes]]:
    """All scored rows and every part's bytes."""
    rows, blobs = [], {}
    for path in sorted(settings.scored_dir.rglob("*.parquet")):
        blobs[str(path.relative_to(settings.scored_dir))] = path.read_bytes()
        rows.extend(pq.read_table(path).to_pylist())
    return rows, blobs


def _invariant_corpus(settings) -> None:
    """Two intervals, three sources, English and foreign items, a syndicated copy on two sources."""
    syndicated = ("Scam ads with fake celebrity endorsements flood AdNova",
                  "Users say they lost savings after clicking the ads.")
    for hour, start in enumerate((START, END)):
        batches = {
            "global_newswire": [ROWS[0], ROWS[1], ROWS[4]],
            "metro_daily": [landing_row(10, *syndicated, source_id="metro_daily"), ROWS[2]],
            "app_reviews": [landing_row(20, "One star. Too many ads and it crashes", source_id="app_reviews"),
                            landing_row(21, "", "", source_id="app_reviews")],
        }
        for source_id, rows in batches.items():
            rows = [dict(r, source_id=source_id, item_id=f"{source_id}-{hour}-{i}", guid=f"{source_id}-{hour}-{i}",
                         interval_start=start, interval_end=start + timedelta(hours=1))
                    for i, r in enumerate(rows)]
            path = storage.partition_path(settings.landing_dir, start, source_id=source_id)
            storage.write_table_atomic(storage.rows_to_table(rows, LANDING), path)


def _count_scoring(monkeypatch) -> list[tuple]:
    """Record every real call of score_item (the one place a text gets scored)."""
    import riskradar.score.items as score_module

    calls: list[tuple] = []
    real = score_module.score_item

    def counting(*args, **kwargs):
        calls.append(args[:3])
        return real(*args, **kwargs)

    monkeypatch.setattr(score_module, "score_item", counting)
    return calls


def _score_all(settings, run: str) -> list[dict]:
    return [score_interval(s, s + timedelta(hours=1), run, settings) for s in (START, END)]


def test_every_landed_english_item_scored_exactly_once_per_lexicon_version(settings, monkeypatch):
    _invariant_corpus(settings)
    calls = _count_scoring(monkeypatch)
    _score_all(settings, "run-1")
    landed = _landed(settings)
    rows, blobs = _scored_zone(settings)
    lexicon = yaml.safe_load((settings.config_dir / "lexicon.yml").read_text())["version"]

    # one scored row per landed row, and no item twice anywhere in the zone
    assert sorted(r["item_id"] for r in rows) == sorted(landed)
    english = {r["item_id"] for r in rows if r["detected_language"] == "en"}
    assert english and english == {r["item_id"] for r in rows if r["is_scored"]}
    assert all(r["sentiment_compound"] is not None and r["sentiment_label"] != "unscored"
               for r in rows if r["item_id"] in english)
    assert all(r["sentiment_label"] == "unscored" for r in rows if r["item_id"] not in english)
    assert {r["lexicon_version"] for r in rows} == {str(lexicon)}
    # each distinct text was scored once, even when it landed on two sources in two intervals
    distinct = {(r["title"], r["summary"], r["language"]) for r in landed.values()}
    assert len(calls) == len(set(calls)) <= len(distinct)

    # rerunning changes nothing and scores nothing
    calls.clear()
    _score_all(settings, "run-2")
    assert _scored_zone(settings)[1] == blobs
    assert calls == []


def test_rerun_after_ingest_rerun_scores_only_new_text(settings, monkeypatch):
    _invariant_corpus(settings)
    _score_all(settings, "run-1")
    calls = _count_scoring(monkeypatch)
    path = storage.partition_path(settings.landing_dir, START, source_id="global_newswire")
    table = pq.read_table(path)
    extra = landing_row(30, "AdNova advertisers report a billing glitch that charged them twice")
    extra = dict(extra, item_id="global_newswire-0-9", guid="global_newswire-0-9")
    storage.write_table_atomic(pa.concat_tables([table, storage.rows_to_table([extra], LANDING)]), path)
    score_interval(START, END, "run-2", settings)
    assert [c[0] for c in calls] == [extra["title"]]
    rows, _ = _scored_zone(settings)
    assert sorted(r["item_id"] for r in rows) == sorted(_landed(settings))


def test_new_lexicon_version_scores_each_item_once_more(settings, monkeypatch):
    _invariant_corpus(settings)
    _score_all(settings, "run-1")
    lex_path = settings.config_dir / "lexicon.yml"
    lex = yaml.safe_load(lex_path.read_text())
    lex["version"] = "test-lexicon-9"
    lex_path.write_text(yaml.safe_dump(lex))
    calls = _count_scoring(monkeypatch)
    _score_all(settings, "run-2")
    rows, blobs = _scored_zone(settings)
    assert {r["lexicon_version"] for r in rows} == {"test-lexicon-9"}
    assert len(calls) == len(set(calls)) > 0
    calls.clear()
    _score_all(settings, "run-3")
    assert calls == [] and _scored_zone(settings)[1] == blobs


def test_process_pool_writes_the_same_parts(settings, monkeypatch, tmp_path):
    _invariant_corpus(settings)
    _score_all(settings, "run-1")
    _, sequential = _scored_zone(settings)
    for path in settings.scored_dir.rglob("*.parquet"):
        path.unlink()
    monkeypatch.setenv("RISKRADAR_SCORE_WORKERS", "2")
    result = score_interval(START, END, "run-2", settings)  # three parts across two processes
    pooled = _scored_zone(settings)[1]
    assert pooled and pooled == {k: v for k, v in sequential.items() if k in pooled}
    assert len(pooled) == 3
    assert result["items_scored"] + result["items_unscored"] == 7
    assert result["unscored_share"] == pytest.approx(1 / 7, abs=1e-4)
    monkeypatch.setenv("RISKRADAR_SCORE_WORKERS", "two")
    with pytest.raises(ValueError, match="RISKRADAR_SCORE_WORKERS"):
        score_interval(START, END, "run-3", settings)


def test_score_texts_pool_keeps_order(settings):
    texts = [f"Creator {i} says the payout delayed again" if i % 3 else f"Great dashboard number {i}"
             for i in range(50)]
    single = list(score_texts(texts, settings, declared_language="en"))
    pooled = list(score_texts(texts, settings, declared_language="en", workers=2, batch_size=7))
    assert pooled == single
    assert [o["label"] for o in single[:3]] == ["positive", "negative", "negative"]
    for row in pooled + single:  # rebuilt from the workers' compact tuples: the CLI's fields, real lists
        assert tuple(row) == CLI_FIELDS
        assert all(type(row[k]) is list for k in ("topics", "matched_terms", "platforms"))


def test_score_texts_rows_do_not_share_lists_with_the_memo(settings):
    """A caller editing a yielded row must not change what the memo serves for the same text later."""
    text = "My channel got demonetized and the payout delayed again on Pixelgram"
    first = next(score_texts([text], settings, declared_language="en"))
    expected = {k: list(v) if isinstance(v, list) else v for k, v in first.items()}
    assert first["topics"] and first["matched_terms"]
    first["topics"].append("edited")
    first["matched_terms"].clear()
    assert next(score_texts([text], settings, declared_language="en")) == expected


def _freeze_count(_: object) -> int:
    import gc

    return gc.get_freeze_count()


def test_pool_workers_fork_with_the_preloaded_heap_frozen():
    """The fork server freezes what it preloaded (NLTK, the models and the language model), so workers'
    garbage collections never walk it; importing the preload module anywhere else freezes nothing."""
    import gc
    import importlib
    from concurrent.futures import ProcessPoolExecutor

    from riskradar.score.items import mp_context

    ctx = mp_context()
    if ctx.get_start_method() != "forkserver":
        pytest.skip("no fork server on this platform")
    before = gc.get_freeze_count()
    importlib.import_module("riskradar.nlp.preload")
    assert gc.get_freeze_count() == before
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        assert all(n > 50_000 for n in pool.map(_freeze_count, range(2)))  # ~97k: NLTK, scipy, the models


def test_pool_fork_server_preloads_the_scoring_models():
    """The pool's fork server imports `riskradar.nlp.preload` (forkserver skips a module that fails
    to import, silently), which must leave the language gate's model loaded for the workers."""
    import importlib

    from riskradar.nlp import language
    from riskradar.score.items import FORKSERVER_PRELOAD, mp_context

    ctx = mp_context()
    assert "riskradar.nlp.preload" in FORKSERVER_PRELOAD
    assert ctx.get_start_method() in ("forkserver", "spawn")
    importlib.import_module("riskradar.nlp.preload")
    assert language._GATES and all(g.config.candidates for g in language._GATES.values())


def test_foreign_topics_only_in_languages_with_a_vocabulary(settings):  # Italian has none, even quoting English
    ind, ita = score_texts(["Iklan penipuan investasi kripto pakai wajah artis di AdNova, banyak korban kehilangan uang",
                            "Ancora una truffa su AdNova: scam ads ovunque, nessuno interviene e gli utenti perdono"], settings)
    assert (ind["language"], ind["topics"], ind["label"], ind["platforms"]) == ("id", ["scam_ads"], "unscored", ["adnova"])
    assert (ita["language"], ita["topics"], ita["matched_terms"], ita["platforms"]) == ("it", [], [], ["adnova"])
