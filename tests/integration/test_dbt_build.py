"""Real `dbt build` (dbt-duckdb, in process) over the deterministic scored fixture.

One warehouse per module, built the way Airflow builds it: the first day into a fresh
warehouse, then the following days as one backfill range, then a rerun of the spike day. The
marts must reconcile exactly with what the fixture wrote.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from fixtures.scored_fixture import (
    FIXTURE_SOURCES,
    PLATFORMS,
    SPIKE_EXTRA_ITEMS,
    TOPIC_IDS,
    write_scored_fixture,
)
from riskradar.config import Settings
from riskradar.marts.build import build_interval
from riskradar.marts.dbt import DbtBuildError, generate_docs, run_dbt, target_dir

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
    # the first build also ran the full-history tests on the staging and intermediate views, and
    # the dbt unit tests (a fresh target dir); the range build on the same project skipped them
    assert built["first"]["nodes"]["tests_passed"] > built["rest"]["nodes"]["tests_passed"]
    assert built["first"]["unit_tests"] == "ran"
    assert built["rest"]["unit_tests"].startswith("skipped"), built["rest"]["unit_tests"]
    results = json.loads((target_dir(built["settings"]) / "run_results.json").read_text())["results"]
    assert results and not [r for r in results if r["unique_id"].startswith("unit_test.")]
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
        from fct_topic_spikes where topic_id = ? and language = 'en' and mention_date = ?""", [topic, day])[0]
    assert is_spike and severity in {"low", "medium", "high"}
    assert mentions >= SPIKE_EXTRA_ITEMS and z >= 3
    assert neg_share > base_neg
    # it ranks first that day, as the brief orders topics
    top = _query(settings, """select topic_id from fct_topic_spikes where mention_date = ? and language = 'en'
                              order by is_spike desc, spike_score desc nulls last limit 1""", [day])[0][0]
    assert top == topic and score > 0
    alert = _query(settings, """select alert_id, topic_name, severity, example_item_ids, example_titles, example_urls
                                from fct_risk_alerts where topic_id = ? and language = 'en' and mention_date = ?""",
                   [topic, day])
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
        where topic_id = ? and language = 'en' and mention_date = ?""", [topic, day])[0]
    assert top_terms[0] == "term"
    assert set(top_sources[:2]) == {"global_newswire", "seller_forum"}
    assert top_source_counts[0] >= SPIKE_EXTRA_ITEMS // 2 and top_source_counts == sorted(top_source_counts, reverse=True)
    # an English alert's id is a deterministic hash of topic and day (as before there were languages)
    assert alert_id == _query(settings, "select md5(? || '|' || cast(cast(? as date) as varchar))",
                              [topic, day.isoformat()])[0][0]


def _expected_slices(settings: Settings, slice_column: str) -> dict[tuple, tuple[int, int, int, int]]:
    """(topic, slice, day) -> (mentions, stories, scored, negative), recomputed in Python from fct_mentions."""
    items = _query(settings, f"""select item_id, story_id, {slice_column}, mention_date, topics, is_scored,
                                        sentiment_label from fct_mentions""")
    counts: dict[tuple, list[set]] = {}
    for item_id, story_id, slices, day, topics, is_scored, label in items:
        for slice_id in (slices if isinstance(slices, list) else [slices]):
            for topic in topics:
                item_sets = counts.setdefault((topic, slice_id, day), [set(), set(), set(), set()])
                item_sets[0].add(item_id)
                item_sets[1].add(story_id)
                if is_scored:
                    item_sets[2].add(item_id)
                    if label == "negative":
                        item_sets[3].add(item_id)
    return {key: tuple(len(s) for s in sets) for key, sets in counts.items()}


def test_topic_source_type_daily_reconciles_and_is_zero_filled(built):
    settings = built["settings"]
    enabled_types = {r[0]: r[1] for r in _query(settings, """select source_type, count(*) from dim_sources
                                                             where is_enabled group by source_type""")}
    assert set(enabled_types) == {"news", "trade_press", "forum", "review", "social"}
    rows = _query(settings, """select topic_id, source_type, mention_date, mentions, stories, scored_mentions,
                                      negative_mentions, negative_share, active_sources, enabled_sources,
                                      source_coverage, is_coverage_degraded
                               from fct_topic_source_type_daily""")
    # every topic x enabled source type x built day, once
    assert len(rows) == len({r[:3] for r in rows}) == len(TOPIC_IDS) * len(enabled_types) * DAYS
    expected = _expected_slices(settings, "source_type")
    assert {k for k, v in expected.items() if v[0]} <= {r[:3] for r in rows}
    for topic, source_type, day, mentions, stories, scored, negative, share, active, enabled, coverage, degraded in rows:
        key = (topic, source_type, day)
        assert (mentions, stories, scored, negative) == expected.get(key, (0, 0, 0, 0)), key
        assert share == (pytest.approx(negative / scored) if scored else None), key
        # coverage within the type: the fixture's sources all deliver, social has none of them
        fixture_sources = sum(1 for t in FIXTURE_SOURCES.values() if t == source_type)
        assert (active, enabled) == (fixture_sources, enabled_types[source_type]), key
        assert coverage == pytest.approx(fixture_sources / enabled_types[source_type]), key
        assert degraded == (coverage < 0.8), key
    # story collapse: the fixture syndicates one story a day across its two news sources, so the
    # day's news stories (attention_share denominator) are fewer than its news items
    news_days = _query(settings, """
        select s.mention_date, max(s.day_stories), m.items, m.stories
        from fct_topic_source_type_daily as s
        join (select mention_date, count(distinct item_id) as items, count(distinct story_id) as stories
              from fct_mentions where source_type = 'news' group by mention_date) as m
          on s.mention_date = m.mention_date
        where s.source_type = 'news' group by s.mention_date, m.items, m.stories""")
    assert len(news_days) == DAYS
    assert all(day_stories == stories for _, day_stories, _, stories in news_days)
    assert all(stories < items for _, _, items, stories in news_days)
    # every item has one source type: the slices add up to fct_topic_daily
    totals = _query(settings, """select d.topic_id, d.mention_date, d.mentions, sum(s.mentions)
                                 from fct_topic_daily as d join fct_topic_source_type_daily as s
                                   on d.topic_id = s.topic_id and d.mention_date = s.mention_date
                                 group by all having d.mentions <> sum(s.mentions)""")
    assert totals == []


def test_topic_platform_daily_fills_only_pairs_seen_so_far(built):
    settings = built["settings"]
    expected = _expected_slices(settings, "platforms")
    first_seen: dict[tuple[str, str], date] = {}
    for topic, platform, day in expected:
        first_seen[(topic, platform)] = min(day, first_seen.get((topic, platform), day))
    days = sorted({r[0] for r in _query(settings, "select distinct mention_date from fct_topic_daily")})
    rows = _query(settings, """select topic_id, platform_id, mention_date, mentions, stories, scored_mentions,
                                      negative_mentions, attention_share, day_stories
                               from fct_topic_platform_daily""")
    # a row for each pair on every day from its first mention on, and for no other pair or day
    grid = {(t, p, d) for (t, p), first in first_seen.items() for d in days if d >= first}
    assert len(rows) == len(grid) and {r[:3] for r in rows} == grid
    assert len(grid) < len(TOPIC_IDS) * len(PLATFORMS) * DAYS  # bounded: never-seen pairs get no rows
    assert {r[1] for r in rows} <= set(PLATFORMS)
    for topic, platform, day, mentions, stories, scored, negative, attention, day_stories in rows:
        key = (topic, platform, day)
        assert (mentions, stories, scored, negative) == expected.get(key, (0, 0, 0, 0)), key
        assert stories <= day_stories
        assert attention == (pytest.approx(stories / day_stories) if day_stories else None), key
    assert sum(1 for r in rows if r[3] == 0) > 0, "pairs seen before should get zero rows"


def test_poisson_surprise_tracks_the_exact_poisson_tail(built):
    settings = built["settings"]
    rows = _query(settings, """select topic_id, mention_date, mentions, baseline_mean, baseline_days, poisson_surprise
                               from fct_topic_spikes""")
    checked = 0
    for topic, day, k, lam, baseline_days, surprise in rows:
        if baseline_days < 3 or k == 0:
            assert surprise is None, (topic, day)
            continue
        z = 3 * math.sqrt(k) * (1 - 1 / (9 * k) - (lam / k) ** (1 / 3))
        assert surprise == pytest.approx(z, abs=1e-4), (topic, day)
        if lam > 0:
            # Wilson-Hilferty: the normal tail of the deviate is close to the exact P(X >= k | lam)
            exact = 1 - sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k))
            approx = 0.5 * math.erfc(z / math.sqrt(2))
            assert approx == pytest.approx(exact, rel=0.25, abs=5e-3), (topic, day, k, lam)
            checked += 1
    assert checked > 20
    topic, day = SPIKE
    spike_surprise = _query(settings, """select poisson_surprise from fct_topic_spikes
                                         where topic_id = ? and language = 'en' and mention_date = ?""",
                            [topic, day])[0][0]
    assert spike_surprise > 5  # the injected burst is far out in the Poisson tail


def test_rerun_of_a_day_replaces_it_without_duplicates(built):
    settings = built["settings"]
    _, day = SPIKE

    def snapshot():
        return (
            _query(settings, "select * from fct_topic_daily order by topic_id, mention_date"),
            _query(settings, "select item_id, title, sentiment_label from fct_mentions order by item_id"),
            _query(settings, "select * from fct_risk_alerts order by alert_id"),
            _query(settings, "select * from fct_topic_platform_daily order by topic_platform_day_id"),
            _query(settings, "select * from fct_topic_source_type_daily order by topic_source_type_day_id"),
        )

    before = snapshot()
    summary = build_interval(_midnight(day), _midnight(day + timedelta(days=1)), settings)
    assert summary["nodes"]["failed"] == 0
    assert summary["rows"]["fct_topic_daily"] == len(TOPIC_IDS)
    after = snapshot()
    for name, rows_before, rows_after in zip(("fct_topic_daily", "fct_mentions", "fct_risk_alerts",
                                              "fct_topic_platform_daily", "fct_topic_source_type_daily"),
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
                 "attention_share", "source_coverage", "platform_mention_volume", "platform_story_volume",
                 "platform_negative_share", "platform_net_sentiment", "source_type_mention_volume",
                 "source_type_story_volume", "source_type_negative_share", "source_type_net_sentiment",
                 "source_type_attention_share", "source_type_source_coverage", "language_mention_volume",
                 "language_story_volume", "language_unscored_mentions"):
        assert name in metrics, name
    assert all(m["description"] for m in metrics.values()), [n for n, m in metrics.items() if not m["description"]]
    assert metrics["negative_share"]["type"] == "ratio"
    assert "scored" in metrics["negative_share"]["description"]
    assert {s["name"] for s in manifest["semantic_models"].values()} >= {
        "topic_daily", "mentions", "topic_platform_daily", "topic_source_type_daily", "topic_language_daily"}
    # dbt state lives under the data dir, never in dbt_project/
    assert settings.data_dir in index.parents


def test_failed_build_names_the_failing_node(settings):
    # an empty data dir: the scored zone has no files, so the staging view cannot read it
    (settings.data_dir / "reference").mkdir(parents=True)
    with pytest.raises(DbtBuildError) as excinfo:
        run_dbt(["run", "--select", "stg_riskradar__mentions"], settings)
    assert "stg_riskradar__mentions" in str(excinfo.value)
    assert excinfo.value.failures and excinfo.value.failures[0]["node"].endswith("stg_riskradar__mentions")

