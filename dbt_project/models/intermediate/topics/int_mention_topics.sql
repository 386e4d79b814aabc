{{ config(event_time='mention_date') }}

{#-
    One row per item of fct_mentions (the latest version of each item) and taxonomy topic it
    matched: the topic explosion every topic mart and the evidence models count from. A view with
    mention_date as event time, so a microbatch mart that refs it reads only its batch day.
-#}

with mentions as (

    select * from {{ ref('fct_mentions') }}

),

exploded as (

    select
        mentions.item_id,
        topic.topic_id,
        mentions.mention_date,
        mentions.published_at,
        mentions.story_id,
        mentions.source_id,
        mentions.source_type,
        mentions.title,
        mentions.url,
        mentions.is_scored,
        mentions.is_negative,
        mentions.is_positive,
        mentions.sentiment_compound,
        mentions.mentions_own_platform,
        -- the item's detected language ('und' when none): evidence is ranked per language
        coalesce(mentions.detected_language, 'und') as language,
        mentions.matched_terms,
        mentions.platforms
    from mentions
    cross join unnest(mentions.topics) as topic(topic_id)

),

final as (

    select
        {{ dbt.concat(['item_id', "'|'", 'topic_id']) }} as mention_topic_id,
        *
    from exploded

)

select * from final
