{{ config(materialized='incremental', event_time='published_at') }}

{#-
    The latest version of each item, on the UTC day it was published; see the docs block
    int_mentions_deduplicated. A batch (day D) reads only the scored parts of days
    D-max_publish_ahead_days .. D+version_horizon_days (partition pruning on the part's date: an
    item is fetched after it is published, with a day of slack for clocks; its repeats and
    corrections within the horizon count), keeps each item's latest version over those parts,
    then keeps the items published on D. A daily run therefore reads three days of parts whatever
    the history, and a backfill gives the same rows as daily runs (the daily build rebuilds D-1
    too, when the parts of D exist). dbt replaces the batch (delete + insert on published_at).
-#}

{%- set batch = model.batch if model.batch is defined else none -%}

with parts as (

    -- `.render()`: no automatic event-time filter here; dedup must see every version first
    select * from {{ ref('stg_riskradar__mentions').render() }}
    {%- if batch %}
    where partition_date >= {{ dbt.dateadd('day', -(var('max_publish_ahead_days') | int),
                                           "cast('" ~ batch.event_time_start.strftime('%Y-%m-%d') ~ "' as date)") }}
        and partition_date < {{ dbt.dateadd('day', var('version_horizon_days') | int,
                                            "cast('" ~ batch.event_time_end.strftime('%Y-%m-%d') ~ "' as date)") }}
    {%- endif %}

),

latest_versions as (

    -- an item fetched again in a later interval (feeds repeat recent items, reruns rewrite) keeps
    -- its latest version: that one carries any correction to title or scores. distinct on
    -- (DuckDB and PostgreSQL alike): the first row of each item in the order below
    select distinct on (item_id)
        *,
        count(*) over (partition by item_id) as times_seen
    from parts
    order by item_id, interval_start desc, interval_end desc, run_id desc

),

final as (

    select * from latest_versions
    {%- if batch %}
    where published_at >= cast('{{ batch.event_time_start }}' as {{ dbt.type_timestamp() }})
        and published_at < cast('{{ batch.event_time_end }}' as {{ dbt.type_timestamp() }})
    {%- endif %}

)

select * from final
