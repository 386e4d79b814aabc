"""Real `dbt build` (dbt-duckdb, in process) over the deterministic scored fixture.

One warehouse per module, built the way Airflow builds it: the first day into a fresh
warehouse, then the following days as one backfill range, then a rerun of the spike day. The
marts must reconcile exactly with what the fixture wrote.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from fixtures.scored_fixture import SPIKE_EXTRA_ITEMS, TOPIC_IDS, write_scored_fixture
from riskradar.config import Settings
from riskradar.transform import DbtBuildError, build_interval, generate_docs, run_dbt, target_dir

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
START = date(2026, 8, 1)
DAYS = 14
SPIKE = ("scam_ads", date(2026, 8, 11))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Fixture written, day 1 built into a fresh warehouse, days 2..14 built as one range."""
    tmp = tmp_path_factory.mktemp("dbt_build")
    # same layout as the `settings` fixture (tests/conftest.py), module-scoped so dbt runs once
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=REPO / "config")
    fixture = write_scored_fixture(settings.data_dir, START, DAYS, seed=7, spike=SPIKE)
    # the first build also runs the full-history tests on the staging/intermediate views
    first = build_interval(_midnight(START), _midnight(START + timedelta(days=1)), settings,
                           full_history_tests=True)
    rest = build_interval(_midnight(START + timedelta(days=1)), _midnight(START + timedelta(days=DAYS)), settings)
    return {"settings": settings, "fixture": fixture, "first": first, "rest": rest}


def test_first_build_into_fresh_warehouse_and_range_build_pass_all_dbt_tests(built):
    for summary in (built["first"], built["rest"]):
        nodes = summary["nodes"]
        assert nodes["failed"] == 0 and nodes["skipped"] == 0, summary
        assert nodes["models"] >= 18, summary
        # data tests and unit tests (spike baseline, negative share) ran and passed
        assert nodes["tests_passed"] >= 50, summary
        json.dumps(summary)  # small and JSON-able: it travels through XCom
    # the first build also ran the full-history tests on the staging and intermediate views
    assert built["first"]["nodes"]["tests_passed"] > built["rest"]["nodes"]["tests_passed"]
    assert built["first"]["rows"]["fct_topic_daily"] == len(TOPIC_IDS)
    assert built["rest"]["rows"]["fct_topic_daily"] == len(TOPIC_IDS) * (DAYS - 1)
    assert built["rest"]["elapsed_seconds"] > 0


def test_topic_daily_reconciles_with_fixture_and_is_zero_filled(built):
    settings, fx = built["settings"], built["fixture"]
    rows = _query(settings, """
        select topic_id, mention_date, mentions, stories, scored_mentions, negative_mentions, negative_share
        from fct_topic_daily""")
    assert len(rows) == len(TOPIC_IDS) * DAYS
    assert {r[0] for r in rows} == set(TOPIC_IDS)
    assert {r[1] for r in rows} == set(fx.days)
    zero_rows = 0
    for topic, day, mentions, stories, scored, negative, negative_share in rows:
        key = (topic, day)
        assert mentions == fx.topic_day_mentions.get(key, 0), key
        assert stories == fx.topic_day_stories.get(key, 0), key
        assert scored == fx.topic_day_scored.get(key, 0), key
        assert negative == fx.topic_day_negative.get(key, 0), key
        if scored:
            assert negative_share == pytest.approx(negative / scored), key
        else:
            assert negative_share is None, key
        zero_rows += mentions == 0
    assert zero_rows > 0, "the fixture should leave some topic-days empty (zero-fill)"


def test_source_coverage_counts_delivering_sources_against_enabled_ones(built):
    settings = built["settings"]
    enabled = _query(settings, "select count(*) from dim_sources where is_enabled")[0][0]
    rows = _query(settings, """select distinct mention_date, active_sources, enabled_sources, source_coverage,
                                     is_coverage_degraded from fct_topic_daily""")
    assert len(rows) == DAYS  # one value per day, on every topic row of the day
    for _day, active, enabled_n, coverage, degraded in rows:
        # the fixture writes ok health for its 5 sources; config/sources.yml enables more
        assert active == 5 and enabled_n == enabled
        assert coverage == pytest.approx(5 / enabled)
        assert degraded == (coverage < 0.8)


def test_unscored_items_count_as_mentions_but_not_in_negative_share(built):
    settings, fx = built["settings"], built["fixture"]
    assert fx.unscored_item_ids
    unscored = _query(settings, "select count(*) from fct_mentions where not is_scored")[0][0]
    assert unscored == len(fx.unscored_item_ids)
    # a topic-day with unscored mentions: mentions > scored and the ratio uses scored only
    rows = _query(settings, """
        select mentions, scored_mentions, unscored_mentions, negative_mentions, negative_share
        from fct_topic_daily where unscored_mentions > 0 and scored_mentions > 0""")
    assert rows
    for mentions, scored, unscored_n, negative, share in rows:
        assert mentions == scored + unscored_n
        assert share == pytest.approx(negative / scored)


def test_one_row_per_item_and_the_reseen_item_keeps_its_updated_title(built):
    settings, fx = built["settings"], built["fixture"]
    ids = [r[0] for r in _query(settings, "select item_id from fct_mentions")]
    assert len(ids) == len(set(ids)) == len(fx.item_ids)
    assert set(ids) == fx.item_ids
    title, times_seen = _query(settings, "select title, times_seen from fct_mentions where item_id = ?",
                               [fx.updated_item_id])[0]
    assert title == fx.updated_title
    assert times_seen == 2


