{#-
    The evidence behind every topic x language x day of fct_topic_language_daily, spike or not
    (the evidence of an alert in one language is that language's items), so the brief can explain a
    near-spike as well as an alert (see the docs block topic_evidence): the `alert_examples` example
    items (int_topic_examples_ranked) and the `alert_explanation_top` terms (by lift over the
    baseline window), sources and platforms (by items) of int_topic_evidence_ranked. fct_risk_alerts,
    the brief and `riskradar alerts` read these columns; nothing else ranks evidence. Days without
    mentions have empty lists.
-#}

{#- (output column, expression, evidence kind) of each list, and the list's type -#}
{%- set example_lists = [
    ('example_item_ids', 'item_id', none, 'varchar'),
    ('example_titles', 'title', none, 'varchar'),
    ('example_urls', 'url', none, 'varchar'),
    ('example_source_ids', 'source_id', none, 'varchar'),
    ('example_sentiment_compounds', 'sentiment_compound', none, 'double precision'),
    ('example_story_copies', 'story_copies', none, 'bigint'),
] -%}
{%- set explanation_lists = [
    ('top_terms', 'evidence_value', 'term', 'varchar'),
    ('top_term_lifts', round_double('term_lift', 2), 'term', 'double precision'),
    ('top_term_mentions', 'item_mentions', 'term', 'bigint'),
    ('top_source_ids', 'evidence_value', 'source', 'varchar'),
    ('top_source_mentions', 'item_mentions', 'source', 'bigint'),
    ('top_platform_ids', 'evidence_value', 'platform', 'varchar'),
    ('top_platform_mentions', 'item_mentions', 'platform', 'bigint'),
] -%}

with topic_days as (

    select topic_language_day_id, topic_id, language, mention_date from {{ ref('fct_topic_language_daily') }}

),

examples as (

    {{ ranked_lists(ref('int_topic_examples_ranked'), 'example_rank', var('alert_examples'), example_lists) }}

),

explanations as (

    {{ ranked_lists(ref('int_topic_evidence_ranked'), 'evidence_rank', var('alert_explanation_top'),
                    explanation_lists) }}

),

final as (

    select
        topic_days.topic_language_day_id,
        topic_days.topic_id,
        topic_days.language,
        topic_days.mention_date,
        {%- for column, _, _, type in example_lists %}
        coalesce(examples.{{ column }}, array[]::{{ type }}[]) as {{ column }},
        {%- endfor %}
        {%- for column, _, _, type in explanation_lists %}
        coalesce(explanations.{{ column }}, array[]::{{ type }}[]) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from topic_days
    left join examples
        on topic_days.topic_id = examples.topic_id
        and topic_days.language = examples.language
        and topic_days.mention_date = examples.mention_date
    left join explanations
        on topic_days.topic_id = explanations.topic_id
        and topic_days.language = explanations.language
        and topic_days.mention_date = explanations.mention_date

)

select * from final
