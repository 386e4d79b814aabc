{#-
    One row per spike (fct_topic_spikes.is_spike) with the evidence an analyst opens first:
    the `alert_examples` most negative items of that topic and day.
-#}

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
        spikes.topic_id,
        spikes.mention_date,
    from {{ ref('fct_mentions') }} as mentions
    inner join spikes
        on mentions.mention_date = spikes.mention_date
        and list_contains(mentions.topics, spikes.topic_id)

),

ranked_mentions as (

    -- evidence: the most negative scored items first, unscored last, item_id breaks ties (the
    -- same order as int_mention_topics_ranked.negativity_rank)
    select
        *,
        row_number() over (
            partition by topic_id, mention_date
            order by sentiment_compound asc nulls last, item_id
        ) as negativity_rank,
    from spike_mentions

),

examples as (

    select
        topic_id,
        mention_date,
        list(item_id order by negativity_rank) as example_item_ids,
        list(title order by negativity_rank) as example_titles,
        list(url order by negativity_rank) as example_urls,
        list(source_id order by negativity_rank) as example_source_ids,
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
    from spikes
    left join topics
        on spikes.topic_id = topics.topic_id
    left join examples
        on spikes.topic_id = examples.topic_id
        and spikes.mention_date = examples.mention_date

)

select * from final
