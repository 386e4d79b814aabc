{#
    Upper-tail surprise of `mentions` (k) under Poisson(`baseline_mean`) (lambda), as a standard
    normal deviate: the Wilson-Hilferty approximation of P(X >= k | lambda) = P(chi2(2k) <= 2 lambda),
        z = 3 sqrt(k) (1 - 1 / (9k) - (lambda / k)^(1/3)),   P(X >= k) ~ 1 - Phi(z)
    (see the docs block poisson_surprise). sqrt / power / arithmetic only, so it runs on DuckDB and
    Postgres alike. lambda = 0 gives the lambda -> 0 limit 3 sqrt(k) - 1 / (3 sqrt(k)) (finite: a
    first-ever burst ranks by its size); k = 0 is null (the upper tail is certain, its deviate is
    -infinity); null while the baseline is too short, like z_score. Rounded to 4 decimals (the
    approximation is good to a few hundredths), so every engine returns the same value.
#}
{% macro poisson_surprise(mentions, baseline_mean, baseline_days) %}
    {%- set k = 'cast(' ~ mentions ~ ' as double precision)' -%}
    {%- set lambda = 'cast(greatest(coalesce(' ~ baseline_mean ~ ', 0), 0) as double precision)' -%}
    case
        when {{ baseline_days }} >= {{ var('baseline_min_days') }} and {{ mentions }} > 0
            then cast(cast(
                3 * sqrt({{ k }})
                * (1 - 1 / (9 * {{ k }}) - power({{ lambda }} / {{ k }}, cast(1 as double precision) / 3))
                as decimal(18, 4)) as double precision)
    end
{% endmacro %}
