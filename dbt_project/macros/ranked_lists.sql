{#
    One row per topic, language and day of `relation` with the entries ranked up to `max_rank` by
    `rank_column` folded into ordered lists: `lists` holds (output column, expression, evidence
    kind or none, ...) per list; with a kind, the list keeps the rows of that evidence_kind only (a null
    list when it has none). A whole select (fct_topic_evidence_daily: examples, top terms, sources
    and platforms).
#}
{% macro ranked_lists(relation, rank_column, max_rank, lists) -%}
    select
        topic_id,
        language,
        mention_date,
        {%- for entry in lists %}
        array_agg({{ entry[1] }} order by {{ rank_column }})
            {%- if entry[2] %} filter (where evidence_kind = '{{ entry[2] }}'){% endif %} as {{ entry[0] }}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    where {{ rank_column }} <= {{ max_rank }}
    group by topic_id, language, mention_date
{%- endmacro %}
