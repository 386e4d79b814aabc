{{ config(event_time='mention_date') }}

{#-
    One row per item of fct_mentions (the latest version of each item) and platform it names: the
    platform explosion fct_topic_platform_daily counts from (event time mention_date: a microbatch
    batch reads its day). Items naming no platform are not in it.
-#}

with mentions as (

    select * from {{ ref('fct_mentions') }}

),

exploded as (

    select
        mentions.item_id,
        platform.platform_id,
        mentions.mention_date,
        mentions.story_id,
        mentions.source_id,
        mentions.is_scored,
        mentions.is_negative,
        mentions.is_positive,
        mentions.sentiment_compound,
        mentions.mentions_own_platform,
        mentions.topics
    from mentions
    cross join unnest(mentions.platforms) as platform(platform_id)

),

final as (

    select
        {{ dbt.concat(['item_id', "'|'", 'platform_id']) }} as mention_platform_id,
        *
    from exploded

)

select * from final
