-- Coverage of the planned soil monitoring points per county and the city, per year, with the class
-- counts of the year's samples (farmland by GB 15618-2018, construction land by GB 36600-2018).

with

coverage as (

    select * from {{ ref('int_soil_coverage_area_years_aggregated') }}

),

samples as (

    select * from {{ ref('int_soil_samples_classified') }}

),

areas as (

    select
        area_code,
        area_name_zh,
        area_level,
        parent_code
    from {{ ref('counties') }}

),

area_samples as (

    select
        areas.area_code,
        samples.year,
        sum(case when samples.soil_class = 'priority_protection' then 1 else 0 end) as priority_protection_samples,
        sum(case when samples.soil_class = 'safe_use' then 1 else 0 end) as safe_use_samples,
        sum(case when samples.soil_class = 'strict_control' then 1 else 0 end) as strict_control_samples,
        sum(case when samples.point_type = 'construction' and samples.class_rank > 1 then 1 else 0 end)
            as construction_above_screening_samples
    from samples
    inner join areas
        on
            samples.county_code = areas.area_code
            or (areas.area_level = 'city' and samples.county_code is not null)
    group by areas.area_code, samples.year

)

select
    cast(coverage.area_code as {{ type_string() }}) as area_code,
    cast(areas.area_name_zh as {{ type_string() }}) as area_name_zh,
    cast(areas.area_level as {{ type_string() }}) as area_level,
    cast(coverage.year as integer) as year,
    cast(coverage.planned_points as {{ type_bigint() }}) as planned_points,
    cast(coverage.covered_points as {{ type_bigint() }}) as covered_points,
    cast(
        case
            when coverage.planned_points > 0 and coverage.samples > 0
                then {{ round_half_up('100.0 * coverage.covered_points / coverage.planned_points', 1) }}
        end as {{ type_double() }}
    ) as coverage_pct,
    cast(coverage.samples as {{ type_bigint() }}) as samples,
    cast(coalesce(area_samples.priority_protection_samples, 0) as {{ type_bigint() }}) as priority_protection_samples,
    cast(coalesce(area_samples.safe_use_samples, 0) as {{ type_bigint() }}) as safe_use_samples,
    cast(coalesce(area_samples.strict_control_samples, 0) as {{ type_bigint() }}) as strict_control_samples,
    cast(coalesce(area_samples.construction_above_screening_samples, 0) as {{ type_bigint() }})
        as construction_above_screening_samples,
    cast(coverage.load_ids as {{ type_string() }}) as load_ids
from coverage
left join areas on coverage.area_code = areas.area_code
left join area_samples
    on
        coverage.area_code = area_samples.area_code
        and coverage.year = area_samples.year
