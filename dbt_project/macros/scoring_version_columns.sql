{#
    The columns of one scoring version of an item, cleaned alike in the scored zone
    (stg_riskradar__mentions) and the superseded versions zone (stg_riskradar__scored_versions):
    unscored unless flagged, a label for every item, lists never null and without repeats.
    A select list (no trailing comma).
#}
{% macro scoring_version_columns() -%}
    {{ return([
        'coalesce(is_scored, false) as is_scored',
        'sentiment_compound',
        "coalesce(sentiment_label, 'unscored') as sentiment_label",
        list_distinct('coalesce(topics, array[]::varchar[])') ~ ' as topics',
        'coalesce(matched_terms, array[]::varchar[]) as matched_terms',
        list_distinct('coalesce(platforms, array[]::varchar[])') ~ ' as platforms',
        'taxonomy_version',
        'lexicon_version',
    ] | join(',\n        ')) }}
{%- endmacro %}
