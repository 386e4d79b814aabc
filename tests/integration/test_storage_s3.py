"""The zone storage layer on a local path and on a real S3 server (SeaweedFS on 127.0.0.1).

The same suite runs on both: a rerun replaces a part atomically, listing by interval and source,
reading back, and a writer killed mid-write leaves no partial part visible. Then one real pipeline
slice with RISKRADAR_DATA_DIR on the bucket (loopback feed -> ingest -> score -> dbt build reading
the bucket -> rows in the warehouse), and the clear errors for bad object-store configuration.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from fixtures.feed_server import DAY1, DAY2, item, rss, use_source
from riskradar import objectstore, storage
from riskradar.config import Settings
from riskradar.ingest import task as ingest_task
from riskradar.ingest.landing import ingest_source
from riskradar.marts.build import build_interval
from riskradar.objectstore import StorageConfigError
from riskradar.schemas import LANDING
from riskradar.score.task import score

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
HOUR = timedelta(hours=1)
SCHEMA = pa.schema([("item_id", pa.string()), ("n", pa.int64())])


def _table(*ids: str) -> pa.Table:
    return pa.table({"item_id": list(ids), "n": list(range(len(ids)))}, schema=SCHEMA)


def _files(root) -> list[str]:
    """Every file (or object) under a zone root, relative to it: temp files and partial uploads too."""
    if storage.is_remote(root):
        return sorted(key[len(root.path) + 1:] for key in root.fs.find(root.path))
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(params=["local", "s3"])
def data_dir(request, tmp_path):
    """A fresh data dir: a local directory, or a prefix in a fresh bucket on the S3 server."""
    if request.param == "local":
        return tmp_path / "data"
    bucket = request.getfixturevalue("s3_bucket")
    root = objectstore.zone_root(f"s3://{bucket}/data")
    storage.check(root)
    return root


def test_rerun_replaces_the_part_atomically(data_dir):
    zone = data_dir / "landing"
    path = storage.partition_path(zone, DAY1, source_id="a")
    assert str(path).endswith("landing/source=a/date=2026-08-01/part-20260801T0000.parquet")
    storage.write_table_atomic(_table("x1", "x2", "x3"), path)
    first = path.read_bytes()
    storage.write_table_atomic(_table("y1"), path)  # the rerun of the same interval
    assert storage.read_table(path).equals(_table("y1"))
    assert path.read_bytes() != first
    # exactly one object for the interval: no temp file, no second part, no leftover upload
    assert _files(zone) == ["source=a/date=2026-08-01/part-20260801T0000.parquet"]
    # an unchanged rewrite is skipped (the file's mtime / ETag fingerprints dbt's inputs)
    assert storage.write_table_if_changed(_table("y1"), path) is False
    assert storage.write_table_if_changed(_table("y2"), path) is True
    assert storage.read_table(path)["item_id"].to_pylist() == ["y2"]


def test_listing_by_interval_and_source(data_dir):
    zone = data_dir / "scored"
    written = {}
    for sid in ("a", "b"):
        for start in (DAY1 + 22 * HOUR, DAY1 + 23 * HOUR, DAY2, DAY2 + HOUR):
            path = storage.partition_path(zone, start, source_id=sid)
            storage.write_table_atomic(_table(f"{sid}-{start:%d%H}"), path)
            written[(sid, start)] = path
    storage.write_bytes_atomic(b"not a part", zone / "source=a" / "date=2026-08-02" / "notes.txt")

    def names(parts) -> list[str]:
        return [f"{p.parent.parent.name}/{p.name}" for p in parts]

    day2 = storage.parts_for_interval(zone, DAY2, DAY2 + timedelta(days=1))
    assert names(day2) == ["source=a/part-20260802T0000.parquet", "source=a/part-20260802T0100.parquet",
                           "source=b/part-20260802T0000.parquet", "source=b/part-20260802T0100.parquet"]
    late = storage.parts_for_interval(zone, DAY1 + 23 * HOUR, DAY2 + HOUR, ["b"])
    assert names(late) == ["source=b/part-20260801T2300.parquet", "source=b/part-20260802T0000.parquet"]
    assert set(late) == {written[("b", DAY1 + 23 * HOUR)], written[("b", DAY2)]}  # same paths as written
    assert storage.parts_for_interval(zone, DAY1, DAY2, ["nobody"]) == []
    assert storage.parts_for_interval(data_dir / "never_written", DAY1, DAY2) == []
    every = storage.parts_for_interval(zone, DAY1, DAY2 + timedelta(days=1))
    table = storage.read_parts(every, SCHEMA)
    assert sorted(table["item_id"].to_pylist()) == sorted(f"{s}-{t:%d%H}" for s, t in written)
    assert storage.read_metadata(every[0]).num_rows == 1


def test_read_back_bytes_and_rows(data_dir):
    raw = data_dir / "raw" / "source=a" / "date=2026-08-01" / "part-20260801T0000.xml.gz"
    payload = os.urandom(70_000)
    storage.write_bytes_atomic(payload, raw)
    assert raw.exists() and raw.read_bytes() == payload
    raw.unlink(missing_ok=True)
    raw.unlink(missing_ok=True)  # a second unlink of a missing part is fine
    assert not raw.exists()
    rows = [{"item_id": f"i{i}", "title": f"t{i}", "published_at": DAY1 + i * HOUR} for i in range(500)]
    part = storage.partition_path(data_dir / "landing", DAY1, source_id="a")
    storage.write_table_atomic(storage.rows_to_table(rows, LANDING), part)
    back = storage.read_table(part, schema=LANDING)
    assert back.schema.equals(LANDING) and back.num_rows == 500
    assert back.slice(7, 1).to_pylist()[0]["title"] == "t7" and back["published_at"][499].as_py() == DAY1 + 499 * HOUR


_KILLED_WRITER = """
import sys, time
from riskradar import storage
from riskradar.config import Settings
path = storage.partition_path(Settings.from_env().data_dir / "landing", storage.as_utc(sys.argv[1]), source_id="a")
with storage.atomic_path(path) as tmp:
    with open(tmp, "wb") as fh:
        fh.write(b"PAR1" + b"half a part " * 50_000)
    print("half-written", flush=True)
    time.sleep(120)
