"""Load the Parquet zones into PostgreSQL tables, so the dbt project builds there (`--target postgres`).

On DuckDB, dbt reads the zones in place (each source's `external_location` in
dbt_project/models/staging/*/_*__sources.yml). A team that moves the warehouse to PostgreSQL keeps
the same zones and the same dbt project: this loader copies every source those YAML files declare
into a table of the same name in the zones schema (`RISKRADAR_PG_ZONES_SCHEMA`, default `zones`),
which is what the sources resolve to on the postgres target. The source YAML stays the one list of
zones: globs and declared column types are read from it, nothing is repeated here.

- Streaming: DuckDB reads the Parquet parts and writes CSV in bounded chunks to a temporary file,
  which PostgreSQL ingests with `COPY ... FROM STDIN`. No zone is held in memory as Python objects.
- Full refresh (default): each table is emptied and refilled in one transaction, so a reader sees
  the old rows until the commit (the table itself stays: dbt's staging views depend on it). A
  column the zone gained is added; a column whose type changed is a clear error.
- `since=DAY`: tables partitioned by `date=` replace only the partitions from that day on, or from
  the newest day already loaded when that is earlier (delete + copy in one transaction; an empty
  table loads whole); the others refresh whole (small: references, audit rows, alert events).
- A zone with no files yet becomes an empty table typed from the declared `data_type`s; declared
  columns a zone's files lack are added as typed nulls (e.g. topics' optional severity columns).
- The database's time zone is set to UTC: dates are UTC days everywhere (profiles.yml).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from riskradar import storage
from riskradar.config import Settings

log = logging.getLogger(__name__)

SOURCE_FILES = ("models/staging/riskradar/_riskradar__sources.yml", "models/staging/alerts/_alerts__sources.yml")
_PARQUET_CALL = re.compile(r"^read_parquet\('(?P<glob>[^']+)'(?P<options>.*)\)$", re.S)
_DATA_DIR_VAR = re.compile(r"\{\{\s*env_var\('RISKRADAR_DATA_DIR'\)\s*\}\}")
_ARRAY = re.compile(r"^(?P<element>.+)\[\]$")


class ZoneLoadError(RuntimeError):
    """A zone cannot be loaded (unknown column type, unreadable source declaration)."""


@dataclass(frozen=True)
class ZoneSource:
    """One dbt source backed by a Parquet zone."""

    name: str
    glob: str                      # absolute glob of its part files
    options: str                   # read_parquet options as written in the YAML (", hive_partitioning = true")
    declared: dict[str, str] = field(default_factory=dict)  # column -> declared data_type

    def read_sql(self) -> str:
        return f"read_parquet('{self.glob}'{self.options})"


def pg_settings() -> dict[str, Any]:
    """Connection keywords (psycopg2) from the environment the dbt profile reads too."""
    return {
        "host": os.environ.get("RISKRADAR_PG_HOST", "localhost"),
        "port": int(os.environ.get("RISKRADAR_PG_PORT", "5432")),
        "user": os.environ.get("RISKRADAR_PG_USER", "postgres"),
        "password": os.environ.get("RISKRADAR_PG_PASSWORD", ""),
        "dbname": os.environ.get("RISKRADAR_PG_DBNAME", "riskradar"),
    }


class PostgresUnreachable(RuntimeError):
    """The configured PostgreSQL warehouse cannot be reached or refuses the login."""


def connect():
    """A psycopg2 connection to pg_settings()' database, or PostgresUnreachable saying what to fix."""
    import psycopg2

    try:
        return psycopg2.connect(connect_timeout=10, **pg_settings())
    except psycopg2.OperationalError as exc:
        detail = " ".join(str(exc).split())
        raise PostgresUnreachable(
            f"the PostgreSQL warehouse {pg_location()} cannot be reached ({detail}); check RISKRADAR_PG_HOST, "
            "RISKRADAR_PG_PORT, RISKRADAR_PG_USER, RISKRADAR_PG_PASSWORD and RISKRADAR_PG_DBNAME, or unset "
            "RISKRADAR_DBT_TARGET to build into DuckDB") from None


