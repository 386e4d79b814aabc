{#-
    Baseline and spike score per topic, language and day (EARS C2 style), see the docs block
    fct_topic_spikes: each language's series (fct_topic_language_daily) against its own baseline,
    so a wave in one language is not drowned by English volume. Two passes: the first flags spikes against the plain baseline; the second
    recomputes every baseline without the days the first pass flagged, so an incident that lasts
    longer than the guard does not become its own baseline. Rebuilt as a table on every run: it
    reads the small topic x day grid, and a rebuild keeps every day's baseline consistent with
    the days before it, in any build order.
-#}

with closed_alert_days as (

    -- spike days analysts closed as resolved or false positive (riskradar alerts resolve|dismiss)
    select topic_id, language, mention_date from {{ ref('fct_alert_baseline_exclusions') }}

),

topic_days as (

    select
        daily.*,
        closed_alert_days.topic_id is not null as is_closed_alert_day
    from {{ ref('fct_topic_language_daily') }} as daily
    left join closed_alert_days
        on daily.topic_id = closed_alert_days.topic_id
        and daily.language = closed_alert_days.language
        and daily.mention_date = closed_alert_days.mention_date

),

topics as (

    select topic_id, severity_weight from {{ ref('dim_topics') }}

),

first_pass_baseline as (

    {{ topic_baseline('topic_days', exclude_column='is_closed_alert_day') }}

),

first_pass as (

    select
        topic_days.*,
        {{ spike_rule(
            spike_z_score('topic_days.mentions', 'first_pass_baseline.baseline_mean',
                          'first_pass_baseline.baseline_std', 'first_pass_baseline.baseline_days'),
            'topic_days.mentions', 'first_pass_baseline.baseline_days',
            'first_pass_baseline.baseline_mean') }} as is_first_pass_spike
    from topic_days
    inner join first_pass_baseline
        on topic_days.topic_id = first_pass_baseline.topic_id
        and topic_days.language = first_pass_baseline.language
        and topic_days.mention_date = first_pass_baseline.mention_date

),

first_pass_exclusions as (

    select
        *,
        is_first_pass_spike or is_closed_alert_day as is_excluded_from_baseline
    from first_pass

),

baseline as (

    {{ topic_baseline('first_pass_exclusions', exclude_column='is_excluded_from_baseline') }}

),

scored as (

    select
        first_pass.topic_id,
        first_pass.language,
        first_pass.mention_date,
        first_pass.mentions,
        first_pass.scored_mentions,
        first_pass.negative_mentions,
        first_pass.negative_share,
        first_pass.mean_compound,
        first_pass.share_of_voice,
        first_pass.is_first_pass_spike,
        baseline.baseline_days,
        baseline.baseline_mean,
        baseline.baseline_std,
        {{ safe_divide('baseline.baseline_negative_mentions', 'baseline.baseline_scored_mentions') }}
            as baseline_negative_share,
        coalesce(topics.severity_weight, 1.0) as severity_weight,
        {{ spike_z_score('first_pass.mentions', 'baseline.baseline_mean', 'baseline.baseline_std',
                         'baseline.baseline_days') }} as z_score
    from first_pass
    inner join baseline
        on first_pass.topic_id = baseline.topic_id
        and first_pass.language = baseline.language
        and first_pass.mention_date = baseline.mention_date
    left join topics
        on first_pass.topic_id = topics.topic_id

),

flagged as (

    select
        *,
        negative_share - baseline_negative_share as negative_share_delta,
        {{ spike_rule('z_score', 'mentions', 'baseline_days', 'baseline_mean') }} as is_spike
    from scored

),

spike_runs as (

    -- gaps and islands: consecutive spike days of a topic in a language share one run start
    select
        topic_id,
        language,
        mention_date,
        {{ dbt.dateadd('day', '-1 * row_number() over (partition by topic_id, language order by mention_date)', 'mention_date') }}
            as run_anchor
    from flagged
    where is_spike

),

streaks as (

    select
        topic_id,
        language,
        mention_date,
        row_number() over (partition by topic_id, language, run_anchor order by mention_date) as spike_streak_days
    from spike_runs

),

final as (

    select
        {{ dbt.concat(['flagged.topic_id', "'|'", 'flagged.language', "'|'",
                       'cast(flagged.mention_date as ' ~ dbt.type_string() ~ ')']) }} as topic_language_day_id,
        flagged.topic_id,
        flagged.language,
        flagged.mention_date,
        flagged.mentions,
        flagged.scored_mentions,
        flagged.negative_mentions,
        flagged.negative_share,
        flagged.mean_compound,
        flagged.share_of_voice,
        flagged.baseline_days,
        flagged.baseline_mean,
        flagged.baseline_std,
        flagged.baseline_negative_share,
        flagged.negative_share_delta,
        flagged.z_score,
        {{ poisson_surprise('flagged.mentions', 'flagged.baseline_mean', 'flagged.baseline_days') }}
            as poisson_surprise,
        {{ spike_threshold_mentions('flagged.baseline_mean', 'flagged.baseline_std', 'flagged.baseline_days') }}
            as spike_threshold_mentions,
        flagged.is_spike,
        flagged.is_first_pass_spike,
        coalesce(streaks.spike_streak_days, 0) as spike_streak_days,
        case
            when not flagged.is_spike then null
            when flagged.z_score >= {{ var('severity_high_z') }} then 'high'
            when flagged.z_score >= {{ var('severity_medium_z') }} then 'medium'
            else 'low'
        end as severity,
        flagged.severity_weight,
        -- ranking score, see the docs block spike_score (greatest() skips nulls on some
        -- engines, hence the explicit null test)
        case
            when flagged.z_score is not null
                then greatest(flagged.z_score, 0)
                    * (1 + greatest(coalesce(flagged.negative_share_delta, 0), 0))
                    * flagged.severity_weight
        end as spike_score
    from flagged
    left join streaks
        on flagged.topic_id = streaks.topic_id
        and flagged.language = streaks.language
        and flagged.mention_date = streaks.mention_date

)

select * from final
