"""The Risk Radar pages and the triage step as an analyst uses them: headless Chromium against a real
api-server, dag-processor and scheduler with the plugin (plugins/riskradar_plugin.py) and
dags/alert_triage.py.

16 sample days are ingested, scored and built in process (dbt, days 1-15); Airflow runs risk_metrics
for day 16 (an incident day), whose marts gate emits the `risk_alerts` Asset, and alert_triage asks
one question per new high alert in Required Actions. The browser signs in, opens Risk Radar from
the UI's menu, finds the alert on Today, acknowledges it with a note on its detail page, answers
its triage task (*Escalate to Policy*) in Required Actions, and after the next build of the day
sees *escalated* with the note on the page and in fct_alert_status. Screenshots of each page go
to docs/img/ (the README shows them). Helpers and the browser fixture come from
test_airflow_ui_browser.py.
"""

from __future__ import annotations

import json
import secrets
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import BIN, project_env, run  # tests/ is on sys.path
from riskradar.config import Settings
from riskradar.scheduler import AirflowServices, service_env
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from test_airflow_ui_browser import (  # noqa: F401  (browser is a fixture)
    REPO,
    api_token,
    browser,
    click,
    require_browser,
    text_of,
    type_into,
    waiter,
)

pytestmark = pytest.mark.integration

RR_START, RR_DAYS = "2026-08-01", 16  # the sample lays its incidents on days 15-16 of a 16-day corpus
RR_DAY = "2026-08-16"                 # an incident day: day 2 of several spikes
RR_TOPIC = "scam_ads"
IMG = REPO / "docs" / "img"


