with

area_days as (

    select
        area_code,
        date,
        aqi,
        category,
        primary_pollutant,
        pm2_5,
        pm10,
        so2,
        no2,
        co,
        o3_1h_max,
        o3_8h_max,
        station_count
    from {{ ref('int_air_area_days_aggregated') }}

)

select
    cast(area_code as {{ type_string() }}) as area_code,
    cast(date as date) as date,
    cast(aqi as integer) as aqi,
    cast(category as {{ type_string() }}) as category,
    cast(primary_pollutant as {{ type_string() }}) as primary_pollutant,
    cast(pm2_5 as {{ type_double() }}) as pm2_5,
    cast(pm10 as {{ type_double() }}) as pm10,
    cast(so2 as {{ type_double() }}) as so2,
    cast(no2 as {{ type_double() }}) as no2,
    cast(co as {{ type_double() }}) as co,
    cast(o3_1h_max as {{ type_double() }}) as o3_1h_max,
    cast(o3_8h_max as {{ type_double() }}) as o3_8h_max,
    aqi <= 100 as is_good,
    aqi > 200 as is_heavy,
    cast(station_count as integer) as station_count,
    cast({{ method_version(['air_aqi', 'air_daily_validity']) }} as {{ type_string() }}) as method_version
from area_days
