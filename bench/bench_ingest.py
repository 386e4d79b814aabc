"""Benchmark: ingest N feeds served by a local threaded server with 50–500 ms latency each.

Compares a sequential run (1 worker) with the bounded concurrent pool the CLI and `ingest_many`
use, and measures parse throughput on its own. Loopback only, temporary directories only.

    .venv/bin/python bench/bench_ingest.py [--feeds 200] [--items 20] [--workers 32] [--processes 2] [--parse-only]

A third run ingests the same feeds with one group of sources per worker process (ingest_many's
path for large intervals); with --min-ms 0 --max-ms 0 and big feeds it shows the CPU side.

The parse lines report CPU time (process_time) of parse_document alone and of parse + normalise
(entry_to_row, what ingest does per item), for feedparser only (RISKRADAR_FAST_PARSE=0) and with
the fast path for well-formed feeds (riskradar.ingest.fastparse).
"""

from __future__ import annotations

import argparse
import http.server
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "plugins"))

from results import Figure, report  # noqa: E402
from riskradar.config import Settings  # noqa: E402
from riskradar.ingest.many import ingest_many  # noqa: E402
from riskradar.ingest.normalize import entry_to_row  # noqa: E402
from riskradar.ingest.parse import parse_document  # noqa: E402
from riskradar.ingest.security import URLPolicy  # noqa: E402
from riskradar.ingest.sources import load_sources  # noqa: E402

START = datetime(2026, 8, 1, tzinfo=UTC)


def make_feed(i: int, items: int) -> bytes:
    rng = random.Random(i)
    words = ("scam ads advertiser payout creator fraud policy brand safety fake giveaway crypto account "
             "suspended refund misleading claims privacy targeting").split()
    body = []
    for j in range(items):
        title = " ".join(rng.choice(words) for _ in range(8)).capitalize()
        desc = " ".join(rng.choice(words) for _ in range(40))
        body.append(f"<item><guid isPermaLink='false'>f{i}-{j}</guid><title>{title}</title>"
                    f"<link>https://news{i}.example.test/{j}?utm_source=rss</link>"
                    f"<description>&lt;p&gt;{desc}&lt;/p&gt;</description>"
                    f"<pubDate>Sat, 01 Aug 2026 {j % 24:02d}:{j % 60:02d}:00 GMT</pubDate></item>")
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Feed</title>"
            "<link>https://example.test/</link><description>d</description><language>en</language>"
            + "".join(body) + "</channel></rss>").encode()


def serve(feeds: dict[str, bytes], latency: dict[str, float]) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            body = feeds.get(self.path)
            time.sleep(latency.get(self.path, 0.0))
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 256
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def run(settings: Settings, workers: int, day: int, processes: int = 1) -> tuple[float, list[dict]]:
    """(wall s, summaries) of one ingest_many call."""
    sources = load_sources(settings, enabled_only=True)
    policy = URLPolicy.build(file_roots=[], allow=["127.0.0.1"], use_env=False)
    start = START + timedelta(days=day)
    t0 = time.perf_counter()
    out = ingest_many(sources, start, start + timedelta(days=1), f"bench-{workers}-{processes}", settings,
                      max_workers=workers, policy=policy, processes=processes)
    return time.perf_counter() - t0, out


def parse_cpu(bodies: list[bytes], fast: bool, normalise: bool) -> tuple[float, int]:
    """(CPU seconds, items) to parse (and normalise) every body in this process."""
    os.environ["RISKRADAR_FAST_PARSE"] = "1" if fast else "0"
    items = 0
    t0 = time.process_time()
    for body in bodies:
        doc = parse_document(body)
        items += doc.items_read
        if normalise:
            for entry in doc.entries:
                entry_to_row(entry, source_id="bench", source_type="news", default_language=doc.language,
                             interval_start=START, interval_end=START + timedelta(days=1), run_id="bench")
    return time.process_time() - t0, items


