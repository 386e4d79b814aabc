{#
    The few expressions DuckDB and PostgreSQL spell differently, dispatched on the adapter
    (`--target duckdb`, the default, or `--target postgres`). Everything else in the project is
    SQL both engines read: lists are arrays (`x = any(list)`, `cardinality`, `array_agg(... order
    by ...)`, `array[]::varchar[]`, `cross join unnest(list) as t(x)`), `distinct on`, no trailing
    commas, no `select * exclude`, no `union all by name`. tests/integration/test_dbt_postgres.py builds the
    marts on both and compares them.
#}

{# The distinct elements of a list, in the order of their first occurrence (null elements kept once). #}
{% macro list_distinct(list_expression) -%}
    {{ return(adapter.dispatch('list_distinct', 'riskradar')(list_expression)) }}
{%- endmacro %}

{% macro default__list_distinct(list_expression) -%}
    array(
        select element
        from unnest({{ list_expression }}) with ordinality as elements(element, position)
        group by element
        order by min(position)
    )
{%- endmacro %}

{% macro duckdb__list_distinct(list_expression) -%}
    {#- DuckDB's list_distinct does not keep the order; this does, without a subquery per row -#}
    list_filter({{ list_expression }}, lambda element, position:
        list_position({{ list_expression }}, element) = position)
{%- endmacro %}

{#
    round(x, digits) for a double, returned as a double. PostgreSQL rounds only numerics (and
    rounds half away from zero there, as DuckDB does for doubles).
#}
{% macro round_double(expression, digits) -%}
    {{ return(adapter.dispatch('round_double', 'riskradar')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_double(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}

{% macro duckdb__round_double(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{#
    Microbatch on PostgreSQL as on DuckDB: delete the batch's event-time window, insert the batch.
    dbt-postgres's own microbatch is a merge on a unique_key, which keeps a row a rebuilt batch
    no longer has (an item whose corrected date moved it to another day) and which DuckDB's
    microbatch refuses; one semantics on both engines is what keeps their marts equal.
#}
{% macro postgres__get_incremental_microbatch_sql(arg_dict) -%}
    {%- set event_time = config.get('event_time') -%}
    {%- set batch = model.get('batch') -%}
    {%- if not event_time or not batch or not batch.get('event_time_start') or not batch.get('event_time_end') -%}
        {{ exceptions.raise_compiler_error("microbatch needs an event_time config and a batch window") }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    {%- set window -%}
        {{ event_time }} >= cast('{{ batch.event_time_start }}' as timestamptz)
        and {{ event_time }} < cast('{{ batch.event_time_end }}' as timestamptz)
    {%- endset -%}
    delete from {{ arg_dict["target_relation"] }}
    where {{ window }}
    {%- set predicates = arg_dict.get("incremental_predicates") or [] -%}
    {%- for predicate in ([predicates] if predicates is string else predicates) %}
        and ({{ predicate }})
    {%- endfor %};

    insert into {{ arg_dict["target_relation"] }} ({{ columns }})
    select {{ columns }}
    from {{ arg_dict["temp_relation"] }}
    where {{ window }};
{%- endmacro %}

{#
    dbt-postgres reports an array column's type as `ARRAY` (information_schema.columns.data_type),
    which no cast accepts: unit-test fixtures (`cast(null as ARRAY)`) and on_schema_change break on
    the list columns. Same query as dbt-postgres's, with the element type spelled out (text[]).
#}
{% macro postgres__get_columns_in_relation(relation) -%}
    {% call statement('get_columns_in_relation', fetch_result=True) %}
        select
            column_name,
            case when data_type = 'ARRAY' then substring(udt_name from 2) || '[]' else data_type end as data_type,
            character_maximum_length,
            numeric_precision,
            numeric_scale
        from {{ relation.information_schema('columns') }}
        where table_name = '{{ relation.identifier }}'
            {% if relation.schema %}
            and table_schema = '{{ relation.schema }}'
            {% endif %}
        order by ordinal_position
    {% endcall %}
    {% set table = load_result('get_columns_in_relation').table %}
    {{ return(sql_convert_columns_in_relation(table)) }}
{%- endmacro %}

{#
    Unit-test fixtures write list columns as DuckDB list literals ("['scam_ads', 'ad_fraud']",
    '[4.0, 2.0]', "[]"); dbt casts each fixture value with safe_cast. On PostgreSQL the same text
    becomes an array literal ({scam_ads, ad_fraud}), so one fixture serves both engines.
    Elements must not contain quotes, brackets or commas (fixture ids and numbers).
#}
{% macro postgres__safe_cast(field, type) -%}
    {%- if (type | trim).endswith('[]') -%}
        cast(replace(translate(cast({{ field }} as text), '[]', '{}'), '''', '') as {{ type }})
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
