"""A large interval validated in chunks of whole parts gives the results of one validation; GX's
context and suites are built once per process; importing the package stays cheap."""

from __future__ import annotations

import re

import pyarrow.parquet as pq
import pytest
from fixtures.quality_zone import (
    END,
    START,
    landing_row,
    scored_row,
    write_clean_scored,
    write_landing,
    write_scored,
)
from riskradar import storage
from riskradar.quality import GateResult, QualityGateError, run_gate

# ------------------------------------------------------------------------- chunked validation

CHUNK_SOURCES = ("global_newswire", "metro_daily", "adtech_insider", "marketing_ledger")


def _gate_in(settings, data_dir, step: str, chunk_rows: int, monkeypatch) -> tuple[GateResult | None, str]:
    """run_gate on a copy of the data dir with the given chunk size: (result or None, error text)."""
    monkeypatch.setenv("RISKRADAR_GATE_CHUNK_ROWS", str(chunk_rows))
    copy = settings.__class__(home=settings.home, data_dir=data_dir, config_dir=settings.config_dir)
    try:
        return run_gate(step, START, END, "run-1", copy), ""
    except QualityGateError as exc:
        return None, str(exc)


def _zone_state(data_dir) -> dict[str, list[dict]]:
    """Every Parquet file under the data dir but the audit timestamps (dq_results' validated_at)."""
    state = {}
    for path in sorted(data_dir.rglob("*.parquet")):
        rows = pq.read_table(path).to_pylist()
        for row in rows:
            row.pop("validated_at", None)
            if "observed_value" in row:  # a chunk shows its own first unexpected values
                row.pop("observed_value")
        state[str(path.relative_to(data_dir))] = rows
    return state


@pytest.mark.parametrize("step", ["landing", "scored"])
def test_a_large_interval_validated_in_chunks_gives_the_results_of_one_validation(gx_settings, monkeypatch,
                                                                                  tmp_path, step):
    """Four 30-row parts, validated whole (1 chunk) and one part at a time (4 chunks): the same
    dq_results, quarantine and zone rows. The null titles are 10% of their part (over the 5% that
    `mostly` allows) but 2.5% of the interval, so only a combined share gives the right answer."""
    import shutil

    landing = {sid: [landing_row(sid, i) for i in range(30)] for sid in CHUNK_SOURCES}
    for i in (3, 11, 20):
        landing["metro_daily"][i]["title"] = None
    landing["adtech_insider"][4]["url"] = "ftp://not-http"
    for sid, rows in landing.items():
        write_landing(gx_settings, sid, rows)
    if step == "scored":
        for sid, rows in landing.items():
            scored = [scored_row(r, i) for i, r in enumerate(rows)]
            if sid == "marketing_ledger":
                scored[2]["sentiment_compound"] = 3.0  # critical: the gate fails in both modes
            write_scored(gx_settings, sid, scored)
    whole_dir, chunked_dir = tmp_path / "whole", tmp_path / "chunked"
    shutil.copytree(gx_settings.data_dir, whole_dir)
    shutil.copytree(gx_settings.data_dir, chunked_dir)

    whole, whole_error = _gate_in(gx_settings, whole_dir, step, 1_000_000, monkeypatch)
    chunked, chunked_error = _gate_in(gx_settings, chunked_dir, step, 30, monkeypatch)

    assert _zone_state(chunked_dir) == _zone_state(whole_dir)
    if step == "landing":
        assert whole.chunks == 1 and chunked.chunks == 4
        assert whole.success and chunked.success
        assert (chunked.rows_validated, chunked.rows_quarantined) == (whole.rows_validated, whole.rows_quarantined) == (120, 4)
        assert chunked.warnings == whole.warnings
        assert sum(pq.read_table(p).num_rows for p in (chunked_dir / "quarantine").rglob("*.parquet")) == 4
    else:
        assert whole is None and chunked is None
        failing = re.compile(r"- scored / (\S+)")
        assert failing.findall(chunked_error) == failing.findall(whole_error) == [
            "expect_column_values_to_be_between:sentiment_compound"]
        assert "marketing_ledger/marketing_ledger-0002" in chunked_error


def test_chunks_are_whole_parts_of_at_most_the_chunk_rows(gx_settings, monkeypatch):
    from riskradar.quality.zones import _chunk_parts

    parts = [write_landing(gx_settings, sid, [landing_row(sid, i) for i in range(n)])
             for sid, n in zip(CHUNK_SOURCES, (10, 25, 40, 5), strict=True)]
    ordered = storage.parts_for_interval(gx_settings.landing_dir, START, END)
    assert sorted(ordered) == sorted(parts)
    sizes = {p: pq.read_metadata(p).num_rows for p in ordered}
    chunks = _chunk_parts(ordered, 35)
    assert [p for chunk in chunks for p in chunk] == ordered  # every part once, in order
    for chunk in chunks:  # within the limit, or a single larger part
        assert sum(sizes[p] for p in chunk) <= 35 or len(chunk) == 1
    assert _chunk_parts([], 35) == [[]]


def test_suites_are_built_once_per_process_and_reused(gx_settings):
    from riskradar.quality.validator import _validator

    write_clean_scored(gx_settings)
    validator = _validator()
    first = run_gate("scored", START, END, "run-1", gx_settings)
    cached = dict(validator.suites)
    again = run_gate("scored", START, END, "run-2", gx_settings)
    assert first.success and again.success
    scored_keys = [k for k in cached if k[0].startswith("scored")]
    assert scored_keys and all(validator.suites[k] is cached[k] for k in scored_keys)  # the same objects
    assert len(validator.suites) == len(cached)  # nothing rebuilt for the second interval run


def test_list_columns_reach_gx_hashable_so_no_frame_is_pickled(gx_settings, monkeypatch):
    import pickle

    import pandas as pd
    from great_expectations.execution_engine import pandas_execution_engine
    from riskradar.quality import hashable_lists

    frame = pd.DataFrame({"item_id": ["a", "b", "c"], "topics": [["scam_ads"], [], None],
                          "platforms": [pd.Series(["adnova"]).to_numpy(), None, None]})
    with pytest.raises(TypeError):
        pd.util.hash_pandas_object(frame)
    ready = hashable_lists(frame)
    assert ready["topics"].tolist() == [("scam_ads",), (), None] and ready["platforms"][0] == ("adnova",)
    assert frame["topics"][0] == ["scam_ads"]  # the caller's frame is left as it was
    pandas_execution_engine.hash_pandas_dataframe(ready)  # the fast path: pandas' row hash

    dumped = []
    real = pickle.dumps
    monkeypatch.setattr(pandas_execution_engine.pickle, "dumps",
                        lambda obj, *a, **k: dumped.append(type(obj)) or real(obj, *a, **k))
    write_clean_scored(gx_settings)
    assert run_gate("scored", START, END, "run-1", gx_settings).success
    assert pd.DataFrame not in dumped  # GX fingerprinted every batch without pickling it


def test_importing_the_quality_package_does_not_import_great_expectations():
    """Airflow parses DAG files that import riskradar.quality: GX (seconds) must wait for a gate."""
    code = ("import sys, riskradar.quality as q; "
            "assert q.run_gate and q.Spec and q.build_data_docs and q.landing_accounting; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('great_expectations', 'airflow')))")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
