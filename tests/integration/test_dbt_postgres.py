"""The dbt project, unchanged, on PostgreSQL: the same zones build the same marts as on DuckDB.

One data dir holds the deterministic scored fixture (14 days, a scam_ads spike), the real GX
scored gate's dq_results and an analyst's action on the spike's alert. The DuckDB warehouse is
built from it the way Airflow builds it (the first day, then the rest as one range), and so is a
throw-away PostgreSQL server on 127.0.0.1 (tests/pg.py; Debian's `postgresql`, installed by
`make postgres`) with `--target postgres`: `build_interval(target="postgres")` loads the zones
into PostgreSQL (riskradar.marts.pg_zones) and runs the same dbt build there. Every mart (tables,
incremental marts and views) must hold the same rows on both, every dbt data and unit test must
pass on both.

Skips only where the PostgreSQL server binaries are missing and cannot be installed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pytest
from fixtures.scored_fixture import SPIKE_EXTRA_ITEMS, write_scored_fixture
from pg import postgres_database
from riskradar.alerts.lifecycle import AlertRef, record_action
from riskradar.config import Settings
from riskradar.marts.build import build_interval
from riskradar.marts.dbt import target_dir
from riskradar.marts.pg_zones import load_zones, pg_settings, zone_sources
from riskradar.quality import QualityGateError, run_gate

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
START = dt.date(2026, 8, 1)
DAYS = 14
SPIKE = ("scam_ads", dt.date(2026, 8, 11))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _build_both_ways(settings: Settings, target: str) -> list[dict]:
    day1, day2, last = _midnight(START), _midnight(START + dt.timedelta(days=1)), _midnight(START + dt.timedelta(days=DAYS))
    return [build_interval(day1, day2, settings, full_history_tests=True, target=target),
            build_interval(day2, last, settings, target=target)]


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt_postgres")
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=REPO / "config")
    write_scored_fixture(settings.data_dir, START, DAYS, seed=7, spike=SPIKE)
    # the real GX scored gate writes dq_results for every day; the fixture has no landing zone,
    # so its scored-equals-landing check fails: the results hold passed and failed expectations
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        with pytest.raises(QualityGateError, match="scored_rows_equal_landing_rows"):
            run_gate("scored", _midnight(day), _midnight(day + dt.timedelta(days=1)), f"run-{day}", settings)
    # an analyst resolved the spike's alert: fct_alert_status and the baseline exclusions use it
    alert_id = hashlib.md5(f"{SPIKE[0]}|{SPIKE[1]}".encode()).hexdigest()  # noqa: S324 (dbt.hash)
    record_action(settings, AlertRef(alert_id, SPIKE[0], SPIKE[1]), "resolve", actor="analyst",
                  note="refund scam wave, reported", at=dt.datetime(2026, 8, 12, 9, 30, tzinfo=dt.UTC))
    duck = _build_both_ways(settings, "duckdb")
    with postgres_database("riskradar") as url, pytest.MonkeyPatch.context() as env:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        for key, value in {"RISKRADAR_PG_HOST": "127.0.0.1", "RISKRADAR_PG_PORT": str(port),
                           "RISKRADAR_PG_USER": "postgres", "RISKRADAR_PG_DBNAME": "riskradar"}.items():
            env.setenv(key, value)
        env.delenv("PGTZ", raising=False)  # UTC comes from the database setting the loader makes
        pg = _build_both_ways(settings, "postgres")
        yield {"settings": settings, "duckdb": duck, "postgres": pg, "alert_id": alert_id}


def _mart_models(settings: Settings) -> list[str]:
    manifest = json.loads((target_dir(settings, "postgres") / "manifest.json").read_text())
    return sorted(node["name"] for node in manifest["nodes"].values()
                  if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/"))


def _normal(value: Any) -> Any:
    """One comparable form for both engines' Python values."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value


def _rows(fetched: list[tuple], columns: list[str]) -> Counter:
    return Counter(tuple(sorted(zip(columns, (_normal(v) for v in row), strict=True))) for row in fetched)


def _duckdb_table(settings: Settings, model: str) -> tuple[list[str], Counter]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        cur = con.execute(f"select * from {model}")  # noqa: S608 (model names from the manifest)
        columns = [d[0] for d in cur.description]
        return columns, _rows(cur.fetchall(), columns)


