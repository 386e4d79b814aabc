"""Who may see and act on the Risk Radar pages, and protection against cross-site requests.

A plugin's FastAPI app is not protected by Airflow by default, so every route depends on
`reader` or `actor` below. Both resolve the user with Airflow's own `get_user` (the UI's
`_token` cookie or an `Authorization: Bearer` token from `POST /auth/token`) and ask the
configured auth manager:

- reading a page = may read the `risk_metrics` DAG (where the marts come from);
- acting on an alert = may answer human-in-the-loop tasks of the `alert_triage` DAG, the other
  way the same decisions are made.

State-changing requests are POST forms carrying a CSRF token: an HMAC (Airflow's
`[api] secret_key`) of the user id and a random per-browser cookie (`SameSite=Strict`,
`HttpOnly`), so a token is bound to both the user and that browser session. The request's
Origin (or Referer) must also be this server.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response, status

READ_DAG = "risk_metrics"
TRIAGE_DAG = "alert_triage"
CSRF_COOKIE = "riskradar_session"
CSRF_FIELD = "csrf_token"


def _airflow_user():
    from airflow.api_fastapi.core_api.security import get_user

    return get_user


AirflowUser = Annotated[Any, Depends(_airflow_user())]


def _authorize(user: Any, method: str, dag_id: str, entity: str | None) -> None:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    allowed = get_auth_manager().is_authorized_dag(
        method=method, access_entity=DagAccessEntity[entity] if entity else None,
        details=DagDetails(id=dag_id), user=user)
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"user {user.get_name()!r} may not {'act on' if entity else 'read'} Risk Radar "
                            f"(needs {method} on DAG {dag_id}{' ' + entity if entity else ''})")


async def reader(user: AirflowUser) -> Any:
    _authorize(user, "GET", READ_DAG, None)
    return user


async def actor(user: AirflowUser) -> Any:
    _authorize(user, "PUT", TRIAGE_DAG, "HITL_DETAIL")
    return user


def _secret() -> bytes:
    from airflow.configuration import conf

    key = conf.get("api", "secret_key", fallback=None)
    if not key:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "[api] secret_key is not set")
    return key.encode()


def session_id(request: Request, response: Response | None = None) -> str:
    """The browser's Risk Radar session cookie; a new one is set on `response` when missing."""
    sid = request.cookies.get(CSRF_COOKIE)
    if not sid and response is not None:
        sid = secrets.token_urlsafe(32)
        response.set_cookie(CSRF_COOKIE, sid, httponly=True, samesite="strict",
                            path=request.scope.get("root_path") or "/")
    return sid or ""


Reader = Annotated[Any, Depends(reader)]
Actor = Annotated[Any, Depends(actor)]


def csrf_token(user: Any, sid: str) -> str:
    msg = f"{user.get_id()}|{sid}".encode()
    return hmac.new(_secret(), msg, hashlib.sha256).hexdigest()


def check_csrf(request: Request, user: Any, token: str | None) -> None:
    """Refuse a POST that another site could have sent (403, nothing written)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    host = request.headers.get("host", "")
    if not origin or urlsplit(origin).netloc != host:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"cross-site request refused: origin {origin!r} is not this server ({host})")
    sid = request.cookies.get(CSRF_COOKIE)
    if not sid or not token or not hmac.compare_digest(csrf_token(user, sid), token):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "cross-site request refused: missing or invalid CSRF token; reload the page")
