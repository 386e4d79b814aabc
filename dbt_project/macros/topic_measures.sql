{#
    The measure block of the topic marts, one definition for fct_topic_daily (topic x day),
    fct_topic_platform_daily (topic x platform x day) and fct_topic_source_type_daily
    (topic x source type x day). A mart builds three steps with them:

    1. `topic_measure_counts()`: the counts of a topic in its slice and day, as aggregates over
       mention-topic rows (columns item_id, story_id, source_id, is_scored, is_negative,
       is_positive, sentiment_compound, mentions_own_platform), grouped by the mart's grain.
    2. `topic_measure_zero_fill(totals)`: the same columns from the left-joined CTE `totals`, 0
       on grid rows without mentions.
    3. `topic_measure_ratios(slice_columns)`: every output measure from the filled counts plus
       day_stories, active_sources and enabled_sources (the slice's denominators).
       `slice_columns` partitions share_of_voice (topics of the same day and slice).
    Steps 1 and 3 end without a comma (the caller's `from` follows), step 2 with one (the
    denominators follow): PostgreSQL has no trailing commas.
#}

{% macro topic_measure_count_columns() %}
    {{ return(['mentions', 'stories', 'scored_mentions', 'negative_mentions', 'positive_mentions',
               'compound_sum', 'sources', 'own_platform_mentions']) }}
{% endmacro %}

{% macro topic_measure_counts() %}
        count(distinct item_id) as mentions,
        -- syndicated copies of one story share story_id: a story counts once, every copy in mentions
        count(distinct story_id) as stories,
        count(distinct case when is_scored then item_id end) as scored_mentions,
        count(distinct case when is_scored and is_negative then item_id end) as negative_mentions,
        count(distinct case when is_scored and is_positive then item_id end) as positive_mentions,
        -- summed as a decimal: exact and independent of row order, so a rerun gives identical values
        cast(sum(case when is_scored then cast(sentiment_compound as decimal(18, 6)) end) as double precision) as compound_sum,
        count(distinct source_id) as sources,
        count(distinct case when mentions_own_platform then item_id end) as own_platform_mentions
{%- endmacro %}

{% macro topic_measure_zero_fill(totals) %}
    {%- for column in topic_measure_count_columns() %}
        coalesce({{ totals }}.{{ column }}, 0) as {{ column }},
    {%- endfor %}
{%- endmacro %}

{% macro topic_measure_ratios(slice_columns=[]) %}
    {%- set partition_by = (['mention_date'] + slice_columns) | join(', ') %}
        mentions,
        stories,
        scored_mentions,
        mentions - scored_mentions as unscored_mentions,
        {{ safe_divide('mentions - scored_mentions', 'mentions') }} as unscored_share,
        negative_mentions,
        positive_mentions,
        {{ safe_divide('negative_mentions', 'scored_mentions') }} as negative_share,
        {{ safe_divide('positive_mentions - negative_mentions', 'scored_mentions') }} as net_sentiment,
        compound_sum,
        {{ safe_divide('compound_sum', 'scored_mentions') }} as mean_compound,
        sum(mentions) over (partition by {{ partition_by }}) as topical_mentions,
        {{ safe_divide('mentions', 'sum(mentions) over (partition by ' ~ partition_by ~ ')') }} as share_of_voice,
        day_stories,
        {{ safe_divide('stories', 'day_stories') }} as attention_share,
        sources,
        own_platform_mentions,
        active_sources,
        enabled_sources,
        {{ safe_divide('active_sources', 'enabled_sources') }} as source_coverage,
        coalesce(active_sources < {{ var('min_source_coverage') }} * enabled_sources, true) as is_coverage_degraded
{%- endmacro %}
