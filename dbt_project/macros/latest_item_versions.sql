{#
    One row per item_id from `relation` (interval parts of the scored zone): the version of the
    latest interval (interval_start, then interval_end, then run_id), with `times_seen`, the
    number of parts the item appeared in. `relation` has the columns of stg_riskradar__mentions.
    Shared by int_mentions_deduplicated (all history) and fct_mentions (the parts a batch needs).
#}
{% macro latest_item_versions(relation) %}
    -- distinct on (DuckDB and PostgreSQL alike): the first row of each item in the order below
    select distinct on (item_id)
        *,
        count(*) over (partition by item_id) as times_seen
    from {{ relation }}
    order by item_id, interval_start desc, interval_end desc, run_id desc
{% endmacro %}
