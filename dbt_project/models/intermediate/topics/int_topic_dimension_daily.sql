{{ config(materialized='incremental', event_time='mention_date') }}

{#-
    The topic measures of every observed day in long form, see the docs block
    int_topic_dimension_daily: one row per topic, dimension slice and day. The day x topic grid,
    its source coverage, the zero fill and every measure are defined here once; fct_topic_daily
    (dimension 'all'), fct_topic_platform_daily ('platform'), fct_topic_source_type_daily
    ('source_type') and fct_topic_language_daily ('language') each select one dimension. A microbatch table like those marts: every ref with
    an event time is filtered to the batch day, so a batch reads one day of fct_mentions, of
    int_days_observed and of source health, and replaces that day's rows.
-#}

{%- set batch = model.batch if model.batch is defined else none -%}

with days as (

    select * from {{ ref('int_days_observed') }}

),

topics as (

    select topic_id from {{ ref('dim_topics') }}

),

sources as (

    select source_id, source_type, is_enabled from {{ ref('dim_sources') }}

),

health_rows as (

    select source_id, source_type, interval_date, fetch_status from {{ ref('stg_riskradar__source_health') }}

),

batch_mentions as (

    select * from {{ ref('fct_mentions') }}

),

mentions as (

    -- the type the item was ingested with (fct_mentions), else the configured one
    select
        mentions.item_id,
        mentions.mention_date,
        mentions.story_id,
        mentions.source_id,
        coalesce(mentions.source_type, sources.source_type) as source_type,
        mentions.is_scored,
        mentions.is_negative,
        mentions.is_positive,
        mentions.sentiment_compound,
        mentions.mentions_own_platform,
        -- 'und' (undetermined, ISO 639) for an item whose language could not be detected
        coalesce(mentions.detected_language, 'und') as language,
        mentions.topics,
        mentions.platforms
    from batch_mentions as mentions
    left join sources
        on mentions.source_id = sources.source_id

),

mention_dimensions as (

    -- one row per item and slice it falls in: the whole day, each platform it names, its source
    -- type, its language
    select cast('all' as varchar) as dimension, cast('all' as varchar) as dimension_value, mentions.*
    from mentions
    union all
    select 'platform', platform.platform_id, mentions.*
    from mentions
    cross join unnest(mentions.platforms) as platform(platform_id)
    union all
    select 'source_type', mentions.source_type, mentions.*
    from mentions
    union all
    select 'language', mentions.language, mentions.*
    from mentions

),

topic_totals as (

    select
        topic.topic_id,
        mention_dimensions.dimension,
        mention_dimensions.dimension_value,
        mention_dimensions.mention_date,
        count(distinct mention_dimensions.item_id) as mentions,
        -- syndicated copies of one story share story_id: a story counts once, every copy in mentions
        count(distinct mention_dimensions.story_id) as stories,
        count(distinct case when mention_dimensions.is_scored then mention_dimensions.item_id end) as scored_mentions,
        count(distinct case when mention_dimensions.is_scored and mention_dimensions.is_negative
                            then mention_dimensions.item_id end) as negative_mentions,
        count(distinct case when mention_dimensions.is_scored and mention_dimensions.is_positive
                            then mention_dimensions.item_id end) as positive_mentions,
        -- summed as a decimal: exact and independent of row order, so a rerun gives identical values
        cast(sum(case when mention_dimensions.is_scored
                      then cast(mention_dimensions.sentiment_compound as decimal(18, 6)) end) as double precision)
            as compound_sum,
        count(distinct mention_dimensions.source_id) as sources,
        count(distinct case when mention_dimensions.mentions_own_platform then mention_dimensions.item_id end)
            as own_platform_mentions
    from mention_dimensions
    cross join unnest(mention_dimensions.topics) as topic(topic_id)
    group by topic.topic_id, mention_dimensions.dimension, mention_dimensions.dimension_value,
        mention_dimensions.mention_date

),

slice_day_stories as (

    -- every story of the day in the slice, topical or not: the attention_share denominator, so a
    -- quiet feed day (or an outage) does not read as a topic's share going up or down
    select
        dimension,
        dimension_value,
        mention_date,
        count(distinct story_id) as day_stories
    from mention_dimensions
    group by dimension, dimension_value, mention_date

),

history as (

    -- every mention up to the batch (`.render()`: no event-time filter), so the platform pairs of
    -- a day are the same whichever order days are built in
    select mention_date, coalesce(detected_language, 'und') as language, topics, platforms
    from {{ ref('fct_mentions').render() if batch else ref('fct_mentions') }}
    {%- if batch %}
    where mention_date < cast('{{ batch.event_time_end.strftime('%Y-%m-%d') }}' as date)
    {%- endif %}

),

topic_platform_pairs as (

    -- the first day each topic x platform pair was mentioned: the pair is zero-filled from then on
    select
        topic.topic_id,
        platform.platform_id,
        min(history.mention_date) as first_mention_date
    from history
    cross join unnest(history.topics) as topic(topic_id)
    cross join unnest(history.platforms) as platform(platform_id)
    group by topic.topic_id, platform.platform_id

),

topical_languages as (

    -- the first day an item in each language matched a topic: every topic is zero-filled in that
    -- language from then on (English from its first topical item; a language without a taxonomy
    -- vocabulary never gets topics, so never gets rows)
    select
        history.language,
        min(history.mention_date) as first_mention_date
    from history
    cross join unnest(history.topics) as topic(topic_id)
    group by history.language

),

enabled_by_source_type as (

    select
        source_type,
        count(*) as enabled_sources
    from sources
    where is_enabled
    group by source_type

),

source_type_day_coverage as (

    -- sources of the type that delivered (fetch ok or empty) in at least one interval of the
    -- day; the type is the configured one (dim_sources), else the one health recorded
    select
        health_rows.interval_date as mention_date,
        coalesce(sources.source_type, health_rows.source_type) as source_type,
        count(distinct case when health_rows.fetch_status <> 'error' then health_rows.source_id end)
            as active_sources
    from health_rows
    left join sources
        on health_rows.source_id = sources.source_id
    group by health_rows.interval_date, coalesce(sources.source_type, health_rows.source_type)

),

day_source_types as (

    -- every source type with an enabled source, every observed day; plus any type that has
    -- items that day (a source disabled since), so no mention falls out of the grid
    select
        days.mention_date,
        enabled_by_source_type.source_type
    from days
    cross join enabled_by_source_type
    union
    select distinct
        mention_date,
        dimension_value
    from mention_dimensions
    where dimension = 'source_type'

),

grid as (

    -- the whole day: every topic on every observed day, with the day's source coverage
    select
        topics.topic_id,
        cast('all' as varchar) as dimension,
        cast('all' as varchar) as dimension_value,
        days.mention_date,
        days.active_sources,
        days.enabled_sources
    from days
    cross join topics
    union all
    -- a platform: the topic x platform pairs already mentioned, with the day's source coverage
    select
        pairs.topic_id,
        'platform',
        pairs.platform_id,
        days.mention_date,
        days.active_sources,
        days.enabled_sources
    from days
    inner join topic_platform_pairs as pairs
        on pairs.first_mention_date <= days.mention_date
    union all
    -- a source type: every topic and type of the day, coverage counted within the type (enabled
    -- null on a day without source health, like the whole day: coverage unknown)
    select
        topics.topic_id,
        'source_type',
        day_source_types.source_type,
        day_source_types.mention_date,
        coalesce(coverage.active_sources, 0),
        case
            when days.has_source_health then coalesce(enabled_by_source_type.enabled_sources, 0)
        end
    from day_source_types
    cross join topics
    left join source_type_day_coverage as coverage
        on day_source_types.source_type = coverage.source_type
        and day_source_types.mention_date = coverage.mention_date
    left join enabled_by_source_type
        on day_source_types.source_type = enabled_by_source_type.source_type
    left join days
        on day_source_types.mention_date = days.mention_date
    union all
    -- a language: every topic in the languages already tagged, with the day's source coverage
    -- (a language is a property of the item, not of a source)
    select
        topics.topic_id,
        'language',
        languages.language,
        days.mention_date,
        days.active_sources,
        days.enabled_sources
    from days
    inner join topical_languages as languages
        on languages.first_mention_date <= days.mention_date
    cross join topics

),

filled as (

    select
        grid.topic_id,
        grid.dimension,
        grid.dimension_value,
        grid.mention_date,
        {%- for column in topic_measure_count_columns() %}
        coalesce(totals.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        coalesce(slice_day_stories.day_stories, 0) as day_stories,
        grid.active_sources,
        grid.enabled_sources
    from grid
    left join topic_totals as totals
        on grid.topic_id = totals.topic_id
        and grid.dimension = totals.dimension
        and grid.dimension_value = totals.dimension_value
        and grid.mention_date = totals.mention_date
    left join slice_day_stories
        on grid.dimension = slice_day_stories.dimension
        and grid.dimension_value = slice_day_stories.dimension_value
        and grid.mention_date = slice_day_stories.mention_date

),

final as (

    select
        {{ dbt.concat(['topic_id', "'|'", 'dimension', "'|'", 'dimension_value', "'|'",
                       'cast(mention_date as ' ~ dbt.type_string() ~ ')']) }} as topic_dimension_day_id,
        topic_id,
        dimension,
        dimension_value,
        mention_date,
        mentions,
        stories,
        scored_mentions,
        mentions - scored_mentions as unscored_mentions,
        {{ safe_divide('mentions - scored_mentions', 'mentions') }} as unscored_share,
        negative_mentions,
        positive_mentions,
        {{ safe_divide('negative_mentions', 'scored_mentions') }} as negative_share,
        {{ safe_divide('positive_mentions - negative_mentions', 'scored_mentions') }} as net_sentiment,
        compound_sum,
        {{ safe_divide('compound_sum', 'scored_mentions') }} as mean_compound,
        -- share_of_voice: the topics of the same day and slice
        sum(mentions) over (partition by mention_date, dimension, dimension_value) as topical_mentions,
        {{ safe_divide('mentions', 'sum(mentions) over (partition by mention_date, dimension, dimension_value)') }}
            as share_of_voice,
        day_stories,
        {{ safe_divide('stories', 'day_stories') }} as attention_share,
        sources,
        own_platform_mentions,
        active_sources,
        enabled_sources,
        {{ safe_divide('active_sources', 'enabled_sources') }} as source_coverage,
        coalesce(active_sources < {{ var('min_source_coverage') }} * enabled_sources, true) as is_coverage_degraded
    from filled

)

select * from final
