with platforms as (

    select * from {{ ref('stg_riskradar__platforms') }}

),

final as (

    select
        platform_id,
        platform_name,
        -- our own ads platform (taxonomy `own: true`): mentions of it feed own_platform_mentions
        is_own_platform

    from platforms

)

select * from final
