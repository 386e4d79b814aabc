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
    "spikes": ["topic_id", "mention_date"],
    "topic_recount": ["topic_id", "mention_date"],
    "scored_reconcile": ["source_id", "item_id"],
    "source_volume": ["source_id", "health_date", "items_landed"],
    "day_coverage": ["mention_date", "mentions"],
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
        coverage = read("""
            with days as (select cast(unnest(?::varchar[]) as date) as mention_date)
            select d.mention_date, count(m.item_id) as mentions
            from days as d
            left join fct_mentions as m on cast(m.mention_date as date) = d.mention_date
            group by all order by all""")
        volume = (_source_volume(con, days, _enabled_source_ids(settings))
                  if "fct_source_health_daily" in tables else _empty_volume())
        topic_ids = [r[0] for r in con.execute("select topic_id from dim_topics").fetchall()]
        mention_ids = set(mentions["item_id"])
    finally:
        con.close()
    return {"topic_day_grid": grid, "topic_daily": daily, "mentions": mentions, "spikes": spikes,
            "dim_topics": pd.DataFrame({"topic_id": pd.Series(topic_ids, dtype="object")}),
            "topic_recount": recount, "scored_reconcile": _scored_reconcile(settings, inputs, mention_ids),
            "source_volume": volume, "day_coverage": coverage}


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


def _source_volume(con, days, source_ids):
    """Each enabled source's items landed on the interval's days against its usual band (warehouse history).

    One row per enabled source and day, also when the source has no health record that day
    (`has_health_record` false, `items_landed` 0). The band is [LOW x median, HIGH x median] of the
    source's previous BASELINE_DAYS days in fct_source_health_daily; sources with fewer than
    MIN_BASELINE_DAYS days of history are not judged. `silent_days` counts the days up to this one
    since the source last landed an item (0 when it landed some today; BASELINE_DAYS + 1 when it had
    history but no item in the whole window; null without history), because a source silent for
    weeks drags its own median to 0 and would pass the band.
    """
    return con.execute(f"""
        with days as (select cast(unnest($1::varchar[]) as date) as health_date),
        sources as (select unnest($2::varchar[]) as source_id),
        health as (
            select source_id, cast(health_date as date) as health_date, items_landed
            from fct_source_health_daily
        ),
        today as (
            select s.source_id, d.health_date, h.items_landed, h.source_id is not null as has_health_record
            from sources as s
            cross join days as d
            left join health as h on h.source_id = s.source_id and h.health_date = d.health_date
        ),
        baseline as (
            select t.source_id, t.health_date,
                   median(h.items_landed) as median_items, count(h.items_landed) as baseline_days
            from today as t
            join health as h
                on h.source_id = t.source_id
                and h.health_date >= t.health_date - interval {BASELINE_DAYS} day
                and h.health_date < t.health_date
            group by all
        ),
        last_items as (
            select t.source_id, t.health_date, max(h.health_date) as last_day_with_items
            from today as t
            join health as h
                on h.source_id = t.source_id
                and h.health_date >= t.health_date - interval {BASELINE_DAYS} day
                and h.health_date <= t.health_date
                and h.items_landed > 0
            group by all
        )
        select t.source_id, cast(t.health_date as varchar) as health_date,
               coalesce(t.items_landed, 0) as items_landed, t.has_health_record,
               coalesce(b.baseline_days, 0) as baseline_days,
               {LOW} * b.median_items as band_low, {HIGH} * b.median_items as band_high,
               case
                   when l.last_day_with_items is not null then date_diff('day', l.last_day_with_items, t.health_date)
                   when coalesce(b.baseline_days, 0) >= {MIN_BASELINE_DAYS} then {BASELINE_DAYS + 1}
               end as silent_days
        from today as t
        left join baseline as b using (source_id, health_date)
        left join last_items as l using (source_id, health_date)
        order by all""", [days, list(source_ids)]).fetchdf()


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
