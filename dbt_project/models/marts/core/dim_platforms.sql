with platforms as (

    select * from {{ ref('stg_riskradar__platforms') }}

),

final as (

    select
        platform_id,
        platform_name,
        -- our own ads platform: mentions of it feed own_platform_mentions
        platform_id = 'adnova' as is_own_platform

    from platforms

)

select * from final
