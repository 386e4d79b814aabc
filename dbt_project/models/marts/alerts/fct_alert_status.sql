{#-
    Current lifecycle status of every alert (fct_risk_alerts): the latest analyst action from
    stg_alerts__events wins; alerts nobody has touched are `new`. See the docs block
    alert_precision for the metric built on it.
-#}

with alerts as (

    select * from {{ ref('fct_risk_alerts') }}

),

events as (

    select * from {{ ref('stg_alerts__events') }}

),

ranked_events as (

    select
        *,
        row_number() over (partition by alert_id order by acted_at desc, event_id desc) as recency_rank,
        count(*) over (partition by alert_id) as event_count,
        min(case when status = 'acknowledged' then acted_at end) over (partition by alert_id) as first_acknowledged_at,
        min(case when status = 'escalated' then acted_at end) over (partition by alert_id) as first_escalated_at
    from events

),

latest_events as (

    select * from ranked_events
    where recency_rank = 1

),

final as (

    select
        alerts.alert_id,
        alerts.topic_id,
        alerts.language,
        alerts.topic_name,
        alerts.mention_date,
        alerts.severity,
        alerts.z_score,
        alerts.mentions,
        alerts.spike_score,
        coalesce(latest_events.status, 'new') as status,
        latest_events.action as last_action,
        latest_events.actor as status_actor,
        latest_events.note as status_note,
        latest_events.acted_at as status_changed_at,
        latest_events.first_acknowledged_at,
        latest_events.first_escalated_at,
        coalesce(latest_events.event_count, 0) as event_count,
        coalesce(latest_events.status, 'new') in ('new', 'acknowledged', 'escalated') as is_open,
        latest_events.status is not null as is_triaged,
        coalesce(latest_events.status in ('acknowledged', 'escalated', 'resolved'), false) as is_confirmed,
        coalesce(latest_events.status = 'false_positive', false) as is_false_positive,
        coalesce(latest_events.status in ('resolved', 'false_positive'), false) as is_excluded_from_baseline
    from alerts
    left join latest_events
        on alerts.alert_id = latest_events.alert_id

)

select * from final
