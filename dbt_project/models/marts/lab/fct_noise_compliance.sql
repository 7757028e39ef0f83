-- Function-zone noise compliance (GB 3096-2008) per area (every county and the city), zone class,
-- year and period (day / night): measurements, compliant measurements, compliance rate (%).

with

assessed as (

    select * from {{ ref('int_noise_measurements_assessed') }}

),

areas as (

    select
        area_code,
        area_name_zh,
        area_level
    from {{ ref('counties') }}

),

aggregated as (

    select
        areas.area_code,
        assessed.zone_class,
        assessed.year,
        assessed.period,
        max(assessed.limit_db) as limit_db,
        count(*) as measurements,
        sum(case when assessed.is_compliant then 1 else 0 end) as compliant_measurements,
        avg(assessed.leq_db) as mean_leq_db,
        {{ string_agg_distinct_sorted('assessed.load_id', ',') }} as load_ids
    from assessed
    inner join areas
        on
            assessed.county_code = areas.area_code
            or areas.area_level = 'city'
    group by areas.area_code, assessed.zone_class, assessed.year, assessed.period

)

select
    cast(aggregated.area_code as {{ type_string() }}) as area_code,
    cast(areas.area_name_zh as {{ type_string() }}) as area_name_zh,
    cast(areas.area_level as {{ type_string() }}) as area_level,
    cast(aggregated.zone_class as {{ type_string() }}) as zone_class,
    cast(aggregated.year as integer) as year,
    cast(aggregated.period as {{ type_string() }}) as period,
    cast(case when aggregated.period = 'day' then '昼间' else '夜间' end as {{ type_string() }}) as period_zh,
    cast(aggregated.limit_db as {{ type_double() }}) as limit_db,
    cast(aggregated.measurements as {{ type_bigint() }}) as measurements,
    cast(aggregated.compliant_measurements as {{ type_bigint() }}) as compliant_measurements,
    cast(
        {{ round_half_up('100.0 * aggregated.compliant_measurements / aggregated.measurements', 1) }}
        as {{ type_double() }}
    ) as compliance_rate_pct,
    cast({{ round_half_up('aggregated.mean_leq_db', 1) }} as {{ type_double() }}) as mean_leq_db,
    cast({{ method_version(['gb3096_noise']) }} as {{ type_string() }}) as method_version,
    cast(aggregated.load_ids as {{ type_string() }}) as load_ids
from aggregated
left join areas on aggregated.area_code = areas.area_code
