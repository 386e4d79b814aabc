{#-
    The evidence behind every topic x day of fct_topic_daily, spike or not, so the brief can explain a
    near-spike as well as an alert (see the docs block topic_evidence): the `alert_examples` example
    items (int_topic_examples_ranked) and the `alert_explanation_top` terms (by lift over the
    baseline window), sources and platforms (by items) of int_topic_evidence_ranked. fct_risk_alerts,
    the brief and `riskradar alerts` read these columns; nothing else ranks evidence. Days without
    mentions have empty lists.
-#}

{#- (output column, source column, list type) of each list, examples first -#}
{%- set example_lists = [
    ('example_item_ids', 'item_id', 'varchar'),
    ('example_titles', 'title', 'varchar'),
    ('example_urls', 'url', 'varchar'),
    ('example_source_ids', 'source_id', 'varchar'),
    ('example_sentiment_compounds', 'sentiment_compound', 'double precision'),
    ('example_story_copies', 'story_copies', 'bigint'),
] -%}
{#- (output column, evidence kind, value expression, list type) -#}
{%- set explanation_lists = [
    ('top_terms', 'term', 'evidence_value', 'varchar'),
    ('top_term_lifts', 'term', round_double('term_lift', 2), 'double precision'),
    ('top_term_mentions', 'term', 'item_mentions', 'bigint'),
    ('top_source_ids', 'source', 'evidence_value', 'varchar'),
    ('top_source_mentions', 'source', 'item_mentions', 'bigint'),
    ('top_platform_ids', 'platform', 'evidence_value', 'varchar'),
    ('top_platform_mentions', 'platform', 'item_mentions', 'bigint'),
] -%}

with topic_days as (

    select topic_day_id, topic_id, mention_date from {{ ref('fct_topic_daily') }}

),

examples as (

    select
        topic_id,
        mention_date,
        {%- for column, source_column, _ in example_lists %}
        array_agg({{ source_column }} order by example_rank) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_topic_examples_ranked') }}
    where example_rank <= {{ var('alert_examples') }}
    group by topic_id, mention_date

),

explanations as (

    select
        topic_id,
        mention_date,
        {%- for column, kind, expression, _ in explanation_lists %}
        array_agg({{ expression }} order by evidence_rank) filter (where evidence_kind = '{{ kind }}')
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_topic_evidence_ranked') }}
    where evidence_rank <= {{ var('alert_explanation_top') }}
    group by topic_id, mention_date

),

final as (

    select
        topic_days.topic_day_id,
        topic_days.topic_id,
        topic_days.mention_date,
        {%- for column, _, type in example_lists %}
        coalesce(examples.{{ column }}, array[]::{{ type }}[]) as {{ column }},
        {%- endfor %}
        {%- for column, _, _, type in explanation_lists %}
        coalesce(explanations.{{ column }}, array[]::{{ type }}[]) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from topic_days
    left join examples
        on topic_days.topic_id = examples.topic_id
        and topic_days.mention_date = examples.mention_date
    left join explanations
        on topic_days.topic_id = explanations.topic_id
        and topic_days.mention_date = explanations.mention_date

)

select * from final
