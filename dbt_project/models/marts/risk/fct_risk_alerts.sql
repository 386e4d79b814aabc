{#-
    One row per spike (fct_topic_spikes.is_spike) with the evidence an analyst opens first:
    the `alert_examples` most negative items of that topic and day, and what drove the spike:
    the taxonomy terms with the highest lift over the topic's baseline window, the sources and
    the platforms that carried most of the day's mentions (see the docs block alert_explanation).
-#}

{%- set window_days = var('baseline_window_days') | int -%}
{%- set guard_days = var('baseline_guard_days') | int -%}
{%- set top_n = var('alert_explanation_top') | int -%}

with spikes as (

    select * from {{ ref('fct_topic_spikes') }}
    where is_spike

),

topics as (

    select topic_id, topic_name from {{ ref('dim_topics') }}

),

spike_mentions as (

    -- the items of the spiking topic-days; read from the fct_mentions table (not the
    -- intermediate views over every scored part), so the cost follows the spikes, not history
    select
        mentions.item_id,
        mentions.title,
        mentions.url,
        mentions.source_id,
        mentions.sentiment_compound,
        mentions.matched_terms,
        mentions.platforms,
        spikes.topic_id,
        spikes.mention_date
    from {{ ref('fct_mentions') }} as mentions
    inner join spikes
        on mentions.mention_date = spikes.mention_date
        and spikes.topic_id = any(mentions.topics)

),

baseline_mentions as (

    -- the topic's items over the spike's baseline window (t-9 .. t-3 by default), for term lift
    select
        mentions.item_id,
        mentions.matched_terms,
        spikes.topic_id,
        spikes.mention_date
    from {{ ref('fct_mentions') }} as mentions
    inner join spikes
        on mentions.mention_date >= {{ dbt.dateadd('day', -(guard_days + window_days), 'spikes.mention_date') }}
        and mentions.mention_date <= {{ dbt.dateadd('day', -(guard_days + 1), 'spikes.mention_date') }}
        and spikes.topic_id = any(mentions.topics)

),

spike_terms as (

    -- matched terms are '<topic_id>:<term>'; only the spiking topic's own terms explain it
    select
        spike_mentions.topic_id,
        spike_mentions.mention_date,
        term.matched_term,
        count(distinct spike_mentions.item_id) as term_mentions
    from spike_mentions
    cross join unnest(spike_mentions.matched_terms) as term(matched_term)
    where starts_with(term.matched_term, spike_mentions.topic_id || ':')
    group by spike_mentions.topic_id, spike_mentions.mention_date, term.matched_term

),

baseline_terms as (

    select
        baseline_mentions.topic_id,
        baseline_mentions.mention_date,
        term.matched_term,
        count(distinct baseline_mentions.item_id) as term_mentions
    from baseline_mentions
    cross join unnest(baseline_mentions.matched_terms) as term(matched_term)
    where starts_with(term.matched_term, baseline_mentions.topic_id || ':')
    group by baseline_mentions.topic_id, baseline_mentions.mention_date, term.matched_term

),

term_lift as (

    -- lift = (mentions today + 1) / (mean daily mentions over the baseline window + 1): add-one
    -- smoothing keeps a term never seen before from an infinite lift
    select
        spike_terms.topic_id,
        spike_terms.mention_date,
        {{ dbt.split_part('spike_terms.matched_term', "':'", 2) }} as term,
        spike_terms.term_mentions,
        (spike_terms.term_mentions + 1.0)
            / (coalesce(baseline_terms.term_mentions, 0) / {{ window_days }}.0 + 1.0) as term_lift
    from spike_terms
    left join baseline_terms
        on spike_terms.topic_id = baseline_terms.topic_id
        and spike_terms.mention_date = baseline_terms.mention_date
        and spike_terms.matched_term = baseline_terms.matched_term

),

top_terms as (

    select
        topic_id,
        mention_date,
        array_agg(term order by term_lift desc, term_mentions desc, term) as terms,
        array_agg({{ round_double('term_lift', 2) }} order by term_lift desc, term_mentions desc, term) as term_lifts
    from (
        select
            *,
            row_number() over (
                partition by topic_id, mention_date order by term_lift desc, term_mentions desc, term
            ) as term_rank
        from term_lift
    ) as ranked_terms
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
    from spike_mentions
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
        spike_mentions.topic_id,
        spike_mentions.mention_date,
        platform.platform_id,
        count(distinct spike_mentions.item_id) as platform_mentions,
        row_number() over (
            partition by spike_mentions.topic_id, spike_mentions.mention_date
            order by count(distinct spike_mentions.item_id) desc, platform.platform_id
        ) as platform_rank
    from spike_mentions
    cross join unnest(spike_mentions.platforms) as platform(platform_id)
    group by spike_mentions.topic_id, spike_mentions.mention_date, platform.platform_id

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

ranked_mentions as (

    -- evidence: the most negative scored items first, unscored last, item_id breaks ties (the
    -- same order as int_mention_topics_ranked.negativity_rank)
    select
        *,
        row_number() over (
            partition by topic_id, mention_date
            order by sentiment_compound asc nulls last, item_id
        ) as negativity_rank
    from spike_mentions

),

examples as (

    select
        topic_id,
        mention_date,
        array_agg(item_id order by negativity_rank) as example_item_ids,
        array_agg(title order by negativity_rank) as example_titles,
        array_agg(url order by negativity_rank) as example_urls,
        array_agg(source_id order by negativity_rank) as example_source_ids
    from ranked_mentions
    where negativity_rank <= {{ var('alert_examples') }}
    group by topic_id, mention_date

),

final as (

    select
        {{ dbt.hash(dbt.concat(['spikes.topic_id', "'|'", 'cast(spikes.mention_date as ' ~ dbt.type_string() ~ ')'])) }} as alert_id,
        spikes.topic_id,
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
        examples.example_item_ids,
        examples.example_titles,
        examples.example_urls,
        examples.example_source_ids,
        coalesce(top_terms.terms, array[]::varchar[]) as top_terms,
        coalesce(top_terms.term_lifts, array[]::double precision[]) as top_term_lifts,
        coalesce(top_sources.source_ids, array[]::varchar[]) as top_source_ids,
        coalesce(top_sources.source_mentions, array[]::bigint[]) as top_source_mentions,
        coalesce(top_platforms.platform_ids, array[]::varchar[]) as top_platform_ids,
        coalesce(top_platforms.platform_mentions, array[]::bigint[]) as top_platform_mentions
    from spikes
    left join topics
        on spikes.topic_id = topics.topic_id
    left join examples
        on spikes.topic_id = examples.topic_id
        and spikes.mention_date = examples.mention_date
    left join top_terms
        on spikes.topic_id = top_terms.topic_id
        and spikes.mention_date = top_terms.mention_date
    left join top_sources
        on spikes.topic_id = top_sources.topic_id
        and spikes.mention_date = top_sources.mention_date
    left join top_platforms
        on spikes.topic_id = top_platforms.topic_id
        and spikes.mention_date = top_platforms.mention_date

)

select * from final
