"""Shared fixtures: an isolated data/config layout per test and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import http.server
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from riskradar.config import Settings

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