def pg_location() -> str:
    """postgresql://user@host:port/dbname of pg_settings(), for messages (no password)."""
    pg = pg_settings()
    return f"postgresql://{pg['user']}@{pg['host']}:{pg['port']}/{pg['dbname']}"


def zones_schema() -> str:
    return os.environ.get("RISKRADAR_PG_ZONES_SCHEMA", "zones")


def marts_schema() -> str:
    """Where dbt builds on the postgres target (profiles.yml reads the same variable)."""
    return os.environ.get("RISKRADAR_PG_SCHEMA", "marts")


def zone_sources(settings: Settings) -> list[ZoneSource]:
    """Every Parquet-backed source of the dbt project, with its glob under settings.data_dir."""
    found: list[ZoneSource] = []
    for relative in SOURCE_FILES:
        spec = yaml.safe_load((settings.dbt_project_dir / relative).read_text())
        for source in spec.get("sources", []):
            for table in source.get("tables", []):
                location = (table.get("config") or {}).get("external_location", "")
                rendered = _DATA_DIR_VAR.sub(str(settings.data_dir).replace("'", "''"), location)
                match = _PARQUET_CALL.match(rendered.strip())
                if not match:
                    raise ZoneLoadError(f"{relative}: source {table['name']} has no read_parquet external_location")
                declared = {c["name"]: c["data_type"] for c in table.get("columns", []) if c.get("data_type")}
                found.append(ZoneSource(table["name"], match["glob"], match["options"], declared))
    return found


def pg_type(duckdb_type: str) -> str:
    """PostgreSQL type for a DuckDB (or declared dbt) column type."""
    text = duckdb_type.strip().upper()
    array = _ARRAY.match(text)
    if array:
        return pg_type(array["element"]) + "[]"
    simple = {
        "VARCHAR": "text", "TEXT": "text", "STRING": "text", "UUID": "text",
        "BIGINT": "bigint", "INTEGER": "integer", "INT": "integer", "SMALLINT": "smallint",
        "TINYINT": "smallint", "UBIGINT": "numeric(20, 0)", "UINTEGER": "bigint", "USMALLINT": "integer",
        "HUGEINT": "numeric(38, 0)", "DOUBLE": "double precision", "DOUBLE PRECISION": "double precision",
        "FLOAT": "real", "REAL": "real", "BOOLEAN": "boolean", "DATE": "date",
        "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz", "TIMESTAMPTZ": "timestamptz",
        "JSON": "jsonb",
    }
    if text in simple:
        return simple[text]
    if text.startswith("DECIMAL(") or text.startswith("NUMERIC("):
        return "numeric" + text[text.index("("):].lower()
    raise ZoneLoadError(f"no PostgreSQL type for column type {duckdb_type!r}")


def _canonical(pg_type_name: str) -> str:
    """One spelling per PostgreSQL type, for comparing pg_type() with format_type()."""
    text = pg_type_name.lower().replace(", ", ",")
    return {"timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp"}.get(text, text)


def _csv_expression(column: str, duckdb_type: str) -> str:
    """DuckDB expression writing `column` as PostgreSQL's COPY (CSV) reads it."""
    quoted = f'"{column}"'
    if _ARRAY.match(duckdb_type.strip().upper()):
        # PostgreSQL array literal: {"a","b"}, elements quoted with \ and " escaped, NULL unquoted
        element = ("case when e is null then 'NULL' else '\"' || "
                   "replace(replace(cast(e as varchar), '\\', '\\\\'), '\"', '\\\"') || '\"' end")
        return (f"case when {quoted} is null then null else "
                f"'{{' || array_to_string(list_transform({quoted}, lambda e: {element}), ',') || '}}' end "
                f"as {quoted}")
    return quoted


def _has_files(con: duckdb.DuckDBPyConnection, glob: str) -> bool:
    return con.execute("select count(*) from glob(?)", [glob]).fetchone()[0] > 0


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, source: ZoneSource,
             has_files: bool) -> tuple[list[tuple[str, str]], set[str]]:
    """(name, DuckDB type) of the zone's files plus declared columns the files lack; and the
    names the files have."""
    columns: list[tuple[str, str]] = []
    if has_files:
        columns = [(row[0], row[1]) for row in con.execute(f"describe select * from {source.read_sql()}").fetchall()]
    present = {name for name, _ in columns}
    columns += [(name, declared) for name, declared in source.declared.items() if name not in present]
    if not columns:
        raise ZoneLoadError(f"zone {source.name} has no files and no declared columns ({source.glob})")
    return columns, present


