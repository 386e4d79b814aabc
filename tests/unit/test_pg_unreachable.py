"""A PostgreSQL target that cannot be reached stops the build before any work, saying what to fix."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from riskradar.config import Settings
from riskradar.marts.build import build_interval
from riskradar.marts.pg_zones import PostgresUnreachable

REPO = Path(__file__).resolve().parents[2]


def test_an_unreachable_postgres_target_fails_fast_with_what_to_fix(tmp_path, monkeypatch):
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("RISKRADAR_PG_HOST", "127.0.0.1")
        monkeypatch.setenv("RISKRADAR_PG_PORT", str(port))
        settings = Settings(home=REPO, data_dir=tmp_path / "data", config_dir=REPO / "config")
        start = datetime(2026, 8, 1, tzinfo=UTC)
        with pytest.raises(PostgresUnreachable, match=rf"127\.0\.0\.1:{port}.*RISKRADAR_PG_HOST"):
            build_interval(start, start + timedelta(days=1), settings, target="postgres")
    assert not (settings.data_dir / "dbt" / "target-postgres" / "run_results.json").exists()
