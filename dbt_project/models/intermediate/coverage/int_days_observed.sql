{{ config(materialized='table', event_time='mention_date') }}

{#-
    The days of the daily topic marts, with their source coverage: a day is observed when the
    pipeline ran for it (any source health row) or when it has mentions; a day nobody ingested is
    missing data, not a day with zero mentions. Per day: the sources that delivered (fetch ok or
    empty) in at least one interval and the sources enabled; both unknown (null enabled_sources)
    on a day with mentions but no source health. A dead source reads as low coverage, not as "the
    risk went away". A small table (one row per day): every microbatch batch reads its own day.
-#}

with spine as (

    select date_day from {{ ref('metricflow_time_spine') }}

),

health_rows as (

    select source_id, interval_date, fetch_status from {{ ref('stg_riskradar__source_health') }}

),

mention_days as (

    select distinct mention_date from {{ ref('fct_mentions') }}

),

enabled_sources as (

    select count(*) as enabled_sources from {{ ref('dim_sources') }} where is_enabled

),

day_coverage as (

    select
        health_rows.interval_date as mention_date,
        count(distinct case when health_rows.fetch_status <> 'error' then health_rows.source_id end)
            as active_sources,
        max(enabled_sources.enabled_sources) as enabled_sources
    from health_rows
    cross join enabled_sources
    group by health_rows.interval_date

),

final as (

    select
        spine.date_day as mention_date,
        day_coverage.mention_date is not null as has_source_health,
        coalesce(day_coverage.active_sources, 0) as active_sources,
        day_coverage.enabled_sources
    from spine
    left join day_coverage
        on spine.date_day = day_coverage.mention_date
    where day_coverage.mention_date is not null
        or spine.date_day in (select mention_date from mention_days)

)

select * from final
