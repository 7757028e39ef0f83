-- Hourly (real-time) AQI per station as the national publishing platform computes it
-- (HJ 633-2012; see air_hourly_measures() in macros/air_quality.sql): hourly PM2.5 and PM10 on the
-- 24h tables, SO2, NO2, CO and O3 on their 1h tables (SO2 above 800 on the 24h table), no 8h O3.
-- Only values flagged N count (int_air_hourly_validated). Concentrations are rounded half up to the
-- published precision (integer ug/m3, CO one decimal mg/m3) before they are rated, as the platform
-- publishes and rates them. The AQI is the max IAQI of the pollutants that have a valid value.
-- Incremental by day (macros/incremental.sql): each hour is scored on its own.
{{ config(**incremental_config(
    day='cast(data_time as date)', input='int_air_hourly_validated', input_day='date',
    dimensions={'stg_monitoring__air_stations': ['mn', 'station_code', 'county_code']}
)) }}
{%- set days = incremental_days() %}

with

station_hours as (

    select
        station_code,
        data_time,
        pm2_5,
        pm10,
        so2,
        no2,
        co,
        o3
    from {{ ref('int_air_hourly_validated') }}
    where {{ day_filter('date', days) }}

),

stations as (

    select
        station_code,
        county_code
    from {{ ref('stg_monitoring__air_stations') }}

),

{{ score_air_hours('station_hours', ['station_code', 'data_time']) }},

final as (

    select
        aqi_scored.station_code,
        stations.county_code as area_code,
        aqi_scored.data_time,
        aqi_scored.pm2_5,
        aqi_scored.pm10,
        aqi_scored.so2,
        aqi_scored.no2,
        aqi_scored.co,
        aqi_scored.o3,
        aqi_scored.iaqi_pm2_5,
        aqi_scored.iaqi_pm10,
        aqi_scored.iaqi_so2,
        aqi_scored.iaqi_no2,
        aqi_scored.iaqi_co,
        aqi_scored.iaqi_o3,
        aqi_scored.has_all_pollutants,
        aqi_scored.aqi,
        aqi_scored.category,
        aqi_scored.primary_pollutant
    from aqi_scored
    inner join stations on aqi_scored.station_code = stations.station_code

)

select
    cast(station_code as {{ type_string() }}) as station_code,
    cast(area_code as {{ type_string() }}) as area_code,
    cast(data_time as {{ type_timestamp() }}) as data_time,
    cast(pm2_5 as {{ type_double() }}) as pm2_5,
    cast(pm10 as {{ type_double() }}) as pm10,
    cast(so2 as {{ type_double() }}) as so2,
    cast(no2 as {{ type_double() }}) as no2,
    cast(co as {{ type_double() }}) as co,
    cast(o3 as {{ type_double() }}) as o3,
    cast(iaqi_pm2_5 as integer) as iaqi_pm2_5,
    cast(iaqi_pm10 as integer) as iaqi_pm10,
    cast(iaqi_so2 as integer) as iaqi_so2,
    cast(iaqi_no2 as integer) as iaqi_no2,
    cast(iaqi_co as integer) as iaqi_co,
    cast(iaqi_o3 as integer) as iaqi_o3,
    cast(has_all_pollutants as {{ type_boolean() }}) as has_all_pollutants,
    cast(aqi as integer) as aqi,
    cast(category as {{ type_string() }}) as category,
    cast(primary_pollutant as {{ type_string() }}) as primary_pollutant,
    cast({{ method_version(['air_aqi']) }} as {{ type_string() }}) as method_version
from final
