"""
### alert_triage — a person decides what happens to each new high-severity alert

**What it does.** Runs when `risk_metrics` publishes a day's alerts (Asset `risk_alerts`, emitted
by its `validate_marts` task once the marts passed the gate; the event's `extra.day` names the
day). `list_new_alerts` reads that day's `fct_risk_alerts` read-only and keeps the alerts of
severity *high* that are still *new*. For each it maps one human-in-the-loop task
(`triage_alert`), shown under **Required Actions** with the evidence in its body (examples with
links, terms with lift, sources, platforms) and four options: *Escalate to Policy*, *Escalate to
Product*, *Watch*, *False positive*, plus a note. Each answer becomes an alert event at once
(`AlertTriageOperator.execute_complete`) through `riskradar.alerts.triage` (the `alert_events` zone the CLI and the Risk Radar page write),
with the responder as actor, so the next dbt build's status and baselines follow.

**Timeout.** Nobody answers within 24 h: the scheduler applies *Watch* (the alert becomes
*acknowledged*) and the event's note says `triage timed out: default 'watch' applied`.

**Never blocks the metrics.** `risk_metrics` does not wait for this DAG; the HITL tasks wait in
Airflow's *awaiting input* state (no worker slot, no triggerer) in the default pool, never in the
`duckdb_writer` pool; several days can wait for an answer at once (`max_active_runs=8`).

**Reads:** `fct_risk_alerts` (DuckDB, read-only), `data/alert_events/`.
**Writes:** `data/alert_events/date=<D>/event-*.parquet` (one file per answer).

**Triage notes.**
- `list_new_alerts` failed with a DuckDB lock error: dbt was building at that instant; the
  automatic retry reads again.
- An answer the alert's status already covers (e.g. *Watch* on an alert an analyst acknowledged
  on the page meanwhile) records nothing; the task's log and XCom say so.
- Re-ask: *Clear* the `triage_alert` map index. Triage a day by hand: *Trigger* with the run conf
  `{"day": "YYYY-MM-DD"}` (no DAG params: a HITL task's form shows its DAG's params too).
- Backfill: this DAG has no timetable (it runs on asset events), so `airflow backfill create
  --dag-id alert_triage` does not apply: backfill `risk_metrics` and each rebuilt day publishes
  its alerts again (alerts already triaged are no longer *new* and are not asked again).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Param, dag, get_current_context, task
from riskradar_dag_defaults import ALERTS_ASSET, default_args

TRIAGE_OPTIONS = ["Escalate to Policy", "Escalate to Product", "Watch", "False positive"]  # riskradar.alerts.triage
TRIAGE_DEFAULT = "Watch"
# 24 h; RISKRADAR_TRIAGE_TIMEOUT_MINUTES shortens it (tests, demos)
RESPONSE_TIMEOUT = timedelta(minutes=float(os.environ.get("RISKRADAR_TRIAGE_TIMEOUT_MINUTES") or 24 * 60))


class AlertTriageOperator(HITLOperator):
    """A HITL question about one alert; its answer (or the timeout default) is recorded at once."""

    def __init__(self, *, alert: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.alert = alert

    def execute_complete(self, context, event):
        from riskradar.alerts.triage import record_triage_answer
        from riskradar.config import get_settings

        answer = super().execute_complete(context, event)
        result = record_triage_answer(get_settings(), self.alert, dict(answer))
        self.log.info("alert %s: %s (%s)", self.alert["alert_id"], result.get("status"),
                      "recorded" if result["recorded"] else result["reason"])
        return {"chosen_options": answer["chosen_options"], "responded_by_user": answer["responded_by_user"],
                **{k: result.get(k) for k in ("recorded", "status", "reason", "event_id", "note")}}


@dag(
    dag_id="alert_triage",
    schedule=[ALERTS_ASSET],
    start_date=datetime(2026, 8, 1),
    catchup=False,
    max_active_runs=8,
    default_args=default_args(retry_delay=timedelta(minutes=1), max_retry_delay=timedelta(minutes=10),
                              execution_timeout=timedelta(minutes=10)),
    tags=["riskradar", "alerts"],
    doc_md=__doc__,
)
def alert_triage():
    @task
    def list_new_alerts() -> list[dict]:
        from datetime import date

        from riskradar.alerts.triage import triage_requests
        from riskradar.config import get_settings

        context = get_current_context()
        events = context["triggering_asset_events"][ALERTS_ASSET]
        wanted = [e.extra.get("day") for e in events] or [(context["dag_run"].conf or {}).get("day")]
        days = sorted({date.fromisoformat(str(d)[:10]) for d in wanted if d})
        return [r for day in days for r in triage_requests(get_settings(), day)]

    requests = list_new_alerts()
    AlertTriageOperator.partial(
        task_id="triage_alert",
        options=TRIAGE_OPTIONS,
        defaults=[TRIAGE_DEFAULT],
        params={"note": Param("", type=["null", "string"], description="Why (kept in the alert's history)")},
        response_timeout=RESPONSE_TIMEOUT,
    ).expand_kwargs(requests.map(lambda r: {"subject": r["subject"], "body": r["body"], "alert": r}))


alert_triage()
