with source as (

    select * from {{ zone_source_or_empty('alerts', 'alert_events', 'alert_events/date=*/event-*.parquet') }}

),

renamed as (

    select
        event_id,
        alert_id,
        topic_id,
        cast(mention_date as date) as mention_date,
        lower(action) as action,
        lower(status) as status,
        actor,
        note,
        cast(acted_at as timestamptz) as acted_at

    from source

),

final as (

    select * from renamed

)

select * from final
