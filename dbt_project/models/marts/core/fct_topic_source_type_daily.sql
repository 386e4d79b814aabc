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
    Topic x source type x day, zero-filled, see the docs block fct_topic_source_type_daily: the
    source-type slices of int_topic_dimension_daily (the measures of fct_topic_daily over the
    items of one source type; stories and coverage are counted within the type).
-#}

with topic_source_type_days as (

    select
        *,
        dimension_value as source_type
    from {{ ref('int_topic_dimension_daily') }}
    where dimension = 'source_type'

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'source_type', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }}
            as topic_source_type_day_id,
        topic_id,
        source_type,
        mention_date,
        {{ topic_measure_columns() }}
    from topic_source_type_days

)

select * from final
