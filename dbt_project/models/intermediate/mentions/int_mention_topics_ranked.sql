{{ config(event_time='published_at') }}

with mention_topics as (

    select * from {{ ref('int_mention_topics_exploded') }}

),

ranked as (

    -- evidence for an alert: the most negative scored items of the topic that day first;
    -- unscored items last; item_id breaks ties so the choice is stable across reruns
    select
        *,
        row_number() over (
            partition by topic_id, mention_date
            order by sentiment_compound asc nulls last, item_id
        ) as negativity_rank

    from mention_topics

),

final as (

    select * from ranked

)

select * from final
