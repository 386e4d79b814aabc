"""Deliver the written brief to where analysts work: a Slack-compatible webhook and SMTP email.

Each channel is optional and configured by an Airflow connection, read from the environment
(`AIRFLOW_CONN_RISKRADAR_WEBHOOK`, `AIRFLOW_CONN_RISKRADAR_SMTP`, URI or JSON form), so it works
the same in and outside Airflow; inside an Airflow task a connection stored in the metadata DB
is used when no env var is set. The brief is written before anything is sent and is never
touched here; every attempt is retried with exponential backoff and every outcome is appended
to `data/ops/deliveries.jsonl`. A channel that already delivered the same brief (same content
hash) is skipped on a rerun, so an Airflow retry resends only what failed.

Connections:
- webhook: `https://hooks.example.com/services/T/B/X` (the URL itself; a query string holds
  extras, as in every Airflow URI), or JSON
  `{"conn_type": "http", "host": "https://...", "extra": {"webhook_url": "https://..."}}`.
- smtp: `smtp://user:password@mail.example.com:587?from_email=riskradar%40example.com&to=a%40x.com,b%40y.com`
  extras: `to` (comma-separated), `from_email`, `disable_tls` (no STARTTLS), `ssl` (SMTPS),
  `brief_base_url` (link to the published brief instead of only the attachment),
  `timeout`; both: `retries`, `backoff_seconds`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from riskradar.config import Settings

log = logging.getLogger(__name__)

WEBHOOK_CONN_ID = "riskradar_webhook"
SMTP_CONN_ID = "riskradar_smtp"
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 1.0
DEFAULT_TIMEOUT_SECONDS = 15.0


class DeliveryError(RuntimeError):
    """At least one configured channel failed after its retries (the brief itself is safe)."""


@dataclass(frozen=True)
class ConnectionInfo:
    """The fields of an Airflow connection this module uses."""

    conn_id: str
    conn_type: str
    host: str | None = None
    port: int | None = None
    login: str | None = None
    password: str | None = None
    schema: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    uri: str | None = None


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def parse_connection(conn_id: str, value: str) -> ConnectionInfo:
    """Parse an Airflow connection in URI or JSON form (the two forms AIRFLOW_CONN_* accepts)."""
    value = value.strip()
    if value.startswith("{"):
        data = json.loads(value)
        extra = data.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra) if extra.strip() else {}
        port = data.get("port")
        return ConnectionInfo(conn_id=conn_id, conn_type=str(data.get("conn_type") or ""), host=data.get("host"),
                              port=int(port) if port not in (None, "") else None, login=data.get("login"),
                              password=data.get("password"), schema=data.get("schema"), extra=dict(extra))
    parts = urlsplit(value)
    extra: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
    if "__extra__" in extra:  # Airflow's encoding of a JSON extra in a URI
        extra = json.loads(extra["__extra__"])
    return ConnectionInfo(
        conn_id=conn_id, conn_type=parts.scheme.replace("-", "_"), host=unquote(parts.hostname or "") or None,
        port=parts.port, login=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        schema=unquote(parts.path.lstrip("/")) or None, extra=extra, uri=value)


def get_connection(conn_id: str) -> ConnectionInfo | None:
    """The connection from AIRFLOW_CONN_<ID>, else (inside an Airflow task) from Airflow; None if unset."""
    env = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if env:
        return parse_connection(conn_id, env)
    if not os.environ.get("AIRFLOW_CTX_DAG_ID"):  # not inside a task: no metadata DB to ask
        return None
    try:
        from airflow.sdk import Connection

        c = Connection.get(conn_id)
    except Exception:  # noqa: BLE001 - "not defined" surfaces as various errors; the channel is just off
        return None
    if c is None:
        return None
    return ConnectionInfo(conn_id=conn_id, conn_type=c.conn_type or "", host=c.host, port=c.port, login=c.login,
                          password=c.password, schema=c.schema, extra=dict(c.extra_dejson or {}))


# ---- message text (each channel escapes for its own format) ----

def _slack_escape(text: Any) -> str:
    """Slack mrkdwn control characters: &, <, > (a title can otherwise forge a link or mention)."""
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _pct(x: Any) -> str:
    return "–" if x is None else f"{x:.0%}"


def webhook_payload(summary: dict[str, Any], link: str | None = None) -> dict[str, Any]:
    """Slack-compatible JSON: `text` (every client shows it) plus equivalent `blocks`."""
    day, alerts = summary["day"], summary["alerts"]
    head = f"*RiskRadar brief {day}*: {len(alerts)} alert{'s' if len(alerts) != 1 else ''}, " \
           f"{summary['totals']['mentions']} mentions"
    if summary.get("dq_failed"):
        head += f", {summary['dq_failed']} critical data-quality failure(s)"
    lines = [head]
    for a in alerts:
        lines.append(f"• *{_slack_escape(a['topic_name'])}* ({_slack_escape(a['severity'])}): {a['mentions']} mentions, "
                     f"z {a['z_score']:.1f}, negative {_pct(a['negative_share'])}, status {_slack_escape(a.get('status'))}")
        for ex in a["examples"][:2]:
            title = _slack_escape(ex["title"])[:200]
            lines.append(f"    – <{ex['url']}|{title}>" if ex.get("url") and "|" not in ex["url"] and ">" not in ex["url"]
                         else f"    – {title}")
    if link:
        lines.append(f"<{link}|Open the full brief>")
    text = "\n".join(lines)
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}]}


def email_text(summary: dict[str, Any], link: str | None = None) -> str:
    day, alerts = summary["day"], summary["alerts"]
    out = [f"RiskRadar daily brief {day}", "",
           f"{len(alerts)} alert(s); {summary['totals']['mentions']} mentions from {summary['totals']['sources']} sources.", ""]
    for a in alerts:
        out.append(f"* {a['topic_name']} ({a['severity']}): {a['mentions']} mentions vs baseline "
                   f"{a['baseline_mean'] or 0:.1f}, z {a['z_score']:.1f}, negative share {_pct(a['negative_share'])}")
        for ex in a["examples"]:
            out.append(f"    - {ex['title']} ({ex['source_id']}) {ex.get('url') or ''}".rstrip())
    out += ["", *summary.get("coverage", [])]
    out += ["", f"Full brief: {link}" if link else "The full brief is attached (HTML)."]
    return "\n".join(out) + "\n"


# ---- channels ----

def _retry(fn: Callable[[], None], retries: int, backoff: float) -> tuple[int, str | None]:
    """Run fn up to `retries` times, sleeping backoff, 2x backoff, ... between tries."""
    error = None
    for attempt in range(1, retries + 1):
        try:
            fn()
            return attempt, None
        except Exception as exc:  # noqa: BLE001 - every failure is retried and then recorded
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("delivery attempt %d/%d failed: %s", attempt, retries, error)
            if attempt < retries:
                time.sleep(backoff * 2 ** (attempt - 1))
    return retries, error


def _webhook_url(conn: ConnectionInfo) -> str:
    for key in ("webhook_url", "url"):
        if conn.extra.get(key):
            return str(conn.extra[key])
    if conn.host and conn.host.startswith(("http://", "https://")):
        return conn.host
    if conn.uri and conn.conn_type in ("http", "https"):
        # Airflow semantics: a URI's query string holds the connection's extras, not the URL's
        return conn.uri.split("?", 1)[0]
    if conn.host:
        scheme = "https" if conn.conn_type not in ("http",) else "http"
        port = f":{conn.port}" if conn.port else ""
        return f"{scheme}://{conn.host}{port}/{conn.schema or ''}"
    raise ValueError(f"connection {conn.conn_id}: no webhook URL (set host or extra webhook_url)")


def send_webhook(conn: ConnectionInfo, payload: dict[str, Any], timeout: float) -> None:
    url = _webhook_url(conn)
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"connection {conn.conn_id}: webhook URL must be http(s)")
    req = urllib.request.Request(url, data=json.dumps(payload).encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/json", "User-Agent": "riskradar"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - scheme checked above
        if not 200 <= resp.status < 300:
            raise urllib.error.HTTPError(url, resp.status, "webhook refused", resp.headers, None)


def send_email(conn: ConnectionInfo, subject: str, text: str, html_path: Path | None, timeout: float) -> None:
    to = [a.strip() for a in str(conn.extra.get("to") or "").split(",") if a.strip()]
    if not to:
        raise ValueError(f"connection {conn.conn_id}: no recipients (extra `to`, comma-separated)")
    sender = str(conn.extra.get("from_email") or conn.extra.get("from") or conn.login or "riskradar@localhost")
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, sender, ", ".join(to)
    msg.set_content(text)
    if html_path is not None:
        msg.add_attachment(html_path.read_bytes(), maintype="text", subtype="html", filename=html_path.name)
    host, port = conn.host or "localhost", conn.port
    use_ssl = _truthy(conn.extra.get("ssl", False)) or port == 465
    smtp_cls = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
    with smtp_cls(host, port or (465 if use_ssl else 25), timeout=timeout) as smtp:
        smtp.ehlo()
        if not use_ssl and not _truthy(conn.extra.get("disable_tls", False)) and smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if conn.login and conn.password:
            smtp.login(conn.login, conn.password)
        smtp.send_message(msg)


# ---- the task body ----

def _ledger(settings: Settings) -> Path:
    return settings.local_dir / "ops" / "deliveries.jsonl"  # appended to: a local file


def _record(settings: Settings, record: dict[str, Any]) -> None:
    path = _ledger(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")


def delivery_records(settings: Settings) -> list[dict[str, Any]]:
    path = _ledger(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _already_sent(settings: Settings, day: str, channel: str, brief_sha: str) -> bool:
    return any(r.get("day") == day and r.get("channel") == channel and r.get("brief_sha256") == brief_sha
               and r.get("status") == "sent" for r in delivery_records(settings))


def deliver_brief(day: date, settings: Settings, *, force: bool = False, raise_on_failure: bool = True) -> dict[str, Any]:
    """Send the written brief of `day` to every configured channel; return per-channel outcomes.

    Channels without a connection are `skipped`. Raises DeliveryError after recording when a
    channel failed all its retries (so the Airflow task shows red and its retry resends only the
    failed channel), unless `raise_on_failure=False`.
    """
    day_s = day.isoformat()
    html_path = settings.briefs_dir / f"brief-{day_s}.html"
    json_path = settings.briefs_dir / f"brief-{day_s}.json"
    if not html_path.exists() or not json_path.exists():
        raise FileNotFoundError(f"brief for {day_s} not written yet ({html_path}); run write_brief first")
    summary = json.loads(json_path.read_text(encoding="utf-8"))
    brief_sha = hashlib.sha256(html_path.read_bytes()).hexdigest()
    results: dict[str, Any] = {"day": day_s, "html": str(html_path), "channels": {}}

    def run(channel: str, conn: ConnectionInfo | None, send: Callable[[ConnectionInfo], None]) -> None:
        if conn is None:
            results["channels"][channel] = {"status": "skipped", "reason": "no connection configured"}
            return
        if not force and _already_sent(settings, day_s, channel, brief_sha):
            results["channels"][channel] = {"status": "already_sent"}
            return
        retries = int(conn.extra.get("retries", DEFAULT_RETRIES))
        backoff = float(conn.extra.get("backoff_seconds", DEFAULT_BACKOFF_SECONDS))
        attempts, error = _retry(lambda: send(conn), max(retries, 1), backoff)
        status = "failed" if error else "sent"
        record = {"day": day_s, "channel": channel, "conn_id": conn.conn_id, "status": status,
                  "attempts": attempts, "error": error, "brief_sha256": brief_sha,
                  "brief": str(html_path), "at": datetime.now(UTC).isoformat()}
        _record(settings, record)
        results["channels"][channel] = {k: record[k] for k in ("status", "attempts", "error")}

    def webhook(conn: ConnectionInfo) -> None:
        link = _brief_link(conn, html_path)
        send_webhook(conn, webhook_payload(summary, link), float(conn.extra.get("timeout", DEFAULT_TIMEOUT_SECONDS)))

    def email(conn: ConnectionInfo) -> None:
        link = _brief_link(conn, html_path)
        n = len(summary["alerts"])
        subject = f"RiskRadar brief {day_s}: {n} alert{'s' if n != 1 else ''}"
        send_email(conn, subject, email_text(summary, link), html_path,
                   float(conn.extra.get("timeout", DEFAULT_TIMEOUT_SECONDS)))

    run("webhook", get_connection(WEBHOOK_CONN_ID), webhook)
    run("email", get_connection(SMTP_CONN_ID), email)
    failed = [c for c, r in results["channels"].items() if r["status"] == "failed"]
    results["failed"] = failed
    if failed and raise_on_failure:
        errors = "; ".join(f"{c}: {results['channels'][c]['error']}" for c in failed)
        raise DeliveryError(f"brief {day_s} written to {html_path} but not delivered to {', '.join(failed)} "
                            f"(recorded in {_ledger(settings)}): {errors}")
    return results


def _brief_link(conn: ConnectionInfo, html_path: Path) -> str | None:
    base = conn.extra.get("brief_base_url")
    return f"{str(base).rstrip('/')}/{html_path.name}" if base else None
