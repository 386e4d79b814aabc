"""Benchmark: the Risk Radar pages served by a real `airflow api-server` on the 90-day sample.

    .venv/bin/python bench/bench_ui.py [--data-dir DIR] [--days 90] [--repeat 20]

Uses the warehouse in `--data-dir` (default: $RISKRADAR_DATA_DIR/bench_ui) when it holds one,
otherwise builds the sample there first (corpus, ingest + score of every day in process, one dbt
build over the period: a few minutes). Then starts an api-server with the plugin on a free port
and a throw-away Airflow home, gets a token from the simple auth manager, and times complete
HTTP responses (server render + transfer) of Today on the busiest alert day, the alert detail of
its top alert, and the topic explorer over the whole period with the mentions behind a day.
Prints median, p95 and max per page; the target is < 1 s for every page.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TARGET_SECONDS = 1.0


def build_sample(data_dir: Path, days: int) -> None:
    from riskradar import pipeline
    from riskradar.config import SAMPLE_START, Settings

    from sample_data.generate import generate

    settings = Settings(home=REPO, data_dir=data_dir, config_dir=REPO / "config")
    os.environ["RISKRADAR_DATA_DIR"] = str(data_dir)
    generate(settings.sample_feeds_dir, start=SAMPLE_START, days=days)
    first = datetime.fromisoformat(SAMPLE_START).replace(tzinfo=UTC)
    for d in range(days):
        a, b = first + timedelta(days=d), first + timedelta(days=d + 1)
        for source_id in pipeline.select_sources(settings):
            pipeline.ingest(source_id, a, b, f"bench__{a:%Y%m%d}", settings)
        pipeline.score(a, b, f"bench__{a:%Y%m%d}", settings)
    pipeline.build_marts(first, first + timedelta(days=days), settings)


def start_api_server(data_dir: Path, home: Path) -> tuple[subprocess.Popen, str, str]:
    from riskradar.config import Settings, airflow_env
    from riskradar.scheduler import service_env

    settings = Settings(home=REPO, data_dir=data_dir, config_dir=REPO / "config")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "RISKRADAR"))}
    env.update(airflow_env(home, settings))
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "riskradar"), "setup"], env=env, check=True, capture_output=True)
    password = secrets.token_urlsafe(12)
    (home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({"analyst": password}))
    env = service_env(env)
    env.update({"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "analyst:admin"})
    port = env["AIRFLOW__API__PORT"]
    log = (home / "api-server.log").open("ab")
    proc = subprocess.Popen([str(bin_dir / "airflow"), "api-server", "--port", port, "--host", "127.0.0.1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(180):
        try:
            urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((home / "api-server.log").read_text()[-3000:]) from None
            time.sleep(1)
    req = urllib.request.Request(f"{base}/auth/token", method="POST", headers={"Content-Type": "application/json"},
                                 data=json.dumps({"username": "analyst", "password": password}).encode())
    token = json.loads(urllib.request.urlopen(req, timeout=30).read())["access_token"]
    return proc, base, token


def timed_get(url: str, token: str) -> tuple[float, int]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        size = len(resp.read())
        assert resp.status == 200, (url, resp.status)
    return time.perf_counter() - started, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("RISKRADAR_DATA_DIR", REPO / "data")) / "bench_ui")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    if not (data_dir / "warehouse.duckdb").exists():
        started = time.perf_counter()
        print(f"building the {args.days}-day sample in {data_dir} ...", flush=True)
        build_sample(data_dir, args.days)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    import duckdb

    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        day, first, last = con.execute(
            "select (select mention_date from fct_risk_alerts group by 1 order by count(*) desc, 1 limit 1), "
            "min(mention_date), max(mention_date) from fct_topic_daily").fetchone()
        alert_id, topic = con.execute("select alert_id, topic_id from fct_risk_alerts where mention_date = ? "
                                      "order by spike_score desc limit 1", [day]).fetchone()
        mentions = con.execute("select count(*) from fct_mentions").fetchone()[0]
    home = Path(tempfile.mkdtemp(prefix="bench-ui-airflow-"))
    proc, base, token = start_api_server(data_dir, home)
    pages = {
        "today": f"{base}/riskradar/today?day={day}",
        "alert detail": f"{base}/riskradar/alerts/{alert_id}",
        "topic explorer": f"{base}/riskradar/topics?topic={topic}&start={first}&end={last}&day={day}",
        "explorer by source type": f"{base}/riskradar/topics?topic={topic}&start={first}&end={last}"
                                   f"&source_type=news&day={day}",
    }
    try:
        for url in pages.values():  # first request imports the app (once per api-server process)
            timed_get(url, token)
        print(f"\n{(last - first).days + 1} days, {mentions} mentions; busiest alert day {day}; "
              f"{args.repeat} requests per page\n")
        print(f"{'page':26} {'median s':>9} {'p95 s':>7} {'max s':>7} {'KiB':>6}  < {TARGET_SECONDS:.0f} s")
        ok = True
        for name, url in pages.items():
            times, size = zip(*(timed_get(url, token) for _ in range(args.repeat)), strict=True)
            p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
            ok &= max(times) < TARGET_SECONDS
            print(f"{name:26} {statistics.median(times):9.3f} {p95:7.3f} {max(times):7.3f} {size[0] / 1024:6.0f}  "
                  f"{'yes' if max(times) < TARGET_SECONDS else 'NO'}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
