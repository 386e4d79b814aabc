{{ config(event_time='mention_date') }}

{#-
    The example items of a topic in a language and day, ranked: one item per story (its earliest copy, so
    syndicated copies of one article do not fill the list; `story_copies` says how many items
    carried the story), scored items first, the most negative first, then the earliest,
    item_id breaking ties so the choice is stable across reruns. example_rank 1 is the first
    example an analyst reads.
-#}

with mention_topics as (

    select
        *,
        coalesce(story_id, item_id) as story_key
    from {{ ref('int_mention_topics') }}

),

story_copies as (

    select
        *,
        count(*) over (partition by topic_id, language, mention_date, story_key) as story_copies,
        row_number() over (
            partition by topic_id, language, mention_date, story_key
            order by published_at, item_id
        ) as copy_rank
    from mention_topics

),

ranked as (

    select
        mention_topic_id,
        item_id,
        topic_id,
        language,
        mention_date,
        story_id,
        source_id,
        title,
        url,
        published_at,
        is_scored,
        sentiment_compound,
        story_copies,
        row_number() over (
            partition by topic_id, language, mention_date
            order by is_scored desc, sentiment_compound asc nulls last, published_at, item_id
        ) as example_rank
    from story_copies
    where copy_rank = 1

),

final as (

    select * from ranked

)

select * from final
