with columns_expected as (

    -- the contract names both `severity` (label) and `severity_weight` (number); whichever the
    -- publisher wrote is kept, the other reads as null (union by name fills missing columns on
    -- DuckDB; on PostgreSQL riskradar.marts.pg_zones adds the source's declared columns a file lacks)
    select
        cast(null as varchar) as severity,
        cast(null as double precision) as severity_weight,
        cast(null as varchar) as description,
        cast(null as varchar) as taxonomy_version
    where false

),

source as (

    {%- if target.type == 'duckdb' %}
    select * from columns_expected
    union all by name
    select * from {{ source('riskradar', 'topics') }}
    {%- else %}
    select * from {{ source('riskradar', 'topics') }}
    {%- endif %}

),

renamed as (

    select
        cast(topic_id as varchar) as topic_id,
        coalesce(cast(topic_name as varchar), replace(cast(topic_id as varchar), '_', ' ')) as topic_name,
        cast(description as varchar) as topic_description,
        lower(cast(severity as varchar)) as severity,
        {{ dbt.safe_cast('severity_weight', 'double precision') }} as severity_weight,
        cast(taxonomy_version as varchar) as taxonomy_version

    from source

),

final as (

    select * from renamed

)

select * from final
