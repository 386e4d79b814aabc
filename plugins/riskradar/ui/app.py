"""The Risk Radar pages: a FastAPI app the Airflow api-server mounts under /riskradar.

Server-rendered Jinja2 (autoescaped), inline SVG charts, no JavaScript. Pages read the marts
through `riskradar.ui.marts`; alert actions go through `riskradar.alerts.lifecycle` (an event file in the
alert_events zone, exactly what `riskradar alerts ack|escalate|resolve|dismiss` writes), with the
logged-in Airflow user as the actor. Every route depends on `security.reader` or `security.actor`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from riskradar.alerts import lifecycle as alerts
from riskradar.brief.render import safe_url
from riskradar.config import Settings, get_settings
from riskradar.ui import charts, security
from riskradar.ui.marts import WarehouseUnavailable, connect

HERE = Path(__file__).parent
TREND_DAYS = 28
EXPLORER_DAYS = 30
SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}
ACTION_LABELS = {"ack": "Acknowledge", "escalate": "Escalate", "resolve": "Resolve", "dismiss": "Dismiss"}
HEADERS = {"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
                                      "form-action 'self'; frame-ancestors 'self'; base-uri 'none'",
           "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _num(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.filters.update(pct=_pct, num=_num, safe_url=safe_url)
    return env


def _day(value: str | None, name: str = "day") -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name}={value!r}: expected YYYY-MM-DD") from None


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="Risk Radar", docs_url=None, redoc_url=None, openapi_url=None)
    env = _env()

    def cfg() -> Settings:
        return settings or get_settings()

    def page(request: Request, user: Any, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        response = HTMLResponse(status_code=status, headers=HEADERS)
        sid = security.session_id(request, response)
        body = env.get_template(template).render(
            root=root, user=user.get_name(), csrf=security.csrf_token(user, sid), **ctx)
        response.body = response.render(body)
        response.headers["content-length"] = str(len(response.body))
        return response

    @app.exception_handler(WarehouseUnavailable)
    async def _unavailable(request: Request, exc: WarehouseUnavailable) -> Response:
        return HTMLResponse(f"<h1>Risk Radar</h1><p>{_escape(exc)}</p>", status_code=503, headers=HEADERS)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        body = env.get_template("error.html").render(root=request.scope.get("root_path", ""),
                                                     status=exc.status_code, message=exc.detail)
        return HTMLResponse(body, status_code=exc.status_code, headers={**HEADERS, **(exc.headers or {})})

    @app.get("/", dependencies=[Depends(security.reader)])
    async def index(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/today", status_code=307)

    @app.get("/today", response_class=HTMLResponse)
    def today(request: Request, user: security.Reader, day: str | None = None) -> Response:
        s = cfg()
        with connect(s) as m:
            span = m.days()
            chosen = _day(day) or span["last_day"]
            topics = m.ranked_topics(chosen) if chosen else []
            day_alerts = m.alerts_of_day(chosen) if chosen else []
            coverage = m.coverage(chosen) if chosen else {}
        statuses = alerts.current_statuses(s)
        for a in day_alerts:
            a["status"] = alerts.status_of(a["alert_id"], statuses)
        brief_charts = sorted(p.name for p in (s.briefs_dir / f"{chosen}").glob("*.png")) if chosen else []
        return page(request, user, "today.html", day=chosen, span=span, topics=topics, alerts=day_alerts,
                    coverage=coverage, brief_charts=brief_charts)

    @app.get("/alerts/{alert_id}", response_class=HTMLResponse)
    def alert_detail(request: Request, alert_id: str, user: security.Reader,
                     done: str | None = None) -> Response:
        return _alert_page(request, user, alert_id, message=done and f"Recorded: {done}.")

    def _alert_page(request: Request, user: Any, alert_id: str, *, message: str | None = None,
                    error: str | None = None, status: int = 200) -> Response:
        s = cfg()
        with connect(s) as m:
            alert = m.alert(alert_id)
            if alert is None:
                raise HTTPException(404, f"no alert {alert_id!r} in fct_risk_alerts")
            day = alert["mention_date"]
            trend = m.trend(alert["topic_id"], alert["language"], day - timedelta(days=TREND_DAYS),
                            day + timedelta(days=7))
            built = m.built_status(alert_id)
            examples = {r["item_id"]: r for r in m.mentions_by_id(list(alert["example_item_ids"] or []))}
        history = alerts.history(s, alert_id)
        current = history[-1]["status"] if history else "new"
        allowed = [a for a, st in alerts.ACTIONS.items() if st in alerts.TRANSITIONS[current]]
        chart = charts.line_chart(
            [r["mention_date"] for r in trend], [("mentions", [r["mentions"] for r in trend], "#2f5d9e")],
            band=([r["baseline_mean"] for r in trend], [r["spike_threshold_mentions"] for r in trend]),
            marks=[bool(r["is_spike"]) for r in trend], highlight=day, title=f"{alert['topic_name']} mentions")
        neg_chart = charts.line_chart(
            [r["mention_date"] for r in trend],
            [("negative share", [r["negative_share"] for r in trend], "#b00020"),
             ("baseline negative share", [r["baseline_negative_share"] for r in trend], "#888888")],
            highlight=day, percent=True, title="negative share")
        ex = [{"item_id": i, "title": t, "url": u, "source_id": src, **examples.get(i, {})}
              for i, t, u, src in zip(alert["example_item_ids"] or [], alert["example_titles"] or [],
                                      alert["example_urls"] or [], alert["example_source_ids"] or [],
                                      strict=False)]
        return page(request, user, "alert.html", status=status, alert=alert, examples=ex, history=history,
                    status_now=current, built=built, allowed=allowed, labels=ACTION_LABELS, chart=chart,
                    neg_chart=neg_chart, message=message, error=error,
                    terms=list(zip(alert["top_terms"] or [], alert["top_term_lifts"] or [], strict=False)),
                    sources=list(zip(alert["top_source_ids"] or [], alert["top_source_mentions"] or [],
                                     strict=False)),
                    platforms=list(zip(alert["top_platform_ids"] or [], alert["top_platform_mentions"] or [],
                                       strict=False)))

    @app.post("/alerts/{alert_id}/actions")
    def act(request: Request, alert_id: str, user: security.Actor, action: Annotated[str, Form()],
            note: Annotated[str, Form()] = "", csrf_token: Annotated[str | None, Form()] = None) -> Response:
        security.check_csrf(request, user, csrf_token)
        if action not in alerts.ACTIONS:
            raise HTTPException(400, f"unknown action {action!r}; expected one of {', '.join(alerts.ACTIONS)}")
        if len(note) > 2000:
            raise HTTPException(400, "note is longer than 2000 characters")
        s = cfg()
        with connect(s) as m:
            alert = m.alert(alert_id)
        if alert is None:
            raise HTTPException(404, f"no alert {alert_id!r} in fct_risk_alerts: nothing recorded")
        ref = alerts.AlertRef(alert_id=alert_id, topic_id=alert["topic_id"], mention_date=alert["mention_date"])
        try:
            event = alerts.record_action(s, ref, action, actor=user.get_name(), note=note.strip() or None)
        except alerts.AlertError as exc:
            raise HTTPException(409, f"{exc}: nothing recorded") from None
        root = request.scope.get("root_path", "")
        return RedirectResponse(f"{root}/alerts/{alert_id}?done={event['status']}", status_code=303)

    @app.get("/topics", response_class=HTMLResponse)
    def explorer(request: Request, user: security.Reader, topic: str | None = None, start: str | None = None, end: str | None = None,
                 source_type: str | None = None, platform: str | None = None, day: str | None = None) -> Response:
        if source_type and platform:
            raise HTTPException(400, "filter by a source type or by a platform, not both")
        with connect(cfg()) as m:
            span, topics = m.days(), m.topics()
            known = {t["topic_id"] for t in topics}
            topic = topic or (topics[0]["topic_id"] if topics else None)
            if topic not in known:
                raise HTTPException(404, f"unknown topic {topic!r}")
            last = _day(end, "end") or span["last_day"]
            first = _day(start, "start") or (last - timedelta(days=EXPLORER_DAYS - 1) if last else None)
            if first and last and first > last:
                raise HTTPException(400, "start is after end")
            series = m.series(topic, first, last, source_type=source_type, platform_id=platform) if last else []
            picked = _day(day)
            mentions = (m.mentions_of_day(topic, picked, source_type=source_type, platform_id=platform)
                        if picked else [])
            source_types, platforms = m.source_types(), m.platforms()
        days = [r["mention_date"] for r in series]
        volume = charts.line_chart(days, [("mentions", [r["mentions"] for r in series], "#2f5d9e")],
                                   highlight=picked, title="mentions")
        shares = charts.line_chart(days, [("attention share", [r["attention_share"] for r in series], "#2f7d4e"),
                                          ("negative share", [r["negative_share"] for r in series], "#b00020")],
                                   highlight=picked, percent=True, title="shares")
        name = next((t["topic_name"] for t in topics if t["topic_id"] == topic), topic)
        return page(request, user, "topics.html", topics=topics, topic=topic, topic_name=name, first=first,
                    last=last, source_type=source_type, platform=platform, source_types=source_types,
                    platforms=platforms, series=series, picked=picked, mentions=mentions, volume=volume,
                    shares=shares)

    @app.get("/charts/{day}/{name}")
    def brief_chart(day: str, name: str, user: security.Reader) -> Response:
        if not re.fullmatch(r"[a-z0-9_-]+\.png", name):
            raise HTTPException(404, "no such chart")
        path = cfg().briefs_dir / str(_day(day)) / name
        if not path.is_file():
            raise HTTPException(404, "no such chart")
        return FileResponse(path, media_type="image/png", headers=HEADERS)

    return app


def _escape(value: Any) -> str:
    from markupsafe import escape

    return str(escape(str(value)))
