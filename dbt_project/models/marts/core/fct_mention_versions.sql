{#
    Every scoring version of every item: the current scores (fct_mentions) and each superseded
    version kept when history was rescored under a new taxonomy or lexicon (source
    riskradar.scored_versions). Compare versions with SQL, e.g. topic counts per taxonomy version.
    A view: it costs nothing in the daily build and reads the superseded zone only when queried.
#}
{{ config(materialized='view') }}

with current_version as (

    select
        item_id,
        source_id,
        mention_date,
        title,
        url,
        is_scored,
        sentiment_compound,
        sentiment_label,
        topics,
        matched_terms,
        platforms,
        taxonomy_version,
        lexicon_version,
        true as is_current_version
    from {{ ref('fct_mentions') }}

),

superseded_parts as (

    select
        *,
        row_number() over (
            partition by item_id, taxonomy_version, lexicon_version
            order by interval_start desc, interval_end desc
        ) as interval_rank
    from {{ zone_source_or_empty('riskradar', 'scored_versions',
                                 'scored_versions/taxonomy=*/lexicon=*/source=*/date=*/part-*.parquet') }}

),

superseded as (

    select
        item_id,
        source_id,
        cast(timezone('UTC', cast(published_at as timestamptz)) as date) as mention_date,
        title,
        url,
        coalesce(is_scored, false) as is_scored,
        sentiment_compound,
        coalesce(sentiment_label, 'unscored') as sentiment_label,
        {{ list_distinct('coalesce(topics, array[]::varchar[])') }} as topics,
        coalesce(matched_terms, array[]::varchar[]) as matched_terms,
        {{ list_distinct('coalesce(platforms, array[]::varchar[])') }} as platforms,
        taxonomy_version,
        lexicon_version,
        false as is_current_version
    from superseded_parts
    where interval_rank = 1

),

final as (

    select * from current_version
    union all
    -- a version kept and later restored as current appears once, as current
    select s.*
    from superseded as s
    left join current_version as c
        on s.item_id = c.item_id
        and s.taxonomy_version = c.taxonomy_version
        and s.lexicon_version = c.lexicon_version
    where c.item_id is null

)

select * from final
