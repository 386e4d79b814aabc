{#-
    Topic-language-days whose alert analysts closed as resolved or false positive: fct_topic_spikes
    leaves these days out of the baselines of later days in that language. Built from the events
    and the topic x language grid (an event names its alert; the alert's language is the one whose
    risk_alert_id it carries), not from fct_alert_status, so fct_topic_spikes can ref it without a
    cycle through fct_risk_alerts.
-#}

with events as (

    select * from {{ ref('stg_alerts__events') }}

),

latest_events as (

    select
        *,
        row_number() over (partition by alert_id order by acted_at desc, event_id desc) as recency_rank
    from events

),

alert_days as (

    -- every topic x language x day an alert can be raised on, with that alert's id
    select
        topic_id,
        language,
        mention_date,
        {{ risk_alert_id('topic_id', 'language', 'mention_date') }} as alert_id
    from {{ ref('fct_topic_language_daily') }}

),

final as (

    select distinct
        {{ dbt.concat(['alert_days.topic_id', "'|'", 'alert_days.language', "'|'",
                       'cast(alert_days.mention_date as ' ~ dbt.type_string() ~ ')']) }} as topic_language_day_id,
        alert_days.topic_id,
        alert_days.language,
        alert_days.mention_date,
        latest_events.status
    from latest_events
    inner join alert_days
        on latest_events.alert_id = alert_days.alert_id
    where latest_events.recency_rank = 1
        and latest_events.status in ('resolved', 'false_positive')

)

select * from final
