{{
    config(
        materialized='incremental',
        incremental_strategy='microbatch',
        event_time='published_at',
        batch_size=var('microbatch_batch_size'),
        begin=var('microbatch_begin'),
        lookback=var('microbatch_lookback'),
        on_schema_change='append_new_columns'
    )
}}

{#-
    One row per distinct item, on the UTC day it was published; see the docs block fct_mentions.
    A batch (day D) reads only the scored parts of days D-max_publish_ahead_days ..
    D+version_horizon_days (partition pruning on the part's date: an item is fetched after it is
    published, with a day of slack for clocks; its repeats and corrections within the horizon
    count), keeps each item's latest version over those parts (the macro shared with
    int_mentions_deduplicated), then keeps the items published on D. A daily run therefore reads
    three days of parts whatever the history, and a backfill gives the same rows as daily runs
    (the daily build rebuilds D-1 too, when the parts of D exist). dbt replaces the batch
    (delete + insert on published_at).
-#}

{%- set batch = model.batch if model.batch is defined else none -%}

with parts as (

    -- `.render()`: no automatic event-time filter here; dedup must see every version first
    select * from {{ ref('stg_riskradar__mentions').render() }}
    {%- if batch %}
    where partition_date >= {{ dbt.dateadd('day', -(var('max_publish_ahead_days') | int),
                                           "cast('" ~ batch.event_time_start.strftime('%Y-%m-%d') ~ "' as date)") }}
        and partition_date < {{ dbt.dateadd('day', var('version_horizon_days') | int,
                                            "cast('" ~ batch.event_time_end.strftime('%Y-%m-%d') ~ "' as date)") }}
    {%- endif %}

),

latest_versions as (

    {{ latest_item_versions('parts') }}

),

batch_items as (

    select * from latest_versions
    {%- if batch %}
    where published_at >= cast('{{ batch.event_time_start }}' as {{ dbt.type_timestamp() }})
        and published_at < cast('{{ batch.event_time_end }}' as {{ dbt.type_timestamp() }})
    {%- endif %}

),

own_platforms as (

    -- the taxonomy's own platform(s) (`own: true`), never a literal here
    select platform_id from {{ ref('stg_riskradar__platforms') }}
    where is_own_platform

),

final as (

    select
        item_id,
        story_id,
        source_id,
        source_type,
        published_at,
        mention_date,
        is_published_at_fallback,
        title,
        summary,
        url,
        author,
        language,
        detected_language,
        is_scored,
        sentiment_neg,
        sentiment_neu,
        sentiment_pos,
        sentiment_compound,
        sentiment_label,
        sentiment_label = 'negative' as is_negative,
        sentiment_label = 'positive' as is_positive,
        topics,
        cardinality(topics) as topic_count,
        cardinality(topics) > 0 as has_topic,
        matched_terms,
        platforms,
        exists (
            select 1 from own_platforms where own_platforms.platform_id = any(batch_items.platforms)
        ) as mentions_own_platform,
        taxonomy_version,
        lexicon_version,
        times_seen,
        interval_start as last_seen_interval_start,
        run_id as last_run_id

    from batch_items

)

select * from final
