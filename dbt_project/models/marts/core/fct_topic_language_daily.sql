{{ config(materialized='incremental', event_time='mention_date') }}

{#-
    Topic x language x day, see the docs block fct_topic_language_daily: the language slices of
    int_topic_dimension_daily (the measures of fct_topic_daily over the items detected in the
    language; every topic is zero-filled in a language from the first day one of its items matched
    a topic). fct_topic_spikes judges each language against its own baseline from these rows.
-#}

{{ topic_dimension_slice('language', 'topic_language_day_id', 'language') }}