"""


def test_killed_writer_leaves_no_partial_part(data_dir, tmp_path):
    zone = data_dir / "landing"
    path = storage.partition_path(zone, DAY1, source_id="a")
    storage.write_table_atomic(_table("old"), path)
    env = {**os.environ, "RISKRADAR_DATA_DIR": str(data_dir), "RISKRADAR_LOCAL_DIR": str(tmp_path / "local"),
           "TMPDIR": str(tmp_path)}
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, DAY1.isoformat()], env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "half-written"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    # readers see the old part, whole; listing finds only it
    assert storage.read_table(path).equals(_table("old"))
    assert storage.parts_for_interval(zone, DAY1, DAY2) == [path]
    listed = _files(zone)
    if storage.is_remote(zone):
        assert listed == ["source=a/date=2026-08-01/part-20260801T0000.parquet"]  # nothing was uploaded
    else:  # the killed writer's hidden temp file stays beside the part, outside every part glob
        assert listed[-1] == "source=a/date=2026-08-01/part-20260801T0000.parquet"
        assert all(Path(name).name.startswith(".part-") and name.endswith(".tmp") for name in listed[:-1])


# ---- one real pipeline slice with the zones in the bucket -----------------------------------------

TITLES = ["Scam ads promising crypto returns flood the feed", "Creators report payouts delayed again",
          "Advertisers praise the new brand safety controls", "Another scam ad impersonates a bank"]


@pytest.mark.usefixtures("allow_loopback")
def test_pipeline_slice_on_s3(s3_bucket, server, tmp_path, monkeypatch):
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    monkeypatch.setenv("RISKRADAR_DATA_DIR", f"s3://{s3_bucket}/riskradar")
    monkeypatch.setenv("RISKRADAR_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("RISKRADAR_CONFIG_DIR", str(config))
    monkeypatch.setenv("RISKRADAR_HOME", str(REPO))
    monkeypatch.delenv("RISKRADAR_WAREHOUSE", raising=False)
    settings = Settings.from_env()
    assert storage.is_remote(settings.data_dir) and settings.warehouse_path == tmp_path / "local" / "warehouse.duckdb"
    feed = rss([item(i, title=t, date=f"Sat, 01 Aug 2026 {10 + i}:00:00 GMT") for i, t in enumerate(TITLES)])
    server.routes["/feed.xml"] = [(200, {"Content-Type": "application/rss+xml"}, feed.encode())]
    use_source(settings, server)

    assert ingest_task.select_sources(settings) == ["test_feed"]
    ingested = ingest_source("test_feed", DAY1, DAY2, "run-1", settings)
    assert ingested["status"] == "ok" and ingested["items_landed"] == len(TITLES)
    scored = score(DAY1, DAY2, "run-1", settings)
    assert scored["items_scored"] + scored["items_unscored"] == len(TITLES)
    assert ingest_task.ingest_complete(DAY1, DAY2, settings)["complete"]  # health + scored parts found
    keys = set(settings.data_dir.fs.find(settings.data_dir.path))
    prefix = f"{s3_bucket}/riskradar"
    for zone in ("landing", "scored", "source_health"):
        assert f"{prefix}/{zone}/source=test_feed/date=2026-08-01/part-20260801T0000.parquet" in keys
    assert f"{prefix}/reference/topics.parquet" in keys
    assert not list((tmp_path / "local").glob("landing")), "zones must not be written locally"

    summary = build_interval(DAY1, DAY2, settings)  # dbt-duckdb reads read_parquet('s3://...')
    assert summary["nodes"]["failed"] == 0, summary
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute("select title, source_id, is_scam_topic from (select *, list_contains(topics, "
                           "'scam_ads') as is_scam_topic from fct_mentions) order by title").fetchall()
        health = con.execute("select items_landed from fct_source_health_daily").fetchall()
    assert sorted(r[0] for r in rows) == sorted(TITLES)
    assert {r[1] for r in rows} == {"test_feed"}
    assert sum(r[2] for r in rows) == 2  # the two scam-ad titles carry the topic into the marts
    assert health == [(len(TITLES),)]


# ---- bad configuration: one clear error before any work -------------------------------------------

def _settings_for(url: str, tmp_path) -> Settings:
    return Settings(home=REPO, data_dir=objectstore.zone_root(url), config_dir=REPO / "config",
                    local_data_dir=tmp_path / "local")


def test_wrong_secret_is_refused_before_any_work(s3_bucket, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    settings = _settings_for(f"s3://{s3_bucket}/riskradar", tmp_path)
    with pytest.raises(StorageConfigError, match=rf"refused the credentials for bucket '{s3_bucket}'.*key id and secret"):
        ingest_task.select_sources(settings)
    with pytest.raises(StorageConfigError, match="refused the credentials"):
        score(DAY1, DAY2, "run-1", settings)
    assert not (tmp_path / "local").exists()


def test_missing_bucket_and_missing_credentials(s3_bucket, tmp_path, monkeypatch):
    settings = _settings_for("s3://no-such-bucket-riskradar/zones", tmp_path)
    with pytest.raises(StorageConfigError, match="bucket 'no-such-bucket-riskradar' does not exist at http://127.0.0.1"):
        ingest_task.ingest("test_feed", DAY1, DAY2, "run-1", settings)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StorageConfigError, match="no credentials are set: set AWS_ACCESS_KEY_ID and AWS_SECRET"):
        storage.check(_settings_for(f"s3://{s3_bucket}/zones", tmp_path).data_dir)
    with pytest.raises(StorageConfigError, match="only local paths and s3:// URLs"):
        objectstore.zone_root("gs://elsewhere/zones")


def test_credentials_from_an_airflow_connection(s3_server, s3_bucket, tmp_path, monkeypatch):
    """RISKRADAR_S3_CONN_ID: key, secret and endpoint from an Airflow connection, no AWS_* needed."""
    conn = {"conn_type": "aws", "login": s3_server.access_key, "password": s3_server.secret_key,
            "extra": {"endpoint_url": s3_server.endpoint, "region_name": s3_server.region}}
    monkeypatch.setenv("AIRFLOW_CONN_RISKRADAR_ZONES_TEST", json.dumps(conn))
    monkeypatch.setenv(objectstore.CONN_ID_ENV, "riskradar_zones_test")
    for name in s3_server.env():
        monkeypatch.delenv(name)
    settings = _settings_for(f"s3://{s3_bucket}/riskradar", tmp_path)
    storage.check(settings.data_dir)
    part = storage.partition_path(settings.landing_dir, DAY1, source_id="a")
    storage.write_table_atomic(_table("via-conn"), part)
    assert s3_server.filesystem().cat(part.path) == part.read_bytes()
    assert settings.dbt_env()["AWS_ACCESS_KEY_ID"] == s3_server.access_key  # dbt gets the same credentials
