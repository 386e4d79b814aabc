{#
    One row per item_id from `relation` (interval parts of the scored zone): the version of the
    latest interval (interval_start, then interval_end, then run_id), with `times_seen`, the
    number of parts the item appeared in. Shared by int_mentions_deduplicated (all history) and
    fct_mentions (the parts a batch needs).
#}
{% macro latest_item_versions(relation) %}
    select * exclude (interval_rank)
    from (
        select
            *,
            row_number() over (
                partition by item_id
                order by interval_start desc, interval_end desc, run_id desc
            ) as interval_rank,
            count(*) over (partition by item_id) as times_seen,
        from {{ relation }}
    ) as ranked_by_interval
    where interval_rank = 1
{% endmacro %}
