-- Assert fct_risk_alerts holds exactly one alert per spike of fct_topic_spikes (topic x language x
-- day), and only spikes.

with spikes as (

    select topic_id, language, mention_date from {{ ref('fct_topic_spikes') }}
    where is_spike

),

alerts as (

    select topic_id, language, mention_date from {{ ref('fct_risk_alerts') }}

),

final as (

    (select 'spike without alert' as problem, * from spikes except select 'spike without alert', * from alerts)
    union all
    (select 'alert without spike' as problem, * from alerts except select 'alert without spike', * from spikes)

)

select * from final
