{#
    A Parquet zone that may not exist yet (dq_results before the first GX gate ran, source_health
    on a fresh install) would make `read_parquet(<glob>)` fail: DuckDB errors when a glob matches
    no file. This macro returns the source relation when the glob under RISKRADAR_DATA_DIR matches
    at least one file, and otherwise a typed, empty select built from the column `data_type`s
    declared for that source in _riskradar__sources.yml, so downstream models still build.

    `source()` is always called, so lineage and `dbt source` commands keep working.
#}
{% macro zone_source_or_empty(source_name, table_name, relative_glob) %}
    {%- set relation = source(source_name, table_name) -%}
    {#- on PostgreSQL every zone is a table (riskradar.marts.pg_zones creates empty ones, typed alike) -#}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set pattern = env_var('RISKRADAR_DATA_DIR') ~ '/' ~ relative_glob -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern | replace("'", "''") ~ "')") -%}
    {%- if found.columns[0].values()[0] > 0 -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set typed_nulls = [] -%}
    {%- for column in node.columns.values() -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error("column " ~ column.name ~ " of source " ~ source_name ~ "." ~ table_name ~ " needs a data_type for the empty fallback") }}
        {%- endif -%}
        {%- do typed_nulls.append("cast(null as " ~ column.data_type ~ ") as " ~ column.name) -%}
    {%- endfor -%}
    {%- do log("zone " ~ pattern ~ " has no files yet: " ~ source_name ~ "." ~ table_name ~ " reads as empty", info=true) -%}
    {{ return("(select " ~ typed_nulls | join(", ") ~ " where false)") }}
{% endmacro %}
