{#
    Primary key made of several columns (dbt_utils has the same test; we avoid a package
    download so the project builds offline).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with keyed as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as rows_with_key
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

),

final as (

    select * from keyed
    where rows_with_key > 1

)

select * from final

{% endtest %}
