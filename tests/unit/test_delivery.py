"""Delivery against a real HTTP sink and a real SMTP server (aiosmtpd), both on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import hashlib
import http.server
import json
import socket
import threading
from datetime import date

import pytest
from riskradar.brief import delivery

DAY = date(2026, 8, 20)
HOSTILE_TITLE = "<!channel> <http://evil.example|click> & win"


class WebhookSink:
    """Records POSTed JSON; answers `fail_first` requests with 500 before accepting."""

    def __init__(self, fail_first: int = 0):
        self.bodies: list[dict] = []
        self.attempts = 0
        self.fail_first = fail_first
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                sink.attempts += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if sink.attempts <= sink.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                assert self.headers["Content-Type"] == "application/json"
                sink.bodies.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/services/T0/B0/xyz"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def sink():
    s = WebhookSink()
    yield s
    s.close()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages: list[email.message.EmailMessage] = []
            self.envelopes: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.envelopes.append(envelope)
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def written_brief(settings):
    """A brief as write_brief leaves it: HTML + JSON summary."""
    settings.briefs_dir.mkdir(parents=True)
    html_path = settings.briefs_dir / f"brief-{DAY}.html"
    html_path.write_text("<!doctype html><title>brief</title><p>Scam ads spike</p>", encoding="utf-8")
    summary = {
        "day": DAY.isoformat(),
        "totals": {"mentions": 370, "scored": 340, "stories": 300, "sources": 10},
        "alerts": [{"alert_id": "a" * 32, "topic_id": "scam_ads", "topic_name": "Scam and fraudulent ads",
                    "severity": "high", "mentions": 67, "baseline_mean": 13.4, "z_score": 14.6,
                    "negative_share": 0.94, "status": "new",
                    "examples": [{"title": HOSTILE_TITLE, "url": "https://news.example/a", "source_id": "global_newswire"},
                                 {"title": "Plain headline", "url": None, "source_id": "social_stream"}]}],
        "top_risks": ["scam_ads"], "dq_failed": 0, "coverage": ["All 10 enabled sources reported."],
    }
    (settings.briefs_dir / f"brief-{DAY}.json").write_text(json.dumps(summary), encoding="utf-8")
    return html_path


def _smtp_uri(controller) -> str:
    return (f"smtp://{controller.hostname}:{controller.port}"
            "?from_email=riskradar%40example.com&to=analyst%40example.com,lead%40example.com&disable_tls=true")


def test_webhook_and_email_delivered_and_recorded(settings, written_brief, sink, smtp_server, monkeypatch):
    controller, handler = smtp_server
    monkeypatch.setenv("AIRFLOW_CONN_RISKRADAR_WEBHOOK", sink.url)
    monkeypatch.setenv("AIRFLOW_CONN_RISKRADAR_SMTP", _smtp_uri(controller))
    out = delivery.deliver_brief(DAY, settings)
    assert out["channels"]["webhook"]["status"] == "sent"
    assert out["channels"]["email"]["status"] == "sent"
    assert out["failed"] == []

    # Slack-compatible payload; feed text cannot forge a mention or a link
    (body,) = sink.bodies
    assert "RiskRadar brief 2026-08-20" in body["text"] and "Scam and fraudulent ads" in body["text"]
    assert "<!channel>" not in body["text"] and "<http://evil.example|click>" not in body["text"]
    assert "&lt;!channel&gt; &lt;http://evil.example|click&gt; &amp; win" in body["text"]
    assert body["blocks"][0]["text"]["type"] == "mrkdwn"

    (msg,) = handler.messages
    assert msg["Subject"] == "RiskRadar brief 2026-08-20: 1 alert"
    assert msg["From"] == "riskradar@example.com"
    assert sorted(handler.envelopes[0].rcpt_tos) == ["analyst@example.com", "lead@example.com"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Scam and fraudulent ads (high): 67 mentions" in text and HOSTILE_TITLE in text
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "brief-2026-08-20.html"
    assert attachment.get_content_type() == "text/html"
    assert "Scam ads spike" in attachment.get_content()

    records = delivery.delivery_records(settings)
    assert [(r["channel"], r["status"], r["attempts"]) for r in records] == [("webhook", "sent", 1), ("email", "sent", 1)]
    # a rerun (Airflow retry) does not send the same brief twice
    again = delivery.deliver_brief(DAY, settings)
    assert {c: r["status"] for c, r in again["channels"].items()} == {"webhook": "already_sent", "email": "already_sent"}
    assert len(sink.bodies) == 1 and len(handler.messages) == 1


def test_webhook_retried_with_backoff_until_it_succeeds(settings, written_brief, monkeypatch):
    flaky = WebhookSink(fail_first=2)
    try:
        monkeypatch.setenv("AIRFLOW_CONN_RISKRADAR_WEBHOOK", json.dumps(
            {"conn_type": "http", "host": flaky.url, "extra": {"retries": 4, "backoff_seconds": 0.01}}))
        out = delivery.deliver_brief(DAY, settings)
    finally:
        flaky.close()
    assert out["channels"]["webhook"] == {"status": "sent", "attempts": 3, "error": None}
    assert out["channels"]["email"]["status"] == "skipped"
    assert flaky.attempts == 3 and len(flaky.bodies) == 1


def test_failures_are_recorded_never_lose_the_brief_and_retry_resends_only_failed(
        settings, written_brief, smtp_server, monkeypatch):
    controller, handler = smtp_server
    dead_port = _free_port()  # nothing listens here
    monkeypatch.setenv("AIRFLOW_CONN_RISKRADAR_WEBHOOK",
                       f"http://127.0.0.1:{dead_port}/hook?retries=2&backoff_seconds=0.01&timeout=2")
    monkeypatch.setenv("AIRFLOW_CONN_RISKRADAR_SMTP", _smtp_uri(controller))
    before = hashlib.sha256(written_brief.read_bytes()).hexdigest()
    with pytest.raises(delivery.DeliveryError, match="not delivered to webhook") as err:
        delivery.deliver_brief(DAY, settings)
    assert str(written_brief) in str(err.value)
    assert hashlib.sha256(written_brief.read_bytes()).hexdigest() == before
    records = delivery.delivery_records(settings)
    failed = [r for r in records if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["channel"] == "webhook" and failed[0]["attempts"] == 2
    assert "Connection refused" in failed[0]["error"] or "URLError" in failed[0]["error"]
    assert len(handler.messages) == 1  # email went out despite the webhook failure

    # the webhook comes back: the retry sends the webhook only
    sink = WebhookSink()
    try:
        monkeypatch.setenv("AIRFLOW_CONN_RISKRADAR_WEBHOOK", sink.url)
        out = delivery.deliver_brief(DAY, settings)
    finally:
        sink.close()
    assert out["channels"]["webhook"]["status"] == "sent"
    assert out["channels"]["email"]["status"] == "already_sent"
    assert len(sink.bodies) == 1 and len(handler.messages) == 1


def test_no_connections_means_skipped_and_missing_brief_is_an_error(settings, written_brief, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_RISKRADAR_WEBHOOK", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_RISKRADAR_SMTP", raising=False)
    out = delivery.deliver_brief(DAY, settings)
    assert {r["status"] for r in out["channels"].values()} == {"skipped"}
    assert delivery.delivery_records(settings) == []
    with pytest.raises(FileNotFoundError, match="run write_brief first"):
        delivery.deliver_brief(date(2026, 8, 21), settings)


def test_parse_connection_uri_and_json_forms():
    c = delivery.parse_connection("riskradar_smtp",
                                  "smtp://user%40x.com:p%40ss@mail.example.com:587?to=a%40x.com&from_email=r%40x.com")
    assert (c.conn_type, c.host, c.port, c.login, c.password) == ("smtp", "mail.example.com", 587, "user@x.com", "p@ss")
    assert c.extra == {"to": "a@x.com", "from_email": "r@x.com"}
    j = delivery.parse_connection("riskradar_webhook", json.dumps(
        {"conn_type": "http", "host": "hooks.example.com", "schema": "services/T/B/X", "extra": '{"retries": 5}'}))
    assert j.extra == {"retries": 5}
    assert delivery._webhook_url(j) == "http://hooks.example.com/services/T/B/X"
    u = delivery.parse_connection("riskradar_webhook", "https://hooks.example.com/services/T/B/X")
    assert delivery._webhook_url(u) == "https://hooks.example.com/services/T/B/X"
    q = delivery.parse_connection("riskradar_webhook", "https://hooks.example.com/services/T/B/X?retries=5")
    assert q.extra == {"retries": "5"} and delivery._webhook_url(q) == "https://hooks.example.com/services/T/B/X"
