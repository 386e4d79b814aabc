"""Great Expectations gates, run for real: zone parts on disk, a real DuckDB warehouse, real GX."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import storage
from riskradar.ingest.landing import ingest_source
from riskradar.quality import GateResult, QualityGateError, build_data_docs, landing_accounting, run_gate
from riskradar.schemas import DQ_RESULTS, LANDING, QUARANTINE, SCORED

START = datetime(2026, 8, 1, tzinfo=UTC)
END = START + timedelta(hours=1)
DAY_END = START + timedelta(days=1)
SOURCES = ("global_newswire", "metro_daily")
TOPICS = ("scam_ads", "ad_fraud", "creator_payouts")


@pytest.fixture
def gx_settings(settings):
    """Settings with a small taxonomy of our own (the real one is versioned separately)."""
    (settings.config_dir / "taxonomy.yml").write_text(
        "version: test-1\ncategories:\n" + "".join(f"  - id: {t}\n    name: {t}\n" for t in TOPICS),
        encoding="utf-8")
    return settings


def landing_row(source_id: str, i: int, **overrides) -> dict:
    row = {
        "item_id": f"{source_id}-{i:04d}", "source_id": source_id, "source_type": "news",
        "guid": f"guid-{i}", "url": f"https://news.example/{source_id}/{i}", "title": f"Headline {i}",
        "summary": "Summary text.", "author": None, "language": "en",
        "published_at": START + timedelta(minutes=i % 60), "is_published_at_fallback": False,
        "story_id": f"story-{i}", "content_hash": f"hash-{i}", "interval_start": START,
        "interval_end": END, "run_id": "ingest-run",
    }
    row.update(overrides)
    return row


def scored_row(landing: dict, i: int, **overrides) -> dict:
    row = dict(landing)
    row.update({
        "detected_language": "en", "is_scored": True, "sentiment_neg": 0.2, "sentiment_neu": 0.7,
        "sentiment_pos": 0.1, "sentiment_compound": -0.3, "sentiment_label": "negative",
        "topics": [TOPICS[i % len(TOPICS)]], "matched_terms": [f"{TOPICS[i % len(TOPICS)]}:term"],
        "platforms": ["adnova"], "taxonomy_version": "test-1", "lexicon_version": "lex-1",
    })
    row.update(overrides)
    return row


def write_landing(settings, source_id: str, rows: list[dict]):
    path = storage.partition_path(settings.landing_dir, START, source_id=source_id)
    return storage.write_table_atomic(storage.rows_to_table(rows, LANDING), path)


def write_scored(settings, source_id: str, rows: list[dict]):
    path = storage.partition_path(settings.scored_dir, START, source_id=source_id)
    return storage.write_table_atomic(storage.rows_to_table(rows, SCORED), path)


def clean_landing(settings, n: int = 30) -> dict[str, list[dict]]:
    batches = {sid: [landing_row(sid, i) for i in range(n)] for sid in SOURCES}
    for sid, rows in batches.items():
        write_landing(settings, sid, rows)
    return batches


def read_results(result: GateResult) -> list[dict]:
    table = pq.read_table(result.results_path)
    assert table.schema.equals(DQ_RESULTS, check_metadata=False)
    return table.to_pylist()


# ------------------------------------------------------------------------------------ landing

def test_clean_landing_batch_passes_and_writes_dq_results(gx_settings):
    clean_landing(gx_settings)

    result = run_gate("landing", START, END, "run-1", gx_settings)

    assert result.success and result.critical_failures == [] and result.warnings == []
    assert result.rows_validated == 60 and result.rows_quarantined == 0
    rows = read_results(result)
    assert len(rows) == result.evaluated >= 10
    assert all(r["success"] and r["step"] == "landing" and r["run_id"] == "run-1" for r in rows)
    assert {r["severity"] for r in rows} == {"critical", "warning"}
    assert "expect_column_values_to_not_be_null:title" in {r["expectation"] for r in rows}
    assert result.results_path.endswith("dq_results/step=landing/date=2026-08-01/part-20260801T0000-landing.parquet")
    json.dumps(result.to_dict())  # travels through XCom


def test_null_title_row_is_quarantined_and_landing_part_rewritten(gx_settings):
    batches = clean_landing(gx_settings)
    bad = [landing_row("metro_daily", i) for i in range(30)]
    bad[7]["title"] = None
    bad[9]["url"] = "javascript:alert(1)"
    part = write_landing(gx_settings, "metro_daily", bad)

    result = run_gate("landing", START, END, "run-1", gx_settings)

    assert result.success
    assert result.rows_validated == 60 and result.rows_quarantined == 2
    remaining = pq.read_table(part)
    assert remaining.schema.equals(LANDING, check_metadata=False)
    assert remaining.num_rows == 28
    assert {"metro_daily-0007", "metro_daily-0009"}.isdisjoint(remaining["item_id"].to_pylist())
    qpath = gx_settings.quarantine_dir / "stage=landing_gate/source=metro_daily/date=2026-08-01/part-20260801T0000.parquet"
    quarantined = pq.read_table(qpath)
    assert quarantined.schema.equals(QUARANTINE, check_metadata=False)
    by_id = {r["item_id"]: r for r in quarantined.to_pylist()}
    assert set(by_id) == {"metro_daily-0007", "metro_daily-0009"}
    assert by_id["metro_daily-0007"]["reason"] == "title is null"
    assert by_id["metro_daily-0007"]["expectation"] == "expect_column_values_to_not_be_null:title"
    assert by_id["metro_daily-0009"]["expectation"] == "expect_column_values_to_match_regex:url"
    assert json.loads(by_id["metro_daily-0009"]["raw"])["url"] == "javascript:alert(1)"
    assert all(r["stage"] == "landing_gate" and r["run_id"] == "run-1" for r in by_id.values())
    # counts add up: what landed = what stays + what the gate moved out
    assert remaining.num_rows + quarantined.num_rows == len(bad)
    # the other source's part is untouched
    assert pq.read_table(storage.partition_path(gx_settings.landing_dir, START, source_id="global_newswire")).num_rows == len(batches["global_newswire"])
    share = next(r for r in read_results(result) if r["expectation"].startswith("quarantined_share"))
    assert share["success"] and share["unexpected_count"] == 2 and share["element_count"] == 60


def test_landing_gate_rerun_is_idempotent(gx_settings):
    clean_landing(gx_settings)
    bad = [landing_row("metro_daily", i) for i in range(30)]
    bad[3]["title"] = ""
    part = write_landing(gx_settings, "metro_daily", bad)
    qpath = gx_settings.quarantine_dir / "stage=landing_gate/source=metro_daily/date=2026-08-01/part-20260801T0000.parquet"

    first = run_gate("landing", START, END, "run-1", gx_settings)
    landing_after, quarantine_after = pq.read_table(part), pq.read_table(qpath)
    second = run_gate("landing", START, END, "run-2", gx_settings)

    assert first.rows_quarantined == 1 and second.rows_quarantined == 0
    assert first.rows_quarantined_total == second.rows_quarantined_total == 1
    assert pq.read_table(part).equals(landing_after)
    assert pq.read_table(qpath).equals(quarantine_after)
    assert len(list(gx_settings.dq_results_dir.rglob("*.parquet"))) == 1  # replaced, not appended
    share = [r for r in read_results(second) if r["expectation"].startswith("quarantined_share")]
    assert share[0]["unexpected_count"] == 1 and share[0]["element_count"] == 60

    # ingest reran the interval (the bad row is back): quarantined again, not duplicated
    write_landing(gx_settings, "metro_daily", bad)
    third = run_gate("landing", START, END, "run-3", gx_settings)
    assert third.rows_quarantined == 1 and pq.read_table(qpath).num_rows == 1
    assert pq.read_table(part).num_rows == 29


def test_too_many_bad_rows_fail_the_gate_without_moving_anything(gx_settings):
    rows = [landing_row("global_newswire", i, title=None if i < 5 else f"t{i}") for i in range(30)]
    part = write_landing(gx_settings, "global_newswire", rows)

    with pytest.raises(QualityGateError) as err:
        run_gate("landing", START, END, "run-1", gx_settings)

    message = str(err.value)
    assert "'landing'" in message and "2026-08-01T00:00:00+00:00" in message
    assert "expect_column_values_to_not_be_null:title" in message
    assert "global_newswire/global_newswire-0000" in message  # sample ids
    assert "dq_results/step=landing" in message
    assert pq.read_table(part).num_rows == 30
    assert not (gx_settings.quarantine_dir / "stage=landing_gate").exists()
    results = {r["expectation"]: r for r in pq.read_table(
        storage.partition_path(gx_settings.dq_results_dir, START, source_id="landing", key="step",
                               suffix="-landing")).to_pylist()}
    assert results["expect_column_values_to_not_be_null:title"]["unexpected_count"] == 5
    assert not results["expect_column_values_to_not_be_null:title"]["success"]


def test_duplicate_item_id_and_unknown_source_are_critical(gx_settings):
    rows = [landing_row("global_newswire", i) for i in range(10)]
    rows[4]["item_id"] = rows[3]["item_id"]
    write_landing(gx_settings, "global_newswire", rows)
    write_landing(gx_settings, "not_a_source", [landing_row("not_a_source", 1)])

    with pytest.raises(QualityGateError) as err:
        run_gate("landing", START, END, "run-1", gx_settings)

    message = str(err.value)
    assert "item_id_unique_within_part" in message and "global_newswire-0003" in message
    assert "expect_column_values_to_be_in_set:source_id" in message and "not_a_source" in message


def test_schema_change_is_critical(gx_settings):
    clean_landing(gx_settings)
    table = storage.rows_to_table([landing_row("metro_daily", i) for i in range(5)], LANDING)
    table = table.drop_columns(["summary"]).append_column("surprise", table["title"])
    storage.write_table_atomic(table, storage.partition_path(gx_settings.landing_dir, START, source_id="metro_daily"))

    with pytest.raises(QualityGateError) as err:
        run_gate("landing", START, END, "run-1", gx_settings)

    assert "columns_match_schema" in str(err.value)
    assert "column_types_match_schema" in str(err.value) and "surprise" in str(err.value)


def test_out_of_interval_publication_time_is_only_a_warning(gx_settings):
    rows = [landing_row("global_newswire", i) for i in range(10)]
    rows[0]["published_at"] = START - timedelta(days=400)
    write_landing(gx_settings, "global_newswire", rows)

    result = run_gate("landing", START, END, "run-1", gx_settings)

    assert result.success and len(result.warnings) == 1
    assert "published_at_plausible_for_interval" in result.warnings[0]


# ------------------------------------------------- counts add up: ingest -> landing + quarantine

def serve_feed(settings, server, n: int, bad_link: tuple[int, ...]) -> None:
    """One RSS source on the loopback server; items in `bad_link` have a guid and a non-HTTP <link>
    (an item with no link at all lands, flagged has_link = false)."""
    items = "".join(
        f"<item><guid isPermaLink='false'>g-{i}</guid><title>Scam ads story {i}</title>"
        + (f"<link>mailto:news{i}@example.test</link>" if i in bad_link else f"<link>https://news.example/{i}</link>")
        + "<pubDate>Sat, 01 Aug 2026 00:10:00 GMT</pubDate></item>" for i in range(n))
    (server.root / "feed.xml").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><link>https://news.example/</link>"
        f"<description>d</description><language>en</language>{items}</channel></rss>", encoding="utf-8")
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": [
        {"id": "test_feed", "name": "Test", "kind": "rss", "type": "news", "language": "en",
         "url_template": f"{server.url}/feed.xml"}]}), encoding="utf-8")


@pytest.fixture
def loopback(monkeypatch):
    monkeypatch.setenv("RISKRADAR_ALLOW_HOSTS", "127.0.0.1")


def test_counts_add_up_from_ingest_through_the_landing_gate(gx_settings, feed_server, loopback):
    serve_feed(gx_settings, feed_server, 40, bad_link=(5,))
    ingest_source("test_feed", START, END, "run-1", gx_settings)

    first = run_gate("landing", START, END, "run-1", gx_settings)
    # ingest reruns the interval (the bad item lands again), then the gate: still no loss, no double count
    ingest_source("test_feed", START, END, "run-2", gx_settings)
    second = run_gate("landing", START, END, "run-2", gx_settings)

    assert first.rows_quarantined == 1 and second.rows_quarantined == 1
    [row] = landing_accounting(gx_settings, START, END).to_dict("records")
    assert row == {"source_id": "test_feed", "items_landed": 40, "landing_rows": 39, "gate_quarantined": 1,
                   "overlap": 0, "balanced": True}
    accounting = next(r for r in read_results(second)
                      if r["expectation"] == "landing_rows_plus_gate_quarantine_equal_items_landed")
    assert accounting["success"] and accounting["severity"] == "critical" and accounting["element_count"] == 1


def test_a_row_lost_between_ingest_and_landing_gate_is_critical(gx_settings, feed_server, loopback):
    serve_feed(gx_settings, feed_server, 40, bad_link=())
    ingest_source("test_feed", START, END, "run-1", gx_settings)
    part = storage.partition_path(gx_settings.landing_dir, START, source_id="test_feed")
    table = pq.read_table(part)
    storage.write_table_atomic(table.slice(0, 38), part)  # something dropped two rows silently

    with pytest.raises(QualityGateError) as err:
        run_gate("landing", START, END, "run-1", gx_settings)

    message = str(err.value)
    assert "landing_rows_plus_gate_quarantine_equal_items_landed" in message
    assert "test_feed: landed 40 != landing 38 + quarantined 0" in message


# ------------------------------------------------------------------------------------- scored

def write_clean_scored(settings, n: int = 20) -> dict[str, list[dict]]:
    batches = clean_landing(settings, n)
    scored = {}
    for sid, rows in batches.items():
        scored[sid] = [scored_row(r, i) for i, r in enumerate(rows)]
        scored[sid][0].update(is_scored=False, sentiment_neg=None, sentiment_neu=None, sentiment_pos=None,
                              sentiment_compound=None, sentiment_label="unscored", topics=[])
        write_scored(settings, sid, scored[sid])
    return scored


def test_clean_scored_batch_passes(gx_settings):
    write_clean_scored(gx_settings)

    result = run_gate("scored", START, END, "run-1", gx_settings)

    assert result.success and result.warnings == [] and result.rows_validated == 40
    names = {r["expectation"] for r in read_results(result)}
    assert {"topics_in_taxonomy", "scored_rows_equal_landing_rows", "unscored_has_no_compound"} <= names


def test_bad_scored_batch_fails_with_a_clear_message_and_records_results(gx_settings):
    scored = write_clean_scored(gx_settings)
    rows = scored["metro_daily"]
    rows[5]["sentiment_compound"] = 3.0
    rows[6]["topics"] = ["scam_ads", "no_such_topic"]
    rows[7]["sentiment_label"] = "unscored"  # but is_scored is true
    write_scored(gx_settings, "metro_daily", rows)

    with pytest.raises(QualityGateError) as err:
        run_gate("scored", START, END, "run-1", gx_settings)

    message = str(err.value)
    assert "quality gate 'scored' failed" in message
    assert "expect_column_values_to_be_between:sentiment_compound" in message and "3.0" in message
    assert "metro_daily/metro_daily-0005" in message
    assert "topics_in_taxonomy" in message and "no_such_topic" in message
    assert "scored_label_is_polarity" in message
    results = {r["expectation"]: r for r in pq.read_table(
        storage.partition_path(gx_settings.dq_results_dir, START, source_id="scored", key="step",
                               suffix="-scored")).to_pylist()}
    assert results["expect_column_values_to_be_between:sentiment_compound"]["unexpected_count"] == 1
    assert results["expect_column_values_to_be_between:sentiment_compound"]["success"] is False
    assert results["scored_rows_equal_landing_rows"]["success"] is True


def test_label_that_contradicts_the_compound_is_critical(gx_settings):
    scored = write_clean_scored(gx_settings)
    rows = scored["metro_daily"]
    rows[2].update(is_scored=True, sentiment_compound=-0.8, sentiment_label="positive")
    write_scored(gx_settings, "metro_daily", rows)

    with pytest.raises(QualityGateError) as err:
        run_gate("scored", START, END, "run-1", gx_settings)

    assert "label_consistent_with_compound" in str(err.value)
    assert "metro_daily/metro_daily-0002" in str(err.value)


def test_scoring_that_lost_rows_is_critical(gx_settings):
    scored = write_clean_scored(gx_settings)
    write_scored(gx_settings, "global_newswire", scored["global_newswire"][:-2])

    with pytest.raises(QualityGateError) as err:
        run_gate("scored", START, END, "run-1", gx_settings)

    assert "scored_rows_equal_landing_rows" in str(err.value)
    assert "global_newswire" in str(err.value)


# -------------------------------------------------------------------------------------- marts

def enabled_sources(settings) -> list[str]:
    from riskradar.ingest.sources import load_sources

    return [src.id for src in load_sources(settings, enabled_only=True)]


def build_warehouse(settings, *, drop_topic_day: bool = False, duplicate_item: bool = False,
                    volume_today: dict[str, int] | None = None, empty_day: bool = False,
                    history: dict[str, list[int]] | None = None, unreported: tuple[str, ...] = ()) -> None:
    """The marts the gate reads, as plain DuckDB tables (dbt builds the real ones).

    Every enabled source lands 50 items a day for 14 days before START and on START, unless
    `volume_today` (START only) or `history` (the 15 days, oldest first) say otherwise; sources in
    `unreported` have no health record on START. `empty_day`: START has no mentions at all.
    """
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        con.execute("create table dim_topics (topic_id varchar)")
        con.executemany("insert into dim_topics values (?)", [[t] for t in TOPICS])
        con.execute("""create table fct_mentions (item_id varchar, source_id varchar, mention_date date,
                       sentiment_compound double, topics varchar[])""")
        con.execute("""create table fct_topic_daily (topic_id varchar, mention_date date, mentions bigint,
                       negative_share double, mean_compound double)""")
        con.execute("""create table fct_topic_spikes (topic_id varchar, mention_date date, z_score double,
                       baseline_days integer)""")
        con.execute("""create table fct_source_health_daily (source_id varchar, health_date date,
                       items_landed bigint)""")
        for day in ("2026-07-31", "2026-08-01"):
            for topic in TOPICS:
                if drop_topic_day and day == "2026-08-01" and topic == "ad_fraud":
                    continue
                empty = empty_day and day == "2026-08-01"
                con.execute("insert into fct_topic_daily values (?, ?, ?, ?, ?)",
                            [topic, day, 0 if empty else 1, None if empty else 0.5, None if empty else -0.2])
                con.execute("insert into fct_topic_spikes values (?, ?, 0.4, 7)", [topic, day])
                if not empty:
                    con.execute("insert into fct_mentions values (?, 'global_newswire', ?, -0.2, [?])",
                                [f"{day}-{topic}", day, topic])
        if duplicate_item:
            con.execute("""insert into fct_mentions values
                           ('2026-08-01-scam_ads', 'metro_daily', '2026-08-01', 0.1, ['scam_ads'])""")
        for sid in enabled_sources(settings):
            series = list((history or {}).get(sid, [50] * 15))
            series[-1] = (volume_today or {}).get(sid, series[-1])
            for back, items in zip(range(14, -1, -1), series, strict=True):
                if back == 0 and sid in unreported:
                    continue
                con.execute("insert into fct_source_health_daily values (?, ?, ?)",
                            [sid, (START - timedelta(days=back)).date(), items])
    finally:
        con.close()


def test_clean_marts_pass(gx_settings):
    build_warehouse(gx_settings)

    result = run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert result.success and result.warnings == []
    grid = next(r for r in read_results(result) if r["expectation"] == "one_topic_daily_row_per_topic_and_day")
    assert grid["element_count"] == len(TOPICS)  # one day in the interval
    assert result.results_path.endswith("step=marts/date=2026-08-01/part-20260801T0000-marts.parquet")


def test_marts_gate_catches_missing_topic_day_and_duplicate_items(gx_settings):
    build_warehouse(gx_settings, drop_topic_day=True, duplicate_item=True)

    with pytest.raises(QualityGateError) as err:
        run_gate("marts", START, DAY_END, "run-1", gx_settings)

    message = str(err.value)
    assert "one_topic_daily_row_per_topic_and_day" in message and "ad_fraud/2026-08-01" in message
    assert "mentions.item_counted_once_per_day" in message and "2026-08-01-scam_ads" in message
    assert (gx_settings.dq_results_dir / "step=marts/date=2026-08-01").is_dir()


def test_marts_gate_without_warehouse_says_so_and_records_it(gx_settings):
    with pytest.raises(QualityGateError, match="does not exist"):
        run_gate("marts", START, DAY_END, "run-1", gx_settings)

    [row] = pq.read_table(next(gx_settings.dq_results_dir.rglob("*.parquet"))).to_pylist()
    assert row["expectation"] == "inputs_readable" and row["success"] is False


def test_an_interval_without_parts_passes_with_zero_rows(gx_settings):
    result = run_gate("landing", START, END, "run-1", gx_settings)

    assert result.success and result.rows_validated == 0 and result.rows_quarantined == 0
    assert all(r["success"] for r in read_results(result))


def test_a_given_dataframe_is_validated_without_touching_zones(gx_settings):
    rows = [landing_row("global_newswire", i) for i in range(10)]
    rows[2]["item_id"] = None
    frame = storage.rows_to_table(rows, LANDING).to_pandas()

    with pytest.raises(QualityGateError, match="expect_column_values_to_not_be_null:item_id"):
        run_gate("landing", START, END, "run-1", gx_settings, df=frame)
    assert not gx_settings.landing_dir.exists()


def test_topic_counts_that_do_not_reconcile_with_mentions_are_critical(gx_settings):
    build_warehouse(gx_settings)
    con = duckdb.connect(str(gx_settings.warehouse_path))
    con.execute("update fct_topic_daily set mentions = 5 where topic_id = 'scam_ads'")
    con.close()

    with pytest.raises(QualityGateError) as err:
        run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert "topic_daily_mentions_reconcile_with_fct_mentions" in str(err.value)
    assert "scam_ads/2026-08-01" in str(err.value)


def test_scored_items_missing_from_the_marts_are_critical(gx_settings):
    build_warehouse(gx_settings)
    landing = [landing_row("global_newswire", i) for i in range(2)]
    write_scored(gx_settings, "global_newswire", [scored_row(r, i) for i, r in enumerate(landing)])

    with pytest.raises(QualityGateError) as err:
        run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert "scored_items_reach_fct_mentions" in str(err.value)
    assert "global_newswire/global_newswire-0001" in str(err.value)


@pytest.mark.parametrize("items_today, flag", [(0, "below"), (500, "above")])
def test_a_silent_or_flooding_source_is_flagged_against_its_own_history(gx_settings, items_today, flag):
    build_warehouse(gx_settings, volume_today={"metro_daily": items_today})

    result = run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert result.success  # a volume anomaly is recorded and shown, it does not block the marts
    [warning] = result.warnings
    assert f"source_volume_not_{flag}_usual_band" in warning and f"metro_daily/2026-08-01/{items_today}" in warning


def test_a_source_silent_for_days_is_flagged_even_once_its_median_is_zero(gx_settings):
    # silent for 3 days: below its band and silent; silent for the whole window: its median is 0 so
    # the band says nothing, but the silent-days check still does
    build_warehouse(gx_settings, history={"metro_daily": [50] * 12 + [0] * 3, "eurowire": [0] * 15})

    result = run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert result.success
    below = next(w for w in result.warnings if "source_volume_not_below_usual_band" in w)
    silent = next(w for w in result.warnings if "source_not_silent_for_2_days" in w)
    assert "metro_daily/2026-08-01/0" in below and "eurowire" not in below
    assert "metro_daily/2026-08-01/0" in silent and "eurowire/2026-08-01/0" in silent
    assert "unexpected=2/" in silent


def test_a_source_without_a_health_record_for_the_day_is_flagged(gx_settings):
    build_warehouse(gx_settings, unreported=("app_reviews",))

    result = run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert result.success
    missing = next(w for w in result.warnings if "enabled_source_reported_each_day" in w)
    assert "app_reviews/2026-08-01/0" in missing and "unexpected=1/" in missing


def test_a_day_without_any_mentions_is_a_critical_missing_day(gx_settings):
    # dbt still writes the topic x day grid (zeros), so only the day coverage notices the gap
    build_warehouse(gx_settings, empty_day=True)

    with pytest.raises(QualityGateError) as err:
        run_gate("marts", START, DAY_END, "run-1", gx_settings)

    message = str(err.value)
    assert "every_day_has_mentions" in message and "2026-08-01/0" in message
    assert "one_topic_daily_row_per_topic_and_day" not in message


def test_spike_without_z_score_is_a_warning(gx_settings):
    build_warehouse(gx_settings)
    con = duckdb.connect(str(gx_settings.warehouse_path))
    con.execute("update fct_topic_spikes set z_score = null where topic_id = 'scam_ads'")
    con.close()

    result = run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert result.success and len(result.warnings) == 1 and "z_score" in result.warnings[0]


# ---------------------------------------------------------------------------------- data docs

def test_data_docs_show_the_latest_validations(gx_settings):
    clean_landing(gx_settings)
    run_gate("landing", START, END, "run-1", gx_settings)
    build_warehouse(gx_settings, drop_topic_day=True)
    with pytest.raises(QualityGateError):
        run_gate("marts", START, DAY_END, "run-1", gx_settings)

    index = build_data_docs(gx_settings)
    again = build_data_docs(gx_settings)

    assert index == again and index.is_file() and index.is_relative_to(gx_settings.gx_dir)
    html = index.read_text(encoding="utf-8")
    assert "landing" in html and "marts.topic_day_grid" in html
    pages = [p.relative_to(index.parent).as_posix() for p in (index.parent / "validations").rglob("*.html")]
    # GX nests suite names at dots: validations/<suite>/<frame>/<run>/<time>/<batch>.html
    assert any(p.startswith("validations/landing/landing-20260801T0000/") for p in pages)
    grid_page = next(p for p in pages if p.startswith("validations/marts/topic_day_grid/"))
    grid_html = (index.parent / grid_page).read_text(encoding="utf-8")
    assert "rows_per_topic_day" in grid_html and "Failed" in grid_html
    suite_html = (index.parent / "expectations/marts/topic_day_grid.html").read_text(encoding="utf-8")
    assert "one_topic_daily_row_per_topic_and_day" in suite_html and "severity critical" in suite_html


def test_data_docs_show_the_rerun_not_the_superseded_validation(gx_settings):
    rows = [landing_row("global_newswire", i) for i in range(10)]
    rows[4]["item_id"] = rows[3]["item_id"]
    write_landing(gx_settings, "global_newswire", rows)
    with pytest.raises(QualityGateError):
        run_gate("landing", START, END, "run-1", gx_settings)
    failed_page = _landing_pages(build_data_docs(gx_settings))
    write_landing(gx_settings, "global_newswire", [landing_row("global_newswire", i) for i in range(10)])
    run_gate("landing", START, END, "run-2", gx_settings)

    index = build_data_docs(gx_settings)

    [(name, html)] = _landing_pages(index)
    assert [name] == [n for n, _ in failed_page]  # same interval: the rerun replaced the validation
    assert "Status: Failed" in _text(failed_page[0][1]) and "Unsuccessful Expectations 1" in _text(failed_page[0][1])
    assert "Status: Succeeded" in _text(html) and "Unsuccessful Expectations 0" in _text(html)
    assert "must be unique together: source_id , interval_start , item_id" in _text(html)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _landing_pages(index) -> list[tuple[str, str]]:
    root = index.parent / "validations" / "landing"
    return [(p.relative_to(root).parts[0], p.read_text(encoding="utf-8"))
            for p in sorted(root.glob("landing-*/*/*.html"))]  # not landing/schema/... (the schema frame)


def test_inside_airflow_a_gate_failure_is_not_retried(gx_settings):
    from airflow.sdk.exceptions import AirflowFailException  # what the task runner has imported

    rows = [landing_row("global_newswire", i) for i in range(3)]
    rows[1]["item_id"] = None
    write_landing(gx_settings, "global_newswire", rows)

    with pytest.raises(QualityGateError) as err:
        run_gate("landing", START, END, "run-1", gx_settings)

    assert isinstance(err.value, AirflowFailException)  # Airflow fails the task without retries


# ------------------------------------------------------------------------- chunked validation

CHUNK_SOURCES = ("global_newswire", "metro_daily", "adtech_insider", "marketing_ledger")


def _gate_in(settings, data_dir, step: str, chunk_rows: int, monkeypatch) -> tuple[GateResult | None, str]:
    """run_gate on a copy of the data dir with the given chunk size: (result or None, error text)."""
    monkeypatch.setenv("RISKRADAR_GATE_CHUNK_ROWS", str(chunk_rows))
    copy = settings.__class__(home=settings.home, data_dir=data_dir, config_dir=settings.config_dir)
    try:
        return run_gate(step, START, END, "run-1", copy), ""
    except QualityGateError as exc:
        return None, str(exc)


def _zone_state(data_dir) -> dict[str, list[dict]]:
    """Every Parquet file under the data dir but the audit timestamps (dq_results' validated_at)."""
    state = {}
    for path in sorted(data_dir.rglob("*.parquet")):
        rows = pq.read_table(path).to_pylist()
        for row in rows:
            row.pop("validated_at", None)
            if "observed_value" in row:  # a chunk shows its own first unexpected values
                row.pop("observed_value")
        state[str(path.relative_to(data_dir))] = rows
    return state


@pytest.mark.parametrize("step", ["landing", "scored"])
def test_a_large_interval_validated_in_chunks_gives_the_results_of_one_validation(gx_settings, monkeypatch,
                                                                                  tmp_path, step):
    """Four 30-row parts, validated whole (1 chunk) and one part at a time (4 chunks): the same
    dq_results, quarantine and zone rows. The null titles are 10% of their part (over the 5% that
    `mostly` allows) but 2.5% of the interval, so only a combined share gives the right answer."""
    import shutil

    landing = {sid: [landing_row(sid, i) for i in range(30)] for sid in CHUNK_SOURCES}
    for i in (3, 11, 20):
        landing["metro_daily"][i]["title"] = None
    landing["adtech_insider"][4]["url"] = "ftp://not-http"
    for sid, rows in landing.items():
        write_landing(gx_settings, sid, rows)
    if step == "scored":
        for sid, rows in landing.items():
            scored = [scored_row(r, i) for i, r in enumerate(rows)]
            if sid == "marketing_ledger":
                scored[2]["sentiment_compound"] = 3.0  # critical: the gate fails in both modes
            write_scored(gx_settings, sid, scored)
    whole_dir, chunked_dir = tmp_path / "whole", tmp_path / "chunked"
    shutil.copytree(gx_settings.data_dir, whole_dir)
    shutil.copytree(gx_settings.data_dir, chunked_dir)

    whole, whole_error = _gate_in(gx_settings, whole_dir, step, 1_000_000, monkeypatch)
    chunked, chunked_error = _gate_in(gx_settings, chunked_dir, step, 30, monkeypatch)

    assert _zone_state(chunked_dir) == _zone_state(whole_dir)
    if step == "landing":
        assert whole.chunks == 1 and chunked.chunks == 4
        assert whole.success and chunked.success
        assert (chunked.rows_validated, chunked.rows_quarantined) == (whole.rows_validated, whole.rows_quarantined) == (120, 4)
        assert chunked.warnings == whole.warnings
        assert sum(pq.read_table(p).num_rows for p in (chunked_dir / "quarantine").rglob("*.parquet")) == 4
    else:
        assert whole is None and chunked is None
        failing = re.compile(r"- scored / (\S+)")
        assert failing.findall(chunked_error) == failing.findall(whole_error) == [
            "expect_column_values_to_be_between:sentiment_compound"]
        assert "marketing_ledger/marketing_ledger-0002" in chunked_error


def test_chunks_are_whole_parts_of_at_most_the_chunk_rows(gx_settings, monkeypatch):
    from riskradar.quality.zones import _chunk_parts

    parts = [write_landing(gx_settings, sid, [landing_row(sid, i) for i in range(n)])
             for sid, n in zip(CHUNK_SOURCES, (10, 25, 40, 5), strict=True)]
    ordered = storage.parts_for_interval(gx_settings.landing_dir, START, END)
    assert sorted(ordered) == sorted(parts)
    sizes = {p: pq.read_metadata(p).num_rows for p in ordered}
    chunks = _chunk_parts(ordered, 35)
    assert [p for chunk in chunks for p in chunk] == ordered  # every part once, in order
    for chunk in chunks:  # within the limit, or a single larger part
        assert sum(sizes[p] for p in chunk) <= 35 or len(chunk) == 1
    assert _chunk_parts([], 35) == [[]]


def test_suites_are_built_once_per_process_and_reused(gx_settings):
    from riskradar.quality.validator import _validator

    write_clean_scored(gx_settings)
    validator = _validator()
    first = run_gate("scored", START, END, "run-1", gx_settings)
    cached = dict(validator.suites)
    again = run_gate("scored", START, END, "run-2", gx_settings)
    assert first.success and again.success
    scored_keys = [k for k in cached if k[0].startswith("scored")]
    assert scored_keys and all(validator.suites[k] is cached[k] for k in scored_keys)  # the same objects
    assert len(validator.suites) == len(cached)  # nothing rebuilt for the second interval run


def test_list_columns_reach_gx_hashable_so_no_frame_is_pickled(gx_settings, monkeypatch):
    import pickle

    import pandas as pd
    from great_expectations.execution_engine import pandas_execution_engine
    from riskradar.quality import hashable_lists

    frame = pd.DataFrame({"item_id": ["a", "b", "c"], "topics": [["scam_ads"], [], None],
                          "platforms": [pd.Series(["adnova"]).to_numpy(), None, None]})
    with pytest.raises(TypeError):
        pd.util.hash_pandas_object(frame)
    ready = hashable_lists(frame)
    assert ready["topics"].tolist() == [("scam_ads",), (), None] and ready["platforms"][0] == ("adnova",)
    assert frame["topics"][0] == ["scam_ads"]  # the caller's frame is left as it was
    pandas_execution_engine.hash_pandas_dataframe(ready)  # the fast path: pandas' row hash

    dumped = []
    real = pickle.dumps
    monkeypatch.setattr(pandas_execution_engine.pickle, "dumps",
                        lambda obj, *a, **k: dumped.append(type(obj)) or real(obj, *a, **k))
    write_clean_scored(gx_settings)
    assert run_gate("scored", START, END, "run-1", gx_settings).success
    assert pd.DataFrame not in dumped  # GX fingerprinted every batch without pickling it


def test_importing_the_quality_package_does_not_import_great_expectations():
    """Airflow parses DAG files that import riskradar.quality: GX (seconds) must wait for a gate."""
    code = ("import sys, riskradar.quality as q; "
            "assert q.run_gate and q.Spec and q.build_data_docs and q.landing_accounting; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('great_expectations', 'airflow')))")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
