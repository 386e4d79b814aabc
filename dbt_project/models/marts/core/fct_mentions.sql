{{ config(materialized='incremental', event_time='published_at') }}

{#-
    One row per distinct item, on the UTC day it was published; see the docs block fct_mentions.
    The latest version of each item comes from int_mentions_deduplicated (filtered by dbt to the
    batch day on published_at); this mart adds the sentiment flags, topic counts and the own
    platform. dbt replaces the batch (delete + insert on published_at).
-#}

with latest_versions as (

    select * from {{ ref('int_mentions_deduplicated') }}

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
            select 1 from own_platforms where own_platforms.platform_id = any(latest_versions.platforms)
        ) as mentions_own_platform,
        taxonomy_version,
        lexicon_version,
        times_seen,
        interval_start as last_seen_interval_start,
        run_id as last_run_id

    from latest_versions

)

select * from final
