{{ config(event_time='published_at') }}

with source as (

    select * from {{ source('riskradar', 'scored') }}

),

renamed as (

    select
        item_id,
        source_id,
        source_type,
        story_id,
        guid,
        url,
        title,
        summary,
        author,
        lower(language) as language,
        lower(detected_language) as detected_language,
        cast(published_at as timestamptz) as published_at,
        cast(timezone('UTC', cast(published_at as timestamptz)) as date) as mention_date,
        coalesce(is_published_at_fallback, false) as is_published_at_fallback,
        content_hash,
        sentiment_neg,
        sentiment_neu,
        sentiment_pos,
        {{ scoring_version_columns() }},
        cast(interval_start as timestamptz) as interval_start,
        cast(interval_end as timestamptz) as interval_end,
        run_id,
        -- the part's `date=` directory (UTC day of the ingest interval): filters on it prune files
        cast("date" as date) as partition_date

    from source

),

final as (

    select * from renamed

)

select * from final
