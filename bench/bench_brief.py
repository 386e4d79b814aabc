"""Benchmark: daily brief (gather, charts, render) and delivery, on a synthetic warehouse.

    .venv/bin/python bench/bench_brief.py [--days 90] [--mentions-per-day 400] [--alerts 5]

Builds a DuckDB warehouse in a temp dir with the marts' columns the brief reads (plain DuckDB,
no dbt), then times write_brief and deliver_brief to a webhook sink and an aiosmtpd server on
127.0.0.1. Prints one table; no network beyond loopback.
"""

from __future__ import annotations

import argparse
import http.server
import random
import socket
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

TOPICS = ["scam_ads", "misleading_claims", "counterfeit_goods", "prohibited_products", "adult_content_ads",
          "political_ads", "ad_fraud", "advertiser_accounts", "creator_payouts", "privacy_targeting",
          "policy_enforcement", "brand_safety", "ad_experience"]
PLATFORMS = [("adnova", "AdNova", True), ("streamly", "Streamly", False), ("chirp", "Chirp", False)]


def build(path: Path, last: date, days: int, per_day: int, n_alerts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with duckdb.connect(str(path)) as con:
        con.execute("create table dim_topics as select unnest(?) as topic_id, unnest(?) as topic_name",
                    [TOPICS, [t.replace("_", " ").title() for t in TOPICS]])
        con.execute("create table dim_platforms (platform_id varchar, platform_name varchar, is_own_platform boolean)")
        con.executemany("insert into dim_platforms values (?,?,?)", PLATFORMS)
        spikes = []
        for i in range(days):
            d = last - timedelta(days=days - 1 - i)
            for k, t in enumerate(TOPICS):
                spike = d == last and k < n_alerts
                m = rng.randint(8, 16) * (4 if spike else 1)
                spikes.append((t, d, m, 12.0, 2.0, (m - 12) / 2.0, rng.random(), 0.5, 0.1, 1 if spike else 0,
                               spike, "high" if spike else None, (m - 12) / 2.0))
        con.execute("""create table fct_topic_spikes (topic_id varchar, mention_date date, mentions bigint,
            baseline_mean double, baseline_std double, z_score double, negative_share double,
            baseline_negative_share double, negative_share_delta double, spike_streak_days bigint,
            is_spike boolean, severity varchar, spike_score double)""")
        con.executemany("insert into fct_topic_spikes values (?,?,?,?,?,?,?,?,?,?,?,?,?)", spikes)
        # mentions in SQL: row-by-row inserts would dominate the run
        con.execute("""create table fct_mentions as
            with grid as (
                select cast(cast(? as date) - cast(d as integer) as date) as mention_date, j from range(?) r(d), range(?) q(j)
            )
            select mention_date || '-' || j as item_id, mention_date || '-' || (j // 2) as story_id,
                   'src' || (j % 10) as source_id,
                   'Headline ' || j || ' about ' || (select list(topic_id) from dim_topics)[1 + j % 13] || ' <b>&' as title,
                   'https://news.example/' || mention_date || '/' || j as url,
                   (hash(item_id) % 2000) / 1000.0 - 1 as sentiment_compound,
                   mention_date + to_hours(j % 24) as published_at, true as is_scored,
                   hash(item_id) % 10 < 4 as is_negative, mention_date,
                   [(select list(topic_id) from dim_topics)[1 + j % 13]] as topics,
                   [(select list(topic_id) from dim_topics)[1 + j % 13] || ':term' || (j % 4)] as matched_terms,
                   [(select list(platform_id) from dim_platforms)[1 + j % 3]] as platforms,
                   'tax-1' as taxonomy_version, 'lex-1' as lexicon_version
            from grid""", [last, days, per_day])
        con.execute("""create table fct_risk_alerts as select md5(topic_id || mention_date) as alert_id, topic_id,
            topic_id as topic_name, mention_date, severity, spike_score from fct_topic_spikes where is_spike""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--mentions-per-day", type=int, default=400)
    ap.add_argument("--alerts", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import os

    from aiosmtpd.controller import Controller
    from riskradar.brief import delivery, render
    from riskradar.config import Settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-brief-"))
    repo = Path(__file__).resolve().parents[1]
    settings = Settings(home=repo, data_dir=tmp / "data", config_dir=repo / "config")
    os.environ["RISKRADAR_DATA_DIR"] = str(settings.data_dir)
    settings.data_dir.mkdir(parents=True)
    last = date(2026, 10, 29)
    t0 = time.perf_counter()
    build(settings.warehouse_path, last, args.days, args.mentions_per_day, args.alerts)
    rows: list[tuple[str, float]] = [("build synthetic warehouse", time.perf_counter() - t0)]

    def timed(label, fn):
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t)
        rows.append((label, best))
        return out

    ctx = timed("gather (warehouse queries)", lambda: render.gather(last, settings))
    timed("charts (matplotlib PNGs)", lambda: render.render_charts(ctx, tmp / "charts"))
    timed("render markdown + html", lambda: (render.render_markdown(ctx), render.render_html(ctx)))
    out = timed("write_brief total", lambda: render.write_brief(last, settings))

    class Sink(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "250 OK"

    smtp = Controller(Handler(), hostname="127.0.0.1", port=_free_port())
    smtp.start()
    os.environ["AIRFLOW_CONN_RISKRADAR_WEBHOOK"] = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    os.environ["AIRFLOW_CONN_RISKRADAR_SMTP"] = (f"smtp://127.0.0.1:{smtp.port}?to=a%40example.com"
                                                 "&disable_tls=true")
    try:
        timed("deliver_brief (webhook + smtp, loopback)",
              lambda: delivery.deliver_brief(last, settings, force=True))
    finally:
        smtp.stop()
        httpd.shutdown()
    html_kb = Path(out["html"]).stat().st_size / 1024
    print(f"brief bench: {args.days} days x {args.mentions_per_day} mentions/day, {args.alerts} alerts, "
          f"best of {args.repeat}")
    print(f"{'step':<42} {'seconds':>8}")
    for label, secs in rows:
        print(f"{label:<42} {secs:>8.3f}")
    print(f"{'html size (KiB, charts inline)':<42} {html_kb:>8.0f}")
    print(f"{'charts':<42} {len(out['charts']):>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
