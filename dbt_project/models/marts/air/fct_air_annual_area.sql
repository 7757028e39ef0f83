with

area_years as (

    select
        area_code,
        year,
        valid_days,
        pm2_5_mean,
        pm2_5_p95,
        pm10_mean,
        pm10_p95,
        so2_mean,
        so2_p98,
        no2_mean,
        no2_p98,
        co_p95,
        o3_8h_p90,
        good_days,
        good_days_ratio,
        heavy_pollution_days,
        is_valid_year
    from {{ ref('int_air_area_years_aggregated') }}

)

select
    cast(area_code as {{ type_string() }}) as area_code,
    cast(year as integer) as year,
    cast(valid_days as integer) as valid_days,
    cast(pm2_5_mean as {{ type_double() }}) as pm2_5_mean,
    cast(pm2_5_p95 as {{ type_double() }}) as pm2_5_p95,
    cast(pm10_mean as {{ type_double() }}) as pm10_mean,
    cast(pm10_p95 as {{ type_double() }}) as pm10_p95,
    cast(so2_mean as {{ type_double() }}) as so2_mean,
    cast(so2_p98 as {{ type_double() }}) as so2_p98,
    cast(no2_mean as {{ type_double() }}) as no2_mean,
    cast(no2_p98 as {{ type_double() }}) as no2_p98,
    cast(co_p95 as {{ type_double() }}) as co_p95,
    cast(o3_8h_p90 as {{ type_double() }}) as o3_8h_p90,
    cast(good_days as integer) as good_days,
    cast(good_days_ratio as {{ type_double() }}) as good_days_ratio,
    cast(heavy_pollution_days as integer) as heavy_pollution_days,
    cast(is_valid_year as {{ type_boolean() }}) as is_valid_year,
    cast({{ method_version(['air_annual_assessment']) }} as {{ type_string() }}) as method_version
from area_years
