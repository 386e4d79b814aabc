{{ config(materialized='incremental', event_time='mention_date') }}

{#-
    Topic x source type x day, zero-filled, see the docs block fct_topic_source_type_daily: the
    source-type slices of int_topic_dimension_daily (the measures of fct_topic_daily over the
    items of one source type; stories and coverage are counted within the type).
-#}

{{ topic_dimension_slice('source_type', 'topic_source_type_day_id', 'source_type') }}
