{#- Great Expectations results per expectation and validated interval (empty before the first gate). -#}

with results as (

    select * from {{ ref('stg_riskradar__dq_results') }}

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
        validated_at,
    from results

)

select * from final
