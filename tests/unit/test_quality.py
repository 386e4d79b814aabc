"""Great Expectations gates on the zones, run for real: landing and scored parts on disk, real GX.

The marts gate and Data Docs: test_marts_gate.py; chunked validation and per-process reuse:
test_gate_chunks.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pyarrow.parquet as pq
import pytest
import yaml
from fixtures.quality_zone import (
    END,
    START,
    clean_landing,
    landing_row,
    read_results,
    write_clean_scored,
    write_landing,
    write_scored,
)
from riskradar import storage
from riskradar.ingest.landing import ingest_source
from riskradar.quality import QualityGateError, landing_accounting, run_gate
from riskradar.schemas import LANDING, QUARANTINE

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


def test_inside_airflow_a_gate_failure_is_not_retried(gx_settings):
    from airflow.sdk.exceptions import AirflowFailException  # what the task runner has imported

    rows = [landing_row("global_newswire", i) for i in range(3)]
    rows[1]["item_id"] = None
    write_landing(gx_settings, "global_newswire", rows)

    with pytest.raises(QualityGateError) as err:
        run_gate("landing", START, END, "run-1", gx_settings)

    assert isinstance(err.value, AirflowFailException)  # Airflow fails the task without retries
