"""Marts gate: the dbt marts of the interval's days, read from the warehouse read-only.

Critical: every day of the interval has mentions (a day without any is missing data, not a quiet
day), every topic has exactly one fct_topic_daily row per day, counts and shares in range, no item
counted twice in fct_mentions on a day, topic counts reconcile with fct_mentions, and every scored
item of the interval published on its days reached fct_mentions. Warnings: a spike without a
z-score despite enough baseline; an enabled source without a health record for a day (a missing
day for that source); a source whose volume leaves its usual band (from its own history in
fct_source_health_daily) or that has landed nothing for SILENT_DAYS days, so a silent or flooding
feed is flagged, not read as a trend.
"""

from __future__ import annotations

SUITE_NAME = "marts"
MIN_BASELINE_DAYS = 3
# Source volume band: a day's items landed vs the median of the source's previous BASELINE_DAYS days.
BASELINE_DAYS = 14
LOW, HIGH = 0.25, 4.0
# A source that landed nothing for this many days in a row (after landing items before) is silent.
SILENT_DAYS = 2
ID_COLUMNS = {
    "topic_day_grid": ["topic_id", "mention_date"],
    "topic_daily": ["topic_id", "mention_date"],
    "mentions": ["item_id", "mention_date"],
    "spikes": ["topic_id", "language", "mention_date"],
    "topic_recount": ["topic_id", "mention_date"],
    "scored_reconcile": ["source_id", "item_id"],
    "source_volume": ["source_id", "health_date", "items_landed"],
    "day_coverage": ["mention_date", "mentions"],
}


def frames(batch, settings, inputs):
    """Read the interval's days of the marts into pandas (GX's SQL datasource fails on duckdb here),
    through riskradar.warehouse: the configured dbt target, DuckDB or PostgreSQL, plain SQL."""
    import pandas as pd
    from riskradar import warehouse
    from riskradar.quality import QualityGateError

    days = sorted(inputs.days)
    bounds = [_date(days[0]), _date(days[-1])]
    try:
        with warehouse.connect(settings) as wh:
            try:
                wh.require("dim_topics", "fct_topic_daily", "fct_mentions", "fct_topic_spikes")
            except warehouse.WarehouseMissing as exc:
                raise QualityGateError(f"quality gate 'marts': {exc}") from exc

            def read(sql: str, params: list | None = None):
                df = wh.frame(sql, bounds if params is None else params)
                if "mention_date" in df.columns:
                    df["mention_date"] = df["mention_date"].astype(str).str[:10]
                    df = df[df["mention_date"].isin(days)]
                return df.reset_index(drop=True)

            topic_ids = [r["topic_id"] for r in wh.query("select topic_id from dim_topics order by topic_id")]
            rows = read("""select topic_id, mention_date, count(*) as rows_per_topic_day from fct_topic_daily
                           where mention_date between ? and ? group by topic_id, mention_date""")
            daily = read("""
                select topic_id, mention_date, mentions, negative_share, mean_compound
                from fct_topic_daily where mention_date between ? and ?
                order by topic_id, mention_date, mentions, negative_share, mean_compound""")
            mentions = read("""select item_id, mention_date from fct_mentions where mention_date between ? and ?
                               order by item_id, mention_date""")
            spikes = read("""select topic_id, language, mention_date, z_score, baseline_days from fct_topic_spikes
                             where mention_date between ? and ? order by topic_id, language, mention_date""")
            recount = read("""
                with per_topic as (
                    select topic.topic_id, m.mention_date, count(distinct m.item_id) as mentions_recounted
                    from fct_mentions as m cross join unnest(m.topics) as topic(topic_id)
                    where m.mention_date between ? and ?
                    group by topic.topic_id, m.mention_date
                )
                select d.topic_id, d.mention_date, d.mentions, coalesce(p.mentions_recounted, 0) as mentions_recounted
                from fct_topic_daily as d
                left join per_topic as p on p.topic_id = d.topic_id and p.mention_date = d.mention_date
                where d.mention_date between ? and ?
                order by d.topic_id, d.mention_date""", bounds * 2)
            per_day = read("""select mention_date, count(*) as mentions from fct_mentions
                              where mention_date between ? and ? group by mention_date""")
            volume = (_source_volume(wh, days, _enabled_source_ids(settings))
                      if wh.has("fct_source_health_daily") else _empty_volume())
    except warehouse.WarehouseMissing as exc:
        raise QualityGateError(f"quality gate 'marts': {exc} (did dbt build run?)") from exc
    grid = pd.DataFrame([(t, d) for t in topic_ids for d in days], columns=["topic_id", "mention_date"])
    grid = grid.merge(rows, how="left", on=["topic_id", "mention_date"])
    grid["rows_per_topic_day"] = grid["rows_per_topic_day"].fillna(0).astype("int64")
    coverage = pd.DataFrame({"mention_date": days}).merge(per_day, how="left", on="mention_date")
    coverage["mentions"] = coverage["mentions"].fillna(0).astype("int64")
    mention_ids = set(mentions["item_id"])
    return {"topic_day_grid": grid, "topic_daily": daily, "mentions": mentions, "spikes": spikes,
            "dim_topics": pd.DataFrame({"topic_id": pd.Series(topic_ids, dtype="object")}),
            "topic_recount": recount, "scored_reconcile": _scored_reconcile(settings, inputs, mention_ids),
            "source_volume": volume, "day_coverage": coverage}


