"""`riskradar ingest` and `riskradar sources check` (riskradar.ingest.commands), run in-process."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
import yaml
from riskradar import storage
from riskradar.ingest import commands
from riskradar.storage import as_utc

START, END = "2026-08-01T00:00:00Z", "2026-08-02T00:00:00Z"


def rss(n: int, prefix: str = "i") -> str:
    items = "".join(f"<item><guid>{prefix}{i}</guid><title>Story {prefix}{i}</title>"
                    f"<link>https://n.test/{prefix}{i}</link><pubDate>Sat, 01 Aug 2026 10:00:00 GMT</pubDate></item>"
                    for i in range(n))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>"


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = commands.main(list(argv))
    return code, capsys.readouterr().out


def configure(settings, sources: list[dict], **top) -> None:
    (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, **top, "sources": sources}))


def test_ingest_sources_urls_and_files_prints_a_summary(settings, feed_server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RISKRADAR_ALLOW_HOSTS", "127.0.0.1")
    (feed_server.root / "a.xml").write_text(rss(3, "a"))
    (feed_server.root / "b.xml").write_text(rss(2, "b"))
    local = tmp_path / "local" / "c.xml"
    local.parent.mkdir()
    local.write_text(rss(4, "c"))
    configure(settings, [{"id": "feed_a", "name": "A", "kind": "rss", "type": "news", "url": feed_server.url + "/a.xml"},
                         {"id": "feed_dead", "name": "D", "kind": "rss", "type": "forum", "retries": 0,
                          "url": feed_server.url + "/missing.xml"}])
    code, out = run_cli(capsys, "ingest", "--source", "feed_a", "--source", "feed_dead", "--url",
                        feed_server.url + "/b.xml", "--file", str(local), "--start", START, "--end", END)
    report = json.loads(out)
    assert code == 0 and report["sources_ok"] == 3 and report["sources_failed"] == 1
    by_id = {r["source_id"]: r for r in report["sources"]}
    assert by_id["feed_a"]["items_landed"] == 3 and by_id["feed_dead"]["status"] == "error"
    assert "HTTP 404" in by_id["feed_dead"]["error"]
    assert report["totals"] == {"items_read": 9, "items_landed": 9, "items_duplicate": 0, "items_quarantined": 0}
    assert report["run_id"] == "manual__2026-08-01T00:00:00+00:00"
    adhoc = [r for r in report["sources"] if r["source_id"].startswith("adhoc_")]
    assert sorted(r["items_landed"] for r in adhoc) == [2, 4]
    landed = storage.partition_path(settings.landing_dir, as_utc(START), source_id="feed_a")
    assert pq.read_metadata(landed).num_rows == 3

    # the same command again: same rows (deterministic run id), the repeats are not duplicated
    code, out = run_cli(capsys, "ingest", "--source", "feed_a", "--start", START, "--end", END)
    assert code == 0 and json.loads(out)["sources"][0]["items_landed"] == 3


def test_ingest_exit_code_is_1_when_every_source_failed(settings, feed_server, capsys, monkeypatch):
    monkeypatch.delenv("RISKRADAR_ALLOW_HOSTS", raising=False)
    (feed_server.root / "a.xml").write_text(rss(1))
    code, out = run_cli(capsys, "ingest", "--url", feed_server.url + "/a.xml", "--start", START, "--end", END)
    assert code == 1 and "refusing to connect to 127.0.0.1" in json.loads(out)["sources"][0]["error"]
    code, out = run_cli(capsys, "ingest", "--url", feed_server.url + "/a.xml", "--allow-host", "127.0.0.1",
                        "--start", START, "--end", END)
    assert code == 0


def test_ingest_replay_reparses_the_raw_archive(settings, feed_server, capsys, monkeypatch):
    monkeypatch.setenv("RISKRADAR_ALLOW_HOSTS", "127.0.0.1")
    (feed_server.root / "a.xml").write_text(rss(3))
    configure(settings, [{"id": "feed_a", "name": "A", "kind": "rss", "type": "news", "url": feed_server.url + "/a.xml"}])
    assert run_cli(capsys, "ingest", "--source", "feed_a", "--start", START, "--end", END)[0] == 0
    (feed_server.root / "a.xml").unlink()
    code, out = run_cli(capsys, "ingest", "--source", "feed_a", "--replay", "--start", START, "--end", END)
    assert code == 0 and json.loads(out)["sources"][0]["items_landed"] == 3
    assert len(feed_server.requests) == 1


def test_ingest_rejects_unknown_sources_and_bad_intervals(settings, capsys):
    assert commands.main(["ingest", "--source", "nope", "--start", START, "--end", END]) == 2
    assert "unknown source ids nope" in capsys.readouterr().err
    assert commands.main(["ingest", "--start", END, "--end", START]) == 2


def test_sources_check_reports_health_and_problems(settings, feed_server, capsys, monkeypatch):
    monkeypatch.setenv("RISKRADAR_ALLOW_HOSTS", "127.0.0.1")
    (feed_server.root / "a.xml").write_text(rss(2))
    configure(settings, [
        {"id": "feed_a", "name": "A", "kind": "rss", "type": "news", "url": feed_server.url + "/a.xml"},
        {"id": "feed_dead", "name": "D", "kind": "rss", "type": "news", "url": feed_server.url + "/gone.xml",
         "retries": 0},
        {"id": "needs_key", "name": "K", "kind": "json_api", "type": "news", "url": "https://api.example.test/s",
         "auth": {"env": "RR_TEST_MISSING_KEY"}, "enabled": False},
        {"id": "bad_file", "name": "F", "kind": "rss", "type": "news", "url": "file:///etc/passwd"}])
    run_cli(capsys, "ingest", "--source", "feed_a", "--source", "feed_dead", "--start", START, "--end", END)
    code, out = run_cli(capsys, "sources", "check", "--json", "--probe")
    rows = {r["source_id"]: r for r in json.loads(out)["sources"]}
    assert code == 1  # bad_file is enabled and refused
    assert rows["feed_a"]["last_status"] == "ok" and rows["feed_a"]["probe"] == "ok" and rows["feed_a"]["probe_items"] == 2
    assert rows["feed_dead"]["last_status"] == "error" and rows["feed_dead"]["consecutive_failures"] == 1
    assert rows["feed_dead"]["probe"] == "error"
    assert any("RR_TEST_MISSING_KEY" in p for p in rows["needs_key"]["problems"])
    assert any("outside the allowed file roots" in p for p in rows["bad_file"]["problems"])
    code, out = run_cli(capsys, "sources", "check")
    assert "feed_dead" in out and "1 failures in a row" in out


def test_sources_check_rejects_an_invalid_file(settings, capsys):
    (settings.config_dir / "sources.yml").write_text("sources: [\n  - id: x\n   bad")
    assert commands.main(["sources", "check"]) == 2
    assert "INVALID" in capsys.readouterr().err


@pytest.mark.parametrize("sample_source", ["global_newswire"])
def test_bundled_config_checks_clean(settings, capsys, sample_source):
    code, out = run_cli(capsys, "sources", "check")
    assert code == 0 and sample_source in out and "10 enabled" in out
