{#
    The CTEs every daily topic mart starts from: `spine` (the time spine), `health_rows` and
    `health` (days with any source report), `enabled_sources`, and `day_coverage` (per day: sources
    that delivered, fetch ok or empty, in at least one interval, and sources enabled). A day with
    dead sources reads as low coverage, not as "the risk went away". Ends with a comma: the
    caller's own CTEs follow.
#}
{% macro day_coverage_ctes() %}
spine as (

    select date_day from {{ ref('metricflow_time_spine') }}

),

health_rows as (

    select source_id, interval_date, fetch_status from {{ ref('stg_riskradar__source_health') }}

),

health as (

    select distinct interval_date from health_rows

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
{% endmacro %}
