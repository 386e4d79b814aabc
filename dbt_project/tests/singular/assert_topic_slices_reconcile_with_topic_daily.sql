-- Assert the slice marts agree with fct_topic_daily: per topic and day, mentions, scored,
-- negative and positive mentions summed over source types, and summed over languages, equal
-- fct_topic_daily's (every item has one source type and one language), and a topic x platform
-- slice never counts more than the topic-day itself; in every slice mart stories <= mentions and
-- scored <= mentions.

with topic_daily as (

    select topic_id, mention_date, mentions, scored_mentions, negative_mentions, positive_mentions
    from {{ ref('fct_topic_daily') }}

),

{%- set partitions = [('source types', ref('fct_topic_source_type_daily')),
                      ('languages', ref('fct_topic_language_daily'))] %}

by_partition as (

    -- a language's rows start on its first topical day: a topic-day with no language row counts 0
    {%- for name, relation in partitions %}
    select
        '{{ name }}' as partition_name,
        topic_id,
        mention_date,
        sum(mentions) as mentions,
        sum(scored_mentions) as scored_mentions,
        sum(negative_mentions) as negative_mentions,
        sum(positive_mentions) as positive_mentions
    from {{ relation }}
    group by topic_id, mention_date
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

partition_mismatches as (

    {%- for name, _ in partitions %}
    select
        '{{ name }} do not add up to fct_topic_daily' as problem,
        coalesce(topic_daily.topic_id, sums.topic_id) as topic_id,
        coalesce(topic_daily.mention_date, sums.mention_date) as mention_date
    from topic_daily
    full outer join (select * from by_partition where partition_name = '{{ name }}') as sums
        on topic_daily.topic_id = sums.topic_id
        and topic_daily.mention_date = sums.mention_date
    where topic_daily.topic_id is null
        or coalesce(sums.mentions, 0) <> topic_daily.mentions
        or coalesce(sums.scored_mentions, 0) <> topic_daily.scored_mentions
        or coalesce(sums.negative_mentions, 0) <> topic_daily.negative_mentions
        or coalesce(sums.positive_mentions, 0) <> topic_daily.positive_mentions
    {{ 'union all' if not loop.last }}
    {%- endfor %}

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
    union all
    select topic_id, mention_date, mentions, stories, scored_mentions
    from {{ ref('fct_topic_language_daily') }}

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

    select * from partition_mismatches
    union all
    select * from platform_excess
    union all
    select * from inconsistent_counts

)

select * from final
