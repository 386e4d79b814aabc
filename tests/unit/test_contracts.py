"""The zone contract is defined once (riskradar.schemas); tools/contracts.py writes the dbt source
columns and the docs tables from it, and `--check` fails when a checked-in copy is stale."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from riskradar import schemas

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "contracts.py"


def _tool():
    spec = importlib.util.spec_from_file_location("riskradar_tools_contracts", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


contracts = _tool()


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, check=False)


@pytest.fixture
def copy_root(tmp_path) -> Path:
    """The two generated files, copied into a project root of their own."""
    for rel in (contracts.SOURCES_YML, contracts.DOCS_MD):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, tmp_path / rel)
    return tmp_path


def _zone_tables(path: Path) -> dict[str, dict]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {t["name"]: t for source in doc["sources"] for t in source.get("tables", [])}


def test_checked_in_files_follow_schemas_py():
    out = _run("--check")
    assert out.returncode == 0, out.stdout + out.stderr


def test_dbt_zone_sources_declare_exactly_the_schema_columns_and_types():
    tables = _zone_tables(REPO / contracts.SOURCES_YML)
    duck = {pa.string(): "varchar", pa.bool_(): "boolean", pa.int32(): "integer", pa.int64(): "bigint",
            pa.float64(): "double", schemas.TS: "timestamptz", pa.list_(pa.string()): "varchar[]"}
    for table, contract in contracts.SOURCE_TABLES.items():
        schema = schemas.CONTRACTS[contract]
        declared = [(c["name"], c["data_type"], c["description"]) for c in tables[table]["columns"]]
        expected = [(f.name, duck[f.type], schemas.DESCRIPTIONS[contract][f.name]) for f in schema]
        if "hive_partitioning = true" in tables[table]["config"]["external_location"]:
            expected.append(contracts.PARTITION_DATE)
        assert declared == expected, table
    # tables the generator does not own keep their hand-written columns
    assert [c["name"] for c in tables["platforms"]["columns"]] == ["platform_id", "platform_name", "is_own_platform"]


def test_docs_list_every_column_of_every_contract_once():
    text = (REPO / contracts.DOCS_MD).read_text(encoding="utf-8")
    generated = text[text.index(contracts.DOCS_BEGIN):text.index(contracts.DOCS_END)]
    for contract, schema in schemas.CONTRACTS.items():
        section = generated.split(f"#### `{contract}`", 1)[1].split("#### ", 1)[0]
        own = [f.name for f in schema if contract != "SCORED" or f.name not in schemas.LANDING.names]
        rows = [line.split("|")[1].strip().strip("`") for line in section.splitlines() if line.startswith("| `")]
        assert rows == own, contract
    assert "ok \\| empty \\| error." in generated  # pipes in a description do not split the table


def test_check_fails_on_a_stale_copy_and_a_rewrite_fixes_it(copy_root):
    sources, docs = copy_root / contracts.SOURCES_YML, copy_root / contracts.DOCS_MD
    stale_yaml = sources.read_text(encoding="utf-8").replace(
        '{name: http_status, data_type: integer,', '{name: http_status, data_type: bigint,')
    stale_docs = docs.read_text(encoding="utf-8").replace("| `raw` |", "| `raw_json` |")
    sources.write_text(stale_yaml, encoding="utf-8")
    docs.write_text(stale_docs, encoding="utf-8")

    out = _run("--check", "--root", str(copy_root))
    assert out.returncode == 1
    assert str(contracts.SOURCES_YML) in out.stdout and str(contracts.DOCS_MD) in out.stdout
    assert "http_status, data_type: integer" in out.stderr  # the diff says what schemas.py wants
    assert sources.read_text(encoding="utf-8") == stale_yaml  # --check writes nothing

    assert _run("--root", str(copy_root)).returncode == 0
    assert _run("--check", "--root", str(copy_root)).returncode == 0
    assert sources.read_text(encoding="utf-8") == (REPO / contracts.SOURCES_YML).read_text(encoding="utf-8")
    assert docs.read_text(encoding="utf-8") == (REPO / contracts.DOCS_MD).read_text(encoding="utf-8")


def test_a_description_changed_in_schemas_reaches_both_files(copy_root, monkeypatch):
    monkeypatch.setitem(schemas.DESCRIPTIONS["SOURCE_HEALTH"], "latency_ms", "Fetch latency (ms) | new words.")
    assert contracts.run(copy_root, check=True) == [str(contracts.SOURCES_YML), str(contracts.DOCS_MD)]
    contracts.run(copy_root, check=False)
    health = _zone_tables(copy_root / contracts.SOURCES_YML)["source_health"]
    assert {c["name"]: c["description"] for c in health["columns"]}["latency_ms"] == "Fetch latency (ms) | new words."
    assert "| `latency_ms` | double | double | Fetch latency (ms) \\| new words. |" in (
        copy_root / contracts.DOCS_MD).read_text(encoding="utf-8")


def test_a_file_without_its_markers_is_an_error_not_a_silent_pass(copy_root):
    sources = copy_root / contracts.SOURCES_YML
    sources.write_text(sources.read_text(encoding="utf-8").replace("# END contract columns: dq_results", ""),
                       encoding="utf-8")
    out = _run("--check", "--root", str(copy_root))
    assert out.returncode == 2 and "dq_results" in out.stderr


def test_schemas_keep_descriptions_out_of_the_parquet_metadata():
    for schema in schemas.CONTRACTS.values():
        assert schema.metadata is None and all(f.metadata is None for f in schema)
