"""SIGKILL the scoring task and the dbt build mid-write; the rerun must leave zones and warehouse
exactly as a clean run does: nothing lost, nothing doubled.

The task bodies run as the Airflow tasks run them (`riskradar.pipeline.score` / `build_marts` with
the interval), each in its own process so it can be killed like a worker that lost its machine:
- **scoring** is paused right after it wrote a temp part (before the atomic rename) of its second
  source and is killed there; one source already has its new part, one has only a temp file.
- **dbt** is killed once `dbt build` has started the day's marts (`fct_topic_daily` after
  `fct_mentions`), with the DuckDB warehouse open for writing.

A clean data dir gets the same inputs without faults; the scored zone and every warehouse relation
must be identical (run ids and wall-clock timestamps aside) after the faulted dir's rerun.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import FeedServer, write_served_config
from riskradar import pipeline, storage
from riskradar.config import Settings
from test_backfill import is_volatile, mart_rows  # same directory, same comparison rules

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAY1 = ("2026-08-01T00:00:00+00:00", "2026-08-02T00:00:00+00:00")
DAY2 = ("2026-08-02T00:00:00+00:00", "2026-08-03T00:00:00+00:00")
N_SOURCES = 3

# Runs score() for DAY2 but stops forever right after the second temp part is written.
KILLED_SCORE = r"""
import sys, time
from pathlib import Path
import pyarrow.parquet as pq
from riskradar import pipeline
marker = Path(sys.argv[3])
original = pq.write_table
written = []
def write_then_hang(table, where, *args, **kwargs):
    original(table, where, *args, **kwargs)
    if "/scored/" in str(where):  # reference tables are written too; count scored parts only
        written.append(str(where))
    if len(written) == 2:  # the temp file is complete, the rename has not happened
        marker.write_text(str(where))
        time.sleep(600)
pq.write_table = write_then_hang
pipeline.score(sys.argv[1], sys.argv[2], "killed-run")
"""
BUILD = "import sys\nfrom riskradar import pipeline\npipeline.build_marts(sys.argv[1], sys.argv[2])\n"


def child_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKRADAR")}
    env.update({"RISKRADAR_HOME": str(settings.home), "RISKRADAR_DATA_DIR": str(settings.data_dir),
                "RISKRADAR_CONFIG_DIR": str(settings.config_dir), "RISKRADAR_DBT_LOG_LEVEL": "warn"})
    return env


def wait_until(predicate, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"process ended ({proc.returncode}) before {what}:\n{out[-3000:]}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"timed out waiting for {what}")


def sigkill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL


def zone_rows(settings: Settings, zone: Path, start: str, end: str) -> list[tuple]:
    """Rows of the interval's parts, volatile columns dropped, sorted (comparable across dirs)."""
    parts = storage.parts_for_interval(zone, storage.as_utc(start), storage.as_utc(end))
    rows: list[tuple] = []
    for part in parts:
        table = pq.read_table(part)
        keep = [c for c in table.column_names if not is_volatile(c)]
        rows += [tuple(r.values()) for r in table.select(keep).to_pylist()]
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    """Clean dir C fully built for two days; faulted dir F = C's state before day 2 was scored."""
    tmp = tmp_path_factory.mktemp("faults")
    feeds, config = tmp / "feeds", tmp / "config"
    clean = Settings(home=REPO, data_dir=tmp / "clean", config_dir=config)
    faulted = Settings(home=REPO, data_dir=tmp / "faulted", config_dir=config)
    env = {**child_env(clean), "RISKRADAR_SAMPLE_DIR": str(feeds)}
    subprocess.run([str(BIN / "riskradar"), "sample", "--start", "2026-08-01", "--days", "3"], env=env,
                   check=True, capture_output=True)
    with FeedServer(feeds) as server:
        # in-process ingest: the loopback feed server is allow-listed in the file itself
        write_served_config(config, server.url, limit=N_SOURCES, allow_loopback=True)
        source_ids = pipeline.select_sources(clean)
        for start, end in (DAY1, DAY2):
            for sid in source_ids:
                pipeline.ingest(sid, start, end, "clean", clean)
            pipeline.gate("landing", start, end, "clean", clean)
    pipeline.score(*DAY1, "clean", clean)
    pipeline.gate("scored", *DAY1, "clean", clean)
    shutil.copytree(clean.data_dir, faulted.data_dir)
    pipeline.score(*DAY2, "clean", clean)
    pipeline.gate("scored", *DAY2, "clean", clean)
    for interval in (DAY1, DAY2):
        subprocess.run([sys.executable, "-c", BUILD, *interval], env=child_env(clean), check=True,
                       capture_output=True)
    return clean, faulted, source_ids


def test_killed_scoring_then_rerun_equals_clean_run(dirs, tmp_path):
    clean, faulted, source_ids = dirs
    marker = tmp_path / "paused-at"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SCORE, *DAY2, str(marker)], env=child_env(faulted),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_until(marker.exists, proc, 300, "the second scored part's temp file")
    temp = Path(marker.read_text())
    assert temp.exists() and temp.name.endswith(".tmp")
    sigkill(proc)

    # mid-write state: readers see complete parts only, never the temp file
    visible = storage.parts_for_interval(faulted.scored_dir, *map(storage.as_utc, DAY2))
    assert len(visible) == 1 and temp not in visible

    result = pipeline.score(*DAY2, "rerun", faulted)
    assert result  # the rerun completes normally
    expected = zone_rows(clean, clean.scored_dir, *DAY2)
    got = zone_rows(faulted, faulted.scored_dir, *DAY2)
    assert len(got) == len(expected) > 0
    assert got == expected
    parts = storage.parts_for_interval(faulted.scored_dir, *map(storage.as_utc, DAY2))
    assert len(parts) == len(source_ids)  # one part per source: nothing doubled
    # the killed process's orphan temp file stays invisible to every reader (dbt globs part-*.parquet)
    dbt_glob = set(faulted.scored_dir.glob("source=*/date=*/part-*.parquet"))
    assert temp not in dbt_glob and all(p.suffix == ".parquet" for p in dbt_glob)


def test_killed_dbt_build_then_rerun_equals_clean_warehouse(dirs):
    clean, faulted, _ = dirs
    if not storage.parts_for_interval(faulted.scored_dir, *map(storage.as_utc, DAY2)):
        pipeline.score(*DAY2, "rerun", faulted)  # run alone: give the faulted dir its day-2 scores
    pipeline.gate("scored", *DAY2, "rerun", faulted)
    env = child_env(faulted)
    subprocess.run([sys.executable, "-c", BUILD, *DAY1], env=env, check=True, capture_output=True)

    log = faulted.data_dir / "dbt" / "logs" / "dbt.log"
    offset = log.stat().st_size
    proc = subprocess.Popen([sys.executable, "-c", BUILD, *DAY2], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)

    def writing_marts() -> bool:
        with log.open("rb") as fh:
            fh.seek(offset)
            return b"Began running node model.riskradar.fct_topic_daily" in fh.read()

    wait_until(writing_marts, proc, 300, "dbt to start building fct_topic_daily")
    time.sleep(0.3)
    sigkill(proc)

    # the warehouse survives the kill (DuckDB replays or drops the WAL) and the rerun replaces the day
    subprocess.run([sys.executable, "-c", BUILD, *DAY2], env=env, check=True, capture_output=True)
    expected, got = mart_rows(clean.warehouse_path), mart_rows(faulted.warehouse_path)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name}: {len(got[name])} rows after the rerun, {len(expected[name])} clean"
    assert len(expected["main.fct_mentions"]) > 0
