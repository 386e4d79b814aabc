"""The marts gate on a real DuckDB warehouse, and the GX Data Docs built from kept validations."""

from __future__ import annotations

import re
from datetime import timedelta

import duckdb
import pyarrow.parquet as pq
import pytest
from fixtures.quality_zone import (
    DAY_END,
    END,
    START,
    TOPICS,
    clean_landing,
    landing_row,
    read_results,
    scored_row,
    write_landing,
    write_scored,
)
from riskradar.quality import QualityGateError, build_data_docs, run_gate

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
        con.execute("""create table fct_topic_spikes (topic_id varchar, language varchar, mention_date date,
                       z_score double, baseline_days integer)""")
        con.execute("""create table fct_source_health_daily (source_id varchar, health_date date,
                       items_landed bigint)""")
        for day in ("2026-07-31", "2026-08-01"):
            for topic in TOPICS:
                if drop_topic_day and day == "2026-08-01" and topic == "ad_fraud":
                    continue
                empty = empty_day and day == "2026-08-01"
                con.execute("insert into fct_topic_daily values (?, ?, ?, ?, ?)",
                            [topic, day, 0 if empty else 1, None if empty else 0.5, None if empty else -0.2])
                con.execute("insert into fct_topic_spikes values (?, 'en', ?, 0.4, 7)", [topic, day])
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
