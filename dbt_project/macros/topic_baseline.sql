{#
    Baseline of each topic-language-day over the same topic's days in the same language,
    t-(guard+window) .. t-(guard+1) (t-9 .. t-3 by default), from `days_relation` (a CTE with
    topic_id, language, mention_date, mentions, negative_mentions, scored_mentions). `exclude_column`, when given, names a boolean column of
    `days_relation`: history days where it is true are left out of the baseline.
#}
{% macro topic_baseline(days_relation, exclude_column=none) %}
    {%- set window_days = var('baseline_window_days') | int -%}
    {%- set guard_days = var('baseline_guard_days') | int -%}
    select
        scored_day.topic_id,
        scored_day.language,
        scored_day.mention_date,
        count(history.mention_date) as baseline_days,
        avg(cast(history.mentions as double precision)) as baseline_mean,
        stddev_samp(cast(history.mentions as double precision)) as baseline_std,
        sum(history.negative_mentions) as baseline_negative_mentions,
        sum(history.scored_mentions) as baseline_scored_mentions
    from {{ days_relation }} as scored_day
    left join {{ days_relation }} as history
        on history.topic_id = scored_day.topic_id
        and history.language = scored_day.language
        and history.mention_date >= {{ dbt.dateadd('day', -(guard_days + window_days), 'scored_day.mention_date') }}
        and history.mention_date <= {{ dbt.dateadd('day', -(guard_days + 1), 'scored_day.mention_date') }}
        {%- if exclude_column %}
        and not history.{{ exclude_column }}
        {%- endif %}
    group by scored_day.topic_id, scored_day.language, scored_day.mention_date
{% endmacro %}

{#
    z = (mentions - mean) / max(std, spike_min_std, sqrt(mean) when spike_poisson_floor); null while
    the baseline is too short. The sqrt(mean) floor is the Poisson standard deviation: a topic
    whose last week happened to be flat (std ~ 0) would otherwise turn a count of 7 against a
    mean of 3 into z = 4. With it, low counts need a Poisson-sized surprise.
#}
{% macro spike_std(baseline_mean, baseline_std) %}
    greatest(
        coalesce({{ baseline_std }}, 0),
        {{ var('spike_min_std') }},
        {%- if var('spike_poisson_floor') %}
        sqrt(greatest(coalesce({{ baseline_mean }}, 0), 0))
        {%- else %}
        0
        {%- endif %}
    )
{% endmacro %}

{% macro spike_z_score(mentions, baseline_mean, baseline_std, baseline_days) %}
    case
        when {{ baseline_days }} >= {{ var('baseline_min_days') }}
            then ({{ mentions }} - {{ baseline_mean }}) / {{ spike_std(baseline_mean, baseline_std) }}
    end
{% endmacro %}

{#
    The smallest mention count that passes the spike rule on the day (null without a baseline):
    the line charts and the brief draw, so the band and the rule cannot drift apart.
#}
{% macro spike_threshold_mentions(baseline_mean, baseline_std, baseline_days) %}
    case
        when {{ baseline_days }} >= {{ var('baseline_min_days') }}
            then greatest(
                {{ baseline_mean }} + {{ var('spike_z_threshold') }} * {{ spike_std(baseline_mean, baseline_std) }},
                {{ var('spike_min_mentions') }},
                {{ var('spike_min_lift') }} * {{ baseline_mean }}
            )
    end
{% endmacro %}

{#
    The spike rule: z over the threshold, enough mentions, at least `spike_min_lift` times the
    baseline mean (a big z on a tiny, steady baseline is not news), enough baseline days.
#}
{% macro spike_rule(z_score, mentions, baseline_days, baseline_mean) %}
    coalesce(
        {{ z_score }} >= {{ var('spike_z_threshold') }}
        and {{ mentions }} >= {{ var('spike_min_mentions') }}
        and {{ mentions }} >= {{ var('spike_min_lift') }} * {{ baseline_mean }}
        and {{ baseline_days }} >= {{ var('baseline_min_days') }},
        false
    )
{% endmacro %}

{#
    The id of the alert on a topic x language x day: md5 of topic_id|mention_date for English (the
    id alerts had before languages, so alert events recorded then still apply), of
    topic_id|language|mention_date for any other language. fct_risk_alerts and
    fct_alert_baseline_exclusions both use it.
#}
{% macro risk_alert_id(topic_id, language, mention_date) %}
    case
        when {{ language }} = 'en'
            then {{ dbt.hash(dbt.concat([topic_id, "'|'", 'cast(' ~ mention_date ~ ' as ' ~ dbt.type_string() ~ ')'])) }}
        else {{ dbt.hash(dbt.concat([topic_id, "'|'", language, "'|'",
                                     'cast(' ~ mention_date ~ ' as ' ~ dbt.type_string() ~ ')'])) }}
    end
{% endmacro %}
