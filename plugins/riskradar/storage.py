"""Immutable, atomically replaced Parquet partitions: the seam that makes every task idempotent.

A zone holds `source=<id>/date=<YYYY-MM-DD>/part-<YYYYmmddTHHMM>.parquet`. The date and stamp
come from the data interval start, so a rerun of an interval rewrites exactly its own file
(write to a temp file in the same directory, fsync, rename, fsync the directory), and a backfill
never appends.

The zones may also live on an S3-compatible object store (`RISKRADAR_DATA_DIR=s3://bucket/prefix`,
riskradar.objectstore): the same layout, listed with the filesystem's glob, and each part written
with one PUT (an object appears whole or not at all, so no temp-and-rename). Read Parquet with
`read_table` / `read_metadata` here so both kinds of path work.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def as_utc(ts: datetime | str) -> datetime:
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if ts.tzinfo is None:
        return ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def part_stamp(interval_start: datetime) -> str:
    return as_utc(interval_start).strftime("%Y%m%dT%H%M")


def partition_dir(zone_dir: Path, interval_start: datetime, *, source_id: str | None = None,
                  key: str = "source") -> Path:
    start = as_utc(interval_start)
    base = zone_dir / f"{key}={source_id}" if source_id is not None else zone_dir
    return base / f"date={start:%Y-%m-%d}"


def partition_path(zone_dir: Path, interval_start: datetime, *, source_id: str | None = None,
                   key: str = "source", suffix: str = "") -> Path:
    """Path of the part file that belongs to one (source, interval)."""
    name = f"part-{part_stamp(interval_start)}{suffix}.parquet"
    return partition_dir(zone_dir, interval_start, source_id=source_id, key=key) / name


def is_remote(path: Path) -> bool:
    """True for a path on an object store (riskradar.objectstore), False for a local one."""
    return not isinstance(path, Path)


def check(zone_root: Path) -> None:
    """Fail before any work, with what to fix, when the zones' object store is misconfigured
    (wrong credentials, missing bucket). A no-op for a local data dir."""
    if is_remote(zone_root):
        from riskradar.objectstore import check as check_bucket

        check_bucket(zone_root)


def register_zones(con, zone_root: Path) -> None:
    """Let a DuckDB connection `read_parquet('s3://...')` zones on an object store (through their
    fsspec filesystem, as dbt's profile does); nothing to do for local zones."""
    if is_remote(zone_root):
        con.register_filesystem(zone_root.fs)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success fsync it, rename it over `path` and fsync the
    directory, so readers see either the old file or the new one, never half (a killed writer
    leaves only the temp), and the rename itself survives a crash of the machine.

    For an object store path the temp file is local and, on success, becomes the object in one
    PUT: readers see the old object or the new one, and a killed writer uploads nothing."""
    if is_remote(path):
        with _put_on_success(path) as tmp:
            yield tmp
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


@contextlib.contextmanager
def _put_on_success(path: Path) -> Iterator[Path]:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        path.fs.put_file(tmp, path.path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (POSIX keeps directory entries in the directory's data)."""
    if os.name != "posix":  # Windows cannot open a directory to fsync it
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table_atomic(table: pa.Table, path: Path) -> Path:
    """Write a Parquet file so readers see either the old file or the new one, never half."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return path


def write_table_if_changed(table: pa.Table, path: Path) -> bool:
    """Atomic write, skipped when the file already holds the same rows (so its mtime, which
    fingerprints build inputs, changes only when its content does). True when written."""
    if path.exists():
        try:
            if read_table(path).equals(table):
                return False
        except (pa.ArrowInvalid, OSError):
            pass  # unreadable or half-foreign file: replace it
    write_table_atomic(table, path)
    return True


def write_bytes_atomic(data: bytes, path: Path) -> Path:
    """Write bytes (raw payloads, state files) with the same all-or-nothing rename."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def rows_to_table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    """Build a table with exactly the schema's columns (missing keys become nulls)."""
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.Table.from_pydict(columns, schema=schema)


def interval_days(start: datetime, end: datetime) -> list[str]:
    """Dates (YYYY-MM-DD) whose partitions can hold parts of intervals starting in [start, end)."""
    s, e = as_utc(start), as_utc(end)
    days = []
    d = s.date()
    while datetime(d.year, d.month, d.day, tzinfo=UTC) < e or not days:
        days.append(d.isoformat())
        d = d + timedelta(days=1)
    return days


def parts_for_interval(zone_dir: Path, start: datetime, end: datetime,
                       source_ids: Iterable[str] | None = None, key: str = "source") -> list[Path]:
    """Part files whose interval start lies in [start, end), optionally for some sources only."""
    s, e = as_utc(start), as_utc(end)
    wanted = set(source_ids) if source_ids is not None else None
    found: list[Path] = []
    if not zone_dir.exists():
        return found
    for src_dir in sorted(zone_dir.glob(f"{key}=*")):
        sid = src_dir.name.split("=", 1)[1]
        if wanted is not None and sid not in wanted:
            continue
        for day in interval_days(s, e):
            for part in sorted((src_dir / f"date={day}").glob("part-*.parquet")):
                stamp = part.stem.split("-", 1)[1][:13]
                ts = datetime.strptime(stamp, "%Y%m%dT%H%M").replace(tzinfo=UTC)
                if s <= ts < e:
                    found.append(part)
    return found


def read_parts(paths: list[Path], schema: pa.Schema) -> pa.Table:
    if not paths:
        return schema.empty_table()
    tables = [read_table(p, schema=schema) for p in paths]
    return pa.concat_tables(tables)


def read_table(path: Path, **kwargs) -> pa.Table:
    """`pq.read_table` of one part, local or on an object store (through its fsspec filesystem)."""
    if is_remote(path):
        return pq.read_table(path.path, filesystem=path.fs, **kwargs)
    return pq.read_table(path, **kwargs)


def read_metadata(path: Path) -> pq.FileMetaData:
    if is_remote(path):
        with path.fs.open(path.path, "rb") as fh:
            return pq.read_metadata(fh)
    return pq.read_metadata(path)
