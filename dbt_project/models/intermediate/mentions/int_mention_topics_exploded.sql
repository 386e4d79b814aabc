{{ config(event_time='published_at') }}

with mentions as (

    select * from {{ ref('int_mentions_deduplicated') }}

),

exploded as (

    select
        item_id,
        unnest(topics) as topic_id,
        story_id,
        source_id,
        source_type,
        published_at,
        mention_date,
        title,
        url,
        is_scored,
        sentiment_compound,
        sentiment_label

    from mentions

),

final as (

    select
        item_id || '|' || topic_id as mention_topic_id,
        *
    from exploded
    where topic_id is not null

)

select * from final
