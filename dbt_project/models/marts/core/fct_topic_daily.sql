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
    Topic x day grid, zero-filled. Every ref with an event_time is filtered to the batch day by
    dbt, so one batch reads one day of fct_mentions and of int_days_observed and replaces
    exactly that day's rows (delete + insert on mention_date).
-#}

with days as (

    select * from {{ ref('int_days_observed') }}

),

topics as (

    select topic_id from {{ ref('dim_topics') }}

),

mentions as (

    select * from {{ ref('fct_mentions') }}

),

mention_topics as (

    select * from {{ ref('int_mention_topics') }}

),

topic_day_totals as (

    select
        topic_id,
        mention_date,
        {{- topic_measure_counts() }}
    from mention_topics
    group by topic_id, mention_date

),

day_totals as (

    -- every story of the day, topical or not: the attention_share denominator, so a quiet
    -- feed day (or an outage) does not read as a topic's share going up or down
    select
        mention_date,
        count(distinct story_id) as day_stories
    from mentions
    group by mention_date

),

grid as (

    select
        topics.topic_id,
        days.mention_date,
        days.active_sources,
        days.enabled_sources
    from days
    cross join topics

),

filled as (

    select
        grid.topic_id,
        grid.mention_date,
        {{- topic_measure_zero_fill('totals') }}
        coalesce(day_totals.day_stories, 0) as day_stories,
        grid.active_sources,
        grid.enabled_sources
    from grid
    left join topic_day_totals as totals
        on grid.topic_id = totals.topic_id
        and grid.mention_date = totals.mention_date
    left join day_totals
        on grid.mention_date = day_totals.mention_date

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }} as topic_day_id,
        topic_id,
        mention_date,
        {{- topic_measure_ratios() }}
    from filled

)

select * from final
