-- Assert every topic mention in fct_mentions is counted once in fct_topic_daily, and nothing else is:
-- per day, sum(mentions) over topics equals the number of (item, topic) pairs in fct_mentions
-- (topics of dim_topics; a retired topic id is reported by the relationships test instead).

with topic_ids as (

    select topic_id from {{ ref('dim_topics') }}

),

mention_topic_pairs as (

    select
        mentions.mention_date,
        count(*) as pairs
    from {{ ref('fct_mentions') }} as mentions
    cross join unnest(mentions.topics) as topic(topic_id)
    where topic.topic_id in (select topic_id from topic_ids)
    group by mentions.mention_date

),

topic_daily as (

    select
        mention_date,
        sum(mentions) as mentions
    from {{ ref('fct_topic_daily') }}
    group by mention_date

),

final as (

    select
        coalesce(pairs.mention_date, daily.mention_date) as mention_date,
        coalesce(pairs.pairs, 0) as pairs_in_fct_mentions,
        daily.mentions as mentions_in_fct_topic_daily
    from mention_topic_pairs as pairs
    full outer join topic_daily as daily
        on pairs.mention_date = daily.mention_date
    -- a day only in fct_mentions is a day whose fct_topic_daily batch has not been built
    where daily.mention_date is not null
        and coalesce(pairs.pairs, 0) <> daily.mentions

)

select * from final
