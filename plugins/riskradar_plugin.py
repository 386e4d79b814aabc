"""Airflow plugin: the Risk Radar pages (today's risks, alert detail, topic explorer) in the UI.

Airflow imports every plugin module in each of its processes, so this one stays tiny: the
FastAPI app (`riskradar.ui.app`) is imported on the first request to /riskradar, inside the
api-server only. `plugins/.airflowignore` keeps Airflow from importing the package's own modules
as plugins. The pages are served at `<airflow>/riskradar/` and framed in the UI's navigation
(*Risk Radar*); every route requires a logged-in Airflow user (see riskradar.ui.security).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/riskradar"


class LazyRiskRadarApp:
    """An ASGI app that builds the real one on first use (no pandas/duckdb in other processes)."""

    def __init__(self) -> None:
        self._app = None

    async def __call__(self, scope, receive, send) -> None:
        if self._app is None:
            from riskradar.ui.app import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


class RiskRadarPlugin(AirflowPlugin):
    name = "riskradar"
    fastapi_apps = [{"app": LazyRiskRadarApp(), "url_prefix": URL_PREFIX, "name": "Risk Radar"}]
    external_views = [
        {"name": "Risk Radar", "href": "riskradar/today", "url_route": "riskradar",
         "destination": "nav", "category": None, "nav_top_level": True},
        {"name": "Topic explorer", "href": "riskradar/topics", "url_route": "riskradar-topics",
         "destination": "nav", "category": "Risk Radar"},
    ]
