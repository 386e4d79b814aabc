{#
    The columns of the topic measures, defined once in int_topic_dimension_daily (long form: one
    row per topic, dimension slice and day). fct_topic_daily, fct_topic_platform_daily and
    fct_topic_source_type_daily select them for their dimension, in this order.
#}

{# The counts the grid zero-fills (a topic without mentions in its slice that day counts 0). #}
{% macro topic_measure_count_columns() %}
    {{ return(['mentions', 'stories', 'scored_mentions', 'negative_mentions', 'positive_mentions',
               'compound_sum', 'sources', 'own_platform_mentions']) }}
{% endmacro %}

{# Every measure column of a topic mart, as a select list (no trailing comma). #}
{% macro topic_measure_columns() -%}
    {{ return(['mentions', 'stories', 'scored_mentions', 'unscored_mentions', 'unscored_share',
               'negative_mentions', 'positive_mentions', 'negative_share', 'net_sentiment',
               'compound_sum', 'mean_compound', 'topical_mentions', 'share_of_voice', 'day_stories',
               'attention_share', 'sources', 'own_platform_mentions', 'active_sources',
               'enabled_sources', 'source_coverage', 'is_coverage_degraded'] | join(',\n        ')) }}
{%- endmacro %}

{#
    The whole select of a topic mart: the rows of one dimension of int_topic_dimension_daily,
    keyed `id_column` (topic_id|<value>|mention_date, or topic_id|mention_date for the whole day)
    with the dimension value as `value_column` (none for dimension 'all'), then every measure.
#}
{% macro topic_dimension_slice(dimension, id_column, value_column=none) -%}
    {%- set key_parts = ['topic_id', "'|'"] + (['dimension_value', "'|'"] if value_column else [])
                        + ['cast(mention_date as ' ~ dbt.type_string() ~ ')'] -%}
    select
        {{ dbt.concat(key_parts) }} as {{ id_column }},
        topic_id,
        {%- if value_column %}
        dimension_value as {{ value_column }},
        {%- endif %}
        mention_date,
        {{ topic_measure_columns() }}
    from {{ ref('int_topic_dimension_daily') }}
    where dimension = '{{ dimension }}'
{%- endmacro %}
