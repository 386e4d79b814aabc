{{ config(event_time='interval_start') }}

with source as (

    select * from {{ zone_source_or_empty('riskradar', 'dq_results', 'dq_results/step=*/date=*/*.parquet') }}

),

renamed as (

    select
        run_id,
        step,
        suite,
        expectation,
        severity,
        coalesce(success, false) as is_success,
        observed_value,
        unexpected_count,
        element_count,
        cast(interval_start as timestamptz) as interval_start,
        cast(interval_end as timestamptz) as interval_end,
        cast(timezone('UTC', cast(interval_start as timestamptz)) as date) as interval_date,
        cast(validated_at as timestamptz) as validated_at

    from source

),

final as (

    select * from renamed

)

select * from final
