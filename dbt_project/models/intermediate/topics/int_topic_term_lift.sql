{{ config(event_time='mention_date') }}

{#-
    Per topic, language, day and taxonomy term of that topic matched that day (each language has
    its own terms, and its own baseline): the items carrying it, the
    items carrying it over the day's baseline window (the days fct_topic_spikes' baseline uses,
    t-(guard+window) .. t-(guard+1)), and the term's lift over that window:
    lift = (items today + 1) / (mean daily items over the window + 1). Add-one smoothing keeps a
    term never seen before from an infinite lift. matched_terms are '<topic_id>:<term>'; only the
    topic's own terms count.
-#}

{%- set window_days = var('baseline_window_days') | int -%}
{%- set guard_days = var('baseline_guard_days') | int -%}

with topic_day_terms as (

    select
        mention_topics.topic_id,
        mention_topics.language,
        mention_topics.mention_date,
        {{ dbt.split_part('term.matched_term', "':'", 2) }} as term,
        count(distinct mention_topics.item_id) as term_mentions
    from {{ ref('int_mention_topics') }} as mention_topics
    cross join unnest(mention_topics.matched_terms) as term(matched_term)
    where starts_with(term.matched_term, mention_topics.topic_id || ':')
    group by mention_topics.topic_id, mention_topics.language, mention_topics.mention_date, term.matched_term

),

baseline_terms as (

    select
        today.topic_id,
        today.language,
        today.mention_date,
        today.term,
        cast(sum(baseline.term_mentions) as bigint) as baseline_term_mentions
    from topic_day_terms as today
    inner join topic_day_terms as baseline
        on today.topic_id = baseline.topic_id
        and today.language = baseline.language
        and today.term = baseline.term
        and baseline.mention_date >= {{ dbt.dateadd('day', -(guard_days + window_days), 'today.mention_date') }}
        and baseline.mention_date <= {{ dbt.dateadd('day', -(guard_days + 1), 'today.mention_date') }}
    group by today.topic_id, today.language, today.mention_date, today.term

),

final as (

    select
        {{ dbt.concat(['topic_day_terms.topic_id', "'|'", 'topic_day_terms.language', "'|'",
                       'cast(topic_day_terms.mention_date as ' ~ dbt.type_string() ~ ')',
                       "'|'", 'topic_day_terms.term']) }} as topic_language_day_term_id,
        topic_day_terms.topic_id,
        topic_day_terms.language,
        topic_day_terms.mention_date,
        topic_day_terms.term,
        topic_day_terms.term_mentions,
        coalesce(baseline_terms.baseline_term_mentions, 0) as baseline_term_mentions,
        cast(
            (topic_day_terms.term_mentions + 1.0)
            / (coalesce(baseline_terms.baseline_term_mentions, 0) / {{ window_days }}.0 + 1.0)
            as double precision
        ) as term_lift
    from topic_day_terms
    left join baseline_terms
        on topic_day_terms.topic_id = baseline_terms.topic_id
        and topic_day_terms.language = baseline_terms.language
        and topic_day_terms.mention_date = baseline_terms.mention_date
        and topic_day_terms.term = baseline_terms.term

)

select * from final