def _utc(day: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def api_call(url: str, token: str, method: str = "GET", body: dict | None = None, tries: int = 4) -> dict:
    """A REST call; a 500 is retried (SQLite metadata DB: "database is locked" while tasks start)."""
    import time
    import urllib.error

    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as err:
            if err.code != 500 or attempt == tries - 1:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def risk_radar(tmp_path_factory):
    """16 sample days ingested, scored and built in process (dbt, days 1-15), then the Airflow services
    with the plugin; risk_metrics and alert_triage unpaused, Required Actions answered by `analyst`."""
    require_browser()
    import sys
    from datetime import timedelta

    from riskradar import pipeline

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from sample_data.generate import generate

    tmp = tmp_path_factory.mktemp("rr")
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=REPO / "config")
    mp = pytest.MonkeyPatch()
    mp.setenv("RISKRADAR_DATA_DIR", str(settings.data_dir))
    mp.setenv("RISKRADAR_DBT_LOG_LEVEL", "warn")
    mp.delenv("RISKRADAR_SAMPLE_DIR", raising=False)
    mp.delenv("RISKRADAR_WAREHOUSE", raising=False)
    generate(settings.sample_feeds_dir, start=RR_START, days=RR_DAYS)
    first = _utc(RR_START)
    for d in range(RR_DAYS):
        a, b = first + timedelta(days=d), first + timedelta(days=d + 1)
        for source_id in pipeline.select_sources(settings):
            pipeline.ingest(source_id, a, b, f"rr__{a:%Y%m%d}", settings)
        pipeline.score(a, b, f"rr__{a:%Y%m%d}", settings)
    pipeline.build_marts(first, first + timedelta(days=RR_DAYS - 1), settings)  # the last day: in Airflow
    env = project_env(settings, tmp / "airflow", settings.sample_feeds_dir)
    run([str(BIN / "riskradar"), "setup"], env)
    password = secrets.token_urlsafe(12)
    home = Path(env["AIRFLOW_HOME"])
    (home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({"analyst": password}))
    env = service_env(env)
    env.update({"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "analyst:admin",
                # the scheduler creates asset-triggered runs (alert_triage) only with job scheduling on
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True"})
    try:
        with AirflowServices(env) as services:
            services.wait_serialized(["risk_metrics", "alert_triage"])
            token = api_token(services.api_url, "analyst", password)
            for dag_id in ("risk_metrics", "alert_triage"):
                api_call(f"{services.api_url}/api/v2/dags/{dag_id}", token, "PATCH", {"is_paused": False})
            _fail_scheduled_run(services.api_url, token)
            yield {"settings": settings, "services": services, "password": password, "token": token, "tmp": tmp}
    finally:
        mp.undo()


def _fail_scheduled_run(base: str, token: str, timeout: float = 90) -> None:
    """Unpausing risk_metrics starts its latest scheduled interval (today, no ingest: its sensor would
    wait for hours and, with max_active_runs=1, hold the manual run back). Mark that run failed."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = api_call(f"{base}/api/v2/dags/risk_metrics/dagRuns?run_type=scheduled", token)["dag_runs"]
        if runs:
            for r in runs:
                api_call(f"{base}/api/v2/dags/risk_metrics/dagRuns/{quote(r['dag_run_id'], safe='')}", token,
                         "PATCH", {"state": "failed"})
            return
        time.sleep(1)
    raise TimeoutError("risk_metrics' scheduled run did not appear after unpausing")


def _trigger_metrics(base: str, token: str) -> str:
    """A manual risk_metrics run for RR_DAY (logical date = the end of the day), not waiting for ingest."""
    from datetime import timedelta

    body = {"logical_date": (_utc(RR_DAY) + timedelta(days=1)).isoformat(), "conf": {"wait_for_ingest": False},
            "dag_run_id": f"manual__rr_{secrets.token_hex(4)}"}
    return api_call(f"{base}/api/v2/dags/risk_metrics/dagRuns", token, "POST", body)["dag_run_id"]


def _wait_run(base: str, token: str, dag_id: str, run_id: str, services, timeout: float = 400) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api_call(f"{base}/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}", token)["state"]
        if state in ("success", "failed"):
            assert state == "success", f"{dag_id} {run_id} {state}:\n{services.tail('scheduler')}"
            return
        time.sleep(2)
    raise TimeoutError(f"{dag_id} {run_id} not finished:\n{services.tail('scheduler')}")


def _pending_hitl(base: str, token: str, want: int, timeout: float = 240) -> list[dict]:
    import time

    deadline = time.monotonic() + timeout
    found: list[dict] = []
    while time.monotonic() < deadline:
        found = api_call(f"{base}/api/v2/dags/~/dagRuns/~/hitlDetails?response_received=false", token)["hitl_details"]
        if len(found) >= want:
            return found
        time.sleep(2)
    raise TimeoutError(f"{len(found)} pending HITL tasks, wanted {want}")


def _shot(driver, name: str, tmp: Path) -> None:
    path = tmp / name
    driver.save_screenshot(str(path))
    IMG.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, IMG / name)


def test_risk_radar_today_detail_ack_and_triage_escalation(risk_radar, browser):  # noqa: F811
    from riskradar.alerts import lifecycle as alerts

    services, settings, token, tmp = (risk_radar[k] for k in ("services", "settings", "token", "tmp"))
    base = services.api_url
    # risk_metrics builds the incident day; its gate publishes the alerts; alert_triage asks about each
    run_id = _trigger_metrics(base, token)
    _wait_run(base, token, "risk_metrics", run_id, services)
    day_alerts = alerts.list_alerts(settings, day=date.fromisoformat(RR_DAY))
    high = [a for a in day_alerts if a["severity"] == "high"]
    assert high and any(a["topic_id"] == RR_TOPIC for a in high)
    alert = next(a for a in high if a["topic_id"] == RR_TOPIC)
    pending = _pending_hitl(base, token, len(high))
    assert {p["subject"] for p in pending} == {
        f"Triage: {a['topic_name']} spike on {RR_DAY} (high)" for a in high}
    try:
        # 1. sign in, then the Risk Radar entry of the UI's navigation frames the Today page
        browser.get(f"{base}/")
        waiter(browser).until(EC.url_contains("/auth/login"))
        type_into(browser, By.NAME, "username", "analyst")
        type_into(browser, By.NAME, "password", risk_radar["password"])
        click(browser, By.CSS_SELECTOR, "button[type=submit]")
        waiter(browser).until(lambda d: "/auth/login" not in d.current_url)
        click(browser, By.CSS_SELECTOR, "a[href$='plugin/riskradar']")
        frame = waiter(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "iframe[src*='riskradar']"))
        browser.switch_to.frame(frame)
        waiter(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Risks of"))
        browser.switch_to.default_content()
        _shot(browser, "risk-radar-in-airflow.png", tmp)

        # 2. Today for the incident day: the alert, its severity and status
        browser.get(f"{base}/riskradar/today?day={RR_DAY}")
        row = f"#alerts tr[data-alert-id='{alert['alert_id']}']"
        assert alert["topic_name"] in text_of(browser, By.CSS_SELECTOR, row)
        assert "high" in text_of(browser, By.CSS_SELECTOR, row) and "new" in text_of(browser, By.CSS_SELECTOR, row)
        assert "sources healthy" in text_of(browser, By.ID, "coverage")
        _shot(browser, "risk-radar-today.png", tmp)

        # 3. the detail: trend, evidence; acknowledge with a note
        click(browser, By.CSS_SELECTOR, f"{row} a")
        waiter(browser).until(EC.url_contains(f"/riskradar/alerts/{alert['alert_id']}"))
        assert text_of(browser, By.ID, "examples") and browser.find_elements(By.CSS_SELECTOR, "svg.chart polygon.band")
        note = "Checking with the ads-review team <b>now</b>"
        type_into(browser, By.ID, "note", note)
        click(browser, By.CSS_SELECTOR, "#act button[value=ack]")
        waiter(browser).until(EC.text_to_be_present_in_element((By.ID, "status"), "acknowledged"))
        history = text_of(browser, By.ID, "history")
        assert "analyst" in history and note in history and "acknowledged" in history
        _shot(browser, "risk-radar-alert.png", tmp)

        # 4. Required Actions: answer this alert's triage task
        browser.get(f"{base}/required_actions?response_received=false")
        click(browser, By.XPATH, f"//a[contains(normalize-space(), 'Triage: {alert['topic_name']} spike')]")
        type_into(browser, By.CSS_SELECTOR, "[name=element_note]", "Pattern matches the scam wave")
        _shot(browser, "risk-radar-triage.png", tmp)
        click(browser, By.XPATH, "//button[normalize-space()='Escalate to Policy']")
        waiter(browser, 120).until(lambda d: any(
            e["alert_id"] == alert["alert_id"] and e["status"] == "escalated" for e in alerts.read_events(settings)))

        # 5. the next build: the alert page shows the escalation, in the zone and in fct_alert_status
        api_call(f"{base}/api/v2/dags/risk_metrics/dagRuns/{quote(run_id, safe='')}/clear", token, "POST",
                 {"dry_run": False})
        _wait_run(base, token, "risk_metrics", run_id, services)
        browser.get(f"{base}/riskradar/alerts/{alert['alert_id']}")
        assert text_of(browser, By.ID, "status") == "escalated"
        history = text_of(browser, By.ID, "history")
        assert "triage: escalated to Policy. Pattern matches the scam wave" in history
        assert "escalated" in text_of(browser, By.ID, "built-status")
        browser.get(f"{base}/riskradar/topics?topic={RR_TOPIC}&day={RR_DAY}")
        assert "Mentions behind" in text_of(browser, By.ID, "mentions")
        _shot(browser, "risk-radar-topics.png", tmp)
    except BaseException:
        browser.save_screenshot(str(tmp / "risk-radar-failure.png"))
        print(f"\nfailure screenshot: {tmp / 'risk-radar-failure.png'}")
        raise
