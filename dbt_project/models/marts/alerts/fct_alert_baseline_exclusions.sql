{#-
    Topic-days whose alert analysts closed as resolved or false positive: fct_topic_spikes leaves
    these days out of the baselines of later days. Built from the events alone (not from
    fct_alert_status), so fct_topic_spikes can ref it without a cycle through fct_risk_alerts.
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

final as (

    select distinct
        {{ dbt.concat(['topic_id', "'|'", 'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }} as topic_day_id,
        topic_id,
        mention_date,
        status
    from latest_events
    where recency_rank = 1
        and status in ('resolved', 'false_positive')

)

select * from final
