"""Incident evaluation against ground truth: lift, negative-share shift, detection delay."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
from riskradar.alerts.evaluate import evaluate_incidents, format_report

START = date(2026, 8, 1)


def _warehouse(path, spike_days: dict[date, int], alerts: list[tuple],
               id_spike_days: dict[date, int] | None = None) -> None:
    """English scam_ads and ad_fraud series (and an Indonesian scam_ads one); alerts are
    (topic, day) in English or (topic, language, day)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create table fct_topic_language_daily (topic_id varchar, language varchar, mention_date date,"
                    " mentions int, negative_mentions int, scored_mentions int)")
        con.execute("create table fct_risk_alerts (topic_id varchar, language varchar, mention_date date)")
        for i in range(30):
            day = START + timedelta(days=i)
            mentions = spike_days.get(day, 4)
            negative = mentions - 1 if day in spike_days else 2
            rows = [["scam_ads", "en", day, mentions, negative, mentions], ["ad_fraud", "en", day, 3, 1, 3],
                    ["scam_ads", "id", day, (id_spike_days or {}).get(day, 1), 0, 0]]
            con.executemany("insert into fct_topic_language_daily values (?, ?, ?, ?, ?, ?)", rows)
        for alert in alerts:
            topic, language, day = alert if len(alert) == 3 else (alert[0], "en", alert[1])
            con.execute("insert into fct_risk_alerts values (?, ?, ?)", [topic, language, day])


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
    assert result["unexplained"] == [("ad_fraud", "en", "2026-08-06")]
    # 2 alerts, 1 on an incident day; 4 incident days, 1 alerted
    assert result["day_precision"] == 0.5 and result["day_recall"] == 0.25
    report = format_report(result)
    assert "detected 1/2 incidents" in report and "missed" in report


def test_an_incident_in_another_language_needs_an_alert_in_that_language(tmp_path):
    """The Indonesian wave is measured on the Indonesian series (unscored: no negative share) and
    found only by an Indonesian alert; the English alert on the same topic and day is unexplained."""
    wh = tmp_path / "w.duckdb"
    day = START + timedelta(days=20)
    _warehouse(wh, {}, alerts=[("scam_ads", "en", day), ("scam_ads", "id", day + timedelta(days=1))],
               id_spike_days={day: 9, day + timedelta(days=1): 12})
    truth = {"incidents": [{"incident_id": "inc-id", "topic": "scam_ads", "language": "id",
                            "start_date": day.isoformat(), "end_date": (day + timedelta(days=1)).isoformat()}]}
    result = evaluate_incidents(wh, truth)
    (incident,) = result["incidents"]
    assert incident["language"] == "id" and incident["mentions_per_day"] == 10.5
    assert incident["baseline_per_day"] == 1 and incident["volume_lift"] == 10.5
    assert incident["negative_share"] is None and incident["baseline_negative_share"] is None
    assert incident["detected"] and incident["delay_days"] == 1
    assert result["unexplained"] == [("scam_ads", "en", day.isoformat())]
    assert result["day_precision"] == 0.5 and result["day_recall"] == 0.5