def _postgres_table(model: str) -> tuple[list[str], Counter]:
    con = psycopg2.connect(**pg_settings())
    try:
        with con.cursor() as cur:
            cur.execute(f'select * from marts."{model}"')  # noqa: S608
            columns = [d[0] for d in cur.description]
            return columns, _rows(cur.fetchall(), columns)
    finally:
        con.close()


def test_every_dbt_node_passes_on_postgres_as_on_duckdb(warehouses):
    for duck, pg in zip(warehouses["duckdb"], warehouses["postgres"], strict=True):
        assert pg["target"] == "postgres" and pg["warehouse"].startswith("postgresql://")
        for summary in (duck, pg):
            assert summary["nodes"]["failed"] == 0 and summary["nodes"]["skipped"] == 0, summary
        # the same models built and the same data and unit tests passed on both engines
        assert pg["nodes"] == duck["nodes"]
        assert [m["model"] for m in pg["models"]] == [m["model"] for m in duck["models"]]
        assert pg["rows"] == duck["rows"] and pg["rows"]["fct_topic_daily"] > 0


def test_every_mart_holds_the_same_rows_on_postgres(warehouses):
    settings = warehouses["settings"]
    models = _mart_models(settings)
    assert {"fct_mentions", "fct_topic_daily", "fct_topic_spikes", "fct_risk_alerts", "fct_alert_status",
            "fct_dq_results", "fct_mention_versions", "dim_topics"} <= set(models)
    for model in models:
        duck_columns, duck_rows = _duckdb_table(settings, model)
        pg_columns, pg_rows = _postgres_table(model)
        assert pg_columns == duck_columns, model
        assert sum(pg_rows.values()) == sum(duck_rows.values()) > 0, model
        if pg_rows != duck_rows:
            only_duck, only_pg = duck_rows - pg_rows, pg_rows - duck_rows
            raise AssertionError(f"{model}: {sum(only_duck.values())} rows only on DuckDB, "
                                 f"{sum(only_pg.values())} only on PostgreSQL; first of each:\n"
                                 f"{next(iter(only_duck), None)}\n{next(iter(only_pg), None)}")


def test_the_spike_alert_and_its_evidence_are_the_same_on_both(warehouses):
    """Spot check of what an analyst reads: the alert, its status, its list columns in order."""
    query = """select a.alert_id, a.topic_id, a.mention_date, a.mentions, a.top_terms, a.top_source_ids,
                      a.example_item_ids, s.status
               from {prefix}fct_risk_alerts as a join {prefix}fct_alert_status as s on s.alert_id = a.alert_id
               where a.topic_id = 'scam_ads'"""
    with duckdb.connect(str(warehouses["settings"].warehouse_path), read_only=True) as con:
        duck = con.execute(query.format(prefix="")).fetchall()
    con = psycopg2.connect(**pg_settings())
    try:
        with con.cursor() as cur:
            cur.execute(query.format(prefix="marts."))
            pg = cur.fetchall()
    finally:
        con.close()
    assert len(duck) == 1 and [_normal(v) for v in pg[0]] == [_normal(v) for v in duck[0]]
    alert_id, _, day, mentions, top_terms, _, examples, status = pg[0]
    assert (alert_id, day, status) == (warehouses["alert_id"], SPIKE[1], "resolved")
    assert mentions >= SPIKE_EXTRA_ITEMS and top_terms and len(examples) == 3


def test_zones_load_whole_typed_and_idempotently(warehouses):
    """Every item read from the zones is a row in PostgreSQL; a partial reload changes nothing;
    empty zones are typed tables; declared columns a file lacks exist as nulls."""
    settings = warehouses["settings"]
    expected = {}
    with duckdb.connect() as con:
        for source in zone_sources(settings):
            has_files = con.execute("select count(*) from glob(?)", [source.glob]).fetchone()[0] > 0
            expected[source.name] = (con.execute(f"select count(*) from {source.read_sql()}").fetchone()[0]
                                     if has_files else 0)
    assert expected["scored"] > 0 and expected["dq_results"] > 0 and expected["alert_events"] == 1
    assert expected["scored_versions"] == 0
    again = load_zones(settings, since=START + dt.timedelta(days=10))
    con = psycopg2.connect(**pg_settings())
    try:
        with con.cursor() as cur:
            counts = {}
            for name in expected:
                cur.execute(f'select count(*) from zones."{name}"')  # noqa: S608
                counts[name] = cur.fetchone()[0]
            cur.execute("select column_name, data_type from information_schema.columns "
                        "where table_schema = 'zones' and table_name in ('scored_versions', 'topics')")
            types = dict(cur.fetchall())
            cur.execute("show timezone")
            timezone = cur.fetchone()[0]
    finally:
        con.close()
    assert counts == expected
    # a partial reload replaced the partitions from day 11 on only (and the small tables whole)
    assert again["scored"] < expected["scored"] and again["topics"] == expected["topics"]
    assert types["topics"] == "ARRAY" and types["severity_weight"] == "double precision"
    assert types["interval_start"] == "timestamp with time zone"
    assert timezone == "UTC"


