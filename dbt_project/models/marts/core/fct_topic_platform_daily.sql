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
    Topic x platform x day, see the docs block fct_topic_platform_daily. The measures are those
    of fct_topic_daily (macros topic_measure_*), counted over the items that name the platform.
    Zero-filled only for the topic x platform pairs already seen on or before the day: pairs
    come from the whole of fct_mentions up to the batch (`.render()`: no event-time filter), so
    the rows of a day are the same whichever order days are built in.
-#}

{%- set batch = model.batch if model.batch is defined else none -%}

with days as (

    select * from {{ ref('int_days_observed') }}

),

mention_platforms as (

    select * from {{ ref('int_mention_platforms_exploded') }}

),

topic_mentions as (

    select * from {{ ref('int_mention_topics') }}

),

mention_topic_platforms as (

    -- the topic explosion of int_mention_topics, one row per platform the item names
    select
        mention_topics.*,
        platform.platform_id
    from topic_mentions as mention_topics
    cross join unnest(mention_topics.platforms) as platform(platform_id)

),

topic_platform_day_totals as (

    select
        topic_id,
        platform_id,
        mention_date,
        {{- topic_measure_counts() }}
    from mention_topic_platforms
    group by topic_id, platform_id, mention_date

),

platform_day_totals as (

    -- every story of the day that names the platform, topical or not: the attention_share
    -- denominator of the slice
    select
        platform_id,
        mention_date,
        count(distinct story_id) as day_stories
    from mention_platforms
    group by platform_id, mention_date

),

history as (

    select mention_date, topics, platforms
    from {{ ref('fct_mentions').render() if batch else ref('fct_mentions') }}
    {%- if batch %}
    where mention_date < cast('{{ batch.event_time_end.strftime('%Y-%m-%d') }}' as date)
    {%- endif %}

),

topic_platform_pairs as (

    -- the first day each topic x platform pair was mentioned: the pair is zero-filled from then on
    select
        topic.topic_id,
        platform.platform_id,
        min(history.mention_date) as first_mention_date
    from history
    cross join unnest(history.topics) as topic(topic_id)
    cross join unnest(history.platforms) as platform(platform_id)
    group by topic.topic_id, platform.platform_id

),

grid as (

    select
        pairs.topic_id,
        pairs.platform_id,
        days.mention_date,
        days.active_sources,
        days.enabled_sources
    from days
    inner join topic_platform_pairs as pairs
        on pairs.first_mention_date <= days.mention_date

),

filled as (

    select
        grid.topic_id,
        grid.platform_id,
        grid.mention_date,
        {{- topic_measure_zero_fill('totals') }}
        coalesce(platform_day_totals.day_stories, 0) as day_stories,
        grid.active_sources,
        grid.enabled_sources
    from grid
    left join topic_platform_day_totals as totals
        on grid.topic_id = totals.topic_id
        and grid.platform_id = totals.platform_id
        and grid.mention_date = totals.mention_date
    left join platform_day_totals
        on grid.platform_id = platform_day_totals.platform_id
        and grid.mention_date = platform_day_totals.mention_date

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'platform_id', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }}
            as topic_platform_day_id,
        topic_id,
        platform_id,
        mention_date,
        {{- topic_measure_ratios(['platform_id']) }}
    from filled

)

select * from final
