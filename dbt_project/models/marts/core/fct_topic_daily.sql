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
    dbt, so one batch reads one day of fct_mentions and one day of the time spine and replaces
    exactly that day's rows (delete + insert on mention_date).
-#}

with {{ day_coverage_ctes() }}

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

observed_days as (

    -- a day enters the grid when the pipeline ran for it (any source health row) or when it
    -- has mentions: a day nobody ingested is missing data, not a day with zero mentions
    select spine.date_day as mention_date
    from spine
    where spine.date_day in (select interval_date from health)
        or spine.date_day in (select mention_date from mentions)

),

grid as (

    select
        topics.topic_id,
        days.mention_date
    from observed_days as days
    cross join topics

),

filled as (

    select
        grid.topic_id,
        grid.mention_date,
        {{- topic_measure_zero_fill('totals') }}
        coalesce(day_totals.day_stories, 0) as day_stories,
        coalesce(day_coverage.active_sources, 0) as active_sources,
        day_coverage.enabled_sources
    from grid
    left join topic_day_totals as totals
        on grid.topic_id = totals.topic_id
        and grid.mention_date = totals.mention_date
    left join day_totals
        on grid.mention_date = day_totals.mention_date
    left join day_coverage
        on grid.mention_date = day_coverage.mention_date

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
