{{ config(event_time='mention_date') }}

{#-
    The explanation candidates of every topic, language and day in long form, ranked once: the taxonomy
    terms of the topic that matched that day (by lift over the baseline window, int_topic_term_lift),
    the sources and the platforms that carried the topic's items (by items). One row per topic,
    day, evidence kind ('term', 'source', 'platform') and value; evidence_rank 1 is the first an
    analyst reads. fct_topic_evidence_daily keeps the top `alert_explanation_top` of each kind.
-#}

with candidates as (

    -- ranking_score: the term's lift; for a source or platform, the items it carried
    select
        topic_id,
        language,
        mention_date,
        cast('term' as varchar) as evidence_kind,
        term as evidence_value,
        term_mentions as item_mentions,
        term_lift,
        term_lift as ranking_score
    from {{ ref('int_topic_term_lift') }}
    union all
    select
        topic_id,
        language,
        mention_date,
        'source',
        source_id,
        count(distinct item_id),
        null,
        count(distinct item_id)
    from {{ ref('int_mention_topics') }}
    group by topic_id, language, mention_date, source_id
    union all
    select
        mention_topics.topic_id,
        mention_topics.language,
        mention_topics.mention_date,
        'platform',
        platform.platform_id,
        count(distinct mention_topics.item_id),
        null,
        count(distinct mention_topics.item_id)
    from {{ ref('int_mention_topics') }} as mention_topics
    cross join unnest(mention_topics.platforms) as platform(platform_id)
    group by mention_topics.topic_id, mention_topics.language, mention_topics.mention_date, platform.platform_id

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'language', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')', "'|'",
                       'evidence_kind', "'|'", 'evidence_value']) }} as topic_language_day_evidence_id,
        topic_id,
        language,
        mention_date,
        evidence_kind,
        evidence_value,
        item_mentions,
        term_lift,
        row_number() over (
            partition by topic_id, language, mention_date, evidence_kind
            order by ranking_score desc, item_mentions desc, evidence_value
        ) as evidence_rank
    from candidates

)

select * from final
