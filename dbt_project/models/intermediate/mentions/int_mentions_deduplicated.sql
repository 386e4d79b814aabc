{{ config(event_time='published_at') }}

with mentions as (

    select * from {{ ref('stg_riskradar__mentions') }}

),

latest_versions as (

    -- an item fetched again in a later interval (feeds repeat recent items, reruns rewrite)
    -- keeps its latest version: that one carries any correction to title or scores
    {{ latest_item_versions('mentions') }}

),

final as (

    select * from latest_versions

)

select * from final
