with source as (

    select * from {{ source('riskradar', 'platforms') }}

),

renamed as (

    select
        cast(platform_id as varchar) as platform_id,
        cast(platform_name as varchar) as platform_name

    from source

),

final as (

    select * from renamed

)

select * from final
