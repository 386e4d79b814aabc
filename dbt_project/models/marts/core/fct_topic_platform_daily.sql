{{ config(materialized='incremental', event_time='mention_date') }}

{#-
    Topic x platform x day, see the docs block fct_topic_platform_daily: the platform slices of
    int_topic_dimension_daily (the measures of fct_topic_daily over the items that name the
    platform; a pair is zero-filled from the first day it was mentioned on).
-#}

{{ topic_dimension_slice('platform', 'topic_platform_day_id', 'platform_id') }}
