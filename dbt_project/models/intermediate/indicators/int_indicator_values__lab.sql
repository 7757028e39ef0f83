-- Indicator family "lab": laboratory and file-based monitoring (ingestion/lab/).
--
-- SOIL_MONITORING_COVERAGE (%): planned soil points of the year (planned-point list) with at least
--   one loaded result sampled in that year / planned points of the year. Quarantined rows are no
--   result. NULL when the area plans no point for the year (no_planned_soil_points) or when no soil
--   result of the area and year has been delivered yet (no_soil_results_in_year).
-- NOISE_NIGHT_COMPLIANCE (%): night-time (22-06) measurements with Leq <= the GB 3096-2008 limit of
--   the point's function zone / night-time measurements, all quarters delivered for the year. NULL
--   without any night measurement (no_noise_measurements_in_year).
-- The city sums its counties (numerator and denominator). as_of: the latest sampling/measurement day.

with

spine as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        year
    from {{ ref('int_indicator_periods_spined') }}
    where indicator_code in ('SOIL_MONITORING_COVERAGE', 'NOISE_NIGHT_COMPLIANCE')

),

coverage as (

    select * from {{ ref('int_soil_coverage_area_years_aggregated') }}

),

areas as (

    select
        area_code,
        area_level
    from {{ ref('counties') }}

),

night as (

    select
        areas.area_code,
        assessed.year,
        count(*) as measurements,
        sum(case when assessed.is_compliant then 1 else 0 end) as compliant_measurements,
        max(assessed.measured_on) as last_measured_on,
        {{ string_agg_distinct_sorted('assessed.load_id', ',') }} as load_ids
    from {{ ref('int_noise_measurements_assessed') }} as assessed
    inner join areas
        on
            assessed.county_code = areas.area_code
            or areas.area_level = 'city'
    where assessed.period = 'night'
    group by areas.area_code, assessed.year

),

measured as (

    select
        spine.indicator_code,
        spine.area_code,
        spine.period_type,
        spine.period_start,
        case
            when spine.indicator_code = 'SOIL_MONITORING_COVERAGE' then coverage.covered_points
            else night.compliant_measurements
        end as numerator,
        case
            when spine.indicator_code = 'SOIL_MONITORING_COVERAGE' then coverage.planned_points
            else night.measurements
        end as denominator,
        case
            when spine.indicator_code = 'SOIL_MONITORING_COVERAGE' then coalesce(coverage.samples, 0)
            else coalesce(night.measurements, 0)
        end as delivered_rows,
        case
            when spine.indicator_code = 'SOIL_MONITORING_COVERAGE' then coverage.last_sampled_on
            else night.last_measured_on
        end as last_data_day,
        case
            when spine.indicator_code = 'SOIL_MONITORING_COVERAGE' then coverage.load_ids
            else night.load_ids
        end as load_ids
    from spine
    left join coverage
        on
            spine.area_code = coverage.area_code
            and spine.year = coverage.year
    left join night
        on
            spine.area_code = night.area_code
            and spine.year = night.year

),

final as (

    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        numerator,
        denominator,
        load_ids,
        last_data_day,
        case
            when coalesce(denominator, 0) = 0 or delivered_rows = 0 then null
            else {{ round_half_up('100.0 * numerator / denominator', 1) }}
        end as value,
        case
            when indicator_code = 'NOISE_NIGHT_COMPLIANCE' then 'no_noise_measurements_in_year'
            when coalesce(denominator, 0) = 0 then 'no_planned_soil_points'
            else 'no_soil_results_in_year'
        end as reason_if_missing
    from measured

)

select
    indicator_code,
    area_code,
    period_type,
    period_start,
    value,
    case when value is not null then numerator end as numerator,
    case when value is not null then denominator end as denominator,
    case
        when value is null then null
        when indicator_code = 'SOIL_MONITORING_COVERAGE' then {{ method_version(['soil_point_coverage']) }}
        else {{ method_version(['gb3096_noise']) }}
    end as method_version,
    case when value is not null then cast(last_data_day as {{ type_timestamp() }}) end as as_of,
    case when value is not null then load_ids end as load_ids,
    case when value is null then reason_if_missing end as missing_reason_code
from final
