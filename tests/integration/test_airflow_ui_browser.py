"""The Airflow UI as a person uses it: headless Chromium (Debian's `chromium` + `chromedriver`,
driven by Selenium) against a real api-server, dag-processor and scheduler.

It signs in through the SimpleAuthManager login form, sees both DAGs on the Dags page with no
import-error badge, opens media_ingest's docs (the rendered `doc_md`), triggers a run from the
Trigger dialog (logical date inside the sample period, one source picked in the run parameters)
and waits until the run page shows *Success*. The run really ingests: the sample feeds are served
over HTTP on 127.0.0.1 and the chosen source's day lands in the data dir. A screenshot of the
finished run is saved under the test's tmp dir and copied to `<data dir>/screenshots/airflow-ui.png`.

`make test` installs the browser first (`make chromium`, Debian packages). The test skips only
when they are missing and cannot be installed here (neither root nor sudo).
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from conftest import BIN, FeedServer, project_env, run, write_served_config  # tests/ is on sys.path
from riskradar.config import Settings
from riskradar.scheduler import AirflowServices, service_env
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SAMPLE_DAY = "2026-08-01"
# manual-run semantics with the daily cadence: logical date T processes the day before T
LOGICAL_DATE, LOGICAL_TIME = "2026/08/02", "00:00"
N_SOURCES = 2
RUN_TIMEOUT = 300


def can_install_packages() -> bool:
    if os.geteuid() == 0:
        return True
    return shutil.which("sudo") is not None and subprocess.run(
        ["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


def require_browser() -> None:
    if CHROMIUM and CHROMEDRIVER:
        return
    if can_install_packages():
        pytest.fail("Debian chromium/chromium-driver are not installed: run `make chromium` (make test does)")
    pytest.skip("Debian chromium/chromium-driver are not installed and neither root nor sudo is available "
                "to install them (`make chromium`)")


def doc_heading(dag_file: Path) -> str:
    """The `### ...` title of a DAG file's Markdown docstring (its doc_md)."""
    doc = ast.get_docstring(ast.parse(dag_file.read_text()))
    return next(line[4:].strip() for line in doc.splitlines() if line.startswith("### "))


