{#
    Every scoring version of every item: the current scores (fct_mentions) and each superseded
    version kept when history was rescored under a new taxonomy or lexicon (source
    riskradar.scored_versions, through stg_riskradar__scored_versions). Compare versions with
    SQL, e.g. topic counts per taxonomy version. A view: it costs nothing in the daily build and
    reads the superseded zone only when queried.
#}
{{ config(materialized='view') }}

{%- set version_columns = [
    'item_id', 'source_id', 'mention_date', 'title', 'url', 'is_scored', 'sentiment_compound',
    'sentiment_label', 'topics', 'matched_terms', 'platforms', 'taxonomy_version', 'lexicon_version',
] %}

with current_version as (

    select
        {{ version_columns | join(',\n        ') }},
        true as is_current_version
    from {{ ref('fct_mentions') }}

),

superseded_parts as (

    -- a version's latest interval part
    select
        *,
        row_number() over (
            partition by item_id, taxonomy_version, lexicon_version
            order by interval_start desc, interval_end desc
        ) as interval_rank
    from {{ ref('stg_riskradar__scored_versions') }}

),

superseded as (

    select
        {{ version_columns | join(',\n        ') }},
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
