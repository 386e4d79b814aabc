"""Every query the Risk Radar pages run, in one place, against the marts only (read-only).

The pages never re-derive a metric: spike scores, baselines, thresholds, evidence (examples,
term lift, sources, platforms), attention share and coverage are columns dbt computed. This
module only selects and filters them, through the shared reader (`riskradar.warehouse`): the
configured dbt target (DuckDB file or PostgreSQL), with portable SQL and `?` placeholders.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

from riskradar.config import Settings


class WarehouseUnavailable(RuntimeError):
    """No warehouse yet (no dbt build has run) or dbt holds its write lock right now."""


class Marts:
    def __init__(self, wh: Any):
        self._wh = wh

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return self._wh.query(sql, params or [])

    def one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    # ---- Today ----
    def days(self) -> dict[str, date | None]:
        return self.one("select min(mention_date) as first_day, max(mention_date) as last_day "
                        "from fct_topic_spikes") or {"first_day": None, "last_day": None}

    def ranked_topics(self, day: date) -> list[dict[str, Any]]:
        return self.rows(
            """select s.topic_id, s.language, coalesce(t.topic_name, s.topic_id) as topic_name, s.mentions,
                      s.baseline_mean, s.z_score, s.negative_share, s.baseline_negative_share,
                      s.is_spike, s.severity, s.spike_score, d.attention_share, d.share_of_voice
               from fct_topic_spikes s
               left join dim_topics t using (topic_id)
               left join fct_topic_language_daily d
                   on d.topic_id = s.topic_id and d.language = s.language and d.mention_date = s.mention_date
               where s.mention_date = ? and s.mentions > 0
               order by s.spike_score desc nulls last, s.mentions desc, s.topic_id, s.language""", [day])

    def alerts_of_day(self, day: date) -> list[dict[str, Any]]:
        return self.rows("select * from fct_risk_alerts where mention_date = ? "
                         "order by spike_score desc nulls last, topic_id, language", [day])

    def coverage(self, day: date) -> dict[str, Any]:
        health = self.one(
            """select count(*) as sources, count(*) filter (where is_healthy) as healthy_sources,
                      coalesce(sum(items_landed), 0) as items_landed,
                      coalesce(sum(items_quarantined), 0) as items_quarantined
               from fct_source_health_daily where health_date = ?""", [day]) or {}
        basis = self.one(
            """select max(day_stories) as day_stories, max(active_sources) as active_sources,
                      max(enabled_sources) as enabled_sources, bool_or(is_coverage_degraded) as is_degraded
               from fct_topic_daily where mention_date = ?""", [day]) or {}
        return {**health, **basis}

    # ---- Alert detail ----
    def alert(self, alert_id: str) -> dict[str, Any] | None:
        return self.one("select * from fct_risk_alerts where alert_id = ?", [alert_id])

    def built_status(self, alert_id: str) -> dict[str, Any] | None:
        """The status dbt derived from the events on its last build (fct_alert_status)."""
        return self.one("select status, status_actor, status_changed_at, is_excluded_from_baseline "
                        "from fct_alert_status where alert_id = ?", [alert_id])

    def trend(self, topic_id: str, language: str, first: date, last: date) -> list[dict[str, Any]]:
        """The topic's spike series in one language (an alert's language is judged on its own)."""
        return self.rows(
            """select mention_date, mentions, baseline_mean, baseline_std, spike_threshold_mentions,
                      negative_share, baseline_negative_share, is_spike, severity
               from fct_topic_spikes where topic_id = ? and language = ? and mention_date between ? and ?
               order by mention_date""", [topic_id, language, first, last])

    def mentions_by_id(self, item_ids: list[str]) -> list[dict[str, Any]]:
        if not item_ids:
            return []
        marks = ", ".join("?" for _ in item_ids)
        return self.rows(f"select item_id, title, summary, url, source_id, source_type, sentiment_compound, "
                         f"detected_language, published_at from fct_mentions where item_id in ({marks})",
                         list(item_ids))

    # ---- Topic explorer ----
    def topics(self) -> list[dict[str, Any]]:
        return self.rows("select topic_id, topic_name from dim_topics order by topic_name")

    def source_types(self) -> list[str]:
        return [r["source_type"] for r in self.rows(
            "select distinct source_type from fct_topic_source_type_daily order by source_type")]

    def platforms(self) -> list[dict[str, Any]]:
        return self.rows("select platform_id, platform_name from dim_platforms order by platform_name")

    def series(self, topic_id: str, first: date, last: date, *, source_type: str | None = None,
               platform_id: str | None = None) -> list[dict[str, Any]]:
        """The topic's daily measures, from the mart of the chosen slice (all / source type / platform)."""
        where, params = "topic_id = ? and mention_date between ? and ?", [topic_id, first, last]
        if platform_id:
            table, where, params = "fct_topic_platform_daily", where + " and platform_id = ?", [*params, platform_id]
        elif source_type:
            table, where, params = "fct_topic_source_type_daily", where + " and source_type = ?", [*params, source_type]
        else:
            table = "fct_topic_daily"
        return self.rows(f"select mention_date, mentions, stories, attention_share, share_of_voice, "
                         f"negative_share, mean_compound, source_coverage from {table} "
                         f"where {where} order by mention_date", params)

    def mentions_of_day(self, topic_id: str, day: date, *, source_type: str | None = None,
                        platform_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        where, params = "mention_date = ? and ? = any(topics)", [day, topic_id]
        if platform_id:
            where, params = where + " and ? = any(platforms)", [*params, platform_id]
        if source_type:
            where, params = where + " and source_type = ?", [*params, source_type]
        return self.rows(f"select item_id, title, summary, url, source_id, source_type, sentiment_compound, "
                         f"sentiment_label, platforms, published_at from fct_mentions where {where} "
                         f"order by sentiment_compound nulls last, published_at limit ?", [*params, limit])


@contextlib.contextmanager
def connect(settings: Settings) -> Iterator[Marts]:
    """The configured warehouse opened read-only for one request (dbt stays its only writer)."""
    from riskradar import warehouse

    with contextlib.ExitStack() as stack:
        try:
            wh = stack.enter_context(warehouse.connect(settings))
        except warehouse.WarehouseMissing as exc:
            raise WarehouseUnavailable(f"{exc}: run risk_metrics (or `make demo`) first") from exc
        except Exception as exc:  # duckdb.IOException: dbt holds the file's write lock for a moment
            if type(exc).__name__ != "IOException":
                raise
            raise WarehouseUnavailable(f"the warehouse is being rebuilt by dbt, retry in a moment ({exc})") from exc
        yield Marts(wh)
