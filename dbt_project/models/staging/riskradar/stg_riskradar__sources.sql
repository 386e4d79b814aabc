with source as (

    select * from {{ source('riskradar', 'sources') }}

),

renamed as (

    select
        cast(source_id as varchar) as source_id,
        cast(source_name as varchar) as source_name,
        cast(source_type as varchar) as source_type,
        cast(region as varchar) as region,
        lower(cast(language as varchar)) as language,
        cast(weight as double precision) as source_weight,
        coalesce(cast(enabled as boolean), false) as is_enabled

    from source

),

final as (

    select * from renamed

)

select * from final
