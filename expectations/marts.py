"""Marts gate: the dbt marts of the interval's days, read from the warehouse read-only.

Critical: every topic has exactly one fct_topic_daily row per day, counts and shares in range,
no item counted twice in fct_mentions on a day, topic counts reconcile with fct_mentions, and
every scored item of the interval published on its days reached fct_mentions. Warnings: a spike
without a z-score despite enough baseline; a source whose volume leaves its usual band (from its
own history in fct_source_health_daily), so a silent or flooding feed is flagged, not read as a trend.
"""

from __future__ import annotations

SUITE_NAME = "marts"
MIN_BASELINE_DAYS = 3
# Source volume band: a day's items landed vs the median of the source's previous BASELINE_DAYS days.
BASELINE_DAYS = 14
LOW, HIGH = 0.25, 4.0
ID_COLUMNS = {
    "topic_day_grid": ["topic_id", "mention_date"],
    "topic_daily": ["topic_id", "mention_date"],
    "mentions": ["item_id", "mention_date"],
    "spikes": ["topic_id", "mention_date"],
    "topic_recount": ["topic_id", "mention_date"],
    "scored_reconcile": ["source_id", "item_id"],
    "source_volume": ["source_id", "health_date", "items_landed"],
}


def frames(batch, settings, inputs):
    """Read the interval's days of the marts into pandas (GX's SQL datasource fails on duckdb here)."""
    import duckdb
    import pandas as pd
    from riskradar.quality import QualityGateError

    path = settings.warehouse_path
    if not path.is_file():
        raise QualityGateError(f"quality gate 'marts': warehouse {path} does not exist (did dbt build run?)")
    days = list(inputs.days)
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        missing = sorted({"dim_topics", "fct_topic_daily", "fct_mentions", "fct_topic_spikes"} - tables)
        if missing:
            raise QualityGateError(f"quality gate 'marts': warehouse {path} lacks tables {missing}")

        def read(sql: str):
            df = con.execute(sql, [days]).fetchdf()
            if "mention_date" in df.columns:
                df["mention_date"] = df["mention_date"].astype(str).str[:10]
            return df

        grid = read("""
            with days as (select cast(unnest(?::varchar[]) as date) as mention_date)
            select t.topic_id, d.mention_date, count(f.topic_id) as rows_per_topic_day
            from dim_topics as t
            cross join days as d
            left join fct_topic_daily as f
                on f.topic_id = t.topic_id and cast(f.mention_date as date) = d.mention_date
            group by all order by all""")
        daily = read("""
            select topic_id, mention_date, mentions, negative_share, mean_compound
            from fct_topic_daily where cast(mention_date as varchar) in (select unnest(?::varchar[]))
            order by all""")
        mentions = read("""
            select item_id, mention_date from fct_mentions
            where cast(mention_date as varchar) in (select unnest(?::varchar[])) order by all""")
        spikes = read("""
            select topic_id, mention_date, z_score, baseline_days from fct_topic_spikes
            where cast(mention_date as varchar) in (select unnest(?::varchar[])) order by all""")
        recount = read("""
            with per_topic as (
                select topic.topic_id, cast(m.mention_date as date) as mention_date,
                       count(distinct m.item_id) as mentions_recounted
                from fct_mentions as m cross join unnest(m.topics) as topic(topic_id)
                where cast(m.mention_date as varchar) in (select unnest(?::varchar[]))
                group by all
            )
            select d.topic_id, d.mention_date, d.mentions,
                   coalesce(p.mentions_recounted, 0) as mentions_recounted
            from fct_topic_daily as d
            left join per_topic as p
                on p.topic_id = d.topic_id and p.mention_date = cast(d.mention_date as date)
            where cast(d.mention_date as varchar) in (select unnest(?::varchar[]))
            order by all""".replace("?::varchar[]", "$1::varchar[]"))
        volume = _source_volume(con, days) if "fct_source_health_daily" in tables else _empty_volume()
        topic_ids = [r[0] for r in con.execute("select topic_id from dim_topics").fetchall()]
        mention_ids = set(mentions["item_id"])
    finally:
        con.close()
    return {"topic_day_grid": grid, "topic_daily": daily, "mentions": mentions, "spikes": spikes,
            "dim_topics": pd.DataFrame({"topic_id": pd.Series(topic_ids, dtype="object")}),
            "topic_recount": recount, "scored_reconcile": _scored_reconcile(settings, inputs, mention_ids),
            "source_volume": volume}


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


def _source_volume(con, days):
    """Each source's items landed on the interval's days against its usual band (warehouse history).

    The band is [LOW x median, HIGH x median] of the source's previous BASELINE_DAYS days in
    fct_source_health_daily; sources with fewer than MIN_BASELINE_DAYS days of history are not judged.
    """
    return con.execute(f"""
        with today as (
            select source_id, cast(health_date as date) as health_date, items_landed
            from fct_source_health_daily
            where cast(health_date as varchar) in (select unnest($1::varchar[]))
        ),
        baseline as (
            select t.source_id, t.health_date,
                   median(h.items_landed) as median_items, count(h.items_landed) as baseline_days
            from today as t
            join fct_source_health_daily as h
                on h.source_id = t.source_id
                and cast(h.health_date as date) >= t.health_date - interval {BASELINE_DAYS} day
                and cast(h.health_date as date) < t.health_date
            group by all
        )
        select t.source_id, cast(t.health_date as varchar) as health_date, t.items_landed,
               coalesce(b.baseline_days, 0) as baseline_days,
               {LOW} * b.median_items as band_low, {HIGH} * b.median_items as band_high
        from today as t left join baseline as b using (source_id, health_date)
        order by all""", [days]).fetchdf()


def _empty_volume():
    import pandas as pd

    return pd.DataFrame({"source_id": pd.Series(dtype="object"), "health_date": pd.Series(dtype="object"),
                         "items_landed": pd.Series(dtype="float64"), "baseline_days": pd.Series(dtype="int64"),
                         "band_low": pd.Series(dtype="float64"), "band_high": pd.Series(dtype="float64")})


def build(settings, inputs):
    import great_expectations as gx
    from riskradar.quality import Spec

    e = gx.expectations
    return [
        Spec(e.ExpectTableRowCountToBeBetween(min_value=1), frame="dim_topics", name="dim_topics_not_empty"),
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
    ]
