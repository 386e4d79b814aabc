{#
    Baseline of each topic-day over the same topic's days t-(guard+window) .. t-(guard+1)
    (t-9 .. t-3 by default), from `days_relation` (a CTE with topic_id, mention_date, mentions,
    negative_mentions, scored_mentions). `exclude_column`, when given, names a boolean column of
    `days_relation`: history days where it is true are left out of the baseline.
#}
{% macro topic_baseline(days_relation, exclude_column=none) %}
    {%- set window_days = var('baseline_window_days') | int -%}
    {%- set guard_days = var('baseline_guard_days') | int -%}
    select
        scored_day.topic_id,
        scored_day.mention_date,
        count(history.mention_date) as baseline_days,
        avg(cast(history.mentions as double)) as baseline_mean,
        stddev_samp(cast(history.mentions as double)) as baseline_std,
        sum(history.negative_mentions) as baseline_negative_mentions,
        sum(history.scored_mentions) as baseline_scored_mentions,
    from {{ days_relation }} as scored_day
    left join {{ days_relation }} as history
        on history.topic_id = scored_day.topic_id
        and history.mention_date >= {{ dbt.dateadd('day', -(guard_days + window_days), 'scored_day.mention_date') }}
        and history.mention_date <= {{ dbt.dateadd('day', -(guard_days + 1), 'scored_day.mention_date') }}
        {%- if exclude_column %}
        and not history.{{ exclude_column }}
        {%- endif %}
    group by scored_day.topic_id, scored_day.mention_date
{% endmacro %}

{# z = (mentions - mean) / max(std, spike_min_std); null while the baseline is too short. #}
{% macro spike_z_score(mentions, baseline_mean, baseline_std, baseline_days) %}
    case
        when {{ baseline_days }} >= {{ var('baseline_min_days') }}
            then ({{ mentions }} - {{ baseline_mean }})
                / greatest(coalesce({{ baseline_std }}, 0), {{ var('spike_min_std') }})
    end
{% endmacro %}

{# The spike rule: z over the threshold, enough mentions, enough baseline days. #}
{% macro spike_rule(z_score, mentions, baseline_days) %}
    coalesce(
        {{ z_score }} >= {{ var('spike_z_threshold') }}
        and {{ mentions }} >= {{ var('spike_min_mentions') }}
        and {{ baseline_days }} >= {{ var('baseline_min_days') }},
        false
    )
{% endmacro %}