def _date(day: str):
    from datetime import date

    return date.fromisoformat(day[:10])


def _enabled_source_ids(settings):
    from riskradar.ingest.sources import load_sources

    return [src.id for src in load_sources(settings, enabled_only=True)]


def _scored_reconcile(settings, inputs, mention_ids):
    """Scored items of the interval published on its days, and whether fct_mentions holds them.

    Items reach the scored zone in the interval that fetched them; one published on day D is in a
    part of an interval starting on D (or later, as a feed repeat), so every scored item of this
    interval's parts published on these days must be in fct_mentions for that day.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from riskradar import storage

    parts = storage.parts_for_interval(settings.scored_dir, inputs.start, inputs.end)
    columns = ["item_id", "source_id", "published_at"]
    if parts:
        table = pa.concat_tables([pq.read_table(p, columns=columns) for p in parts])
        frame = table.to_pandas()
    else:
        frame = pd.DataFrame(columns=columns)
    frame["mention_date"] = pd.to_datetime(frame["published_at"], utc=True).dt.strftime("%Y-%m-%d")
    frame = frame[frame["mention_date"].isin(inputs.days)].drop_duplicates("item_id")
    frame = frame.assign(in_fct_mentions=frame["item_id"].isin(mention_ids))
    return frame[["item_id", "source_id", "mention_date", "in_fct_mentions"]].reset_index(drop=True)


def _source_volume(wh, days, source_ids):
    """Each enabled source's items landed on the interval's days against its usual band (warehouse history).

    One row per enabled source and day, also when the source has no health record that day
    (`has_health_record` false, `items_landed` 0). The band is [LOW x median, HIGH x median] of the
    source's previous BASELINE_DAYS days in fct_source_health_daily; sources with fewer than
    MIN_BASELINE_DAYS days of history are not judged. `silent_days` counts the days up to this one
    since the source last landed an item (0 when it landed some today; BASELINE_DAYS + 1 when it had
    history but no item in the whole window; null without history), because a source silent for
    weeks drags its own median to 0 and would pass the band.
    """
    import statistics
    from datetime import timedelta

    import pandas as pd

    first, last = _date(days[0]), _date(days[-1])
    history: dict[str, dict] = {}
    for r in wh.query("""select source_id, health_date, items_landed from fct_source_health_daily
                         where health_date between ? and ?""", [first - timedelta(days=BASELINE_DAYS), last]):
        history.setdefault(r["source_id"], {})[_date(str(r["health_date"]))] = r["items_landed"]
    out = []
    for source_id in source_ids:
        own = history.get(source_id, {})
        for day in (_date(d) for d in days):
            window = [(d, n) for d, n in own.items() if day - timedelta(days=BASELINE_DAYS) <= d < day and n is not None]
            median = statistics.median(n for _, n in window) if window else None
            with_items = [d for d, n in own.items()
                          if day - timedelta(days=BASELINE_DAYS) <= d <= day and (n or 0) > 0]
            if with_items:
                silent = (day - max(with_items)).days
            elif len(window) >= MIN_BASELINE_DAYS:
                silent = BASELINE_DAYS + 1
            else:
                silent = None
            out.append({"source_id": source_id, "health_date": day.isoformat(), "items_landed": own.get(day) or 0,
                        "has_health_record": day in own, "baseline_days": len(window),
                        "band_low": None if median is None else LOW * median,
                        "band_high": None if median is None else HIGH * median, "silent_days": silent})
    if not out:
        return _empty_volume()
    frame = pd.DataFrame(out).sort_values(["source_id", "health_date"]).reset_index(drop=True)
    # float on both engines (PostgreSQL's sum() is numeric, DuckDB's an integer), as _empty_volume has it
    for column in ("items_landed", "band_low", "band_high", "silent_days"):
        frame[column] = frame[column].astype("float64")
    return frame


def _empty_volume():
    import pandas as pd

    return pd.DataFrame({"source_id": pd.Series(dtype="object"), "health_date": pd.Series(dtype="object"),
                         "items_landed": pd.Series(dtype="float64"), "baseline_days": pd.Series(dtype="int64"),
                         "has_health_record": pd.Series(dtype="bool"),
                         "band_low": pd.Series(dtype="float64"), "band_high": pd.Series(dtype="float64"),
                         "silent_days": pd.Series(dtype="float64")})


def build(settings, inputs):
    import great_expectations as gx
    from riskradar.quality import Spec

    e = gx.expectations
    return [
        Spec(e.ExpectTableRowCountToBeBetween(min_value=1), frame="dim_topics", name="dim_topics_not_empty"),
        Spec(e.ExpectColumnValuesToBeBetween(column="mentions", min_value=1), frame="day_coverage",
             name="every_day_has_mentions"),
        Spec(e.ExpectColumnValuesToBeBetween(column="rows_per_topic_day", min_value=1, max_value=1),
             frame="topic_day_grid", name="one_topic_daily_row_per_topic_and_day"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="mentions"), frame="topic_daily"),
        Spec(e.ExpectColumnValuesToBeBetween(column="mentions", min_value=0), frame="topic_daily"),
        Spec(e.ExpectColumnValuesToBeBetween(column="negative_share", min_value=0, max_value=1),
             frame="topic_daily"),
        Spec(e.ExpectColumnValuesToBeBetween(column="mean_compound", min_value=-1, max_value=1),
             frame="topic_daily"),
        Spec(e.ExpectCompoundColumnsToBeUnique(column_list=["mention_date", "item_id"]), frame="mentions",
             name="mentions.item_counted_once_per_day"),
        Spec(e.ExpectColumnValuesToBeUnique(column="item_id"), frame="mentions", severity="warning",
             name="mentions.item_on_one_day_only"),
        Spec(e.ExpectColumnValuesToNotBeNull(column="z_score", row_condition=f"baseline_days >= {MIN_BASELINE_DAYS}",
                                             condition_parser="pandas"),
             frame="spikes", severity="warning", name=f"spikes.z_score_set_when_baseline_days_ge_{MIN_BASELINE_DAYS}"),
        Spec(e.ExpectColumnPairValuesToBeEqual(column_A="mentions", column_B="mentions_recounted"),
             frame="topic_recount", name="topic_daily_mentions_reconcile_with_fct_mentions"),
        Spec(e.ExpectColumnValuesToBeInSet(column="in_fct_mentions", value_set=[True]),
             frame="scored_reconcile", name="scored_items_reach_fct_mentions"),
        Spec(e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="items_landed", column_B="band_low", or_equal=True,
                row_condition=f"baseline_days >= {MIN_BASELINE_DAYS}", condition_parser="pandas"),
             frame="source_volume", severity="warning", name="source_volume_not_below_usual_band"),
        Spec(e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="band_high", column_B="items_landed", or_equal=True,
                row_condition=f"baseline_days >= {MIN_BASELINE_DAYS}", condition_parser="pandas"),
             frame="source_volume", severity="warning", name="source_volume_not_above_usual_band"),
        Spec(e.ExpectColumnValuesToBeInSet(column="has_health_record", value_set=[True]),
             frame="source_volume", severity="warning", name="enabled_source_reported_each_day"),
        Spec(e.ExpectColumnValuesToBeBetween(column="silent_days", max_value=SILENT_DAYS - 1),
             frame="source_volume", severity="warning", name=f"source_not_silent_for_{SILENT_DAYS}_days"),
    ]
