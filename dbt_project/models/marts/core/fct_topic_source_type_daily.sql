{{
    config(
        materialized='incremental',
        incremental_strategy='microbatch',
        event_time='mention_date',
        batch_size=var('microbatch_batch_size'),
        begin=var('microbatch_begin'),
        lookback=var('microbatch_lookback'),
        on_schema_change='append_new_columns'
    )
}}

{#-
    Topic x source type x day, zero-filled, see the docs block fct_topic_source_type_daily. The
    measures are those of fct_topic_daily (macros topic_measure_*), counted over the items of
    one source type; stories and coverage are counted within the source type too. One batch
    reads one day, like fct_topic_daily.
-#}

with days as (

    select * from {{ ref('int_days_observed') }}

),

health_rows as (

    select source_id, source_type, interval_date, fetch_status from {{ ref('stg_riskradar__source_health') }}

),

sources as (

    select source_id, source_type, is_enabled from {{ ref('dim_sources') }}

),

enabled_by_source_type as (

    select
        source_type,
        count(*) as enabled_sources
    from sources
    where is_enabled
    group by source_type

),

source_type_day_coverage as (

    -- sources of the type that delivered (fetch ok or empty) in at least one interval of the
    -- day; the type is the configured one (dim_sources), else the one health recorded
    select
        health_rows.interval_date as mention_date,
        coalesce(sources.source_type, health_rows.source_type) as source_type,
        count(distinct case when health_rows.fetch_status <> 'error' then health_rows.source_id end)
            as active_sources
    from health_rows
    left join sources
        on health_rows.source_id = sources.source_id
    group by health_rows.interval_date, coalesce(sources.source_type, health_rows.source_type)

),

topics as (

    select topic_id from {{ ref('dim_topics') }}

),

mentions as (

    select * from {{ ref('fct_mentions') }}

),

mention_source_types as (

    -- the type the item was ingested with (fct_mentions), else the configured one
    select
        mentions.mention_date,
        coalesce(mentions.source_type, sources.source_type) as source_type,
        mentions.item_id,
        mentions.story_id,
        mentions.source_id,
        mentions.is_scored,
        mentions.is_negative,
        mentions.is_positive,
        mentions.sentiment_compound,
        mentions.mentions_own_platform,
        mentions.topics
    from mentions
    left join sources
        on mentions.source_id = sources.source_id

),

topic_mentions as (

    select * from {{ ref('int_mention_topics') }}

),

mention_topics as (

    -- the topic explosion of int_mention_topics with the item's source type (as in mention_source_types)
    select
        mention_topics.*,
        coalesce(mention_topics.source_type, sources.source_type) as item_source_type
    from topic_mentions as mention_topics
    left join sources
        on mention_topics.source_id = sources.source_id

),

topic_source_type_day_totals as (

    select
        topic_id,
        item_source_type as source_type,
        mention_date,
        {{- topic_measure_counts() }}
    from mention_topics
    group by topic_id, item_source_type, mention_date

),

source_type_day_totals as (

    -- every story of the day from sources of the type, topical or not: the attention_share
    -- denominator of the slice
    select
        source_type,
        mention_date,
        count(distinct story_id) as day_stories
    from mention_source_types
    group by source_type, mention_date

),

day_source_types as (

    -- every source type with an enabled source, every observed day; plus any type that has
    -- items that day (a source disabled since), so no mention falls out of the grid
    select
        days.mention_date,
        enabled_by_source_type.source_type
    from days
    cross join enabled_by_source_type
    union
    select distinct
        mention_date,
        source_type
    from mention_source_types

),

grid as (

    select
        topics.topic_id,
        day_source_types.source_type,
        day_source_types.mention_date
    from day_source_types
    cross join topics

),

filled as (

    select
        grid.topic_id,
        grid.source_type,
        grid.mention_date,
        {{- topic_measure_zero_fill('totals') }}
        coalesce(source_type_day_totals.day_stories, 0) as day_stories,
        coalesce(coverage.active_sources, 0) as active_sources,
        -- null on a day without source health, like fct_topic_daily (coverage unknown)
        case
            when days.has_source_health then coalesce(enabled_by_source_type.enabled_sources, 0)
        end as enabled_sources
    from grid
    left join topic_source_type_day_totals as totals
        on grid.topic_id = totals.topic_id
        and grid.source_type = totals.source_type
        and grid.mention_date = totals.mention_date
    left join source_type_day_totals
        on grid.source_type = source_type_day_totals.source_type
        and grid.mention_date = source_type_day_totals.mention_date
    left join source_type_day_coverage as coverage
        on grid.source_type = coverage.source_type
        and grid.mention_date = coverage.mention_date
    left join enabled_by_source_type
        on grid.source_type = enabled_by_source_type.source_type
    left join days
        on grid.mention_date = days.mention_date

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'source_type', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }}
            as topic_source_type_day_id,
        topic_id,
        source_type,
        mention_date,
        {{- topic_measure_ratios(['source_type']) }}
    from filled

)

select * from final
