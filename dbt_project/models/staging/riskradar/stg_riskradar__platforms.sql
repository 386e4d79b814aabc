with source as (

    select * from {{ source('riskradar', 'platforms') }}

),

renamed as (

    select
        cast(platform_id as varchar) as platform_id,
        cast(platform_name as varchar) as platform_name,
        -- config/taxonomy.yml `own: true`: the platform this team runs
        coalesce(cast(is_own_platform as boolean), false) as is_own_platform

    from source

),

final as (

    select * from renamed

)

select * from final