def api_get(url: str, token: str) -> dict:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def api_token(base: str, username: str, password: str) -> str:
    req = urllib.request.Request(f"{base}/auth/token", method="POST",
                                 data=json.dumps({"username": username, "password": password}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["access_token"]


@pytest.fixture(scope="module")
def airflow_ui(tmp_path_factory):
    """Sample feeds over HTTP, a two-source config, and the three Airflow services with a real login."""
    require_browser()
    tmp = tmp_path_factory.mktemp("ui")
    feeds = tmp / "feeds"
    settings = Settings(home=REPO, data_dir=tmp / "data", config_dir=tmp / "config")
    with FeedServer(feeds) as server:
        sources = write_served_config(settings.config_dir, server.url, limit=N_SOURCES)
        # the sample feeds are daily snapshots: ingest one day per run
        env = {**project_env(settings, tmp / "airflow", feeds), "RISKRADAR_INGEST_CRON": "0 0 * * *"}
        run([str(BIN / "riskradar"), "sample", "--start", SAMPLE_DAY, "--days", "1"], env)
        run([str(BIN / "riskradar"), "setup"], env)
        password = secrets.token_urlsafe(12)
        home = Path(env["AIRFLOW_HOME"])
        # the SimpleAuthManager keeps its users' passwords here (`make airflow` generates it)
        (home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({"admin": password}))
        env = service_env(env)
        env.update({"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
                    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin"})
        with AirflowServices(env) as services:
            services.wait_serialized(["media_ingest", "risk_metrics"])
            yield {"settings": settings, "services": services, "server": server, "sources": sources,
                   "password": password, "tmp": tmp}


@pytest.fixture
def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--lang=en-US"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


# A React page re-renders while it loads and refreshes: an element found a moment ago can be
# replaced, or covered by a closing dialog. Waits retry through that instead of sleeping.
TRANSIENT = (NoSuchElementException, StaleElementReferenceException, ElementNotInteractableException,
             ElementClickInterceptedException)


def waiter(driver, timeout: float = 60) -> WebDriverWait:
    return WebDriverWait(driver, timeout, poll_frequency=0.5, ignored_exceptions=TRANSIENT)


def click(driver, by: str, selector: str) -> None:
    """Click the element once it is there and takes the click."""
    waiter(driver).until(lambda d: d.find_element(by, selector).click() or True)


def type_into(driver, by: str, selector: str, text: str) -> None:
    """Replace the field's content with `text` (a retry after a re-render starts over)."""
    def typed(d) -> bool:
        field = d.find_element(by, selector)
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(text)
        return True

    waiter(driver).until(typed)


def text_of(driver, by: str, selector: str, timeout: float = 60) -> str:
    """The visible text of an element, once it is displayed."""
    return waiter(driver, timeout).until(
        lambda d: (el := d.find_element(by, selector)).is_displayed() and el.text)


def wait_fetched(driver, path: str) -> None:
    """Until the page has received the answer to its request for `path` (and rendered from it)."""
    waiter(driver).until(lambda d: d.execute_script(
        "return performance.getEntriesByType('resource')"
        ".some(e => e.name.includes(arguments[0]) && e.responseEnd > 0)", path))


def test_login_dags_docs_trigger_and_success_in_the_ui(airflow_ui, browser):
    services, settings = airflow_ui["services"], airflow_ui["settings"]
    base, chosen = services.api_url, airflow_ui["sources"][0]
    shot = airflow_ui["tmp"] / "airflow-ui.png"
    token = api_token(base, "admin", airflow_ui["password"])
    try:
        # 1. sign in: the UI sends an anonymous visitor to the login form
        browser.get(f"{base}/")
        waiter(browser).until(EC.url_contains("/auth/login"))
        type_into(browser, By.NAME, "username", "admin")
        type_into(browser, By.NAME, "password", airflow_ui["password"])
        click(browser, By.CSS_SELECTOR, "button[type=submit]")
        waiter(browser).until(lambda d: "/auth/login" not in d.current_url)

        # 2. both DAGs listed; no import errors (the home page shows a badge only when there are)
        click(browser, By.CSS_SELECTOR, "[data-testid=nav-dags-link]")
        for dag_id in ("media_ingest", "risk_metrics"):
            assert text_of(browser, By.CSS_SELECTOR, f"a[href$='/dags/{dag_id}']") == dag_id
        click(browser, By.CSS_SELECTOR, "[data-testid=nav-home-link]")
        waiter(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "body"), "Failed Dags"))
        wait_fetched(browser, "/api/v2/importErrors")
        assert "import error" not in browser.find_element(By.TAG_NAME, "body").text.lower()
        assert api_get(f"{base}/api/v2/importErrors", token)["total_entries"] == 0

        # 3. media_ingest's docs: its doc_md rendered as Markdown
        click(browser, By.CSS_SELECTOR, "[data-testid=nav-dags-link]")
        click(browser, By.CSS_SELECTOR, "a[href$='/dags/media_ingest']")
        click(browser, By.CSS_SELECTOR, "[data-testid=markdown-button]")
        docs = f"//*[@role='dialog'][.//h3[normalize-space()='{doc_heading(REPO / 'dags' / 'media_ingest.py')}']]"
        docs_text = text_of(browser, By.XPATH, docs)
        assert "Triage notes" in docs_text and "###" not in docs_text
        click(browser, By.XPATH, f"{docs}//button[@aria-label='Close']")
        waiter(browser).until(EC.invisibility_of_element_located((By.XPATH, docs)))

        # 4. trigger: a logical date in the sample period, one source in the run parameters
        picker = (By.CSS_SELECTOR, "[data-testid=datetime-input]")
        click(browser, By.CSS_SELECTOR, "[data-testid=trigger-dag-button]")
        click(browser, *picker)
        type_into(browser, By.CSS_SELECTOR, "input[placeholder='YYYY/MM/DD']", LOGICAL_DATE)
        type_into(browser, By.CSS_SELECTOR, "input[placeholder='HH:mm']", LOGICAL_TIME)
        click(browser, *picker)  # closes the calendar
        waiter(browser).until(EC.text_to_be_present_in_element(picker, "Aug 02, 2026 00:00"))
        type_into(browser, By.CSS_SELECTOR, "textarea[name=element_sources]", chosen)
        click(browser, By.CSS_SELECTOR, "[data-testid=trigger-dag-submit]")
        # the dialog opens the new run's page
        waiter(browser).until(EC.url_contains("/dags/media_ingest/runs/manual__"))
        run_id = unquote(browser.current_url.rstrip("/").rsplit("/runs/", 1)[1])

        # 5. the run page refreshes itself while the run is active: watch its state badge
        badge = "[data-testid=header-card] [data-testid=state-badge]"
        try:
            state = waiter(browser, RUN_TIMEOUT).until(
                lambda d: (text := d.find_element(By.CSS_SELECTOR, badge).text.strip()) in ("Success", "Failed")
                and text)
        except TimeoutException:
            raise AssertionError(f"run {run_id} not finished after {RUN_TIMEOUT}s:\n"
                                 f"{services.tail('scheduler')}") from None
        assert state == "Success", f"run {run_id} shows {state!r}:\n{services.tail('scheduler')}"
        # the task table catches up on its next refresh: every task instance succeeded
        task_states = waiter(browser).until(lambda d: (states := [
            el.text.strip() for el in d.find_elements(By.CSS_SELECTOR, "[data-testid=table-cell-state]")])
            and set(states) == {"Success"} and states)
        assert len(task_states) == 6  # list_sources, one mapped fetch_source, two gates, scoring, stories
        browser.save_screenshot(str(shot))
    except BaseException:
        browser.save_screenshot(str(shot.with_name("airflow-ui-failure.png")))
        raise

    # the same run through the REST API: the day before the logical date, only the chosen source
    dag_run = api_get(f"{base}/api/v2/dags/media_ingest/dagRuns/{quote(run_id, safe='')}", token)
    assert dag_run["state"] == "success" and dag_run["run_type"] == "manual"
    assert dag_run["data_interval_start"].startswith(SAMPLE_DAY) and dag_run["conf"] == {"sources": [chosen]}
    assert [p for p in airflow_ui["server"].requests if p.endswith(".xml")] == [f"/{chosen}/{SAMPLE_DAY}.xml"]
    landed = sorted(p.relative_to(settings.landing_dir).parts[0]
                    for p in settings.landing_dir.glob(f"source=*/date={SAMPLE_DAY}/*.parquet"))
    assert landed == [f"source={chosen}"]
    assert list(settings.scored_dir.glob(f"source={chosen}/date={SAMPLE_DAY}/*.parquet"))

    assert shot.stat().st_size > 10_000
    copy = settings.data_dir / "screenshots" / "airflow-ui.png"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, copy)
    print(f"\nAirflow UI screenshot: {shot} (copy: {copy})")
