{{ config(materialized='incremental', event_time='mention_date') }}

{#-
    Topic x day, zero-filled (every topic on every observed day), see the docs block
    fct_topic_daily: the whole-day slice of int_topic_dimension_daily, where the grid, coverage
    and measures are defined. One batch reads and replaces one day (delete + insert on
    mention_date).
-#}

{{ topic_dimension_slice('all', 'topic_day_id') }}