def test_injected_spike_is_flagged_and_alerted_with_examples(built):
    settings = built["settings"]
    topic, day = SPIKE
    is_spike, mentions, z, severity, score, neg_share, base_neg = _query(settings, """
        select is_spike, mentions, z_score, severity, spike_score, negative_share, baseline_negative_share
        from fct_topic_spikes where topic_id = ? and mention_date = ?""", [topic, day])[0]
    assert is_spike and severity in {"low", "medium", "high"}
    assert mentions >= SPIKE_EXTRA_ITEMS and z >= 3
    assert neg_share > base_neg
    # it ranks first that day, as the brief orders topics
    top = _query(settings, """select topic_id from fct_topic_spikes where mention_date = ?
                              order by is_spike desc, spike_score desc nulls last limit 1""", [day])[0][0]
    assert top == topic and score > 0
    alert = _query(settings, """select alert_id, topic_name, severity, example_item_ids, example_titles, example_urls
                                from fct_risk_alerts where topic_id = ? and mention_date = ?""", [topic, day])
    assert len(alert) == 1
    alert_id, topic_name, alert_severity, item_ids, titles, urls = alert[0]
    assert alert_severity == severity and topic_name
    assert len(item_ids) == len(titles) == len(urls) == 3
    # the examples are the most negative items of the topic that day
    compounds = _query(settings, f"""select sentiment_compound from fct_mentions
                                     where item_id in ({', '.join('?' * len(item_ids))})""", list(item_ids))
    worst = _query(settings, """select max(c) from (select sentiment_compound as c from fct_mentions
                                where mention_date = ? and list_contains(topics, ?) and is_scored
                                order by c limit 3)""", [day, topic])[0][0]
    assert max(c for (c,) in compounds) <= worst
    # its explanation: the fixture's spike items come from two sources and carry the topic's term
    top_terms, top_sources, top_source_counts = _query(settings, """
        select top_terms, top_source_ids, top_source_mentions from fct_risk_alerts
        where topic_id = ? and mention_date = ?""", [topic, day])[0]
    assert top_terms[0] == "term"
    assert set(top_sources[:2]) == {"global_newswire", "seller_forum"}
    assert top_source_counts[0] >= SPIKE_EXTRA_ITEMS // 2 and top_source_counts == sorted(top_source_counts, reverse=True)
    # the alert id is a deterministic hash of topic and day
    assert alert_id == _query(settings, "select md5(? || '|' || cast(cast(? as date) as varchar))",
                              [topic, day.isoformat()])[0][0]


def test_rerun_of_a_day_replaces_it_without_duplicates(built):
    settings = built["settings"]
    _, day = SPIKE

    def snapshot():
        return (
            _query(settings, "select * from fct_topic_daily order by topic_id, mention_date"),
            _query(settings, "select item_id, title, sentiment_label from fct_mentions order by item_id"),
            _query(settings, "select * from fct_risk_alerts order by alert_id"),
        )

    before = snapshot()
    summary = build_interval(_midnight(day), _midnight(day + timedelta(days=1)), settings)
    assert summary["nodes"]["failed"] == 0
    assert summary["rows"]["fct_topic_daily"] == len(TOPIC_IDS)
    after = snapshot()
    for name, rows_before, rows_after in zip(("fct_topic_daily", "fct_mentions", "fct_risk_alerts"),
                                             before, after, strict=True):
        changed = [(b, a) for b, a in zip(rows_before, rows_after, strict=False) if b != a]
        assert len(rows_after) == len(rows_before) and not changed, (name, changed[:3])
    assert _query(settings, "select count(*) - count(distinct item_id) from fct_mentions")[0][0] == 0


def test_docs_site_lists_the_metrics(built):
    settings = built["settings"]
    index = generate_docs(settings)
    assert index == target_dir(settings) / "index.html" and index.exists()
    assert (index.parent / "static_index.html").exists()  # self-contained single-file site
    manifest = json.loads((index.parent / "manifest.json").read_text())
    metrics = {m["name"]: m for m in manifest["metrics"].values()}
    # every metric of the semantic layer is on the docs site with a description
    assert len(metrics) >= 20
    for name in ("mention_volume", "negative_share", "mean_compound", "share_of_voice", "net_sentiment",
                 "attention_share", "source_coverage"):
        assert name in metrics, name
    assert all(m["description"] for m in metrics.values()), [n for n, m in metrics.items() if not m["description"]]
    assert metrics["negative_share"]["type"] == "ratio"
    assert "scored" in metrics["negative_share"]["description"]
    assert {s["name"] for s in manifest["semantic_models"].values()} >= {"topic_daily", "mentions"}
    # dbt state lives under the data dir, never in dbt_project/
    assert settings.data_dir in index.parents


def test_failed_build_names_the_failing_node(settings):
    # an empty data dir: the scored zone has no files, so the staging view cannot read it
    (settings.data_dir / "reference").mkdir(parents=True)
    with pytest.raises(DbtBuildError) as excinfo:
        run_dbt(["run", "--select", "stg_riskradar__mentions"], settings)
    assert "stg_riskradar__mentions" in str(excinfo.value)
    assert excinfo.value.failures and excinfo.value.failures[0]["node"].endswith("stg_riskradar__mentions")

