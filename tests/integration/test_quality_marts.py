"""The three gates on one real sample day: real ingest, scoring, dbt build on DuckDB and GX.

A clean day passes every gate and Data Docs show each gate; a warehouse with a missing topic x day
row (a copy: dbt stays the only writer of the real one) fails the marts gate.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from riskradar import pipeline
from riskradar.quality import QualityGateError, build_data_docs, landing_accounting, run_gate

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 8, 2, tzinfo=UTC)
END = START + timedelta(days=1)


@pytest.fixture
def sample_day(settings, monkeypatch):
    """One sample day ingested, gated, scored, gated and built into the marts."""
    sample = settings.data_dir / "sample_feeds"
    subprocess.run([sys.executable, str(REPO / "sample_data" / "generate.py"), "--out", str(sample),
                    "--start", "2026-08-01", "--days", "3"], check=True, capture_output=True, timeout=300)
    monkeypatch.setenv("RISKRADAR_SAMPLE_DIR", str(sample))
    monkeypatch.setenv("NLTK_DATA", str(REPO / ".venv" / "nltk_data"))
    gates = {}
    for sid in pipeline.select_sources(settings):
        pipeline.ingest(sid, START, END, "it__1", settings)
    gates["landing"] = pipeline.gate("landing", START, END, "it__1", settings)
    pipeline.score(START, END, "it__1", settings)
    gates["scored"] = pipeline.gate("scored", START, END, "it__1", settings)
    pipeline.build_marts(START, END, settings)
    gates["marts"] = pipeline.gate("marts", START, END, "it__1", settings)
    return settings, gates


def test_a_clean_sample_day_passes_every_gate(sample_day):
    settings, gates = sample_day

    for step, result in gates.items():
        assert result["success"] and result["critical_failures"] == [] and result["warnings"] == [], step
        results = pq.read_table(result["results_path"]).to_pylist()
        assert len(results) == result["evaluated"] and all(r["success"] for r in results), step
    assert gates["landing"]["rows_validated"] == gates["scored"]["rows_validated"] > 100
    # counts add up from ingest through the landing gate, for every configured source
    accounting = landing_accounting(settings, START, END)
    assert len(accounting) == 10 and accounting["balanced"].all(), accounting.to_string()

    # Data Docs: each gate's validation of this interval (one page per validated frame), succeeded
    index = build_data_docs(settings)
    for suite in ("landing", "scored", "marts"):
        pages = list((index.parent / "validations" / suite).rglob(f"{suite}-20260802T0000/*/*.html"))
        assert pages, suite
        for page in pages:
            text = " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())
            assert "Status: Succeeded" in text and "Unsuccessful Expectations 0" in text, page


def test_marts_gate_fails_on_a_missing_topic_day(sample_day, monkeypatch, tmp_path):
    settings, _ = sample_day
    broken = tmp_path / "broken.duckdb"
    shutil.copy(settings.warehouse_path, broken)
    con = duckdb.connect(str(broken))
    topic = con.execute("select min(topic_id) from fct_topic_daily").fetchone()[0]
    con.execute("delete from fct_topic_daily where topic_id = ? and mention_date = ?", [topic, START.date()])
    con.close()
    monkeypatch.setenv("RISKRADAR_WAREHOUSE", str(broken))

    with pytest.raises(QualityGateError) as err:
        run_gate("marts", START, END, "it__2", settings)

    assert "one_topic_daily_row_per_topic_and_day" in str(err.value)
    assert f"{topic}/2026-08-02" in str(err.value)
