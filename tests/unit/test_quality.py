"""Great Expectations gates, run for real: zone parts on disk, a real DuckDB warehouse, real GX."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest
from riskradar import storage
from riskradar.quality import GateResult, QualityGateError, build_data_docs, run_gate
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


def test_scoring_that_lost_rows_is_critical(gx_settings):
    scored = write_clean_scored(gx_settings)
    write_scored(gx_settings, "global_newswire", scored["global_newswire"][:-2])

    with pytest.raises(QualityGateError) as err:
        run_gate("scored", START, END, "run-1", gx_settings)

    assert "scored_rows_equal_landing_rows" in str(err.value)
    assert "global_newswire" in str(err.value)


# -------------------------------------------------------------------------------------- marts

def build_warehouse(settings, *, drop_topic_day: bool = False, duplicate_item: bool = False,
                    volume_today: dict[str, int] | None = None) -> None:
    """The marts the gate reads, as plain DuckDB tables (dbt builds the real ones)."""
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
                con.execute("insert into fct_topic_daily values (?, ?, 1, 0.5, -0.2)", [topic, day])
                con.execute("insert into fct_topic_spikes values (?, ?, 0.4, 7)", [topic, day])
                con.execute("insert into fct_mentions values (?, 'global_newswire', ?, -0.2, [?])",
                            [f"{day}-{topic}", day, topic])
        if duplicate_item:
            con.execute("""insert into fct_mentions values
                           ('2026-08-01-scam_ads', 'metro_daily', '2026-08-01', 0.1, ['scam_ads'])""")
        for sid in SOURCES:
            for back in range(1, 15):
                con.execute("insert into fct_source_health_daily values (?, ?, 50)",
                            [sid, (START - timedelta(days=back)).date()])
            con.execute("insert into fct_source_health_daily values (?, ?, ?)",
                        [sid, START.date(), (volume_today or {}).get(sid, 50)])
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


@pytest.mark.parametrize("items_today, flag", [(0, "below"), (400, "above")])
def test_a_silent_or_flooding_source_is_flagged_against_its_own_history(gx_settings, items_today, flag):
    build_warehouse(gx_settings, volume_today={"metro_daily": items_today})

    result = run_gate("marts", START, DAY_END, "run-1", gx_settings)

    assert result.success  # a volume anomaly is recorded and shown, it does not block the marts
    [warning] = result.warnings
    assert f"source_volume_not_{flag}_usual_band" in warning and f"metro_daily/2026-08-01/{items_today}" in warning


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
