"""A triage answer (alert_triage's HITL result) becomes an ordinary alert event in the zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from riskradar.alerts import lifecycle as alerts
from riskradar.alerts import triage

REQUEST = {"alert_id": "a" * 32, "topic_id": "scam_ads", "mention_date": "2026-08-16"}


def _answer(option: str, *, user: str | None = "analyst", note: str | None = None) -> dict:
    return {"chosen_options": [option], "params_input": {"note": note} if note is not None else {},
            "responded_at": datetime(2026, 8, 17, 9, tzinfo=UTC),
            "responded_by_user": {"id": user, "name": user} if user else None}


def test_escalation_choice_records_the_responder_and_the_route(settings):
    result = triage.record_triage_answer(settings, REQUEST, _answer("Escalate to Product", note="checkout bug"))
    assert result["recorded"] and result["status"] == "escalated"
    [event] = alerts.history(settings, REQUEST["alert_id"])
    assert (event["actor"], event["action"], event["note"]) == (
        "analyst", "escalate", "triage: escalated to Product. checkout bug")
    assert event["mention_date"] == date(2026, 8, 16)


def test_timeout_applies_watch_and_says_so(settings):
    result = triage.record_triage_answer(settings, REQUEST, _answer("Watch", user=None))
    assert result["recorded"] and result["status"] == "acknowledged"
    [event] = alerts.history(settings, REQUEST["alert_id"])
    assert event["actor"] == "alert_triage (no response)"
    assert event["note"] == "triage timed out: default 'watch' applied"


def test_a_choice_the_status_already_covers_writes_nothing(settings):
    ref = alerts.AlertRef(REQUEST["alert_id"], "scam_ads", date(2026, 8, 16))
    alerts.record_action(settings, ref, "ack", actor="someone", note="on it")
    result = triage.record_triage_answer(settings, REQUEST, _answer("Watch"))
    assert not result["recorded"] and "already acknowledged" in result["reason"]
    assert len(alerts.history(settings, REQUEST["alert_id"])) == 1
    # false positive is still a valid next step
    assert triage.record_triage_answer(settings, REQUEST, _answer("False positive"))["status"] == "false_positive"


def test_unknown_option_is_refused(settings):
    with pytest.raises(alerts.AlertError, match="unknown triage option"):
        triage.record_triage_answer(settings, REQUEST, _answer("Ignore"))
    assert alerts.history(settings, REQUEST["alert_id"]) == []


def test_dag_offers_exactly_the_options_the_package_maps():
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[2] / "dags" / "alert_triage.py").read_text())
    consts = {t.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name) and t.id in ("TRIAGE_OPTIONS", "TRIAGE_DEFAULT")}
    assert consts["TRIAGE_OPTIONS"] == list(triage.TRIAGE_OPTIONS)
    assert consts["TRIAGE_DEFAULT"] == triage.TRIAGE_DEFAULT
