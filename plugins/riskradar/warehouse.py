"""The one way to read the warehouse: the configured dbt target, opened read-only, plain SQL over marts.

dbt is the only writer (riskradar.marts). Everything else that reads marts (the marts gate,
the brief, `riskradar alerts`, `top-risks`, `evaluate`, the UI pages) goes through here, so they
all follow the same target:

- `duckdb` (default): the DuckDB file `settings.warehouse_path`, opened with `read_only=True`.
- `postgres` (`RISKRADAR_DBT_TARGET=postgres`): the database of `riskradar.marts.pg_zones.pg_settings()`
  in a read-only session whose `search_path` is the marts schema (`RISKRADAR_PG_SCHEMA`), so the
  same unqualified `select ... from fct_risk_alerts` runs on both engines.

SQL is written once, portable between the two (no DuckDB-only functions in readers), with `?`
placeholders; on PostgreSQL they become `%s`. Rows come back as dicts with plain Python values
(numeric -> float), or as a pandas DataFrame.

    from riskradar import warehouse
    with warehouse.connect(settings) as wh:
        alerts = wh.query("select * from fct_risk_alerts where mention_date = ?", [day])
    rows = warehouse.query("select count(*) as n from fct_mentions")  # one-off
"""

from __future__ import annotations

import contextlib
import decimal
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from riskradar.config import Settings, get_settings

ENGINES = ("duckdb", "postgres")


class WarehouseMissing(RuntimeError):
    """The configured warehouse does not exist yet (no dbt build has run), or lacks a relation."""


def target() -> str:
    """The dbt target readers follow: the one dbt builds (RISKRADAR_DBT_TARGET, default duckdb)."""
    from riskradar.marts.dbt import dbt_target

    return dbt_target()


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _pg_placeholders(sql: str) -> str:
    """`?` -> `%s` and `%` -> `%%` outside string literals and quoted identifiers (psycopg2 pyformat)."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


class Warehouse:
    """A read-only connection to the marts. Use through `connect()`."""

    def __init__(self, engine: str, connection: Any, schema: str | None, location: str):
        self.engine = engine
        self.schema = schema
        self.location = location
        self._con = connection

    # ---- queries ----
    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a plain SQL query as dicts (column name -> value)."""
        columns, rows = self._execute(sql, params)
        return [dict(zip(columns, map(_plain, row), strict=True)) for row in rows]

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first column of the first row, or None when the query returns no row."""
        _, rows = self._execute(sql, params)
        return _plain(rows[0][0]) if rows else None

    def frame(self, sql: str, params: Sequence[Any] | None = None):
        """The query's result as a pandas DataFrame (numeric columns as float)."""
        import pandas as pd

        columns, rows = self._execute(sql, params)
        return pd.DataFrame([tuple(map(_plain, r)) for r in rows], columns=columns)

    def _execute(self, sql: str, params: Sequence[Any] | None) -> tuple[list[str], list[tuple]]:
        if self.engine == "duckdb":
            cur = self._con.execute(sql, list(params or []))
            return [d[0] for d in cur.description], cur.fetchall()
        with self._con.cursor() as cur:
            cur.execute(_pg_placeholders(sql) if params else sql, list(params or []) or None)
            if cur.description is None:
                return [], []
            return [d[0] for d in cur.description], cur.fetchall()

    # ---- catalogue ----
    def tables(self) -> set[str]:
        """Relations (tables and views) of the marts schema."""
        if self.engine == "duckdb":
            sql = "select table_name from information_schema.tables where table_schema = current_schema()"
            return {r["table_name"] for r in self.query(sql)}
        sql = "select table_name from information_schema.tables where table_schema = ?"
        return {r["table_name"] for r in self.query(sql, [self.schema])}

    def marts(self) -> list[str]:
        """The marts and dimensions (fct_*, dim_*) present, sorted."""
        return sorted(t for t in self.tables() if t.startswith(("fct_", "dim_")))

    def has(self, *names: str) -> bool:
        return set(names) <= self.tables()

    def require(self, *names: str) -> None:
        """Raise WarehouseMissing naming the relations the warehouse lacks."""
        missing = sorted(set(names) - self.tables())
        if missing:
            raise WarehouseMissing(f"warehouse {self.location} lacks {', '.join(missing)} (did dbt build run?)")

    def relation(self, name: str) -> str:
        """A quoted relation name of the marts schema, for SQL that names a model from a variable."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a model name: {name!r}")
        return f'"{self.schema}"."{name}"' if self.engine == "postgres" else f'"{name}"'


def location(settings: Settings | None = None, engine: str | None = None) -> str:
    """Where the configured warehouse is, for messages (no password)."""
    engine = engine or target()
    if engine == "postgres":
        from riskradar.marts.pg_zones import marts_schema, pg_location

        return f"{pg_location()} schema {marts_schema()}"
    return str((settings or get_settings()).warehouse_path)


def exists(settings: Settings | None = None, engine: str | None = None) -> bool:
    """Has a dbt build created the warehouse (DuckDB: the file exists; PostgreSQL: the schema has tables)?"""
    try:
        with connect(settings, engine) as wh:
            return bool(wh.tables())
    except WarehouseMissing:
        return False


@contextlib.contextmanager
def connect(settings: Settings | None = None, engine: str | None = None,
            duckdb_path: Path | str | None = None) -> Iterator[Warehouse]:
    """Open the configured warehouse read-only; raise WarehouseMissing when it does not exist.

    `engine` overrides the target (`duckdb` or `postgres`), e.g. to compare both in a test;
    `duckdb_path` reads another DuckDB file than the configured one (a copy kept for comparison).
    """
    settings = settings or get_settings()
    engine = "duckdb" if duckdb_path is not None else (engine or target())
    if engine not in ENGINES:
        raise ValueError(f"warehouse engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "duckdb":
        import duckdb

        path = Path(duckdb_path) if duckdb_path is not None else settings.warehouse_path
        if not path.is_file():
            raise WarehouseMissing(f"warehouse {path} does not exist (run dbt build / risk_metrics first)")
        con = duckdb.connect(str(path), read_only=True)
        try:
            con.execute("set TimeZone = 'UTC'")  # timestamps read as UTC, as dbt wrote them
            yield Warehouse("duckdb", con, None, str(path))
        finally:
            con.close()
        return
    import psycopg2

    from riskradar.marts.pg_zones import marts_schema, pg_settings

    schema = marts_schema()
    try:
        con = psycopg2.connect(**pg_settings(), options=f"-c search_path={schema} -c TimeZone=UTC")
    except psycopg2.OperationalError as exc:
        raise WarehouseMissing(f"warehouse {location(settings, engine)} cannot be opened: {exc}") from exc
    try:
        con.set_session(readonly=True, autocommit=True)
        yield Warehouse("postgres", con, schema, location(settings, engine))
    finally:
        con.close()


def query(sql: str, params: Sequence[Any] | None = None, settings: Settings | None = None) -> list[dict[str, Any]]:
    """One query on a connection of its own (for a single read; use connect() for several)."""
    with connect(settings) as wh:
        return wh.query(sql, params)
