{{ config(materialized='incremental', event_time='health_date') }}

{#-
    Fetch health per source and UTC day (a day may hold several ingest intervals). Microbatch by
    day: the ref is filtered to the batch on the part's date, so a batch reads one day of files.
-#}

with health as (

    select * from {{ ref('stg_riskradar__source_health') }}

),

daily as (

    select
        source_id,
        interval_date as health_date,
        max(source_type) as source_type,
        count(*) as intervals,
        count(case when fetch_status = 'ok' then 1 end) as intervals_ok,
        count(case when fetch_status = 'empty' then 1 end) as intervals_empty,
        count(case when fetch_status = 'error' then 1 end) as intervals_error,
        sum(items_read) as items_read,
        sum(items_landed) as items_landed,
        sum(items_duplicate) as items_duplicate,
        sum(items_quarantined) as items_quarantined,
        avg(latency_ms) as mean_latency_ms,
        max(interval_end) as last_interval_end
    from health
    group by source_id, interval_date

),

final as (

    select
        {{ dbt.concat(['source_id', "'|'", 'cast(health_date as ' ~ dbt.type_string() ~ ')']) }} as source_day_id,
        *,
        intervals_error = 0 as is_healthy,
        items_read = items_landed + items_duplicate + items_quarantined as is_count_balanced
    from daily

)

select * from final
