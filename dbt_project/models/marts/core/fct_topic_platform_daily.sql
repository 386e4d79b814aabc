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
    Topic x platform x day, see the docs block fct_topic_platform_daily: the platform slices of
    int_topic_dimension_daily (the measures of fct_topic_daily over the items that name the
    platform; a pair is zero-filled from the first day it was mentioned on).
-#}

with topic_platform_days as (

    select
        *,
        dimension_value as platform_id
    from {{ ref('int_topic_dimension_daily') }}
    where dimension = 'platform'

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'platform_id', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }}
            as topic_platform_day_id,
        topic_id,
        platform_id,
        mention_date,
        {{ topic_measure_columns() }}
    from topic_platform_days

)

select * from final
