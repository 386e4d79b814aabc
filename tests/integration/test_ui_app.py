"""The Risk Radar pages served by a real `airflow api-server` (the plugin in plugins/), over HTTP.

A scored-zone fixture with one injected spike (one of its headlines carries `<script>` markup)
goes through a real dbt build; the api-server runs with the simple auth manager and two users,
`analyst` (admin role) and `watcher` (viewer role). Requests carry real tokens from
`POST /auth/token`. Checks: every page and action refuses anonymous requests (401/403); a viewer
can read but not act (403); a POST without the CSRF token, with another session's token, or from
another origin is refused and writes nothing; markup in a title is shown escaped; an unknown
alert or an invalid transition gets a clear 4xx and writes nothing; an action is recorded in
the alert_events zone with the Airflow user as actor, whatever the form says.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import BIN, REPO, project_env, run  # tests/ is on sys.path
from fixtures.scored_fixture import write_scored_fixture
from riskradar import pipeline, storage
from riskradar.alerts import lifecycle as alerts
from riskradar.config import Settings
from riskradar.scheduler import service_env

pytestmark = pytest.mark.integration
START, DAYS = date(2026, 8, 1), 14
SPIKE_DAY = START + timedelta(days=12)
EVIL = "<script>alert('x')</script> Scam ads flood AdNova"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _inject_markup(settings: Settings) -> str:
    """Give one spike item a title with markup (in the scored zone, before dbt reads it)."""
    part = next(settings.scored_dir.glob(f"source=global_newswire/date={SPIKE_DAY}/*.parquet"))
    table = pq.read_table(part)
    rows = table.to_pylist()
    target = next(r for r in rows if r["topics"] == ["scam_ads"])
    target["title"] = EVIL
    target["sentiment_compound"] = -0.99  # the most negative: it is the alert's first example
    storage.write_table_atomic(storage.rows_to_table(rows, table.schema), part)
    return target["item_id"]


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ui_app")
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=REPO / "config")
    mp = pytest.MonkeyPatch()
    mp.setenv("RISKRADAR_DATA_DIR", str(settings.data_dir))
    mp.setenv("RISKRADAR_DBT_LOG_LEVEL", "warn")
    mp.delenv("RISKRADAR_WAREHOUSE", raising=False)
    write_scored_fixture(settings.data_dir, START, DAYS, spike=("scam_ads", SPIKE_DAY))
    evil_id = _inject_markup(settings)
    pipeline.build_marts(_midnight(START), _midnight(START + timedelta(days=DAYS)), settings)
    env = project_env(settings, tmp / "airflow", tmp / "feeds")
    run([str(BIN / "riskradar"), "setup"], env)
    passwords = {"analyst": secrets.token_urlsafe(12), "watcher": secrets.token_urlsafe(12)}
    home = Path(env["AIRFLOW_HOME"])
    (home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps(passwords))
    env = service_env(env)
    env.update({"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "analyst:admin,watcher:viewer"})
    port = env["AIRFLOW__API__PORT"]
    log = (tmp / "api-server.log").open("ab")
    proc = subprocess.Popen([str(BIN / "airflow"), "api-server", "--port", port, "--host", "127.0.0.1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, tmp / "api-server.log")
        tokens = {u: _token(base, u, p) for u, p in passwords.items()}
        alert = alerts.list_alerts(settings, day=SPIKE_DAY)[0]
        yield {"base": base, "settings": settings, "tokens": tokens, "alert": alert, "evil_id": evil_id,
               "log": tmp / "api-server.log"}
    finally:
        import os
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
        mp.undo()


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(log.read_text()[-3000:])


def _token(base: str, username: str, password: str) -> str:
    req = urllib.request.Request(f"{base}/auth/token", method="POST",
                                 data=json.dumps({"username": username, "password": password}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["access_token"]


class Client:
    """urllib with an optional bearer token and its own cookie jar; never follows redirects."""

    def __init__(self, base: str, token: str | None = None):
        self.base, self.token, self.cookies = base, token, {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        hdrs = dict(headers or {})
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        if data is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            resp = opener.open(req, timeout=30)
        except urllib.error.HTTPError as err:
            resp = err
        for value in resp.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, resp.read().decode("utf-8", "replace"), resp.headers

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict, origin: str | None = "same"):
        headers = {"Origin": self.base if origin == "same" else origin} if origin else {}
        return self.request("POST", path, form, headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _csrf(body: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', body).group(1)


def _events(settings: Settings) -> list[dict]:
    return alerts.read_events(settings)


def test_every_page_and_action_refuses_anonymous_requests(ui):
    anon, alert_id = Client(ui["base"]), ui["alert"]["alert_id"]
    for path in ("/riskradar/", "/riskradar/today", f"/riskradar/today?day={SPIKE_DAY}",
                 f"/riskradar/alerts/{alert_id}", "/riskradar/topics", "/riskradar/topics?topic=scam_ads",
                 f"/riskradar/charts/{SPIKE_DAY}/share-of-voice.png"):
        status, body, _ = anon.get(path)
        assert status in (401, 403), (path, status, body[:300])
    status, _, _ = anon.post(f"/riskradar/alerts/{alert_id}/actions", {"action": "ack", "note": "x"})
    assert status in (401, 403)
    bad = Client(ui["base"], token="not-a-jwt")
    assert bad.get("/riskradar/today")[0] in (401, 403)
    assert _events(ui["settings"]) == []


def test_today_and_detail_show_the_alert_with_its_evidence_escaped(ui):
    c = Client(ui["base"], ui["tokens"]["watcher"])
    status, body, headers = c.get(f"/riskradar/today?day={SPIKE_DAY}")
    assert status == 200, body[:500]
    assert ui["alert"]["alert_id"] in body and ui["alert"]["topic_name"] in body and "sources healthy" in body
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    status, body, _ = c.get(f"/riskradar/alerts/{ui['alert']['alert_id']}")
    assert status == 200
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Scam ads flood AdNova" in body
    assert "baseline band" in body and 'id="terms"' in body and "No action yet" in body
    # a viewer reads, but may not act
    status, _, _ = c.post(f"/riskradar/alerts/{ui['alert']['alert_id']}/actions",
                          {"action": "ack", "csrf_token": _csrf(body)})
    assert status == 403
    status, body, _ = c.get(f"/riskradar/topics?topic=scam_ads&day={SPIKE_DAY}")
    assert status == 200 and "&lt;script&gt;" in body and "<script>" not in body
    assert c.get("/riskradar/topics?topic=scam_ads&source_type=news&platform=adnova")[0] == 400
    assert _events(ui["settings"]) == []


def test_cross_site_posts_are_refused_and_write_nothing(ui):
    alert_id = ui["alert"]["alert_id"]
    c = Client(ui["base"], ui["tokens"]["analyst"])
    _, body, _ = c.get(f"/riskradar/alerts/{alert_id}")
    token, path = _csrf(body), f"/riskradar/alerts/{alert_id}/actions"
    assert c.post(path, {"action": "ack"})[0] == 403  # no token
    assert c.post(path, {"action": "ack", "csrf_token": token}, origin="http://evil.example")[0] == 403
    assert c.post(path, {"action": "ack", "csrf_token": token}, origin=None)[0] == 403
    other = Client(ui["base"], ui["tokens"]["analyst"])  # same user, another browser session
    other.get(f"/riskradar/alerts/{alert_id}")
    assert other.post(path, {"action": "ack", "csrf_token": token})[0] == 403
    assert _events(ui["settings"]) == []


def test_actions_record_the_airflow_user_and_refuse_invalid_ones(ui):
    settings, alert_id = ui["settings"], ui["alert"]["alert_id"]
    c = Client(ui["base"], ui["tokens"]["analyst"])
    _, body, _ = c.get(f"/riskradar/alerts/{alert_id}")
    token, path = _csrf(body), f"/riskradar/alerts/{alert_id}/actions"
    status, body, _ = c.post("/riskradar/alerts/0123456789abcdef/actions", {"action": "ack", "csrf_token": token})
    assert status == 404 and "nothing recorded" in body
    assert c.post(path, {"action": "explode", "csrf_token": token})[0] == 400
    assert _events(settings) == []

    status, _, headers = c.post(path, {"action": "ack", "note": "looking <b>now</b>", "actor": "mallory",
                                       "csrf_token": token})
    assert status == 303 and headers["Location"].endswith(f"/alerts/{alert_id}?done=acknowledged")
    [event] = _events(settings)
    assert (event["actor"], event["action"], event["status"], event["note"]) == (
        "analyst", "ack", "acknowledged", "looking <b>now</b>")
    status, body, _ = c.get(f"/riskradar/alerts/{alert_id}?done=acknowledged")
    assert "looking &lt;b&gt;now&lt;/b&gt;" in body and ">analyst<" in body

    status, body, _ = c.post(path, {"action": "ack", "csrf_token": token})  # acknowledged -> acknowledged
    assert status == 409 and "nothing recorded" in body and "cannot ack" in body
    assert len(_events(settings)) == 1
