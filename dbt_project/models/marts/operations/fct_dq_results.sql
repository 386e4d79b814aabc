{#- Great Expectations results per expectation and validated interval (empty before the first gate). -#}

with results as (

    select * from {{ ref('stg_riskradar__dq_results') }}

),

latest_built_day as (

    select max(mention_date) as mention_date from {{ ref('fct_topic_daily') }}

),

comparable as (

    -- the marts gate validates the marts *after* dbt built them, so at build time the latest
    -- day's marts-gate result exists only if an earlier run left it behind; leaving it out makes
    -- a rerun rebuild exactly the same rows (it appears with the next day's build)
    select results.*
    from results
    cross join latest_built_day
    where not (results.step = 'marts'
               and results.interval_date >= latest_built_day.mention_date)

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "coalesce(step, '')", "'|'", "coalesce(suite, '')", "'|'", "coalesce(expectation, '')", "'|'",
            "coalesce(cast(interval_start as " ~ dbt.type_string() ~ "), '')", "'|'", "coalesce(run_id, '')",
        ])) }} as dq_result_id,
        run_id,
        step,
        suite,
        expectation,
        severity,
        is_success,
        not is_success and severity = 'critical' as is_blocking_failure,
        observed_value,
        unexpected_count,
        element_count,
        interval_start,
        interval_end,
        interval_date,
        validated_at
    from comparable

)

select * from final
