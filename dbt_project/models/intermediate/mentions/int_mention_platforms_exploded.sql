{{ config(event_time='published_at') }}

with mentions as (

    select * from {{ ref('int_mentions_deduplicated') }}

),

exploded as (

    select
        item_id,
        unnest(platforms) as platform_id,
        story_id,
        source_id,
        published_at,
        mention_date,
        is_scored,
        sentiment_compound,
        sentiment_label

    from mentions

),

final as (

    select
        item_id || '|' || platform_id as mention_platform_id,
        *
    from exploded
    where platform_id is not null

)

select * from final
