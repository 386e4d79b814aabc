{{ config(event_time='date_day') }}

{#-
    One row per UTC day. MetricFlow joins metrics to it; the microbatch marts use it (filtered to
    the batch by its event_time) to zero-fill topic x day grids.
-#}

with days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('2020-01-01' as date)",
        end_date="cast('2031-01-01' as date)"
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
