"""riskradar.warehouse on a small DuckDB file: read-only, `?` parameters, catalogue, missing warehouse.
Both engines with real dbt builds: tests/integration/test_dbt_postgres.py."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from riskradar import warehouse


@pytest.fixture
def small_warehouse(settings):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create table fct_things (thing_id varchar, thing_date date, share decimal(9, 3), tags varchar[])")
        con.execute("insert into fct_things values ('a', date '2026-08-01', 0.5, ['x', 'y']), "
                    "('b', date '2026-08-02', 0.25, [])")
        con.execute("create view dim_things as select distinct thing_id from fct_things")
        con.execute("create table stg_hidden (x integer)")
    return settings


def test_query_reads_rows_as_plain_values_with_question_mark_parameters(small_warehouse):
    with warehouse.connect(small_warehouse, engine="duckdb") as wh:
        rows = wh.query("select * from fct_things where thing_date >= ? order by thing_id", [dt.date(2026, 8, 1)])
        assert rows == [{"thing_id": "a", "thing_date": dt.date(2026, 8, 1), "share": 0.5, "tags": ["x", "y"]},
                        {"thing_id": "b", "thing_date": dt.date(2026, 8, 2), "share": 0.25, "tags": []}]
        assert isinstance(rows[0]["share"], float)
        assert wh.scalar("select count(*) from fct_things where thing_id = ?", ["b"]) == 1
        assert wh.marts() == ["dim_things", "fct_things"]
        assert wh.has("fct_things") and not wh.has("fct_missing")
        with pytest.raises(warehouse.WarehouseMissing, match="fct_missing"):
            wh.require("fct_things", "fct_missing")
        assert list(wh.frame(f"select * from {wh.relation('fct_things')}")["thing_id"]) == ["a", "b"]


def test_the_reader_cannot_write(small_warehouse):
    with warehouse.connect(small_warehouse, engine="duckdb") as wh, pytest.raises(duckdb.Error, match="read-only"):
        wh.query("delete from fct_things")
    assert warehouse.query("select count(*) as n from fct_things", settings=small_warehouse) == [{"n": 2}]


def test_a_missing_warehouse_is_a_clear_error(settings):
    assert not warehouse.exists(settings, engine="duckdb")
    with pytest.raises(warehouse.WarehouseMissing, match="does not exist"), warehouse.connect(settings, "duckdb"):
        pass


def test_postgres_placeholders_leave_literals_alone():
    sql = "select '?', \"a%b\" from t where x = ? and y like 'p%' and z = ?"
    assert warehouse._pg_placeholders(sql) == "select '?', \"a%%b\" from t where x = %s and y like 'p%%' and z = %s"


def test_target_follows_the_dbt_target(monkeypatch):
    monkeypatch.setenv("RISKRADAR_DBT_TARGET", "postgres")
    assert warehouse.target() == "postgres"
    monkeypatch.setenv("RISKRADAR_DBT_TARGET", "sqlite")
    with pytest.raises(ValueError, match="RISKRADAR_DBT_TARGET"):
        warehouse.target()
