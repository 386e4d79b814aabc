{#-
    The evidence behind every topic x day of fct_topic_daily, spike or not, so the brief can explain a
    near-spike as well as an alert (see the docs block topic_evidence): the `alert_examples` example
    items (int_topic_examples_ranked), the `alert_explanation_top` terms with the highest lift over
    the baseline window (int_topic_term_lift), and the sources and platforms that carried most of the
    day's items. fct_risk_alerts, the brief and `riskradar alerts` read these columns; nothing else
    ranks evidence. Days without mentions have empty lists.
-#}

{%- set top_n = var('alert_explanation_top') | int -%}

with topic_days as (

    select topic_day_id, topic_id, mention_date from {{ ref('fct_topic_daily') }}

),

mention_topics as (

    select * from {{ ref('int_mention_topics') }}

),

examples as (

    select
        topic_id,
        mention_date,
        array_agg(item_id order by example_rank) as example_item_ids,
        array_agg(title order by example_rank) as example_titles,
        array_agg(url order by example_rank) as example_urls,
        array_agg(source_id order by example_rank) as example_source_ids,
        array_agg(sentiment_compound order by example_rank) as example_sentiment_compounds,
        array_agg(story_copies order by example_rank) as example_story_copies
    from {{ ref('int_topic_examples_ranked') }}
    where example_rank <= {{ var('alert_examples') }}
    group by topic_id, mention_date

),

ranked_terms as (

    select
        *,
        row_number() over (
            partition by topic_id, mention_date order by term_lift desc, term_mentions desc, term
        ) as term_rank
    from {{ ref('int_topic_term_lift') }}

),

top_terms as (

    select
        topic_id,
        mention_date,
        array_agg(term order by term_rank) as terms,
        array_agg({{ round_double('term_lift', 2) }} order by term_rank) as term_lifts,
        array_agg(term_mentions order by term_rank) as term_mentions
    from ranked_terms
    where term_rank <= {{ top_n }}
    group by topic_id, mention_date

),

source_counts as (

    select
        topic_id,
        mention_date,
        source_id,
        count(distinct item_id) as source_mentions,
        row_number() over (
            partition by topic_id, mention_date order by count(distinct item_id) desc, source_id
        ) as source_rank
    from mention_topics
    group by topic_id, mention_date, source_id

),

top_sources as (

    select
        topic_id,
        mention_date,
        array_agg(source_id order by source_rank) as source_ids,
        array_agg(source_mentions order by source_rank) as source_mentions
    from source_counts
    where source_rank <= {{ top_n }}
    group by topic_id, mention_date

),

platform_counts as (

    select
        mention_topics.topic_id,
        mention_topics.mention_date,
        platform.platform_id,
        count(distinct mention_topics.item_id) as platform_mentions,
        row_number() over (
            partition by mention_topics.topic_id, mention_topics.mention_date
            order by count(distinct mention_topics.item_id) desc, platform.platform_id
        ) as platform_rank
    from mention_topics
    cross join unnest(mention_topics.platforms) as platform(platform_id)
    group by mention_topics.topic_id, mention_topics.mention_date, platform.platform_id

),

top_platforms as (

    select
        topic_id,
        mention_date,
        array_agg(platform_id order by platform_rank) as platform_ids,
        array_agg(platform_mentions order by platform_rank) as platform_mentions
    from platform_counts
    where platform_rank <= {{ top_n }}
    group by topic_id, mention_date

),

final as (

    select
        topic_days.topic_day_id,
        topic_days.topic_id,
        topic_days.mention_date,
        coalesce(examples.example_item_ids, array[]::varchar[]) as example_item_ids,
        coalesce(examples.example_titles, array[]::varchar[]) as example_titles,
        coalesce(examples.example_urls, array[]::varchar[]) as example_urls,
        coalesce(examples.example_source_ids, array[]::varchar[]) as example_source_ids,
        coalesce(examples.example_sentiment_compounds, array[]::double precision[]) as example_sentiment_compounds,
        coalesce(examples.example_story_copies, array[]::bigint[]) as example_story_copies,
        coalesce(top_terms.terms, array[]::varchar[]) as top_terms,
        coalesce(top_terms.term_lifts, array[]::double precision[]) as top_term_lifts,
        coalesce(top_terms.term_mentions, array[]::bigint[]) as top_term_mentions,
        coalesce(top_sources.source_ids, array[]::varchar[]) as top_source_ids,
        coalesce(top_sources.source_mentions, array[]::bigint[]) as top_source_mentions,
        coalesce(top_platforms.platform_ids, array[]::varchar[]) as top_platform_ids,
        coalesce(top_platforms.platform_mentions, array[]::bigint[]) as top_platform_mentions
    from topic_days
    left join examples
        on topic_days.topic_id = examples.topic_id
        and topic_days.mention_date = examples.mention_date
    left join top_terms
        on topic_days.topic_id = top_terms.topic_id
        and topic_days.mention_date = top_terms.mention_date
    left join top_sources
        on topic_days.topic_id = top_sources.topic_id
        and topic_days.mention_date = top_sources.mention_date
    left join top_platforms
        on topic_days.topic_id = top_platforms.topic_id
        and topic_days.mention_date = top_platforms.mention_date

)

select * from final
