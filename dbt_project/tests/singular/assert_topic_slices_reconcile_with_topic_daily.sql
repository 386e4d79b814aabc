-- Assert the slice marts agree with fct_topic_daily: per topic and day, mentions, scored,
-- negative and positive mentions summed over source types equal fct_topic_daily's (every item
-- has one source type), and a topic x platform slice never counts more than the topic-day
-- itself; in both marts stories <= mentions and scored <= mentions.

with topic_daily as (

    select topic_id, mention_date, mentions, scored_mentions, negative_mentions, positive_mentions
    from {{ ref('fct_topic_daily') }}

),

by_source_type as (

    select
        topic_id,
        mention_date,
        sum(mentions) as mentions,
        sum(scored_mentions) as scored_mentions,
        sum(negative_mentions) as negative_mentions,
        sum(positive_mentions) as positive_mentions
    from {{ ref('fct_topic_source_type_daily') }}
    group by topic_id, mention_date

),

source_type_mismatches as (

    select
        'source types do not add up to fct_topic_daily' as problem,
        topic_daily.topic_id,
        topic_daily.mention_date
    from topic_daily
    full outer join by_source_type
        on topic_daily.topic_id = by_source_type.topic_id
        and topic_daily.mention_date = by_source_type.mention_date
    where topic_daily.topic_id is null
        or by_source_type.topic_id is null
        or topic_daily.mentions <> by_source_type.mentions
        or topic_daily.scored_mentions <> by_source_type.scored_mentions
        or topic_daily.negative_mentions <> by_source_type.negative_mentions
        or topic_daily.positive_mentions <> by_source_type.positive_mentions

),

platform_excess as (

    select
        'platform slice above its topic-day' as problem,
        platforms.topic_id,
        platforms.mention_date
    from {{ ref('fct_topic_platform_daily') }} as platforms
    left join topic_daily
        on platforms.topic_id = topic_daily.topic_id
        and platforms.mention_date = topic_daily.mention_date
    where topic_daily.topic_id is null
        or platforms.mentions > topic_daily.mentions
        or platforms.negative_mentions > topic_daily.negative_mentions

),

slice_counts as (

    select topic_id, mention_date, mentions, stories, scored_mentions
    from {{ ref('fct_topic_platform_daily') }}
    union all
    select topic_id, mention_date, mentions, stories, scored_mentions
    from {{ ref('fct_topic_source_type_daily') }}

),

inconsistent_counts as (

    select
        'stories or scored above mentions' as problem,
        topic_id,
        mention_date
    from slice_counts
    where stories > mentions
        or scored_mentions > mentions

),

final as (

    select * from source_type_mismatches
    union all
    select * from platform_excess
    union all
    select * from inconsistent_counts

)

select * from final
