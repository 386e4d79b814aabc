{#-
    One row per spike (fct_topic_spikes.is_spike: a topic in one language on one day) with the
    evidence an analyst opens first, as fct_topic_evidence_daily defines it for every topic,
    language and day (so the examples are in the alert's language): example items, the terms with
    the highest lift over the baseline window, the sources and platforms that carried the day
    (see the docs block alert_explanation). Nothing is ranked here.
-#}

with spikes as (

    select * from {{ ref('fct_topic_spikes') }}
    where is_spike

),

topics as (

    select topic_id, topic_name from {{ ref('dim_topics') }}

),

evidence as (

    select * from {{ ref('fct_topic_evidence_daily') }}

),

final as (

    select
        {{ risk_alert_id('spikes.topic_id', 'spikes.language', 'spikes.mention_date') }} as alert_id,
        spikes.topic_id,
        spikes.language,
        coalesce(topics.topic_name, spikes.topic_id) as topic_name,
        spikes.mention_date,
        spikes.severity,
        spikes.z_score,
        spikes.mentions,
        spikes.baseline_mean,
        spikes.baseline_std,
        spikes.negative_share,
        spikes.baseline_negative_share,
        spikes.negative_share_delta,
        spikes.spike_score,
        spikes.spike_streak_days,
        evidence.example_item_ids,
        evidence.example_titles,
        evidence.example_urls,
        evidence.example_source_ids,
        evidence.top_terms,
        evidence.top_term_lifts,
        evidence.top_source_ids,
        evidence.top_source_mentions,
        evidence.top_platform_ids,
        evidence.top_platform_mentions,
        evidence.example_sentiment_compounds,
        evidence.example_story_copies,
        evidence.top_term_mentions
    from spikes
    left join topics
        on spikes.topic_id = topics.topic_id
    left join evidence
        on spikes.topic_id = evidence.topic_id
        and spikes.language = evidence.language
        and spikes.mention_date = evidence.mention_date

)

select * from final