def test_warehouse_reader_returns_the_same_rows_on_both_engines(warehouses):
    """riskradar.warehouse: the same plain SQL with `?` parameters, read-only, on either target."""
    from riskradar import warehouse

    settings = warehouses["settings"]
    sql = """select topic_id, mention_date, mentions, negative_share, top_terms, example_item_ids
             from fct_risk_alerts where mention_date between ? and ? and topic_id like 'scam%' order by topic_id"""
    results = {}
    for engine in ("duckdb", "postgres"):
        with warehouse.connect(settings, engine=engine) as wh:
            assert wh.engine == engine
            assert {"fct_risk_alerts", "fct_topic_daily", "dim_platforms"} <= set(wh.marts())
            results[engine] = [{k: _normal(v) for k, v in row.items()}
                               for row in wh.query(sql, [START, START + dt.timedelta(days=DAYS)])]
            assert wh.scalar(f"select count(*) from {wh.relation('fct_mentions')}") > 0
            frame = wh.frame("select topic_id, mentions from fct_topic_daily where mention_date = ?", [SPIKE[1]])
            assert len(frame) > 0 and frame["mentions"].dtype.kind in "if"
            with pytest.raises(Exception, match="(?i)read.only"):
                wh.query("create table written_by_a_reader (x integer)")
    assert results["duckdb"] == results["postgres"] and results["duckdb"][0]["topic_id"] == "scam_ads"


def test_every_reader_follows_the_postgres_target_with_no_duckdb_file(warehouses, monkeypatch, tmp_path):
    """Issue 17: with RISKRADAR_DBT_TARGET=postgres the marts gate, the brief, `alerts`, `top-risks`
    and `evaluate` read PostgreSQL (riskradar.warehouse) and give what they give on DuckDB, while the
    DuckDB file they would otherwise open does not exist."""
    from riskradar.alerts.commands import top_risks
    from riskradar.alerts.evaluate import evaluate_incidents
    from riskradar.alerts.lifecycle import alert_precision, list_alerts
    from riskradar.brief.render import write_brief

    settings, day = warehouses["settings"], SPIKE[1]
    truth = {"incidents": [{"incident_id": "spike", "topic": SPIKE[0], "start_date": day.isoformat(),
                            "end_date": day.isoformat(), "magnitude": 3}]}

    def read_everything() -> dict[str, Any]:
        try:
            result = run_gate("marts", _midnight(day), _midnight(day + dt.timedelta(days=1)), "readers", settings)
            gate: Any = (result.success, result.critical_failures, result.warnings, result.evaluated)
        except QualityGateError as exc:  # the fixture's gaps may fail it: then the same way on both
            gate = str(exc)
        brief = write_brief(day, settings)
        return {
            "gate": gate,
            "brief": Path(brief["markdown"]).read_text(encoding="utf-8"),
            "alerts": [{k: _normal(v) for k, v in a.items()} for a in list_alerts(settings)],
            "precision": alert_precision(settings),
            "top_risks": [{k: _normal(v) for k, v in r.items()} for r in top_risks(settings, day)[1]],
            "evaluate": evaluate_incidents(settings, truth),
        }

    on_duckdb = read_everything()
    absent = tmp_path / "no-warehouse.duckdb"
    monkeypatch.setenv("RISKRADAR_DBT_TARGET", "postgres")
    monkeypatch.setenv("RISKRADAR_WAREHOUSE", str(absent))
    on_postgres = read_everything()
    assert not absent.exists()
    assert on_duckdb["alerts"] and on_duckdb["top_risks"] and on_duckdb["evaluate"]["incidents"][0]["detected"]
    for key in on_duckdb:
        assert on_postgres[key] == on_duckdb[key], key
