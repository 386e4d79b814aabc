with sources as (

    select * from {{ ref('stg_riskradar__sources') }}

),

final as (

    select
        source_id,
        source_name,
        source_type,
        region,
        language,
        source_weight,
        is_enabled

    from sources

)

select * from final
