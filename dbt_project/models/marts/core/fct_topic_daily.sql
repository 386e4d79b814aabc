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
    Topic x day, zero-filled (every topic on every observed day), see the docs block
    fct_topic_daily: the whole-day slice of int_topic_dimension_daily, where the grid, coverage
    and measures are defined. One batch reads and replaces one day (delete + insert on
    mention_date).
-#}

with topic_days as (

    select * from {{ ref('int_topic_dimension_daily') }}
    where dimension = 'all'

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }} as topic_day_id,
        topic_id,
        mention_date,
        {{ topic_measure_columns() }}
    from topic_days

)

select * from final
