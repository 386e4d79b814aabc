{{ config(event_time='partition_date') }}

with source as (

    select * from {{ zone_source_or_empty('riskradar', 'source_health', 'source_health/source=*/date=*/part-*.parquet') }}

),

renamed as (

    select
        source_id,
        source_type,
        status as fetch_status,
        http_status,
        error as error_message,
        items_read,
        items_landed,
        items_duplicate,
        items_quarantined,
        latency_ms,
        cast(interval_start as timestamptz) as interval_start,
        cast(interval_end as timestamptz) as interval_end,
        cast(timezone('UTC', cast(interval_start as timestamptz)) as date) as interval_date,
        run_id,
        status = 'ok' as is_fetch_ok,
        -- the part's `date=` directory (= interval_date by contract): the event time, so a
        -- microbatch batch prunes the zone to its own day's files
        cast("date" as date) as partition_date

    from source

),

final as (

    select * from renamed

)

select * from final