def parse_report(bodies: list[bytes]) -> None:
    print(f"{'parse (CPU)':<34}{'CPU s':>9}{'items':>9}{'items/CPU-s':>13}")
    measured: dict[tuple[bool, bool], float] = {}
    for normalise in (False, True):
        rates = []
        for fast in (False, True):
            cpu, items = parse_cpu(bodies, fast, normalise)
            rates.append(items / cpu)
            measured[(fast, normalise)] = items / cpu
            label = ("fast path" if fast else "feedparser") + (" + normalise" if normalise else "")
            print(f"{label:<34}{cpu:>9.2f}{items:>9}{items / cpu:>13.0f}")
        print(f"{'  ratio fast / feedparser':<34}{'':>18}{rates[1] / rates[0]:>13.2f}")
    os.environ.pop("RISKRADAR_FAST_PARSE", None)
    report("bench_ingest_parse", [
        Figure("parse + normalise, fast path", measured[(True, True)], target=6_000, unit="/CPU-s"),
        Figure("parse + normalise, feedparser", measured[(False, True)], unit="/CPU-s"),
        Figure("parse alone, fast path", measured[(True, False)], unit="/CPU-s"),
    ], {"feeds": len(bodies)})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=20, help="items per feed")
    ap.add_argument("--workers", type=int, default=32, help="pool size of the concurrent run")
    ap.add_argument("--min-ms", type=float, default=50)
    ap.add_argument("--max-ms", type=float, default=500)
    ap.add_argument("--parse-only", action="store_true", help="only the in-memory parse lines")
    ap.add_argument("--processes", type=int, default=2, help="worker processes of the third run")
    args = ap.parse_args()
    if args.parse_only:
        parse_report([make_feed(i, args.items) for i in range(args.feeds)])
        return 0

    rng = random.Random(42)
    feeds = {f"/feed{i}.xml": make_feed(i, args.items) for i in range(args.feeds)}
    latency = {p: rng.uniform(args.min_ms, args.max_ms) / 1000 for p in feeds}
    httpd = serve(feeds, latency)
    host, port = httpd.server_address[:2]
    tmp = Path(tempfile.mkdtemp(prefix="rr-bench-ingest-"))
    try:
        settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=tmp / "config")
        settings.config_dir.mkdir(parents=True)
        sources = [{"id": f"bench_{i:03d}", "name": f"Bench {i}", "kind": "rss", "type": "news", "language": "en",
                    "url": f"http://{host}:{port}/feed{i}.xml", "retries": 0} for i in range(args.feeds)]
        (settings.config_dir / "sources.yml").write_text(yaml.safe_dump({"version": 1, "sources": sources}))

        # parse throughput alone (no network, no landing)
        t0 = time.perf_counter()
        parsed_items = sum(parse_document(b).items_read for b in feeds.values())
        parse_s = time.perf_counter() - t0

        # days further apart than the dedup lookback, so neither run sees the other's items as duplicates
        seq_s, seq_out = run(settings, 1, day=0)
        con_s, con_out = run(settings, args.workers, day=10)
        # the same feeds again, one group of sources per process once the previous fetch was large
        # (RISKRADAR_INGEST_PROCESS_BYTES=1 here, so the size threshold does not decide)
        os.environ["RISKRADAR_INGEST_PROCESS_BYTES"] = "1"
        proc_s, proc_out = run(settings, args.workers, day=20, processes=args.processes)
    finally:
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(tmp, ignore_errors=True)

    def landed(out: list[dict]) -> int:
        return sum(int(r.get("items_landed") or 0) for r in out)

    failed = sum(r.get("status") == "error" for r in seq_out + con_out + proc_out)
    total_latency = sum(latency.values())
    print(f"ingest benchmark: {args.feeds} feeds x {args.items} items, server latency "
          f"{args.min_ms:.0f}-{args.max_ms:.0f} ms (sum {total_latency:.1f} s, max {max(latency.values()):.2f} s), "
          f"{os.cpu_count()} CPUs")
    print(f"{'mode':<24}{'wall s':>9}{'items':>9}{'items/s':>10}{'speed-up':>10}")
    print(f"{'sequential (1 worker)':<24}{seq_s:>9.2f}{landed(seq_out):>9}{landed(seq_out) / seq_s:>10.0f}{1:>10.1f}")
    print(f"{f'concurrent ({args.workers} workers)':<24}{con_s:>9.2f}{landed(con_out):>9}"
          f"{landed(con_out) / con_s:>10.0f}{seq_s / con_s:>10.1f}")
    print(f"{f'+ {args.processes} processes':<24}{proc_s:>9.2f}{landed(proc_out):>9}"
          f"{landed(proc_out) / proc_s:>10.0f}{seq_s / proc_s:>10.1f}")
    print(f"processes vs threads on the same feeds: wall ratio {con_s / proc_s:.2f} (above 1: processes faster)")
    print(f"{'parse only (in memory)':<24}{parse_s:>9.2f}{parsed_items:>9}{parsed_items / parse_s:>10.0f}{'':>10}")
    parse_report(list(feeds.values()))
    if failed:
        print(f"WARNING: {failed} source runs failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
