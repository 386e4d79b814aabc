{#-
    Superseded scoring versions (riskradar.scored_versions: a scored part kept when history was
    rescored under a new taxonomy or lexicon), renamed and cast like stg_riskradar__mentions.
    Empty before the first rescoring.
-#}

with source as (

    select * from {{ zone_source_or_empty('riskradar', 'scored_versions',
                                          'scored_versions/taxonomy=*/lexicon=*/source=*/date=*/part-*.parquet') }}

),

renamed as (

    select
        item_id,
        source_id,
        title,
        url,
        cast(published_at as timestamptz) as published_at,
        cast(timezone('UTC', cast(published_at as timestamptz)) as date) as mention_date,
        cast(interval_start as timestamptz) as interval_start,
        cast(interval_end as timestamptz) as interval_end,
        {{ scoring_version_columns() }}

    from source

),

final as (

    select * from renamed

)

select * from final
