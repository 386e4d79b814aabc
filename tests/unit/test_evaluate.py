"""Incident evaluation against ground truth: lift, negative-share shift, detection delay."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
from riskradar.alerts.evaluate import evaluate_incidents, format_report

START = date(2026, 8, 1)


def _warehouse(path, spike_days: dict[date, int], alerts: list[tuple[str, date]]) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create table fct_topic_daily (topic_id varchar, mention_date date, mentions int,"
                    " negative_mentions int, scored_mentions int)")
        con.execute("create table fct_risk_alerts (topic_id varchar, mention_date date)")
        for i in range(30):
            day = START + timedelta(days=i)
            mentions = spike_days.get(day, 4)
            negative = mentions - 1 if day in spike_days else 2
            con.execute("insert into fct_topic_daily values (?, ?, ?, ?, ?)", ["scam_ads", day, mentions, negative, mentions])
            con.execute("insert into fct_topic_daily values (?, ?, ?, ?, ?)", ["ad_fraud", day, 3, 1, 3])
        for topic, day in alerts:
            con.execute("insert into fct_risk_alerts values (?, ?)", [topic, day])


def test_incident_lift_detection_and_unexplained_alerts(tmp_path):
    wh = tmp_path / "w.duckdb"
    spike = {START + timedelta(days=20): 20, START + timedelta(days=21): 24}
    _warehouse(wh, spike, alerts=[("scam_ads", START + timedelta(days=21)), ("ad_fraud", START + timedelta(days=5))])
    truth = {"incidents": [
        {"incident_id": "inc-1", "topic": "scam_ads", "start_date": "2026-08-21", "end_date": "2026-08-22",
         "magnitude": 5},
        {"incident_id": "inc-2", "topic": "ad_fraud", "start_date": "2026-08-25", "end_date": "2026-08-26",
         "magnitude": 3},
    ]}
    result = evaluate_incidents(wh, truth)
    first, second = result["incidents"]
    assert first["mentions_per_day"] == 22 and first["baseline_per_day"] == 4
    assert first["volume_lift"] == 5.5
    assert first["negative_share"] > first["baseline_negative_share"]
    assert first["detected"] and first["delay_days"] == 1 and first["first_alert"] == "2026-08-22"
    assert not second["detected"] and second["volume_lift"] == 1.0
    assert result["detected"] == 1 and result["total"] == 2
    assert result["unexplained"] == [("ad_fraud", "2026-08-06")]
    # 2 alerts, 1 on an incident day; 4 incident days, 1 alerted
    assert result["day_precision"] == 0.5 and result["day_recall"] == 0.25
    report = format_report(result)
    assert "detected 1/2 incidents" in report and "missed" in report
