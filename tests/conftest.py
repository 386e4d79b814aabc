"""Shared fixtures: an isolated data/config layout per test and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import yaml

# the ingest tests' loopback feed server (tests/integration/test_ingest_*.py)
from fixtures.feed_server import allow_loopback, server, tls_server
from fixtures.quality_zone import use_small_taxonomy

# a real S3-compatible server (SeaweedFS) on 127.0.0.1 for the object-storage tests
from fixtures.s3_server import s3_bucket, s3_server
from riskradar.config import Settings, airflow_env

__all__ = ["allow_loopback", "s3_bucket", "s3_server", "server", "tls_server"]
# longest test files first (tests/file_durations.json), for make test's side-by-side processes
pytest_plugins = ["fixtures.schedule"]

REPO = Path(__file__).resolve().parents[1]

# Never let an in-process Airflow import fall back to ~/airflow: give the test session its own home.
if "AIRFLOW_HOME" not in os.environ:
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="riskradar-test-airflow-")
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    """Settings pointing at a temporary data dir and a copy of config/ (tests may edit it)."""
    data = tmp_path / "data"
    cfg = tmp_path / "config"
    shutil.copytree(REPO / "config", cfg)
    monkeypatch.setenv("RISKRADAR_HOME", str(REPO))
    monkeypatch.setenv("RISKRADAR_DATA_DIR", str(data))
    monkeypatch.setenv("RISKRADAR_CONFIG_DIR", str(cfg))
    monkeypatch.delenv("RISKRADAR_WAREHOUSE", raising=False)
    monkeypatch.delenv("RISKRADAR_SAMPLE_DIR", raising=False)
    return Settings.from_env()


class FeedServer:
    """Serves files from a directory on 127.0.0.1; records requests; can be told to fail a path."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        self.fail: dict[str, int] = {}
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def do_GET(self):  # noqa: N802
                server.requests.append(self.path)
                code = server.fail.get(self.path.split("?")[0])
                if code:
                    self.send_response(code)
                    self.end_headers()
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    with FeedServer(root) as srv:
        yield srv


# ---- helpers for tests that drive the real `riskradar` / `airflow` commands ---------------------

BIN = Path(sys.executable).parent


def run(cmd: list[str], env: dict, timeout: int = 900, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command; unless check=False, fail with the tail of its output when it fails."""
    proc = subprocess.run(cmd, env=env, text=True, capture_output=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, (f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
                                      f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def json_output(out: str) -> list:
    """The JSON list an `airflow ... -o json` command printed, after any warning lines."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith("["):
            try:
                return json.loads("\n".join(lines[i:]))
            except json.JSONDecodeError:
                continue
    raise AssertionError(f"no JSON list in output:\n{out[-2000:]}")


def project_env(settings: Settings, airflow_home: Path, feeds: Path) -> dict[str, str]:
    """Environment of a `riskradar` / `airflow` subprocess on a temporary Airflow home and data dir,
    reading the sample feeds from `feeds` and allowed to fetch from the loopback feed server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "RISKRADAR"))}
    env.update(airflow_env(airflow_home, settings))
    Path(env["AIRFLOW__CORE__PLUGINS_FOLDER"]).mkdir(parents=True, exist_ok=True)
    env["RISKRADAR_SAMPLE_DIR"] = str(feeds)
    env["RISKRADAR_ALLOW_HOSTS"] = "127.0.0.1"  # the ingest SSRF guard refuses loopback feeds otherwise
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def write_served_config(config_dir: Path, server_url: str, limit: int | None = None,
                        allow_loopback: bool = False) -> list[str]:
    """A copy of config/ whose sample sources fetch `<server_url>/<source_id>/<date>.xml`.

    `limit` keeps the first N enabled sources; `allow_loopback` allow-lists 127.0.0.1 in the file
    itself (for in-process ingest, where RISKRADAR_ALLOW_HOSTS is not set). Returns the source ids.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    for name in ("taxonomy.yml", "lexicon.yml"):
        (config_dir / name).write_text((REPO / "config" / name).read_text())
    sources = yaml.safe_load((REPO / "config" / "sources.yml").read_text())
    if limit is not None:
        sources["sources"] = [s for s in sources["sources"] if s.get("enabled", True)][:limit]
    for src in sources["sources"]:
        src["url_template"] = f"{server_url}/{src['id']}/{{date}}.xml"
    if allow_loopback:
        sources.setdefault("security", {})["allow_private_hosts"] = ["127.0.0.1"]
    (config_dir / "sources.yml").write_text(yaml.safe_dump(sources, sort_keys=False))
    return [s["id"] for s in sources["sources"]]


@pytest.fixture
def gx_settings(settings):
    """Settings with the small taxonomy the gate tests' scored rows use (test_quality, test_marts_gate,
    test_gate_chunks)."""
    return use_small_taxonomy(settings)