def _export(con: duckdb.DuckDBPyConnection, source: ZoneSource, columns: list[tuple[str, str]],
            present: set[str], since: date | None, path: Path) -> None:
    select = ", ".join(_csv_expression(name, kind) if name in present
                       else f"cast(null as varchar) as {_ident(name)}" for name, kind in columns)
    where = f" where \"date\" >= cast('{since.isoformat()}' as date)" if since else ""
    con.execute(f"copy (select {select} from {source.read_sql()}{where}) to '{path}' (format csv, header false)")


def load_zones(settings: Settings, since: date | None = None) -> dict[str, int]:
    """Copy every zone into zones_schema() of pg_settings()' database; returns rows loaded per table.

    `since`: replace only the `date=` partitions from that day on in partitioned zones (full
    refresh of the rest).
    """

    schema = zones_schema()
    pg = connect()
    loaded: dict[str, int] = {}
    try:
        with pg.cursor() as cur:
            cur.execute("select current_database()")
            database = cur.fetchone()[0]
            cur.execute(f"alter database {_ident(database)} set timezone to 'UTC'")
            cur.execute(f"create schema if not exists {_ident(schema)}")
        pg.commit()
        with duckdb.connect() as con, tempfile.TemporaryDirectory(prefix="riskradar-pg-load-") as tmp:
            con.execute("set TimeZone = 'UTC'")
            storage.register_zones(con, settings.data_dir)  # zones on S3: read through s3fs
            for source in zone_sources(settings):
                loaded[source.name] = _load_one(con, pg, source, schema, since, Path(tmp) / f"{source.name}.csv")
    except Exception:
        pg.rollback()
        raise
    finally:
        pg.close()
    return loaded


def _load_one(con: duckdb.DuckDBPyConnection, pg: Any, source: ZoneSource, schema: str, since: date | None,
              csv_path: Path) -> int:
    has_files = _has_files(con, source.glob)
    columns, present = _columns(con, source, has_files)
    target = f"{_ident(schema)}.{_ident(source.name)}"
    with pg.cursor() as cur:
        # the table is kept (dbt's views depend on it) and refilled; one transaction, so readers
        # see the old rows until the commit
        cur.execute(f"create table if not exists {target} "
                    f"({', '.join(f'{_ident(name)} {pg_type(kind)}' for name, kind in columns)})")
        cur.execute("select attname, format_type(atttypid, atttypmod) from pg_attribute "
                    "where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped", [target])
        existing = dict(cur.fetchall())
        for name, kind in columns:
            wanted = pg_type(kind)
            if name not in existing:
                cur.execute(f"alter table {target} add column {_ident(name)} {wanted}")
            elif _canonical(existing[name]) != _canonical(wanted):
                raise ZoneLoadError(f"{target}.{name} is {existing[name]} in PostgreSQL but {wanted} in the zone: "
                                    "drop the table (it is reloaded whole) or migrate it")
        # partitions from `since` on, or from the newest day already loaded if that is earlier
        # (days skipped since the last load are not lost); an empty table loads whole
        partial = None
        if since is not None and "date" in present:
            cur.execute(f'select max("date") from {target}')
            newest = cur.fetchone()[0]
            partial = min(since, newest) if newest else None
        if partial:
            cur.execute(f'delete from {target} where "date" >= %s', [partial])
        else:
            cur.execute(f"truncate {target}")
        rows = 0
        if has_files:
            _export(con, source, columns, present, partial, csv_path)
            with csv_path.open("rb") as stream:
                cur.copy_expert(f"copy {target} ({', '.join(_ident(name) for name, _ in columns)}) "
                                "from stdin with (format csv)", stream)
            rows = cur.rowcount
            csv_path.unlink()
    pg.commit()
    log.info("zone %s -> %s: %d rows (%s)", source.name, target, rows,
             f"partitions from {partial}" if partial else "full refresh")
    return rows
