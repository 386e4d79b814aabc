with topics as (

    select * from {{ ref('stg_riskradar__topics') }}

),

final as (

    select
        topic_id,
        topic_name,
        topic_description,
        severity,
        -- ranking weight of the topic in spike_score: the taxonomy's numeric weight when it
        -- publishes one, else derived from its severity label, else neutral (1.0)
        coalesce(
            severity_weight,
            case severity
                when 'critical' then 2.0
                when 'high' then 1.5
                when 'medium' then 1.0
                when 'low' then 0.5
            end,
            1.0
        ) as severity_weight,
        taxonomy_version

    from topics

)

select * from final
